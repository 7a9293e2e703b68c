"""Signed playback URLs: pure HMAC signing and checking, shared with nginx.

A playback URL puts its credential in the *path*, before the asset's files::

    <base>/<user>/<expires>/<signature>/<asset>/ladders/<ladder>/master.m3u8

so every relative URI inside the HLS playlists (variant playlists, init segments, media segments,
captions, the poster) resolves under the same credential: no playlist is rewritten, and nginx
serves all of them from disk after checking the signature itself (``deploy/nginx/``).

``signature = base64url(HMAC-SHA256(key, "<user>/<expires>/<asset>"))`` without padding, where
``expires`` is a Unix time in seconds. It binds the viewer, the asset and the expiry, not the
file: one credential opens every file of one asset, for one person, until it expires. The key is
``MEDIA_SIGNING_KEY``, shared with nginx and nothing else (not Django's ``SECRET_KEY``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from uuid import UUID

# What may follow the asset in a playback path: its published ladders and its captions, never
# its source. nginx's location uses the same pattern (deploy/nginx/metropoli.conf).
_NAME = r"[A-Za-z0-9_-][A-Za-z0-9._-]*"  # no name starts with a dot: never "." or ".."
SERVED_PATH = re.compile(rf"^(ladders/[0-9a-f]{{32}}|captions)/{_NAME}(/{_NAME})?$")


@dataclass(frozen=True)
class PlaybackToken:
    user_id: UUID
    asset_id: UUID
    expires: int  # Unix time, seconds
    signature: str

    def path(self, file: str) -> str:
        """The URL path of ``file`` (relative to the asset) under this credential."""
        return f"{self.user_id}/{self.expires}/{self.signature}/{self.asset_id}/{file}"


def playback_signature(*, key: bytes, user_id: UUID, asset_id: UUID, expires: int) -> str:
    """The HMAC-SHA256 of ``<user>/<expires>/<asset>`` under ``key``, base64url, unpadded."""
    message = f"{user_id}/{expires}/{asset_id}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign_playback(*, key: bytes, user_id: UUID, asset_id: UUID, expires: int) -> PlaybackToken:
    """A credential for ``user_id`` to fetch the files of ``asset_id`` until ``expires``."""
    signature = playback_signature(key=key, user_id=user_id, asset_id=asset_id, expires=expires)
    return PlaybackToken(user_id=user_id, asset_id=asset_id, expires=expires, signature=signature)


def playback_signature_valid(
    *, key: bytes, user_id: UUID, asset_id: UUID, expires: int, signature: str, now: float
) -> bool:
    """True when ``signature`` is the key's signature of these values and ``now`` is before
    ``expires``. Compared in constant time."""
    if now >= expires:
        return False
    expected = playback_signature(key=key, user_id=user_id, asset_id=asset_id, expires=expires)
    return hmac.compare_digest(expected, signature)

"""The issuer's Ed25519 signing key and the public keys that verify its credentials.

The only module of the package that reads settings, and only inside its functions:

- ``CERTIFICATES_SIGNING_KEY``: the private key as PEM text (PKCS#8), e.g. from a secret store;
- ``CERTIFICATES_SIGNING_KEY_FILE``: or the path of such a PEM file;
- ``CERTIFICATES_KEY_ID``: the fragment naming the key in the issuer profile (``key-1``);
- ``CERTIFICATES_PREVIOUS_PUBLIC_KEYS``: ``["key-0=z6Mk..."]``, retired keys that the issuer
  profile keeps listing so that credentials signed with them still verify after a rotation;
- ``CERTIFICATES_DEV_KEY_FILE``: where a development key is generated once when neither of the
  first two is set (in DEBUG it defaults to a file under ``VAR_DIR``); outside DEBUG and without
  it, a missing key is an error rather than a key that silently changes.
"""

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from certificates.credentials.multibase import (
    MultibaseError,
    base58btc_multibase,
    base58btc_multibase_decode,
)

# The multicodec prefix of an Ed25519 public key (0xed as an unsigned varint), as Multikey wants.
ED25519_PUBLIC_KEY_PREFIX = b"\xed\x01"
DEFAULT_KEY_ID = "key-1"
DEV_KEY_FILE = Path("keys") / "certificates-ed25519.pem"  # under VAR_DIR, as in lms/settings.py


class SigningKeyMissing(ImproperlyConfigured):
    """No signing key is configured, and this is not a development setup that may make one."""


class SigningKeyInvalid(ImproperlyConfigured):
    """A configured key (or public key) cannot be used: not Ed25519, not PEM, badly written."""


@dataclass(frozen=True)
class SigningKey:
    """The private key that signs, and the verification method URL that names its public key."""

    key_id: str
    private_key: Ed25519PrivateKey

    @property
    def public_key_multibase(self) -> str:
        """The public key as the issuer profile lists it."""
        return public_key_multibase(self.private_key.public_key())


def issuer_id() -> str:
    """The issuer's URL: its profile (and the controller document of its keys) is served there."""
    return f"{str(settings.SITE_URL).rstrip('/')}/certificates/issuer"


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """A Multikey ``publicKeyMultibase``: 'z' + base58btc(0xed 0x01 + the 32 key bytes)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base58btc_multibase(ED25519_PUBLIC_KEY_PREFIX + raw)


def public_key_from_multibase(text: str) -> Ed25519PublicKey:
    """The Ed25519 public key of a Multikey ``publicKeyMultibase``; ``SigningKeyInvalid`` if not."""
    try:
        data = base58btc_multibase_decode(text)
    except MultibaseError as error:
        raise SigningKeyInvalid(f"{text!r} is not a multibase public key: {error}") from None
    if len(data) != 34 or not data.startswith(ED25519_PUBLIC_KEY_PREFIX):
        raise SigningKeyInvalid(f"{text!r} is not an Ed25519 Multikey (0xed01 + 32 bytes)")
    return Ed25519PublicKey.from_public_bytes(data[2:])


def _key_id_fragment() -> str:
    fragment = str(getattr(settings, "CERTIFICATES_KEY_ID", "") or DEFAULT_KEY_ID)
    if not fragment or any(character in fragment for character in "#/?= "):
        raise SigningKeyInvalid(
            f"CERTIFICATES_KEY_ID {fragment!r} must be a plain fragment such as 'key-1'"
        )
    return fragment


def _private_key_from_pem(pem: bytes, *, source: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as error:
        raise SigningKeyInvalid(
            f"{source} is not an unencrypted PEM private key: {error}"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyInvalid(f"{source} is a {type(key).__name__}, not an Ed25519 key")
    return key


def private_key_pem(private_key: Ed25519PrivateKey) -> str:
    """``private_key`` as PEM PKCS#8 text, the form CERTIFICATES_SIGNING_KEY takes."""
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def _dev_key_file() -> Path | None:
    """Where a development key lives: the setting, or a file under VAR_DIR in DEBUG, or None."""
    configured = getattr(settings, "CERTIFICATES_DEV_KEY_FILE", "")
    if configured:
        return Path(configured)
    if getattr(settings, "DEBUG", False):
        var_dir = getattr(settings, "VAR_DIR", None) or Path(settings.BASE_DIR) / "var"
        return Path(var_dir) / DEV_KEY_FILE
    return None


def _dev_key_load_or_create(path: Path) -> Ed25519PrivateKey:
    """The key in ``path``, generated there first (mode 0600) if the file does not exist.

    Written to a temporary file and hard-linked into place, so that two processes starting at
    once never read a half-written file and both end up with the same key.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")
        try:
            with os.fdopen(descriptor, "w", encoding="ascii") as file:
                file.write(private_key_pem(Ed25519PrivateKey.generate()))
            os.chmod(temporary, 0o600)
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return _private_key_from_pem(path.read_bytes(), source=str(path))


def signing_key_load() -> SigningKey:
    """The key that signs credentials now, from settings (see the module's docstring)."""
    pem_text = getattr(settings, "CERTIFICATES_SIGNING_KEY", "")
    pem_file = getattr(settings, "CERTIFICATES_SIGNING_KEY_FILE", "")
    if pem_text:
        private_key = _private_key_from_pem(
            str(pem_text).encode("ascii"), source="CERTIFICATES_SIGNING_KEY"
        )
    elif pem_file:
        try:
            pem = Path(pem_file).read_bytes()
        except OSError as error:
            raise SigningKeyInvalid(
                f"CERTIFICATES_SIGNING_KEY_FILE {pem_file!r} cannot be read: {error}"
            ) from None
        private_key = _private_key_from_pem(pem, source=f"CERTIFICATES_SIGNING_KEY_FILE {pem_file}")
    elif (dev_file := _dev_key_file()) is not None:
        private_key = _dev_key_load_or_create(dev_file)
    else:
        raise SigningKeyMissing(
            "No key to sign certificates with: set CERTIFICATES_SIGNING_KEY (an Ed25519 private "
            "key as PEM PKCS#8 text) or CERTIFICATES_SIGNING_KEY_FILE (the path of such a file); "
            "make one with `openssl genpkey -algorithm ed25519`. Keep the old public key in "
            "CERTIFICATES_PREVIOUS_PUBLIC_KEYS when you replace it."
        )
    return SigningKey(key_id=f"{issuer_id()}#{_key_id_fragment()}", private_key=private_key)


def previous_public_keys() -> dict[str, str]:
    """Retired keys, verification method URL -> ``publicKeyMultibase``, from settings."""
    keys: dict[str, str] = {}
    for entry in getattr(settings, "CERTIFICATES_PREVIOUS_PUBLIC_KEYS", None) or []:
        fragment, separator, multibase = str(entry).strip().partition("=")
        if not separator or not fragment or "#" in fragment:
            raise SigningKeyInvalid(
                f"CERTIFICATES_PREVIOUS_PUBLIC_KEYS entry {entry!r} is not 'key-id=z6Mk...'"
            )
        public_key_from_multibase(multibase)  # refuses what is not an Ed25519 Multikey
        keys[f"{issuer_id()}#{fragment}"] = multibase
    return keys


def verification_public_keys() -> dict[str, str]:
    """Every key that may have signed one of our credentials: the previous ones and the current.

    Verification method URL -> ``publicKeyMultibase``; what ``credential_verify`` and the issuer
    profile take.
    """
    current = signing_key_load()
    return {**previous_public_keys(), current.key_id: current.public_key_multibase}

"""The rotating check-in code (pure): six digits from an HMAC of the session's secret and the
30-second step of the server's clock. A code belongs to one session (another session's secret
gives other codes) and to one moment (an old step is refused); nothing is stored per code."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

STEP_SECONDS = 30
DIGITS = 6
# The code that was on the screen a moment ago still counts: someone typing it as it changes.
STEPS_ACCEPTED_BEHIND = 1


def step_of(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def code_for(secret: str, session_id: str, step: int) -> str:
    digest = hmac.new(secret.encode(), f"{session_id}:{step}".encode(), hashlib.sha256).digest()
    # Dynamic truncation as in RFC 4226 (HOTP), over SHA-256.
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def code_is_current(secret: str, session_id: str, code: str, moment: datetime) -> bool:
    """Whether ``code`` is the session's code at ``moment`` or the one just before it."""
    code = "".join(code.split())
    now = step_of(moment)
    return any(
        hmac.compare_digest(code_for(secret, session_id, now - behind), code)
        for behind in range(STEPS_ACCEPTED_BEHIND + 1)
    )


def seconds_until_next(moment: datetime) -> int:
    return STEP_SECONDS - int(moment.timestamp()) % STEP_SECONDS

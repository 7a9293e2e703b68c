"""The public verification's rate limit: counted per address and minute in the cache (Redis
in production), shared by the page and the API, so that nobody can walk the code space."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

from certificates.exceptions import VerificationRateLimited


def verification_count(*, client: str, now: float | None = None) -> None:
    """Count one verification from ``client`` (an address); VerificationRateLimited past
    ``CERTIFICATES_VERIFY_PER_MINUTE`` in the current minute."""
    minute = int((now if now is not None else time.time()) // 60)
    digest = hashlib.sha256(client.encode()).hexdigest()[:32]  # no address kept in the cache
    key = f"certificates:verify:{digest}:{minute}"
    if cache.add(key, 1, timeout=120):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=120)
            count = 1
    if count > settings.CERTIFICATES_VERIFY_PER_MINUTE:
        raise VerificationRateLimited(extra={"retry_after": 60 - int(time.time()) % 60})

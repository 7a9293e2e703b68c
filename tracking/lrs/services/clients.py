"""Credentials of the systems that talk to the LRS (HTTP Basic: key as user name, secret as
password). Only a hash of the secret is stored; the plain secret is returned once, at creation."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db import transaction

from lms.accounts.models import User
from tracking.lrs.models import LrsClient

# A successful check is remembered this long. Verifying the secret runs the password hasher
# (PBKDF2, about 50 ms by design); the LRS must answer hundreds of requests a second with the
# same credential, so the hasher may run once per credential per period, not once per request.
CHECK_CACHE_SECONDS = 300


def _check_cache_key(*, key: str, secret: str) -> str:
    # A digest, never the secret itself: the cache (Redis in production) is not a secret store.
    digest = hashlib.sha256(f"{key}:{secret}".encode()).hexdigest()
    return f"tracking:lrs-client-check:{digest}"


def lrs_client_create(
    *,
    name: str,
    can_write: bool = True,
    can_credit: bool = False,
    read_scope: str = LrsClient.ReadScope.MINE,
    authority: dict | None = None,
    created_by: User | None = None,
    key: str | None = None,
    secret: str | None = None,
    xapi_version: str = "1.0.3",
) -> tuple[LrsClient, str]:
    """Create an active client and return it with its plain secret, which is not stored and
    cannot be shown again. ``can_credit``: its statements count toward learners' hours and
    completions (off unless staff say so: the platform's player speaks through the session).

    Key and secret are random unless given (given ones serve scripted set-ups such as the
    conformance run). The authority defaults to an Agent identified by an account on
    ``SITE_URL`` named after the key. Raises Django's ``ValidationError`` for a key already in
    use, an unknown read scope or a blank name. Not idempotent: each call is a new credential.
    """
    key = key or secrets.token_urlsafe(18)
    secret = secret or secrets.token_urlsafe(32)
    if authority is None:
        authority = {
            "objectType": "Agent",
            "name": name,
            "account": {"homePage": settings.SITE_URL, "name": key},
        }
    client = LrsClient(
        name=name,
        key=key,
        secret_hash=make_password(secret),
        authority=authority,
        can_write=can_write,
        can_credit=can_credit,
        read_scope=read_scope,
        xapi_version=xapi_version,
        created_by=created_by,
    )
    client.full_clean()
    with transaction.atomic():
        client.save()
    return client, secret


def lrs_client_check(*, key: str, secret: str) -> LrsClient | None:
    """The active client these credentials belong to, or None.

    Costs one query on every call. The first successful check of a credential runs the password
    hasher and remembers the result for ``CHECK_CACHE_SECONDS``; later checks compare the cached
    entry with the row instead. Deactivation therefore takes effect at once: the row's
    ``is_active`` is read on every call, cached or not. A new secret hash on the row also voids
    the cached entry. Failed checks are never cached.
    """
    cache_key = _check_cache_key(key=key, secret=secret)
    if cached := cache.get(cache_key):
        client = LrsClient.objects.filter(pk=cached["id"], key=key, is_active=True).first()
        if client is not None and client.secret_hash == cached["secret_hash"]:
            return client
        cache.delete(cache_key)
        return None

    client = LrsClient.objects.filter(key=key, is_active=True).first()
    if client is None:
        # Hash anyway, as Django's ModelBackend does, so that an unknown key takes as long to
        # refuse as a wrong secret and keys cannot be discovered by timing.
        make_password(secret)
        return None
    if not check_password(secret, client.secret_hash):
        return None
    cache.set(
        cache_key,
        {"id": str(client.pk), "secret_hash": client.secret_hash},
        timeout=CHECK_CACHE_SECONDS,
    )
    return client


def lrs_client_deactivate(*, client: LrsClient) -> LrsClient:
    """Stop accepting the client's credentials, from the next request on (cached checks
    included, see ``lrs_client_check``). Its statements stay. Idempotent."""
    if client.is_active:
        client.is_active = False
        client.save(update_fields=["is_active", "updated_at"])
    return client

"""Test settings: the runtime settings with the few changes tests need, and nothing else."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("MEDIA_SIGNING_KEY", "tests-only-media-key")

from lms.settings import *  # noqa: E402, F403

# Hashing passwords slowly is the point in production and a waste of minutes in tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# No collected static files in tests: whitenoise would only warn that var/static is missing.
MIDDLEWARE = [m for m in MIDDLEWARE if "whitenoise" not in m]  # noqa: F405
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
LANGUAGE_CODE = "en"  # error bodies are asserted literally; Italian ones have their own test
LOGGING["handlers"]["stderr"]["formatter"] = "console"  # type: ignore[index]  # noqa: F405

# Tasks run in-process in tests even when CI configures a broker; a test that needs a real
# worker starts one (celery.contrib.pytest's celery_worker) and turns this off for itself.
CELERY_TASK_ALWAYS_EAGER = True

# The certificates' signing key: made once for the tests under var/ (never a real key).
CERTIFICATES_DEV_KEY_FILE = str(VAR_DIR / "test-keys" / "certificates-ed25519.pem")  # noqa: F405

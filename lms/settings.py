"""The one runtime settings module: everything comes from the environment, with embedded defaults.

With no environment at all the app runs on SQLite under ``var/``, runs Celery tasks in-process and
keeps files on the local disk, so ``make run`` works on a fresh machine. ``.env.example`` documents
every variable. Test overrides live in ``tests/settings.py`` only.
"""

from pathlib import Path

import environ
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

env = environ.Env()
BASE_DIR = Path(__file__).resolve().parent.parent
env.read_env(BASE_DIR / ".env")  # optional local overrides; real environment variables win
# Runtime data (SQLite, uploads, exports) never goes to ./media: that is the name of an app.
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="django-insecure-dev-only" if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (make run sets DEBUG=1)")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served from here, not from a CDN
    "lms.accounts",
    "courses",
    "media",
    "tracking",
    "certificates",  # above tracking and courses: listens to the engine's completions
    "pages",  # above every other app: it may import them all, none of them imports it
]

MIDDLEWARE = [
    "lms.middleware.HeadBodyRemovalMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files: whitenoise in production (after collectstatic); runserver serves them in DEBUG.
    *([] if DEBUG else ["whitenoise.middleware.WhiteNoiseMiddleware"]),
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "pages.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Italian first, English second; dates are shown the Italian way (formats follow the language).
LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "files/"
MEDIA_ROOT = VAR_DIR / "media"
# Files go through Django's storage API only: a local folder by default, or any S3-compatible
# object store (MinIO, a cloud bucket) through django-storages.
STORAGE_BACKEND = env("STORAGE_BACKEND", default="local")
if STORAGE_BACKEND == "s3":
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("STORAGE_BUCKET"),
            "endpoint_url": env("STORAGE_ENDPOINT_URL", default=None),
            "region_name": env("STORAGE_REGION", default=None),
            "access_key": env("STORAGE_ACCESS_KEY", default=None),
            "secret_key": env("STORAGE_SECRET_KEY", default=None),
            "default_acl": None,  # the bucket stays private; downloads use signed URLs
            "file_overwrite": False,
            "querystring_expire": env.int("STORAGE_URL_EXPIRY_SECONDS", default=3600),
        },
    }
elif STORAGE_BACKEND == "local":
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured("STORAGE_BACKEND must be 'local' or 's3'")
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Upper bound for an enrolment file (CSV/XLSX): a whole city's staff fits in well under this.
ENROLLMENT_IMPORT_MAX_BYTES = env.int("ENROLLMENT_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
ENROLLMENT_IMPORT_MAX_ROWS = env.int("ENROLLMENT_IMPORT_MAX_ROWS", default=5000)

# --- video, documents, captions (media/) ---------------------------------------------------
VIDEO_MAX_UPLOAD_BYTES = env.int("VIDEO_MAX_UPLOAD_BYTES", default=8 * 1024**3)
DOCUMENT_MAX_UPLOAD_BYTES = env.int("DOCUMENT_MAX_UPLOAD_BYTES", default=100 * 1024**2)
CAPTION_MAX_UPLOAD_BYTES = env.int("CAPTION_MAX_UPLOAD_BYTES", default=2 * 1024**2)
# An upload nobody resumed for this long is deleted with the bytes it had received.
UPLOAD_EXPIRY_SECONDS = env.int("UPLOAD_EXPIRY_SECONDS", default=24 * 3600)
FFMPEG_BINARY = env("FFMPEG_BINARY", default="ffmpeg")
FFPROBE_BINARY = env("FFPROBE_BINARY", default="ffprobe")
# One transcode may run this long; the Celery task's soft and hard limits sit above it.
FFMPEG_TIMEOUT_SECONDS = env.int("FFMPEG_TIMEOUT_SECONDS", default=4 * 3600)
# Where ffmpeg writes before the ladder is published to storage (the system's temp by default).
MEDIA_WORK_DIR = env("MEDIA_WORK_DIR", default="") or None
# A transcode whose progress has not moved for this long belongs to a dead worker: requeued.
MEDIA_TRANSCODE_STALE_SECONDS = env.int("MEDIA_TRANSCODE_STALE_SECONDS", default=600)
MEDIA_TRANSCODE_MAX_ATTEMPTS = env.int("MEDIA_TRANSCODE_MAX_ATTEMPTS", default=3)
# Signed playback: the key is shared with nginx (deploy/nginx/) and nothing else.
MEDIA_SIGNING_KEY = env("MEDIA_SIGNING_KEY", default="media-dev-only" if DEBUG else "")
if not MEDIA_SIGNING_KEY:
    raise ImproperlyConfigured(
        "MEDIA_SIGNING_KEY must be set when DEBUG is off (the same value as nginx's)"
    )
# "django": Django serves playlists and segments itself (development, Range supported);
# "nginx": nginx checks the signature and serves the files, Django only issues the URLs.
MEDIA_DELIVERY = env("MEDIA_DELIVERY", default="django")
if MEDIA_DELIVERY not in ("django", "nginx"):
    raise ImproperlyConfigured("MEDIA_DELIVERY must be 'django' or 'nginx'")
# Where playback URLs point: this site's /hls/ by default, or nginx/CDN's absolute URL.
MEDIA_PLAYBACK_BASE_URL = env("MEDIA_PLAYBACK_BASE_URL", default="/hls/")
# A playback URL lives this long beyond the video's own length (pauses included).
MEDIA_PLAYBACK_TTL_SECONDS = env.int("MEDIA_PLAYBACK_TTL_SECONDS", default=30 * 60)
# A replaced ladder stays on storage this long, so that nobody watching it is cut off: longer
# than any playback URL lives (its TTL plus the longest video).
MEDIA_RETIRED_GRACE_SECONDS = env.int("MEDIA_RETIRED_GRACE_SECONDS", default=24 * 3600)

# --- progress engine (tracking/progress/policy.py; README "Progress") ------------------------
# Network delay forgiven: one allowance per learner, refilled only by real time not credited.
PROGRESS_TOLERANCE_SECONDS = env.float("PROGRESS_TOLERANCE_SECONDS", default=2.0)
# Video played faster than this earns no completion (it is still credited at real time).
PROGRESS_MAX_PLAYBACK_RATE = env.float("PROGRESS_MAX_PLAYBACK_RATE", default=2.0)
# A video lesson is completed when this share of it has been played in real time.
PROGRESS_LESSON_COVERAGE_PERCENT = env.float("PROGRESS_LESSON_COVERAGE_PERCENT", default=90.0)
# How long a stored statement may wait for the progress engine (and a completion for its
# announcement), so that many are done at once.
PROGRESS_DRAIN_DELAY_SECONDS = env.float("PROGRESS_DRAIN_DELAY_SECONDS", default=1.0)

# Attendance: learners check in with the room's rotating code from this long before a session
# starts until it ends, and check out until this long after it ends (hours count only inside
# the session's own times); reminders go this long before a session; a register of more rows
# than this is written by a task and downloaded later.
ATTENDANCE_CHECK_IN_OPENS_MINUTES = env.int("ATTENDANCE_CHECK_IN_OPENS_MINUTES", default=30)
ATTENDANCE_CHECK_OUT_GRACE_MINUTES = env.int("ATTENDANCE_CHECK_OUT_GRACE_MINUTES", default=30)
# An in-person or live lesson is completed once the registers give it this share of its
# planned length (a module's own minimum attendance, when it sets one, replaces it).
ATTENDANCE_MIN_PERCENT = env.int("ATTENDANCE_MIN_PERCENT", default=75)
ATTENDANCE_REMINDER_HOURS = env.int("ATTENDANCE_REMINDER_HOURS", default=24)
ATTENDANCE_EXPORT_ASYNC_ROWS = env.int("ATTENDANCE_EXPORT_ASYNC_ROWS", default=20_000)
# The programme's distance-learning target.
PROGRAMME_TARGET_HOURS = env.float("PROGRAMME_TARGET_HOURS", default=300.0)

# Certificates: who issues them (printed, and the Open Badges issuer's name and URL) and the
# platform's Ed25519 key that signs their credentials: a PEM (PKCS#8) in the environment or a
# file, never in the database. With neither, DEBUG (make run) makes a key once under var/.
# Rotation: give the new key a new CERTIFICATES_KEY_ID and list the old public key in
# CERTIFICATES_PREVIOUS_PUBLIC_KEYS ("key-1=z6Mk..."), so that credentials it signed still verify.
CERTIFICATES_ISSUER_NAME = env("CERTIFICATES_ISSUER_NAME", default="Metropoli LMS")
CERTIFICATES_ISSUER_URL = env("CERTIFICATES_ISSUER_URL", default=SITE_URL)
CERTIFICATES_SIGNING_KEY = env("CERTIFICATES_SIGNING_KEY", default="")
CERTIFICATES_SIGNING_KEY_FILE = env("CERTIFICATES_SIGNING_KEY_FILE", default="")
CERTIFICATES_DEV_KEY_FILE = str(VAR_DIR / "keys" / "certificates-ed25519.pem") if DEBUG else ""
CERTIFICATES_KEY_ID = env("CERTIFICATES_KEY_ID", default="key-1")
CERTIFICATES_PREVIOUS_PUBLIC_KEYS = env.list("CERTIFICATES_PREVIOUS_PUBLIC_KEYS", default=[])
# What each kind of certificate attests (the credential's criteria).
CERTIFICATES_CRITERIA = {
    "module": "Completed every lesson of the module with verified distance-learning time and "
    "the attendance the module requires, as recorded by the platform.",
    "course": "Completed every module of the course, as recorded by the platform.",
    "programme": "Reached the programme's target of verified distance-learning hours, as "
    "recorded by the platform.",
}
# Public verification: the most code checks one address may make per minute (page and API).
# Behind our nginx (deploy/nginx/) the client's address is in X-Real-IP:
# CLIENT_IP_HEADER=HTTP_X_REAL_IP.
CERTIFICATES_VERIFY_PER_MINUTE = env.int("CERTIFICATES_VERIFY_PER_MINUTE", default=30)
CLIENT_IP_HEADER = env("CLIENT_IP_HEADER", default="")

# xAPI: the most statements one GET returns; the rest follow through the "more" link.
LRS_PAGE_SIZE = env.int("LRS_PAGE_SIZE", default=100)
# How deep a statement's arrays and objects may nest (the statement is level 1): deeper is a 400,
# so that nothing stored overflows the stack of code that reads it back. ADL's conformance
# suite nests 8 deep at most; 64 leaves extensions room.
XAPI_MAX_DEPTH = env.int("XAPI_MAX_DEPTH", default=64)
# The largest request body /xapi/ reads (statements with their attachments, a document), held
# in memory; larger ones get 413. Only the LRS: elsewhere DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
# Below nginx's client_max_body_size (deploy/nginx), or nginx refuses first, without our error.
XAPI_MAX_BODY_BYTES = env.int("XAPI_MAX_BODY_BYTES", default=32 * 1024**2)
# Forwarding every statement to an external LRS (more targets: rows in the admin). No endpoint:
# no settings-configured target. The secret is the remote's credential, kept as given.
LRS_FORWARD_ENDPOINT = env("LRS_FORWARD_ENDPOINT", default="")
LRS_FORWARD_NAME = env("LRS_FORWARD_NAME", default="regional")
LRS_FORWARD_KEY = env("LRS_FORWARD_KEY", default="")
LRS_FORWARD_SECRET = env("LRS_FORWARD_SECRET", default="")
LRS_FORWARD_BATCH_SIZE = env.int("LRS_FORWARD_BATCH_SIZE", default=100)
LRS_FORWARD_TIMEOUT_SECONDS = env.float("LRS_FORWARD_TIMEOUT_SECONDS", default=15.0)
# Statements younger than this are left for the next run (their transaction may not have
# committed yet, and the cursor must never pass them).
LRS_FORWARD_SETTLE_SECONDS = env.float("LRS_FORWARD_SETTLE_SECONDS", default=5.0)
LRS_FORWARD_EVERY_SECONDS = env.float("LRS_FORWARD_EVERY_SECONDS", default=60.0)

REDIS_URL = env("REDIS_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL  # no broker configured: tasks run in-process
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Kick a forwarding run for every active ForwardingTarget (none: it does nothing).
    "tracking-forwarding-sweep": {
        "task": "tracking.forwarding_sweep",
        "schedule": LRS_FORWARD_EVERY_SECONDS,
    },
    # Statements the kick after their commit missed (a broker down, a process killed).
    "tracking-progress-drain": {"task": "tracking.progress_drain", "schedule": 30.0},
    # Completions whose announcement (xAPI statement, signal) was lost after their commit.
    "tracking-completions-announce": {
        "task": "tracking.completions_announce_pending",
        "schedule": 60.0,
    },
    # Every minute: transcodes whose worker died (no progress for MEDIA_TRANSCODE_STALE_SECONDS)
    # or whose kick was lost go back to the queue.
    "media-requeue-stale": {"task": "media.video_asset_requeue_stale", "schedule": 60.0},
    # Every 15 minutes: expired uploads and retired ladders past their grace period.
    "media-housekeeping": {"task": "media.housekeeping", "schedule": 15 * 60.0},
    # Every 10 minutes: e-mail reminders (with the calendar file) of sessions starting soon.
    "attendance-reminders": {"task": "tracking.attendance_reminders", "schedule": 10 * 60.0},
    # Every 5 minutes: certificates a lost task left without credential, PDF or statement.
    "certificates-sweep": {"task": "certificates.certificates_sweep", "schedule": 5 * 60.0},
}
# Long ffmpeg work has a queue of its own (a worker started with -Q media), so that statement
# ingestion, progress and certificates never wait behind a two-hour lecture.
CELERY_TASK_ROUTES = {
    "media.upload_join": {"queue": "media"},
    "media.video_asset_transcode": {"queue": "media"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous API call then gets 401 with WWW-Authenticate, not 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "lms.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "lms.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Metropoli LMS API",
    "DESCRIPTION": "Course catalogue, enrolments, people and organisations of the Metropolitan "
    "Cities' distance-learning programme.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",  # tags by resource (courses, people, ...), not "v1"
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CourseStatusEnum": "courses.models.Course.Status",
        "EnrollmentStatusEnum": "courses.models.Enrollment.Status",
        "LessonKindEnum": "courses.models.Lesson.Kind",
        "PositionEnum": "lms.accounts.models.Position",
        "RoleEnum": "lms.accounts.models.User.Role",
        "OrganisationKindEnum": "lms.accounts.models.Organisation.Kind",
        "LanguageEnum": "courses.models.Course.Language",
        "VideoStatusEnum": "media.models.VideoAsset.Status",
        "UploadStatusEnum": "media.models.Upload.Status",
        "SessionKindEnum": "tracking.attendance.models.AttendanceSession.Kind",
        "RegistrationStatusEnum": "tracking.attendance.models.SessionRegistration.Status",
        "PresenceStatusEnum": "tracking.attendance.models.Presence.Status",
        "PresenceChangeActionEnum": "tracking.attendance.models.PresenceChange.Action",
        "RegisterEnum": "tracking.attendance.models.RegisterExport.Register",
        "CertificateKindEnum": "certificates.models.Certificate.Kind",
        "RegisterFormatEnum": "tracking.attendance.models.RegisterExport.Format",
        "RegisterExportStatusEnum": "tracking.attendance.models.RegisterExport.Status",
    },
}

# --- pages (pages/) --------------------------------------------------------------------------
LOGIN_URL = "pages:login"
LOGIN_REDIRECT_URL = "pages:home"
LOGOUT_REDIRECT_URL = "pages:home"
# The trainer's upload page sends a video in chunks of this size (the tus endpoint takes any).
TRAINER_UPLOAD_CHUNK_BYTES = env.int("TRAINER_UPLOAD_CHUNK_BYTES", default=5 * 1024 * 1024)
# Password reset and first-access links: printed on the console in development.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Metropoli LMS <noreply@metropoli.example>")
# A first-access or reset link stays valid this long (Django's default is three days).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 24 * 3600)


def _origin(url: str) -> list[str]:
    """The origin of an absolute URL, for the policy; nothing for a path on this site."""
    if "://" not in url:
        return []
    scheme, rest = url.split("://", 1)
    return [f"{scheme}://{rest.split('/', 1)[0]}"]


# A strict Content Security Policy on every page: nothing from outside, no inline script or style
# without the request's nonce. Media may come from the playback host (nginx) and from blob: URLs
# (hls.js feeds the video element through Media Source Extensions). Swagger UI, ReDoc and the
# admin are exempt: their own templates carry inline scripts (they are staff's tools, not pages).
_PLAYBACK_ORIGIN = _origin(MEDIA_PLAYBACK_BASE_URL)
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/api/docs/", "/api/redoc/", "/api/auth/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:", *_PLAYBACK_ORIGIN],
        "font-src": ["'self'", "data:"],  # Bootstrap Italia's CSS embeds an icon font
        "media-src": ["'self'", "blob:", *_PLAYBACK_ORIGIN],
        "connect-src": ["'self'", *_PLAYBACK_ORIGIN],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOG_FORMAT = env("LOG_FORMAT", default="console" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "console": {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s"},
    },
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["stderr"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint narrates every step of every PDF register at INFO; fontTools its subsetting.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

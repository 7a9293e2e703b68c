"""The pages people open, rendered by a real headless Chromium against a live server."""

import shutil
import subprocess
import tempfile

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium is not installed (make test installs it)"
    ),
    pytest.mark.django_db(transaction=True),
]


def rendered_dom(url: str, *, language: str = "en") -> str:
    """The DOM after the page's scripts ran, as Chromium serialises it."""
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(  # noqa: S603 - fixed argv, our own URL
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                f"--accept-lang={language}",
                "--virtual-time-budget=10000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=90,
            check=True,
        )
    return result.stdout


def test_api_docs_render_every_endpoint_without_the_internet(live_server):
    dom = rendered_dom(f"{live_server.url}/api/docs/")

    assert "Metropoli LMS API" in dom
    for path in ("/api/v1/courses/", "/api/v1/enrollment-imports/", "/api/v1/people/"):
        assert f'data-path="{path}"' in dom


@pytest.mark.parametrize(
    ("language", "username_label"), [("it", "Nome utente"), ("en", "Username")]
)
def test_admin_login_page_speaks_the_browsers_language(live_server, language, username_label):
    dom = rendered_dom(f"{live_server.url}/admin/login/", language=language)

    assert username_label in dom
    assert f'lang="{language}"' in dom

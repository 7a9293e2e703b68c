"""nginx's half of signed playback, on a real nginx running the shipped deploy/nginx/metropoli.conf.

The configuration is the production file with its site settings (listen address, upstream,
storage root, njs path, log folder) replaced, started with its own prefix, pid and logs on a free
port of 127.0.0.1. URLs are signed by ``media.signing`` with the key nginx gets from its
environment, as Django and nginx share it in production. A stub upstream stands in for gunicorn.
"""

from __future__ import annotations

import http.client
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from media.signing import PlaybackToken, sign_playback

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy" / "nginx"
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
JS_MODULE = Path("/usr/lib/nginx/modules/ngx_http_js_module.so")

pytestmark = [
    pytest.mark.skipif(
        NGINX is None,
        reason="nginx is not installed (make test installs it: apt-get install nginx)",
    ),
    pytest.mark.skipif(
        not JS_MODULE.exists(),
        reason=f"nginx's njs module is missing ({JS_MODULE}): apt-get install libnginx-mod-http-js",
    ),
]

KEY = "tests-nginx-" + secrets.token_urlsafe(24)
USER = uuid.UUID("11111111-2222-4333-8444-555555555555")
ASSET = uuid.UUID("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee")
OTHER_ASSET = uuid.UUID("99999999-8888-4777-8666-555555555555")
LADDER = "0123456789abcdef0123456789abcdef"
rng = random.Random(7)  # noqa: S311 - test data
FILES = {
    f"ladders/{LADDER}/master.m3u8": b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2800000\n"
    b"720p/index.m3u8\n",
    f"ladders/{LADDER}/720p/index.m3u8": b'#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\nseg_00001.m4s\n',
    f"ladders/{LADDER}/720p/init.mp4": rng.randbytes(1500),
    f"ladders/{LADDER}/720p/seg_00001.m4s": rng.randbytes(300_000),
    f"ladders/{LADDER}/poster.jpg": b"\xff\xd8\xff\xe0poster",
    "captions/it.vtt": b"WEBVTT\n\n00:00.000 --> 00:01.000\nCiao\n",
    "source/lesson.mp4": b"the source: never served",
}
TYPES = {
    "master.m3u8": "application/vnd.apple.mpegurl",
    "720p/index.m3u8": "application/vnd.apple.mpegurl",
    "720p/init.mp4": "video/mp4",
    "720p/seg_00001.m4s": "video/iso.segment",
    "poster.jpg": "image/jpeg",
}
SEGMENT = f"ladders/{LADDER}/720p/seg_00001.m4s"
MASTER = f"ladders/{LADDER}/master.m3u8"


@pytest.fixture(autouse=True)
def _keep_reference_data():
    """No database in this module: replaces conftest's autouse fixture of the same name, which
    would set up the test database for nothing."""


# --- the servers ----------------------------------------------------------------------------


def render_site(conf: str, settings: dict[str, str]) -> str:
    """The shipped server configuration with its site settings replaced. Every setting must be
    found: a test of a configuration that is not the shipped one would prove nothing."""
    for shipped, value in settings.items():
        if shipped not in conf:
            raise AssertionError(f"{shipped!r} is no longer in metropoli.conf: update the tests")
        conf = conf.replace(shipped, value)
    return conf


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


@dataclass
class Nginx:
    port: int
    prefix: Path
    process: subprocess.Popen[bytes]

    def request(self, method: str, path: str, headers: dict[str, str] | None = None) -> Answer:
        """``path`` is sent exactly as given (no normalisation of ``..`` by the client)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, headers=headers or {})
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            connection.close()

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self.request("GET", path, headers)

    def log(self, name: str) -> str:
        path = self.prefix / "logs" / name
        return path.read_text() if path.exists() else ""


def start_nginx(prefix: Path, *, media_root: Path, upstream_port: int, key: str | None) -> Nginx:
    port = free_port()
    (prefix / "logs").mkdir(parents=True)
    site = render_site(
        (DEPLOY / "metropoli.conf").read_text(),
        {
            "listen 80;": f"listen 127.0.0.1:{port};",
            "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream_port};",
            "/etc/nginx/metropoli/hls_auth.js": str(DEPLOY / "hls_auth.js"),
            "/srv/lms/var/media;": f"{media_root};",  # set $metropoli_media_root
            "/var/log/nginx/": f"{prefix}/logs/",
        },
    )
    (prefix / "metropoli.conf").write_text(site)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (prefix / "nginx.conf").write_text(
        f"""
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log info;
{"user root;" if os.geteuid() == 0 else ""}
load_module {JS_MODULE};
include {DEPLOY / "nginx-main.conf"};
events {{ worker_connections 128; }}
http {{
    access_log {prefix}/logs/access.log;
{temp_paths}
    include {prefix}/metropoli.conf;
}}
"""
    )
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    if key is not None:
        env["MEDIA_SIGNING_KEY"] = key
    with (prefix / "logs" / "stderr.log").open("wb") as stderr:
        process = subprocess.Popen(  # noqa: S603 - the system's nginx, our configuration
            [
                NGINX,
                "-p",
                f"{prefix}/",
                "-c",
                f"{prefix}/nginx.conf",
                "-e",
                f"{prefix}/logs/error.log",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,  # its own process group: its workers go with it
        )
    server = Nginx(port, prefix, process)
    deadline = time.monotonic() + 15
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                f"nginx exited ({process.returncode}): "
                f"{server.log('stderr.log')}{server.log('error.log')}"
            )
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            if time.monotonic() > deadline:
                stop_nginx(server)
                raise RuntimeError("nginx did not listen within 15 s") from None
            time.sleep(0.05)


def stop_nginx(server: Nginx) -> None:
    server.process.terminate()  # SIGTERM: fast shutdown of the master and its workers
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()


class Upstream(BaseHTTPRequestHandler):
    """Stands in for gunicorn: records what reaches it, reading bodies as they arrive."""

    protocol_version = "HTTP/1.1"  # nginx keeps its upstream connections alive
    seen: list[dict] = []
    body_started = threading.Event()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        received = 0
        if length:
            Upstream.body_started.set()  # before the body: with buffering, it is all here already
        while received < length:
            chunk = self.rfile.read(min(65536, length - received))
            if not chunk:
                break
            received += len(chunk)
        Upstream.seen.append(
            {
                "method": self.command,
                "path": self.path,
                "headers": self.headers,
                "received": received,
            }
        )
        body = f"upstream {self.command} {self.path} {received}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = _answer  # http.server's names

    def log_message(self, *args: object) -> None:
        pass  # quiet


@pytest.fixture(scope="module")
def upstream() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def media_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Django's storage folder with two assets: a ladder, captions and a source each."""
    root = tmp_path_factory.mktemp("media")
    for asset in (ASSET, OTHER_ASSET):
        for name, data in FILES.items():
            path = root / "videos" / str(asset) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    return root


@pytest.fixture(scope="module")
def nginx(tmp_path_factory, media_root, upstream) -> Iterator[Nginx]:
    server = start_nginx(
        tmp_path_factory.mktemp("nginx"), media_root=media_root, upstream_port=upstream, key=KEY
    )
    yield server
    stop_nginx(server)


def token(
    *, user: uuid.UUID = USER, asset: uuid.UUID = ASSET, expires: int | None = None, key: str = KEY
) -> PlaybackToken:
    expires = int(time.time()) + 600 if expires is None else expires
    return sign_playback(key=key.encode(), user_id=user, asset_id=asset, expires=expires)


def url(playback: PlaybackToken, file: str) -> str:
    return f"/hls/{playback.path(file)}"


# --- a good URL -----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content_type"), TYPES.items())
def test_a_signed_url_serves_the_ladder_file_with_its_type(nginx, name, content_type):
    file = f"ladders/{LADDER}/{name}"

    response = nginx.get(url(token(), file))

    assert response.status == 200
    assert response.body == FILES[file]
    assert response.header("Content-Type") == content_type
    assert response.header("Cache-Control") == "private, max-age=86400, immutable"
    assert response.header("Access-Control-Allow-Origin") == "*"
    assert response.header("Accept-Ranges") == "bytes"


def test_captions_are_served_as_webvtt_and_cached_long(nginx):
    response = nginx.get(url(token(), "captions/it.vtt"))

    assert response.status == 200
    assert response.body == FILES["captions/it.vtt"]
    assert response.header("Content-Type") == "text/vtt"
    assert response.header("Cache-Control") == "private, max-age=86400, immutable"


def test_a_range_request_gets_206_and_exactly_those_bytes(nginx):
    response = nginx.get(url(token(), SEGMENT), {"Range": "bytes=1000-1999"})

    assert response.status == 206
    assert response.header("Content-Range") == "bytes 1000-1999/300000"
    assert response.body == FILES[SEGMENT][1000:2000]
    assert response.header("Content-Type") == "video/iso.segment"


def test_a_cors_preflight_is_answered_without_the_file(nginx):
    response = nginx.request(
        "OPTIONS",
        url(token(), SEGMENT),
        {"Origin": "https://player.example", "Access-Control-Request-Headers": "range"},
    )

    assert response.status == 204
    assert response.header("Access-Control-Allow-Origin") == "*"
    assert response.header("Access-Control-Allow-Headers") == "Range"
    assert response.body == b""


def test_the_access_log_leaves_out_the_signature(nginx):
    playback = token()

    nginx.get(url(playback, MASTER))

    log = nginx.log("metropoli-hls.log")
    assert f"/hls/{USER}/{playback.expires}/-/{ASSET}/{MASTER}" in log
    assert playback.signature not in log


# --- refused: 403 -------------------------------------------------------------------------------


def flipped(signature: str) -> str:
    return ("B" if signature[0] == "A" else "A") + signature[1:]


def test_a_wrong_signature_is_403(nginx):
    good = token()
    bad = PlaybackToken(good.user_id, good.asset_id, good.expires, flipped(good.signature))

    response = nginx.get(url(bad, MASTER))

    assert response.status == 403
    assert FILES[MASTER] not in response.body


def test_an_expired_url_is_403(nginx):
    response = nginx.get(url(token(expires=int(time.time()) - 1), MASTER))

    assert response.status == 403


def test_a_tampered_expiry_is_403(nginx):
    good = token()
    later = PlaybackToken(good.user_id, good.asset_id, good.expires + 86400, good.signature)

    response = nginx.get(url(later, MASTER))

    assert response.status == 403


def test_a_signature_for_another_asset_is_403(nginx):
    other = token(asset=OTHER_ASSET)
    borrowed = PlaybackToken(USER, ASSET, other.expires, other.signature)

    response = nginx.get(url(borrowed, MASTER))

    assert response.status == 403


def test_another_user_with_the_first_users_signature_is_403(nginx):
    mine = token()
    theirs = PlaybackToken(uuid.uuid4(), ASSET, mine.expires, mine.signature)

    response = nginx.get(url(theirs, MASTER))

    assert response.status == 403


def test_a_signature_under_another_key_is_403(nginx):
    response = nginx.get(url(token(key="not-the-key"), MASTER))

    assert response.status == 403


# --- not served: 404, whatever the signature ----------------------------------------------------


@pytest.mark.parametrize(
    "file",
    [
        "source/lesson.mp4",
        "ladders/not-a-ladder-id/master.m3u8",
        f"ladders/{LADDER}/720p",  # a folder
        f"ladders/{LADDER}/720p/",
        f"ladders/{LADDER}/720p/missing.m4s",
        "captions/",
    ],
)
def test_what_is_not_a_published_file_is_404_even_when_signed(nginx, file):
    response = nginx.get(url(token(), file))

    assert response.status == 404
    assert FILES["source/lesson.mp4"] not in response.body


def test_what_is_not_shaped_like_a_playback_url_is_404(nginx):
    playback = token()

    assert nginx.get("/hls/").status == 404
    assert nginx.get(f"/hls/{USER}/{playback.expires}/{playback.signature}/{ASSET}").status == 404
    assert nginx.get(f"/hls/{USER}/soon/{playback.signature}/{ASSET}/{MASTER}").status == 404


@pytest.mark.parametrize(
    "file",
    [
        f"ladders/{LADDER}/../../source/lesson.mp4",
        f"ladders/{LADDER}/%2e%2e/%2e%2e/source/lesson.mp4",
        f"ladders/{LADDER}/..%2f..%2fsource/lesson.mp4",
        f"ladders/{LADDER}/..%2F..%2Fsource%2Flesson.mp4",
        "captions/../source/lesson.mp4",
        "captions/..",
        "captions/%2e%2e/source/lesson.mp4",
        f"../{OTHER_ASSET}/{MASTER}",  # into another asset's folder, with this asset's signature
        "../../../../../../../../etc/passwd",
        "captions/..%00/source/lesson.mp4",
        "captions/%5c..%5csource%5clesson.mp4",
    ],
)
def test_traversal_never_reaches_another_file(nginx, file):
    response = nginx.get(url(token(), file))

    assert response.status != 200
    assert response.status in (400, 403, 404)
    assert b"never served" not in response.body


def test_without_the_key_nginx_refuses_everything(tmp_path, media_root, upstream):
    """No MEDIA_SIGNING_KEY in nginx's environment: no URL opens, not even one signed with the
    empty key, and the error log says why."""
    server = start_nginx(tmp_path, media_root=media_root, upstream_port=upstream, key=None)
    try:
        response = server.get(url(token(key=""), MASTER))
    finally:
        stop_nginx(server)

    assert response.status == 403
    assert "MEDIA_SIGNING_KEY is not in the workers' environment" in server.log("error.log")


# --- the app: everything else goes to gunicorn ------------------------------------------------


def test_other_paths_reach_the_upstream_with_the_forwarding_headers(nginx):
    response = nginx.get("/api/v1/courses/?page=2", {"Host": "lms.example.it"})

    assert response.status == 200
    assert response.body == b"upstream GET /api/v1/courses/?page=2 0"
    seen = Upstream.seen[-1]["headers"]
    assert seen["Host"] == "lms.example.it"
    assert seen["X-Forwarded-Proto"] == "http"
    assert seen["X-Forwarded-For"] == "127.0.0.1"


def test_a_large_body_outside_uploads_is_refused_by_nginx(nginx):
    with socket.create_connection(("127.0.0.1", nginx.port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/v1/documents/ HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: 200000000\r\nConnection: close\r\n\r\n"
        )
        answer = sock.recv(4096)

    assert answer.startswith(b"HTTP/1.1 413 ")


def test_upload_chunks_stream_to_the_upstream_unbuffered_and_unlimited(nginx):
    """A 200 MB tus PATCH is accepted, and Django sees it before its last byte has been sent."""
    length = 200_000_000
    piece = b"\0" * (1 << 20)
    Upstream.body_started.clear()
    with socket.create_connection(("127.0.0.1", nginx.port), timeout=30) as sock:
        sock.sendall(
            b"PATCH /api/v1/uploads/abc/ HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\n"
            b"Content-Type: application/offset+octet-stream\r\n"
            + f"Content-Length: {length}\r\nConnection: close\r\n\r\n".encode()
            + piece
        )
        streamed = Upstream.body_started.wait(timeout=10)
        sent = len(piece)
        while sent < length:
            chunk = piece[: length - sent]
            sock.sendall(chunk)
            sent += len(chunk)
        answer = b""
        while data := sock.recv(65536):
            answer += data

    assert streamed, "the upstream saw nothing before the whole body was sent: nginx buffered it"
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert answer.endswith(f"upstream PATCH /api/v1/uploads/abc/ {length}".encode())

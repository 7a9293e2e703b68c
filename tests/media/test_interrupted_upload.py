"""The issue's whole story over real HTTP: a lecture uploaded over a connection that drops
half-way resumes, ends ready with its ladder and plays through the signed URL, as ffmpeg
(an HLS player) reads it from the project's gunicorn."""

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from base64 import b64encode
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from media.models import Upload, VideoAsset
from tests.courses.factories import CourseFactory, EnrollmentFactory
from tools.servers import free_port, running_gunicorn, server_environment

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="gunicorn needs a server"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def server(tmp_path, settings):
    """The project under gunicorn on the test database, tasks in-process, storage in tmp."""
    database = connection.settings_dict
    port = free_port()
    env = server_environment(
        database_url=(
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        port=port,
        var_dir=tmp_path / "var",
        DJANGO_SETTINGS_MODULE="tests.settings",  # tasks in-process: the PATCH runs them
        MEDIA_SIGNING_KEY="tests-only-media-key",
    )
    settings.MEDIA_ROOT = tmp_path / "var" / "test-media"
    with running_gunicorn(
        port=port, env=env, log_path=tmp_path / "gunicorn.log", workers=2, ready_path="/api/v1/"
    ) as running:
        yield running


def call(method, url, *, token, body=None, headers=None):
    request = urllib.request.Request(url, data=body, method=method)  # noqa: S310 - our server
    request.add_header("Authorization", f"Token {token}")
    request.add_header("Tus-Resumable", "1.0.0")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def send_half_and_hang_up(url: str, *, token: str, data: bytes, sent: int) -> None:
    """A PATCH announcing the whole file whose connection dies after ``sent`` bytes."""
    host, port = url.split("/")[2].split(":")
    path = "/" + url.split("/", 3)[3]
    head = (
        f"PATCH {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Token {token}\r\n"
        "Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
        "Content-Type: application/offset+octet-stream\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    )
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(head.encode() + data[:sent])
        time.sleep(0.5)
        sock.shutdown(socket.SHUT_RDWR)  # the city hall's link goes down


def test_an_interrupted_upload_resumes_ends_ready_and_plays_through_the_signed_url(
    server, clips, trainer, learner
):
    course = CourseFactory(published=True, trainers=[trainer])
    EnrollmentFactory(course=course, learner=learner)
    trainer_token = Token.objects.create(user=trainer).key
    learner_token = Token.objects.create(user=learner).key
    data = clips.get("landscape.mp4").read_bytes()
    metadata = ",".join(
        f"{key} {b64encode(value.encode()).decode()}"
        for key, value in {"course": str(course.pk), "filename": "lezione-1.mp4"}.items()
    )
    status, headers, _body = call(
        "POST",
        f"{server.base}/api/v1/uploads/",
        token=trainer_token,
        headers={"Upload-Length": str(len(data)), "Upload-Metadata": metadata},
    )
    assert status == 201
    location = headers["Location"]

    send_half_and_hang_up(location, token=trainer_token, data=data, sent=len(data) // 2)
    deadline = time.monotonic() + 30
    while True:  # the server stores what arrived once it notices the hang-up
        _status, headers, _body = call("HEAD", location, token=trainer_token)
        offset = int(headers["Upload-Offset"])
        if offset > 0:
            break
        assert time.monotonic() < deadline, "the bytes that arrived were not kept"
        time.sleep(0.2)
    assert 0 < offset <= len(data) // 2
    status, headers, _body = call(
        "PATCH",
        location,
        token=trainer_token,
        body=data[offset:],
        headers={"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"},
    )

    assert status == 204
    assert headers["Upload-Offset"] == str(len(data))
    upload = Upload.objects.get()
    asset = VideoAsset.objects.get(pk=upload.asset_id)
    assert asset.status == VideoAsset.Status.READY
    assert Path(asset.source.path).read_bytes() == data  # byte for byte what the trainer sent
    status, _headers, body = call(
        "GET", f"{server.base}/api/v1/videos/{asset.pk}/playback/", token=learner_token
    )
    assert status == 200
    master_url = json.loads(body)["master_url"]
    assert master_url.startswith(f"{server.base}/hls/{learner.pk}/")
    # ffmpeg as the player: master playlist, a variant, its init section and every segment
    played = subprocess.run(  # noqa: S603
        [  # noqa: S607 - the system's ffmpeg
            "ffmpeg",
            "-v",
            "error",
            "-i",
            master_url,
            "-map",
            "0:v:0",
            "-map",
            "0:a:0",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert played.returncode == 0, played.stderr.decode()[-2000:]
    forged = master_url.replace(f"/hls/{learner.pk}/", f"/hls/{trainer.pk}/")
    assert call("GET", forged, token=learner_token)[0] == 403

"""Forwarding to an external LRS, over real HTTP.

The "remote" is the project's own LRS served by pytest-django's live server, with an LRS client
credential made for it. Under the live server the remote shares the test database with the
source, and an LRS stores a statement id it already holds once, so duplicates would not show in
its storage: a recording proxy (a plain ``http.server``) between the forwarder and the remote
counts, per statement id, the batches the remote accepted. The same proxy breaks the remote
(503) between batches.
"""

import http.client
import json
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest
from django.db import transaction

from tracking.lrs.remote import RemoteLrs
from tracking.lrs.services.clients import lrs_client_create
from tracking.lrs.services.forwarding import RemoteLrsUnavailable, forwarding_target_forward
from tracking.lrs.services.statements import statements_store
from tracking.lrs.tasks import forwarding_sweep_task
from tracking.models import ForwardingTarget, Statement
from tracking.progress.services.emitted import platform_principal

pytestmark = pytest.mark.django_db(transaction=True)

HOME = "http://lms.test"


class RecordingProxy:
    """Forwards requests to ``upstream`` and records the statement ids of every POST the
    upstream accepted. ``fail_from``: from that POST on (1-based), answer 503 without
    forwarding."""

    def __init__(self, upstream: str):
        self.upstream = urlparse(upstream)
        self.accepted: list[list[str]] = []  # ids per accepted batch, in order
        self.posts = 0
        self.fail_from: int | None = None
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self._relay("GET")

            def do_PUT(self):
                self._relay("PUT")

            def do_POST(self):
                proxy.posts += 1
                if proxy.fail_from is not None and proxy.posts >= proxy.fail_from:
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self._relay("POST")

            def _relay(self, method):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                connection = http.client.HTTPConnection(
                    proxy.upstream.hostname, proxy.upstream.port, timeout=30
                )
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")
                }
                connection.request(method, self.path, body=body or None, headers=headers)
                response = connection.getresponse()
                data = response.read()
                connection.close()
                if method == "POST" and response.status == 200:
                    proxy.accepted.append([s["id"] for s in json.loads(body)])
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in ("connection", "transfer-encoding", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def ids(self) -> list[str]:
        return [i for batch in self.accepted for i in batch]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def remote_credentials(live_server):
    client, secret = lrs_client_create(name="remote LRS", read_scope="all")
    return {"key": client.key, "secret": secret}


@pytest.fixture
def proxy(live_server):
    recording = RecordingProxy(live_server.url)
    yield recording
    recording.close()


def _target(proxy, remote_credentials, **fields):
    return ForwardingTarget.objects.create(
        name=f"regione-{uuid.uuid4().hex[:6]}",
        endpoint=f"{proxy.url}/xapi/",
        key=remote_credentials["key"],
        secret=remote_credentials["secret"],
        **fields,
    )


def _store(count: int, *, learner: str = "u1") -> list[str]:
    statements = [
        {
            "actor": {"objectType": "Agent", "account": {"homePage": HOME, "name": learner}},
            "verb": {"id": "https://w3id.org/xapi/video/verbs/played"},
            "object": {"id": f"{HOME}/xapi/activities/lesson/{n}"},
        }
        for n in range(count)
    ]
    ids = statements_store(statements=statements, principal=platform_principal(), version="1.0.3")
    return [str(i) for i in ids]


def _in_forwarding_order() -> list[str]:
    return [str(i) for i in Statement.objects.order_by("stored", "id").values_list("id", flat=True)]


def _forward(target, **kwargs):
    return forwarding_target_forward(target_id=target.pk, settle_seconds=0, **kwargs)


def test_forwarding_twice_sends_each_statement_once_in_order(proxy, remote_credentials):
    _store(3, learner="u1")
    _store(2, learner="u2")  # a second store: a later ``stored``
    target = _target(proxy, remote_credentials, batch_size=2)

    first = _forward(target)
    second = _forward(target)

    assert (first.forwarded, first.batches) == (5, 3)
    assert (second.forwarded, second.batches) == (0, 0)
    assert proxy.ids() == _in_forwarding_order()  # each once, in (stored, id) order
    assert [len(batch) for batch in proxy.accepted] == [2, 2, 1]
    target.refresh_from_db()
    last = Statement.objects.order_by("stored", "id").last()
    assert (target.last_stored, target.last_id) == (last.stored, last.id)
    assert target.forwarded_count == 5
    assert target.last_error == ""

    later = _store(1, learner="u3")
    third = _forward(target)

    assert third.forwarded == 1
    assert proxy.accepted[-1] == later
    assert sorted(proxy.ids()) == sorted(_in_forwarding_order())
    remote = RemoteLrs(
        endpoint=f"{proxy.url}/xapi/",
        username=remote_credentials["key"],
        password=remote_credentials["secret"],
    )
    for statement_id in proxy.ids():
        assert remote.retrieve_statement(statement_id).success


def test_a_remote_breaking_between_batches_leaves_the_cursor_at_the_last_accepted_batch(
    proxy, remote_credentials
):
    _store(5)
    target = _target(proxy, remote_credentials, batch_size=2)
    order = _in_forwarding_order()
    proxy.fail_from = 2  # the first batch goes through, then 503

    with pytest.raises(RemoteLrsUnavailable, match="HTTP 503"):
        _forward(target)

    target.refresh_from_db()
    assert str(target.last_id) == order[1]
    assert target.forwarded_count == 2
    assert target.is_active  # transient: stays active, the task retries
    assert proxy.ids() == order[:2]

    proxy.fail_from = None  # the remote is back
    report = _forward(target)

    assert report.forwarded == 3
    assert proxy.ids() == order  # nothing skipped, nothing twice


def test_a_refused_connection_is_transient_and_moves_nothing(remote_credentials):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _store(2)
    target = ForwardingTarget.objects.create(
        name="spenta", endpoint=f"http://127.0.0.1:{port}/xapi/", key="k", secret="s"
    )

    with pytest.raises(RemoteLrsUnavailable, match="ConnectionRefused"):
        _forward(target)

    target.refresh_from_db()
    assert target.last_id is None
    assert target.forwarded_count == 0


def test_a_4xx_stops_the_target_instead_of_retrying(proxy, remote_credentials):
    _store(3)
    target = _target(proxy, {"key": remote_credentials["key"], "secret": "wrong"}, batch_size=2)

    report = _forward(target)
    again = _forward(target)

    assert report.refused.startswith("HTTP 401")
    assert report.forwarded == 0
    assert again.forwarded == 0
    assert proxy.posts == 1  # the second run did not even try
    target.refresh_from_db()
    assert not target.is_active
    assert target.last_error.startswith("HTTP 401")
    assert target.last_id is None


def test_a_target_claimed_by_another_worker_is_left_alone(proxy, remote_credentials):
    _store(2)
    target = _target(proxy, remote_credentials)
    results = []

    with transaction.atomic():
        ForwardingTarget.objects.select_for_update().get(pk=target.pk)  # "another worker"
        worker = threading.Thread(target=lambda: results.append(_forward(target)))
        worker.start()
        worker.join(timeout=30)

    assert results[0].busy
    assert results[0].forwarded == 0
    assert proxy.posts == 0
    assert _forward(target).forwarded == 2  # once released, a run goes through


def test_statements_younger_than_the_settle_time_wait_for_the_next_run(proxy, remote_credentials):
    _store(2)
    target = _target(proxy, remote_credentials)

    report = forwarding_target_forward(target_id=target.pk, settle_seconds=3600)

    assert report.forwarded == 0
    assert proxy.posts == 0


def test_the_sweep_creates_the_settings_target_and_forwards(proxy, remote_credentials, settings):
    settings.LRS_FORWARD_ENDPOINT = f"{proxy.url}/xapi/"
    settings.LRS_FORWARD_NAME = "regione-lombardia"
    settings.LRS_FORWARD_KEY = remote_credentials["key"]
    settings.LRS_FORWARD_SECRET = remote_credentials["secret"]
    settings.LRS_FORWARD_SETTLE_SECONDS = 0
    _store(3)

    # Run in-process and read the result without .get(): an earlier test's in-thread solo worker
    # leaves Celery's process-wide "joining would block" flag set, which makes .get() refuse.
    outcome = forwarding_sweep_task.apply()
    assert outcome.successful(), outcome.traceback
    [target_id] = outcome.result

    target = ForwardingTarget.objects.get(pk=target_id)
    assert target.name == "regione-lombardia"
    assert target.forwarded_count == 3
    assert sorted(proxy.ids()) == sorted(_in_forwarding_order())


def test_staff_add_a_target_in_the_admin_and_the_secret_is_never_shown(client, staff):
    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])
    client.force_login(staff)
    form = {
        "name": "Learning Locker Lombardia",
        "endpoint": "https://lrs.regione.example/xapi/",
        "key": "metropoli",
        "secret": "s3greto-remoto",
        "batch_size": "100",
        "is_active": "on",
    }

    added = client.post("/admin/tracking/forwardingtarget/add/", form)

    assert added.status_code == 302
    target = ForwardingTarget.objects.get()
    assert target.secret == "s3greto-remoto"  # as given: the remote needs it in clear
    page = client.get(f"/admin/tracking/forwardingtarget/{target.pk}/change/")
    assert "s3greto-remoto" not in page.content.decode()
    changed = client.post(
        f"/admin/tracking/forwardingtarget/{target.pk}/change/",
        {**form, "secret": "", "batch_size": "50"},
    )
    assert changed.status_code == 302
    target.refresh_from_db()
    assert (target.secret, target.batch_size) == ("s3greto-remoto", 50)

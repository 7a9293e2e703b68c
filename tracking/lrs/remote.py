"""A thin wrapper around tincan's ``RemoteLRS`` (tincan 1.0.0) for talking to other LRSs.

tincan builds and sends statements well; around them it has four bugs on Python 3.11 that this
wrapper works around, each pinned by a test against a live LRS (tests/tracking/test_lrs_client.py):

1. ``about()`` raises ValueError when the LRS lists a version tincan does not know ("2.0.0",
   as ours does to a 2.0 client, or "1.0"): here it returns every listed version.
2. Request bodies are ``str`` handed to ``http.client``, which encodes them Latin-1: "città" is
   stored as invalid UTF-8 and "—" or "€" raise UnicodeEncodeError before anything is sent.
   Here every body goes out UTF-8 encoded.
3. ``save_state`` ignores ``state.registration`` (and sends the PUT twice): here it is sent,
   once.
4. ETags are never read (``getheaders()`` is a list of pairs, looked up like a dict): here the
   retrieve methods set ``document.etag``, the save methods send ``If-Match`` with it (or
   ``If-None-Match: *`` for a profile that has none, as an xAPI 1.0.3 LRS requires for profile
   PUTs) and read the new ETag back when the LRS returns one.

Also: every request has a timeout (tincan has none: a silent remote would block a worker
forever). Network failures raise ``OSError`` subclasses (ConnectionRefusedError, TimeoutError)
or ``http.client.HTTPException``, which callers treat as transient.
"""

import http.client
import json
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode, urlparse

from tincan import (
    ActivityProfileDocument,
    AgentProfileDocument,
    LRSResponse,
    RemoteLRS,
    StateDocument,
)
from tincan.http_request import HTTPRequest

DEFAULT_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class About:
    """What an LRS says about itself (xAPI 1.0.3 §7.7)."""

    versions: list[str]
    extensions: dict[str, Any] = field(default_factory=dict)


class RemoteLrs(RemoteLRS):
    """``tincan.RemoteLRS`` with the workarounds above. Same constructor keywords (``endpoint``,
    ``username``, ``password``, ``version``), plus ``timeout`` in seconds."""

    def __init__(self, *args: Any, timeout: float = DEFAULT_TIMEOUT_SECONDS, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # tincan's Base refuses attributes it does not list; keep ours outside its checks.
        object.__setattr__(self, "timeout_seconds", timeout)

    # -- transport ---------------------------------------------------------------------------

    def _send_request(self, request: HTTPRequest) -> LRSResponse:
        """tincan's request, with a timeout and the body encoded UTF-8 (not Latin-1)."""
        headers = {"X-Experience-API-Version": self.version}
        if self.auth is not None:
            headers["Authorization"] = self.auth
        headers.update(request.headers)

        url = (
            request.resource
            if request.resource.startswith("http")
            else self.endpoint + (request.resource)
        )
        parsed = urlparse(url)
        path = parsed.path or "/"
        query = "&".join(
            part
            for part in (
                parsed.query,
                urlencode({k: str(v) for k, v in request.query_params.items()}),
            )
            if part
        )
        if query:
            path += "?" + query
        connection_class = (
            http.client.HTTPSConnection if parsed.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(parsed.hostname, parsed.port, timeout=self.timeout_seconds)
        body = request.content
        if isinstance(body, str):
            body = body.encode("utf-8")
        try:
            connection.request(request.method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        success = 200 <= response.status < 300 or (
            response.status == 404 and bool(request.ignore404)
        )
        return LRSResponse(success=success, request=request, response=response, data=data)

    # -- statements --------------------------------------------------------------------------

    def save_statements(self, statements: Any) -> LRSResponse:
        """POST a batch. tincan ``Statement`` objects go through tincan as usual; plain dicts
        (statements as an LRS stored them) are sent as they are, because tincan's object model
        is lossy for some valid statements (a Group authority raises AttributeError, a Group
        object of a SubStatement loses its identifier). ``content`` is the list of ids."""
        if not statements or not isinstance(statements[0], dict):
            return super().save_statements(statements)
        request = HTTPRequest(method="POST", resource="statements")
        request.headers["Content-Type"] = "application/json"
        request._content = json.dumps(list(statements)).encode("utf-8")  # noqa: SLF001
        response = self._send_request(request)
        if response.success:
            response.content = json.loads(response.data)
        return response

    # -- about -------------------------------------------------------------------------------

    def about(self) -> LRSResponse:
        """GET about; ``content`` is an ``About`` listing every version, known to tincan or not."""
        response = self._send_request(HTTPRequest(method="GET", resource="about"))
        if response.success:
            body = json.loads(response.data)
            response.content = About(
                versions=list(body.get("version") or []), extensions=body.get("extensions") or {}
            )
        return response

    # -- state -------------------------------------------------------------------------------

    def save_state(self, state: StateDocument) -> LRSResponse:
        """PUT a state document: UTF-8, with its registration, If-Match when it has an ETag."""
        params = {
            "stateId": state.id,
            "activityId": state.activity.id,
            "agent": state.agent.to_json(self.version),
        }
        if state.registration is not None:
            params["registration"] = str(state.registration)
        return self._save_document(state, "activities/state", params, require_precondition=False)

    def retrieve_state(
        self, activity: Any, agent: Any, state_id: str, registration: Any = None
    ) -> LRSResponse:
        response = super().retrieve_state(activity, agent, state_id, registration=registration)
        return _with_document_headers(response)

    def delete_state(self, state: StateDocument) -> LRSResponse:
        """DELETE one state document, its registration included (tincan drops it)."""
        return self._delete_state(
            activity=state.activity,
            agent=state.agent,
            state_id=state.id,
            registration=state.registration,
            etag=state.etag,
        )

    # -- profiles ----------------------------------------------------------------------------

    def save_activity_profile(self, profile: ActivityProfileDocument) -> LRSResponse:
        params = {"profileId": profile.id, "activityId": profile.activity.id}
        return self._save_document(profile, "activities/profile", params, require_precondition=True)

    def retrieve_activity_profile(self, activity: Any, profile_id: str) -> LRSResponse:
        return _with_document_headers(super().retrieve_activity_profile(activity, profile_id))

    def save_agent_profile(self, profile: AgentProfileDocument) -> LRSResponse:
        params = {"profileId": profile.id, "agent": profile.agent.to_json(self.version)}
        return self._save_document(profile, "agents/profile", params, require_precondition=True)

    def retrieve_agent_profile(self, agent: Any, profile_id: str) -> LRSResponse:
        return _with_document_headers(super().retrieve_agent_profile(agent, profile_id))

    # -- shared ------------------------------------------------------------------------------

    def _save_document(
        self, document: Any, resource: str, params: dict[str, str], *, require_precondition: bool
    ) -> LRSResponse:
        request = HTTPRequest(method="PUT", resource=resource)
        request.headers["Content-Type"] = document.content_type or "application/octet-stream"
        if document.etag is not None:
            request.headers["If-Match"] = _quoted(document.etag)
        elif require_precondition:
            request.headers["If-None-Match"] = "*"  # create it; never overwrite blindly
        request.query_params = params
        # Bytes as they are: tincan's setter would decode them to str (and http.client would
        # then encode that Latin-1).
        request._content = bytes(document.content or b"")  # noqa: SLF001
        response = self._send_request(request)
        if response.success and (etag := response.response.getheader("ETag")):
            document.etag = etag
        response.content = document
        return response


def _quoted(etag: str) -> str:
    return etag if etag.startswith(('"', "W/")) or etag == "*" else f'"{etag}"'


def _with_document_headers(response: LRSResponse) -> LRSResponse:
    """Set the ETag, Content-Type and Last-Modified tincan looks for but never finds."""
    if response.success and response.response.status != 404:
        document = response.content
        raw = response.response
        if etag := raw.getheader("ETag"):
            document.etag = etag
        if content_type := raw.getheader("Content-Type"):
            document.content_type = content_type
        if last_modified := raw.getheader("Last-Modified"):
            document.timestamp = parsedate_to_datetime(last_modified)
    elif response.success:
        response.content = None  # 404: no such document (tincan wraps the error body as one)
    return response


def json_document_content(value: Any) -> bytearray:
    """A JSON document body as tincan documents hold it (UTF-8, non-ASCII kept as is)."""
    return bytearray(json.dumps(value, ensure_ascii=False).encode("utf-8"))

"""The LRS's HTTP interface at /xapi/ (xAPI 1.0.3 Communication §2-§7): authentication, version
negotiation, the xAPI headers, and one error shape. Plain Django views: xAPI has its own
protocol (headers, alternate syntax, multipart) that DRF's content negotiation would fight."""

import base64
import binascii
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.functional import Promise
from django.utils.http import http_date
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from lms.exceptions import ApplicationError
from tracking.lrs.exceptions import LrsForbidden, LrsUnauthorized, RequestTooLarge, XapiBadRequest
from tracking.lrs.models import Document, LrsClient
from tracking.lrs.multipart import (
    AttachmentPart,
    MultipartInvalid,
    multipart_response,
    parse_statement_body,
)
from tracking.lrs.params import agent_ifi_param, time_param, uuid_param
from tracking.lrs.selectors import (
    DocumentKey,
    activity_get,
    document_get,
    document_ids,
    person_for,
    statement_attachments,
    statement_get,
    statements_query,
)
from tracking.lrs.services.clients import lrs_client_check
from tracking.lrs.services.documents import (
    JSON_TYPE,
    Preconditions,
    document_delete,
    document_merge,
    document_put,
)
from tracking.lrs.services.principals import LrsPrincipal
from tracking.lrs.services.statements import statements_store, xapi_timestamp
from tracking.lrs.xapi import (
    StatementInvalid,
    format_statement,
    parse_json,
    parse_version_header,
)
from tracking.lrs.xapi.versions import about_versions

VERSION_HEADER = "X-Experience-API-Version"


def _error_response(error: ApplicationError) -> JsonResponse:
    message, extra = _message(error)
    response = JsonResponse(
        {"code": error.code, "message": message, "extra": extra}, status=error.status_code
    )
    if isinstance(error, LrsUnauthorized):
        response["WWW-Authenticate"] = 'Basic realm="xapi"'
    return response


def _message(error: ApplicationError) -> tuple[str, dict[str, Any]]:
    """The error's message in the request's language (LocaleMiddleware's), and its extra.

    A lazy message (every error class's own, and those of documents and attachments) is
    translated now. A plain string is English from a module that does not translate (the xAPI
    validator, query parameters): said as it is in English; in any other language the error
    class's message is said instead and the English kept in ``extra.detail``, so that no
    response mixes two languages.
    """
    if isinstance(error.message, Promise) or (translation.get_language() or "").startswith("en"):
        return str(error.message), error.extra
    return str(type(error).message), {**error.extra, "detail": error.message}


def _read_body(request: HttpRequest) -> None:
    """Read the body under the LRS's own limit, XAPI_MAX_BODY_BYTES, in place of Django's global
    DATA_UPLOAD_MAX_MEMORY_SIZE (too small for attachments): refused on the declared
    Content-Length before a byte is read, and on what was read (a chunked body declares none)."""
    limit = settings.XAPI_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0  # Django reads no body either
    if declared > limit or len(body := request.read(limit + 1)) > limit:
        raise RequestTooLarge(
            format_lazy(
                _(
                    "The request body is over the {max_bytes} bytes this LRS accepts: send "
                    "fewer statements at a time, or smaller attachments or documents."
                ),
                max_bytes=limit,
            ),
            extra={"max_bytes": limit},
        )
    request._body = body  # noqa: SLF001 - what request.body returns from now on


def _principal(request: HttpRequest) -> LrsPrincipal:
    """Who calls: an LRS client by HTTP Basic, or else a person signed in to the platform
    (session; unsafe methods then need the CSRF token, as for any session write).
    LrsUnauthorized when neither."""
    if "Authorization" not in request.headers and request.user.is_authenticated:
        unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
        if unsafe and (
            refusal := CsrfViewMiddleware(_no_view).process_view(request, _no_view, (), {})
        ):
            raise LrsForbidden(f"CSRF check failed: {refusal.reason_phrase}")
        return LrsPrincipal.for_learner(request.user)
    return LrsPrincipal.for_client(_client(request))


def _known_client_version(request: HttpRequest) -> str | None:
    try:
        return _client(request).xapi_version
    except LrsUnauthorized:
        return None


def _no_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


def _client(request: HttpRequest) -> LrsClient:
    """The LRS client of an HTTP Basic ``Authorization`` header; LrsUnauthorized otherwise."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic" or not credentials:
        raise LrsUnauthorized()
    try:
        key, _, secret = base64.b64decode(credentials, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise LrsUnauthorized() from exc
    client = lrs_client_check(key=key, secret=secret)
    if client is None:
        raise LrsUnauthorized()
    return client


def _statement_body(request: HttpRequest) -> tuple[Any, dict[str, AttachmentPart]]:
    """Statements and attachment parts: JSON, or multipart/mixed when there are attachments."""
    if request.content_type == "multipart/mixed":
        try:
            return parse_statement_body(request.headers["Content-Type"], request.body)
        except MultipartInvalid as error:
            raise XapiBadRequest(error.message, extra={"path": error.path}) from error
    if request.content_type != "application/json":
        raise XapiBadRequest(
            "Send statements as application/json (multipart/mixed with attachments).",
            extra={"path": "Content-Type"},
        )
    depth = settings.XAPI_MAX_DEPTH
    try:
        # Bracket depth before parsing, so that no nesting reaches the parser's recursion; the
        # batch's array is one level above its statements (whose own depth validation checks).
        return parse_json(request.body or b"null", max_depth=depth + 1), {}
    except StatementInvalid as error:  # before ValueError: it is one
        raise XapiBadRequest(
            format_lazy(
                _("A statement nests arrays and objects deeper than {depth} levels."), depth=depth
            ),
            extra={"path": "body"},
        ) from error
    except (ValueError, UnicodeDecodeError) as exc:
        raise XapiBadRequest(f"The body is not valid JSON: {exc}", extra={"path": "body"}) from exc


ALTERNATE_METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE")
ALTERNATE_HEADERS = (
    "Authorization",
    "X-Experience-API-Version",
    "Content-Type",
    "Content-Length",
    "If-Match",
    "If-None-Match",
)


def _rewrite_alternate_request(request: HttpRequest) -> None:
    """Communication 1.3 (xAPI 1.0.3): a POST with ``?method=X`` and a form body carrying the
    headers, the resource's parameters and the body as ``content`` is the request X. Turn it
    into that request in place, so everything after it sees an ordinary request."""
    method = request.GET.get("method", "").upper()
    if set(request.GET) != {"method"} or method not in ALTERNATE_METHODS:
        raise XapiBadRequest(
            "The alternate syntax takes only ?method=GET|HEAD|PUT|POST|DELETE in the URL.",
            extra={"path": "method"},
        )
    if request.content_type != "application/x-www-form-urlencoded":
        raise XapiBadRequest(
            "The alternate syntax sends application/x-www-form-urlencoded.",
            extra={"path": "Content-Type"},
        )
    form = QueryDict(request.body, encoding=request.encoding or "utf-8")
    parameters = form.copy()
    for header in (*ALTERNATE_HEADERS, "content"):
        parameters.pop(header, None)
    for header in ALTERNATE_HEADERS:
        value = form.get(header)
        meta_key = header.upper().replace("-", "_")
        if meta_key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            meta_key = f"HTTP_{meta_key}"
        if value is not None:
            request.META[meta_key] = value
        elif meta_key == "CONTENT_TYPE":
            request.META[meta_key] = JSON_TYPE  # the form need not say it: JSON is the default
    content = form.get("content", "").encode()
    request.META["CONTENT_LENGTH"] = str(len(content))
    request.META["REQUEST_METHOD"] = method
    request.META["QUERY_STRING"] = parameters.urlencode()
    request.method = method
    request.GET = QueryDict(request.META["QUERY_STRING"])
    request._body = content  # noqa: SLF001 - the body the rewritten request carries
    request._set_content_type_params(request.META)  # type: ignore[attr-defined]  # noqa: SLF001 - re-read Content-Type


@method_decorator(csrf_exempt, name="dispatch")
class XapiView(View):
    """Base of every xAPI resource: errors as 4xx JSON, the version header both ways, and the
    consistency header on reads."""

    requires_version = True
    requires_auth = True
    reports_consistency = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        version = "1.0.3"  # what we answer with until the request says which version it speaks
        try:
            _read_body(request)
            alternate = request.method == "POST" and "method" in request.GET
            if alternate:
                _rewrite_alternate_request(request)
            if self.requires_version:
                try:
                    version = parse_version_header(request.headers.get(VERSION_HEADER))
                except StatementInvalid:
                    # Answer the refusal in the version the caller's client is built for.
                    version = _known_client_version(request) or version
                    raise
            if alternate and not version.startswith("1."):
                raise XapiBadRequest(
                    "xAPI 2.0 has no alternate request syntax.", extra={"path": "method"}
                )
            self.version = version
            if self.requires_auth:
                self.principal = _principal(request)
            response = super().dispatch(request, *args, **kwargs)
        except StatementInvalid as error:
            response = _error_response(XapiBadRequest(error.message, extra={"path": error.path}))
        except RequestDataTooBig:
            response = _error_response(
                RequestTooLarge(extra={"max_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
            )
        except ApplicationError as error:
            response = _error_response(error)
        response[VERSION_HEADER] = version
        if self.reports_consistency and request.method in ("GET", "HEAD"):
            # Communication 2.1.3: on every answer to a statements GET, whatever its status
            response["X-Experience-API-Consistent-Through"] = xapi_timestamp(timezone.now())
        return response

    def require_write(self) -> None:
        if not self.principal.can_write:
            raise LrsForbidden()

    def require_read(self) -> None:
        if self.principal.read_scope == LrsClient.ReadScope.NONE:
            raise LrsForbidden()


class AboutApi(XapiView):
    requires_version = False
    requires_auth = False

    def get(self, request: HttpRequest) -> HttpResponse:
        versions = about_versions(request.headers.get(VERSION_HEADER))
        return JsonResponse({"version": list(versions), "extensions": {}})


class StatementsApi(XapiView):
    """PUT one statement, POST one or many, GET one or a page of a query (HEAD too)."""

    reports_consistency = True

    def put(self, request: HttpRequest) -> HttpResponse:
        self.require_write()
        params = _params(request)
        if "statementId" not in params:
            raise XapiBadRequest(
                "PUT needs the statementId parameter.", extra={"path": "statementId"}
            )
        statement, attachments = _statement_body(request)
        statements_store(
            statements=[statement],
            principal=self.principal,
            version=self.version,
            statement_id=uuid_param(params, "statementId"),
            attachments=attachments,
        )
        return HttpResponse(status=204)

    def post(self, request: HttpRequest) -> HttpResponse:
        self.require_write()
        body, attachments = _statement_body(request)
        statements = body if isinstance(body, list) else [body]
        if not statements:
            raise XapiBadRequest("The batch is empty.", extra={"path": "body"})
        ids = statements_store(
            statements=statements,
            principal=self.principal,
            version=self.version,
            attachments=attachments,
        )
        return JsonResponse([str(i) for i in ids], safe=False)

    def get(self, request: HttpRequest) -> HttpResponseBase:
        self.require_read()
        params = request.GET
        languages = [
            lang.split(";")[0].strip()
            for lang in request.headers.get("Accept-Language", "").split(",")
            if lang.strip()
        ]
        statement_format = params.get("format", "exact")
        if statement_format not in ("exact", "ids", "canonical"):
            raise XapiBadRequest(
                "format must be exact, ids or canonical.", extra={"path": "format"}
            )
        with_attachments = params.get("attachments", "false")
        if with_attachments not in ("true", "false"):
            raise XapiBadRequest(
                "attachments must be true or false.", extra={"path": "attachments"}
            )
        single = [name for name in ("statementId", "voidedStatementId") if name in params]
        if single:
            extra = set(params) - {"statementId", "voidedStatementId", "format", "attachments"}
            if len(single) > 1 or extra:
                raise XapiBadRequest(
                    "statementId and voidedStatementId go alone (with format and attachments).",
                    extra={"path": sorted(extra)[0] if extra else single[1]},
                )
            statement = statement_get(
                principal=self.principal,
                statement_id=uuid_param(params, single[0]),
                voided=single[0] == "voidedStatementId",
            )
            statements = [statement.payload]
            document: Any = format_statement(
                statement.payload, format=statement_format, languages=languages
            )
            last_modified = statement.stored
        else:
            query = {k: str(v) for k, v in params.items() if k != "more"}
            page = statements_query(
                principal=self.principal, params=query, more=params.get("more", "")
            )
            statements = page.statements
            document = {
                "statements": [
                    format_statement(s, format=statement_format, languages=languages)
                    for s in page.statements
                ],
                "more": f"{request.path}?more={page.more}" if page.more else "",
            }
            last_modified = timezone.now()
        response: HttpResponseBase
        if with_attachments == "true":
            content_type, chunks = multipart_response(
                document, statement_attachments(statements=statements)
            )
            response = StreamingHttpResponse(chunks, content_type=content_type)
        else:
            response = JsonResponse(document)
        response["Last-Modified"] = http_date(last_modified.timestamp())
        return response


# --- documents ----------------------------------------------------------------------------


def _params(request: HttpRequest) -> QueryDict:
    """Query parameters; for PUT/POST/DELETE too (Django only parses them for GET)."""
    return QueryDict(request.META.get("QUERY_STRING", ""))


def _required(params: QueryDict, name: str) -> str:
    if not params.get(name):
        raise _parameter_required(name)
    return params.get(name, "")


def _parameter_required(name: str) -> XapiBadRequest:
    return XapiBadRequest(
        format_lazy(_("The {name} parameter is required."), name=name), extra={"path": name}
    )


def _preconditions(request: HttpRequest) -> Preconditions:
    return Preconditions(
        if_match=request.headers.get("If-Match"), if_none_match=request.headers.get("If-None-Match")
    )


def _document_response(document: Document) -> HttpResponse:
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    response["ETag"] = f'"{document.etag}"'
    response["Last-Modified"] = http_date(document.updated.timestamp())
    return response


class DocumentApi(XapiView):
    """The three document resources differ only in how a document is addressed."""

    kind: str
    id_param: str
    with_activity = False
    with_agent = False
    with_registration = False
    is_profile = False

    def key(self, params: QueryDict) -> DocumentKey:
        registration = ""
        if self.with_registration and params.get("registration"):
            registration = str(uuid_param(params, "registration"))
        key = DocumentKey(
            kind=self.kind,
            activity_id=_required(params, "activityId") if self.with_activity else "",
            agent_ifi=agent_ifi_param(params) if self.with_agent else "",
            registration=registration,
        )
        learner = self.principal.learner_ifi
        if learner is not None and (not self.with_agent or key.agent_ifi != learner):
            raise LrsForbidden(_("You can only use your own documents."))
        return key

    def get(self, request: HttpRequest) -> HttpResponse:
        self.require_read()
        params = _params(request)
        key = self.key(params)
        if self.id_param in params:
            return _document_response(
                document_get(key=key, document_id=params.get(self.id_param, ""))
            )
        return JsonResponse(document_ids(key=key, since=time_param(params, "since")), safe=False)

    def put(self, request: HttpRequest) -> HttpResponse:
        self.require_write()
        params = _params(request)
        document_put(
            key=self.key(params),
            document_id=_required(params, self.id_param),
            content=request.body,
            content_type=request.content_type or JSON_TYPE,
            preconditions=_preconditions(request),
            # Profiles never take a blind overwrite; State neither from xAPI 2.0 on. A blind PUT
            # of a new document creates it: 409 is "for a resource that already exists" only.
            blind_conflicts=self.is_profile or self.version.startswith("2."),
        )
        return HttpResponse(status=204)

    def post(self, request: HttpRequest) -> HttpResponse:
        self.require_write()
        params = _params(request)
        document_merge(
            key=self.key(params),
            document_id=_required(params, self.id_param),
            content=request.body,
            content_type=request.content_type or JSON_TYPE,
            preconditions=_preconditions(request),
        )
        return HttpResponse(status=204)

    def delete(self, request: HttpRequest) -> HttpResponse:
        self.require_write()
        params = _params(request)
        document_id = params.get(self.id_param)
        if document_id is None and self.kind != Document.Kind.STATE:
            raise _parameter_required(self.id_param)
        document_delete(
            key=self.key(params), document_id=document_id, preconditions=_preconditions(request)
        )
        return HttpResponse(status=204)


class StateApi(DocumentApi):
    kind = Document.Kind.STATE
    id_param = "stateId"
    with_activity = with_agent = with_registration = True


class ActivityProfileApi(DocumentApi):
    kind = Document.Kind.ACTIVITY_PROFILE
    id_param = "profileId"
    with_activity = True
    is_profile = True


class AgentProfileApi(DocumentApi):
    kind = Document.Kind.AGENT_PROFILE
    id_param = "profileId"
    with_agent = True
    is_profile = True


class ActivitiesApi(XapiView):
    """The Activity object for an id: its definition as the latest statement gave it."""

    def get(self, request: HttpRequest) -> HttpResponse:
        self.require_read()
        return JsonResponse(activity_get(activity_id=_required(request.GET, "activityId")))


class AgentsApi(XapiView):
    """The Person object for an agent: what the LRS knows of its identifiers and names."""

    def get(self, request: HttpRequest) -> HttpResponse:
        self.require_read()
        params = request.GET
        agent_ifi_param(params)
        return JsonResponse(person_for(agent=parse_json(params.get("agent", ""))))

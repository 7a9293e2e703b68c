"""The attendance API: sessions and their calendar file, places and the waiting list, check-in
and check-out with the room's code, the trainer's roster, coordinators' corrections, the
registers and the programme's identity. Thin views over the attendance services and selectors."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.selectors import lesson_get_for_edit
from lms.accounts.models import MetropolitanCity, User
from lms.accounts.selectors import person_get
from lms.api import AuthenticatedRequest, FileNegotiation, ListApi, errors
from tracking.attendance.exceptions import RegisterExportNotFound, RegisterExportNotReady
from tracking.attendance.filters import SessionFilter
from tracking.attendance.models import (
    AttendanceSession,
    Presence,
    RegisterExport,
    SessionRegistration,
)
from tracking.attendance.selectors import (
    RegisterFilter,
    RosterLine,
    presence_get_visible_to,
    presence_history,
    programme_identity,
    register_export_get,
    register_export_list,
    registration_get,
    registration_list_own,
    session_get,
    session_get_with_own,
    session_list_with_own,
    session_roster,
    session_roster_learner,
)
from tracking.attendance.serializers import (
    FundingCode,
    MyRegistrationOutput,
    PresenceDetailOutput,
    PresenceOutput,
    ProgrammeIdentityOutput,
    RegisterExportOutput,
    RegistrationOutput,
    RosterLineOutput,
    SessionOutput,
)
from tracking.attendance.services.presence import (
    presence_check_in,
    presence_check_out,
    presence_correct,
    presence_mark,
    session_code,
)
from tracking.attendance.services.registers import (
    CONTENT_TYPES,
    register_export_start,
    register_file_name,
)
from tracking.attendance.services.sessions import (
    programme_identity_update,
    registration_cancel,
    registration_create,
    session_calendar,
    session_cancel,
    session_check_can_manage,
    session_create,
    session_update,
)


def _session(request: AuthenticatedRequest, session_id: UUID, status: int = 200) -> Response:
    session = session_get_with_own(actor=request.user, session_id=session_id)
    return Response(SessionOutput(session).data, status=status)


# --- sessions -----------------------------------------------------------------------------


class SessionUpdateInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AttendanceSession.Kind.choices)
    title = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Default: the lesson's title.",
    )
    starts_at = serializers.DateTimeField(help_text="Without an offset: Europe/Rome.")
    ends_at = serializers.DateTimeField(help_text="The same day as the start.")
    capacity = serializers.IntegerField(min_value=1)
    place = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="In-person sessions.",
    )
    link = serializers.URLField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="Live webinars.",
    )
    hosting_city_id = serializers.PrimaryKeyRelatedField(
        queryset=MetropolitanCity.objects.all(),
        source="hosting_city",
        required=False,
        allow_null=True,
        help_text="Exchange visits: the city that hosts.",
    )
    visiting_city_ids = serializers.PrimaryKeyRelatedField(
        queryset=MetropolitanCity.objects.all(),
        source="visiting_cities",
        many=True,
        required=False,
        help_text="Exchange visits: the cities that visit.",
    )
    trainer_ids = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role__in=[User.Role.TRAINER, User.Role.STAFF]),
        source="trainers",
        many=True,
        required=False,
        help_text="Default (on creation): yourself.",
    )


class SessionCreateInput(SessionUpdateInput):
    lesson_id = serializers.UUIDField(help_text="An in-person or live webinar lesson.")


class SessionCollectionApi(ListApi):
    filterset_class = SessionFilter
    output_serializer = SessionOutput

    def selector_queryset(self) -> QuerySet[AttendanceSession]:
        return session_list_with_own(actor=self.request.user)  # type: ignore[arg-type]

    @extend_schema(
        summary="List sessions",
        description="The sessions the actor may see (learners: those of their courses; "
        "trainers: those of the courses they teach; coordinators and staff: all), soonest "
        "first, each with its places taken, its waiting list and the actor's own place.",
        responses={200: SessionOutput(many=True), **errors(400)},
    )
    def get(self, request: Request) -> Response:
        return self.list(request)

    @extend_schema(
        summary="Plan a session",
        description="A trainer of the lesson's course (or staff) plans a session of an "
        "in-person or live webinar lesson: a training day or exchange visit (with a place; a "
        "visit also with its hosting and visiting cities) or a webinar (with a link).",
        request=SessionCreateInput,
        responses={201: SessionOutput, **errors(400, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        payload = SessionCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        lesson = lesson_get_for_edit(actor=request.user, lesson_id=data.pop("lesson_id"))
        session = session_create(actor=request.user, lesson=lesson, **data)
        return _session(request, session.pk, status=HTTPStatus.CREATED)


class SessionDetailApi(APIView):
    @extend_schema(
        summary="A session",
        responses={200: SessionOutput, **errors(404)},
    )
    def get(self, request: AuthenticatedRequest, session_id: UUID) -> Response:
        return _session(request, session_id)

    @extend_schema(
        summary="Change a session",
        description="Its trainers, the course's trainers or staff change its times, place, "
        "link, capacity, cities or trainers. A larger capacity gives places to the waiting "
        "list in its order.",
        request=SessionUpdateInput(partial=True),
        responses={200: SessionOutput, **errors(400, 403, 404)},
    )
    def patch(self, request: AuthenticatedRequest, session_id: UUID) -> Response:
        session = session_get(actor=request.user, session_id=session_id)
        payload = SessionUpdateInput(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        session_update(
            actor=request.user,
            session=session,
            data=data,
            visiting_cities=data.pop("visiting_cities", None),
            trainers=data.pop("trainers", None),
        )
        return _session(request, session_id)


class SessionCancelApi(APIView):
    @extend_schema(
        summary="Cancel a session",
        description="It takes no more registrations nor check-ins; what was recorded of it stays.",
        request=None,
        responses={200: SessionOutput, **errors(403, 404)},
    )
    def post(self, request: AuthenticatedRequest, session_id: UUID) -> Response:
        session = session_get(actor=request.user, session_id=session_id)
        session_cancel(actor=request.user, session=session)
        return _session(request, session_id)


class SessionCalendarApi(APIView):
    content_negotiation_class = FileNegotiation

    @extend_schema(
        summary="The session's calendar file",
        description="An iCalendar (RFC 5545) event in Europe/Rome, for any calendar program.",
        responses={(200, "text/calendar"): OpenApiTypes.BINARY, **errors(404)},
    )
    def get(self, request: AuthenticatedRequest, session_id: UUID) -> HttpResponse:
        session = session_get(actor=request.user, session_id=session_id)
        response = HttpResponse(session_calendar(session), content_type="text/calendar")
        day = timezone.localtime(session.starts_at).strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="sessione-{day}.ics"'
        return response


# --- places -------------------------------------------------------------------------------


class SessionRegistrationCollectionApi(APIView):
    class RegistrationInput(serializers.Serializer):
        learner_id = serializers.UUIDField(
            required=False,
            help_text="Coordinators: the person of their city to register (default: yourself).",
        )

    @extend_schema(
        summary="Take a place",
        description="A place for the actor (a learner enrolled in the course) or, for a "
        "coordinator, for a person of their city: confirmed while there is room, else on the "
        "waiting list. Asking again gives back the place already held (200).",
        request=RegistrationInput,
        responses={
            201: RegistrationOutput,
            200: RegistrationOutput,
            **errors(400, 403, 404),
        },
    )
    def post(self, request: AuthenticatedRequest, session_id: UUID) -> Response:
        session = session_get(actor=request.user, session_id=session_id)
        payload = self.RegistrationInput(data=request.data)
        payload.is_valid(raise_exception=True)
        learner = None
        learner_id = payload.validated_data.get("learner_id")
        if learner_id is not None and learner_id != request.user.pk:
            learner = person_get(actor=request.user, person_id=learner_id)
        asked_at = timezone.now()
        registration = registration_create(actor=request.user, session=session, learner=learner)
        # A repeated request gets the place already held; a new (or renewed) one is queued now.
        created = registration.queued_at >= asked_at
        return Response(
            RegistrationOutput(registration).data,
            status=HTTPStatus.CREATED if created else HTTPStatus.OK,
        )


class RegistrationDetailApi(APIView):
    @extend_schema(
        summary="Give a place up",
        description="The learner, their coordinator or staff cancel a place (or a place on "
        "the waiting list); the first on the waiting list gets it. Kept as a record.",
        responses={200: RegistrationOutput, **errors(404)},
    )
    def delete(self, request: AuthenticatedRequest, registration_id: UUID) -> Response:
        registration = registration_get(actor=request.user, registration_id=registration_id)
        registration = registration_cancel(actor=request.user, registration=registration)
        return Response(RegistrationOutput(registration).data)


class MyRegistrationListApi(ListApi):
    output_serializer = MyRegistrationOutput

    def selector_queryset(self) -> QuerySet[SessionRegistration]:
        return registration_list_own(actor=self.request.user)  # type: ignore[arg-type]

    @extend_schema(
        summary="My sessions",
        description="The actor's places and waiting-list places (not those given up), in "
        "the order of the sessions, each with the actor's presence record.",
        responses={200: MyRegistrationOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        return self.list(request)


# --- the room's code, check-in and check-out -------------------------------------------------


class CodeInput(serializers.Serializer):
    code = serializers.CharField(max_length=20, help_text="The six digits shown in the room.")


class SessionCheckInApi(APIView):
    @extend_schema(
        summary="Check in",
        description="The learner with a confirmed place types the code shown in the room "
        "(it changes every 30 seconds and is worth nothing on another session or later). "
        "Open from a while before the start until the end; the server's clock is the entry.",
        request=CodeInput,
        responses={200: PresenceOutput, **errors(400, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, session_id: UUID) -> Response:
        session = session_get(actor=request.user, session_id=session_id)
        payload = CodeInput(data=request.data)
        payload.is_valid(raise_exception=True)
        presence = presence_check_in(
            learner=request.user, session=session, code=payload.validated_data["code"]
        )
        return Response(PresenceOutput(presence).data)


class SessionCheckOutApi(APIView):
    @extend_schema(
        summary="Check out",
        description="The learner leaves, with the room's current code: the hours count from "
        "the entry to now, within the session's own times.",
        request=CodeInput,
        responses={200: PresenceOutput, **errors(400, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, session_id: UUID) -> Response:
        session = session_get(actor=request.user, session_id=session_id)
        payload = CodeInput(data=request.data)
        payload.is_valid(raise_exception=True)
        presence = presence_check_out(
            learner=request.user, session=session, code=payload.validated_data["code"]
        )
        return Response(PresenceOutput(presence).data)


class SessionCodeApi(APIView):
    class CodeOutput(serializers.Serializer):
        code = serializers.CharField()
        seconds_left = serializers.IntegerField(help_text="Until the code changes.")

    @extend_schema(
        summary="The room's code now",
        description="For the session's trainers and staff, while check-in is open: the code "
        "to show on the screen and how long it lasts. Never cached.",
        responses={200: CodeOutput, **errors(400, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, session_id: UUID) -> Response:
        session = session_get(actor=request.user, session_id=session_id)
        code, seconds_left = session_code(actor=request.user, session=session)
        return Response(
            self.CodeOutput({"code": code, "seconds_left": seconds_left}).data,
            headers={"Cache-Control": "no-store"},
        )


# --- the roster and corrections -------------------------------------------------------------


class SessionRosterApi(APIView):
    @extend_schema(
        summary="The session's roster",
        description="For its trainers and staff: who has a place (then who waits), with "
        "their presence record.",
        responses={200: RosterLineOutput(many=True), **errors(403, 404)},
    )
    def get(self, request: AuthenticatedRequest, session_id: UUID) -> Response:
        session = session_get(actor=request.user, session_id=session_id)
        session_check_can_manage(actor=request.user, session=session)
        lines: list[RosterLine] = session_roster(session=session)
        return Response(RosterLineOutput(lines, many=True).data)


class PresenceMarkInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=Presence.Status.choices)
    entered_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="Present: the time of entry."
    )
    left_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="Present: the time of exit."
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class SessionRosterLineApi(APIView):
    @extend_schema(
        summary="Mark a learner on the roster",
        description="Once the session has started, a trainer marks a learner with a place: "
        "present with entry and exit (a late arrival or an early leave is its times), "
        "absent, or a justified absence. Every change is kept in the record's history.",
        request=PresenceMarkInput,
        responses={200: PresenceOutput, **errors(400, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, session_id: UUID, learner_id: UUID) -> Response:
        session = session_get(actor=request.user, session_id=session_id)
        session_check_can_manage(actor=request.user, session=session)
        learner = session_roster_learner(session=session, learner_id=learner_id)
        payload = PresenceMarkInput(data=request.data)
        payload.is_valid(raise_exception=True)
        presence = presence_mark(
            actor=request.user, session=session, learner=learner, **payload.validated_data
        )
        return Response(PresenceOutput(presence).data)


def _presence_detail(request: AuthenticatedRequest, presence: Presence) -> Response:
    history = presence_history(presence=presence)
    return Response(PresenceDetailOutput(presence, context={"history": history}).data)


class PresenceDetailApi(APIView):
    @extend_schema(
        summary="A presence record and its history",
        description="For coordinators of the learner's city, national coordinators and "
        "staff: the record and every change to it (who, when, before, after, why).",
        responses={200: PresenceDetailOutput, **errors(403, 404)},
    )
    def get(self, request: AuthenticatedRequest, presence_id: UUID) -> Response:
        presence = presence_get_visible_to(actor=request.user, presence_id=presence_id)
        return _presence_detail(request, presence)


class PresenceCorrectionApi(APIView):
    class CorrectionInput(PresenceMarkInput):
        reason = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            help_text="Why the record changes (at least 10 characters); kept in its history.",
        )

    @extend_schema(
        summary="Correct a presence record",
        description="A coordinator of the learner's city (or a national one, or staff) "
        "corrects the record, always with a reason; the history keeps what it was.",
        request=CorrectionInput,
        responses={200: PresenceDetailOutput, **errors(400, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, presence_id: UUID) -> Response:
        presence = presence_get_visible_to(actor=request.user, presence_id=presence_id)
        payload = self.CorrectionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        presence = presence_correct(actor=request.user, presence=presence, **payload.validated_data)
        return _presence_detail(request, presence)


# --- registers ------------------------------------------------------------------------------


class RegisterExportInput(serializers.Serializer):
    register = serializers.ChoiceField(choices=RegisterExport.Register.choices)
    format = serializers.ChoiceField(choices=RegisterExport.Format.choices)
    delimiter = serializers.ChoiceField(
        choices=[(",", ","), (";", ";")],
        default=",",
        help_text='CSV: "," or ";" (Italian Excel: ";", with a decimal comma).',
    )
    city_id = serializers.UUIDField(required=False)
    organisation_id = serializers.UUIDField(required=False)
    course_id = serializers.UUIDField(required=False)
    module_id = serializers.UUIDField(required=False)
    session_id = serializers.UUIDField(required=False)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError(
                {"date_to": _("The end of the period comes before its start.")}
            )
        return data


REGISTER_FILES = {(200, CONTENT_TYPES[f].split(";")[0]): OpenApiTypes.BINARY for f in CONTENT_TYPES}


class RegisterExportCollectionApi(APIView):
    content_negotiation_class = FileNegotiation

    @extend_schema(
        summary="Download a register",
        description="Coordinators (their city's people only) and staff: the session "
        "register, the learner register or the summary by organisation, filtered, as CSV "
        "(UTF-8 with BOM, streamed), XLSX or PDF. A small one is the answer (200, the "
        "export's id in `X-Register-Export`); a large one is queued (202) and its file is "
        "downloaded from the export when ready. Every export is recorded.",
        request=RegisterExportInput,
        responses={**REGISTER_FILES, 202: RegisterExportOutput, **errors(400, 403)},
    )
    def post(self, request: AuthenticatedRequest) -> HttpResponseBase:
        payload = RegisterExportInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        where = RegisterFilter(
            city_id=data.get("city_id"),
            organisation_id=data.get("organisation_id"),
            course_id=data.get("course_id"),
            module_id=data.get("module_id"),
            session_id=data.get("session_id"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
        start = register_export_start(
            actor=request.user,
            register=data["register"],
            file_format=data["format"],
            where=where,
            delimiter=data["delimiter"],
        )
        export = start.export
        response: HttpResponseBase
        if start.chunks is not None:
            response = StreamingHttpResponse(
                start.chunks, content_type=CONTENT_TYPES[RegisterExport.Format(export.format)]
            )
            response["Content-Disposition"] = f'attachment; filename="{register_file_name(export)}"'
        elif start.path is not None:
            handle = start.path.open("rb")
            start.path.unlink()  # the open handle keeps the bytes until the response is sent
            response = FileResponse(
                handle,
                as_attachment=True,
                filename=register_file_name(export),
                content_type=CONTENT_TYPES[RegisterExport.Format(export.format)],
            )
        else:
            output = RegisterExportOutput(export, context={"request": request})
            return Response(output.data, status=HTTPStatus.ACCEPTED)
        response["X-Register-Export"] = str(export.pk)
        return response


class RegisterExportListApi(ListApi):
    output_serializer = RegisterExportOutput

    def selector_queryset(self) -> QuerySet[RegisterExport]:
        return register_export_list(actor=self.request.user)  # type: ignore[arg-type]

    @extend_schema(
        summary="My register exports",
        description="Every register the actor asked for, newest first, with its progress.",
        responses={200: RegisterExportOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        return self.list(request)


def _export(request: AuthenticatedRequest, export_id: UUID) -> RegisterExport:
    export = register_export_get(actor=request.user, export_id=export_id)
    if export is None:
        raise RegisterExportNotFound()
    return export


class RegisterExportDetailApi(APIView):
    @extend_schema(
        summary="A register export",
        description="Its status and progress (for a progress bar), and its download link "
        "when ready.",
        responses={200: RegisterExportOutput, **errors(404)},
    )
    def get(self, request: AuthenticatedRequest, export_id: UUID) -> Response:
        export = _export(request, export_id)
        return Response(RegisterExportOutput(export, context={"request": request}).data)


class RegisterExportDownloadApi(APIView):
    content_negotiation_class = FileNegotiation

    @extend_schema(
        summary="Download a queued register",
        description="The file a task wrote for a large export (409 until it is ready).",
        responses={**REGISTER_FILES, **errors(404, 409)},
    )
    def get(self, request: AuthenticatedRequest, export_id: UUID) -> FileResponse:
        export = _export(request, export_id)
        if export.status != RegisterExport.Status.READY or not export.file:
            raise RegisterExportNotReady()
        return FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=register_file_name(export),
            content_type=CONTENT_TYPES[RegisterExport.Format(export.format)],
        )


# --- the programme's identity ---------------------------------------------------------------


class ProgrammeIdentityApi(APIView):
    class ProgrammeIdentityInput(serializers.Serializer):
        plan_title = serializers.CharField(max_length=300)
        project_title = serializers.CharField(max_length=300)
        funding_programme = serializers.CharField(max_length=300)
        funding_codes = FundingCode(many=True, required=False, help_text="E.g. the CUP.")

    @extend_schema(
        summary="The programme's identity",
        description="What the registers print at their head: the titles of the training "
        "plan and of the project, the funding programme and its codes.",
        responses={200: ProgrammeIdentityOutput},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(ProgrammeIdentityOutput(programme_identity()).data)

    @extend_schema(
        summary="Change the programme's identity",
        description="Staff only.",
        request=ProgrammeIdentityInput,
        responses={200: ProgrammeIdentityOutput, **errors(400, 403)},
    )
    def put(self, request: AuthenticatedRequest) -> Response:
        payload = self.ProgrammeIdentityInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        if "funding_codes" in data:
            data["funding_codes"] = [dict(code) for code in data["funding_codes"]]
        identity = programme_identity_update(actor=request.user, data=data)
        return Response(ProgrammeIdentityOutput(identity).data)

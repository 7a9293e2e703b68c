"""Uploads (tus 1.0), videos, captions, documents and the development delivery of HLS files:
thin views over the media services and selectors."""

from __future__ import annotations

import base64
import binascii
import re
import time
from email.utils import format_datetime
from http import HTTPStatus
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lms.api import AuthenticatedRequest, ListApi
from lms.exceptions import NotFound
from media import ranges
from media.exceptions import (
    PlaybackLinkInvalid,
    TusContentTypeWrong,
    TusError,
    TusLengthRequired,
    TusVersionUnsupported,
)
from media.filters import VideoFilter
from media.models import Caption, CourseDocument, Upload, VideoAsset
from media.selectors import (
    Playback,
    document_get,
    document_list,
    video_asset_get_for_edit,
    video_asset_list,
    video_asset_playback,
)
from media.services import (
    caption_delete,
    caption_put,
    document_create,
    document_delete,
    document_get_for_edit,
    upload_append,
    upload_create,
    upload_get,
    upload_terminate,
    video_asset_delete,
    video_asset_retry,
    video_asset_update,
)
from media.services.uploads import CHECKSUM_ALGORITHMS
from media.signing import SERVED_PATH, playback_signature_valid

# --- tus 1.0 resumable uploads (https://tus.io/protocols/resumable-upload) --------------------

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,checksum,expiration"


def _header_int(request: Request, name: str) -> int:
    value = request.headers.get(name, "")
    if not value.isdigit():
        raise TusError(
            _("The %(header)s header must be a whole number, 0 or more.") % {"header": name}
        )
    return int(value)


def _metadata(request: Request) -> dict[str, str]:
    """Upload-Metadata: ``key base64(value)`` pairs separated by commas."""
    found = {}
    for pair in filter(
        None, (p.strip() for p in request.headers.get("Upload-Metadata", "").split(","))
    ):
        key, _sep, encoded = pair.partition(" ")
        try:
            found[key] = base64.b64decode(encoded, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise TusError(
                _("The Upload-Metadata value of “%(key)s” is not base64 of UTF-8 text.")
                % {"key": key}
            ) from exc
    return found


def _checksum(request: Request) -> tuple[str, str] | None:
    value = request.headers.get("Upload-Checksum")
    if not value:
        return None
    algorithm, _sep, digest = value.strip().partition(" ")
    if algorithm not in CHECKSUM_ALGORITHMS or not digest:
        raise TusError(
            _("Upload-Checksum must be “<algorithm> <base64 digest>” with one of %(names)s.")
            % {"names": ", ".join(CHECKSUM_ALGORITHMS)}
        )
    return algorithm, digest


class _FailureFields(serializers.ModelSerializer):
    """Why it failed: the stable code (for programs) and its sentence in the reader's
    language (for people); both "" unless it failed."""

    failure_code = serializers.CharField(read_only=True)
    failure_message = serializers.CharField(read_only=True)


class UploadOutput(_FailureFields):
    video_id = serializers.UUIDField(source="asset_id", allow_null=True)

    class Meta:
        model = Upload
        fields = [
            "id",
            "title",
            "filename",
            "length_bytes",
            "offset_bytes",
            "status",
            "failure_code",
            "failure_message",
            "expires_at",
            "video_id",
        ]


class TusApi(APIView):
    """Every tus answer carries Tus-Resumable, errors included; every request but OPTIONS must
    say which version it speaks."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method != "OPTIONS" and request.headers.get("Tus-Resumable") != TUS_VERSION:
            raise TusVersionUnsupported()

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Tus-Resumable"] = TUS_VERSION
        response["Tus-Version"] = TUS_VERSION
        response["Cache-Control"] = "no-store"
        return response

    def _offsets(self, response: Response, upload: Upload) -> Response:
        response["Upload-Offset"] = str(upload.offset_bytes)
        response["Upload-Length"] = str(upload.length_bytes)
        response["Upload-Expires"] = format_datetime(upload.expires_at, usegmt=True)
        return response


class UploadCollectionApi(TusApi):
    """``POST`` opens an upload (tus creation): Upload-Length, and Upload-Metadata with
    ``course`` (uuid), ``filename``, optional ``title``, ``video`` (the video whose source it
    replaces) and ``sha256`` (hex, checked once the whole file is in)."""

    class MetadataInput(serializers.Serializer):
        course = serializers.UUIDField()
        filename = serializers.CharField(max_length=255)
        title = serializers.CharField(max_length=200, required=False, default="")
        video = serializers.UUIDField(required=False, allow_null=True, default=None)
        sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$", required=False, default="")

    @extend_schema(exclude=True)
    def options(self, request: Request, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        response = Response(status=HTTPStatus.NO_CONTENT)
        response["Tus-Extension"] = TUS_EXTENSIONS
        response["Tus-Max-Size"] = str(settings.VIDEO_MAX_UPLOAD_BYTES)
        response["Tus-Checksum-Algorithm"] = ",".join(CHECKSUM_ALGORITHMS)
        return response

    @extend_schema(request=None, responses={201: UploadOutput})
    def post(self, request: AuthenticatedRequest) -> Response:
        if "Upload-Defer-Length" in request.headers:
            raise TusError(_("Upload-Defer-Length is not supported: send Upload-Length."))
        length = _header_int(request, "Upload-Length")
        data = self.MetadataInput(data=_metadata(request))
        data.is_valid(raise_exception=True)
        upload = upload_create(
            actor=request.user,
            course_id=data.validated_data["course"],
            title=data.validated_data["title"],
            filename=data.validated_data["filename"],
            length_bytes=length,
            expected_sha256=data.validated_data["sha256"],
            asset_id=data.validated_data["video"],
        )
        response = Response(UploadOutput(upload).data, status=HTTPStatus.CREATED)
        response["Location"] = request.build_absolute_uri(
            reverse("upload-detail", kwargs={"upload_id": upload.pk})
        )
        return self._offsets(response, upload)


class UploadDetailApi(TusApi):
    """``HEAD`` says how far the upload got; ``PATCH`` appends a chunk at Upload-Offset;
    ``DELETE`` cancels it; ``GET`` (not tus) shows its state and, once joined, its video."""

    @extend_schema(exclude=True)
    def head(self, request: AuthenticatedRequest, upload_id: UUID) -> Response:
        upload = upload_get(actor=request.user, upload_id=upload_id)
        if upload.status == Upload.Status.FAILED:
            return Response(status=HTTPStatus.GONE)
        return self._offsets(Response(status=HTTPStatus.OK), upload)

    @extend_schema(responses={200: UploadOutput})
    def get(self, request: AuthenticatedRequest, upload_id: UUID) -> Response:
        upload = upload_get(actor=request.user, upload_id=upload_id)
        return self._offsets(Response(UploadOutput(upload).data), upload)

    @extend_schema(exclude=True)
    def patch(self, request: AuthenticatedRequest, upload_id: UUID) -> Response:
        if request.content_type.split(";")[0].strip() != "application/offset+octet-stream":
            raise TusContentTypeWrong()
        upload = upload_get(actor=request.user, upload_id=upload_id)
        offset = _header_int(request, "Upload-Offset")
        if not str(request.META.get("CONTENT_LENGTH") or "").isdigit():
            raise TusLengthRequired()
        content_length = int(request.META["CONTENT_LENGTH"])
        upload = upload_append(
            upload=upload,
            offset=offset,
            body=request._request,  # the raw body, read as it arrives; never parsed by DRF
            content_length=content_length,
            checksum=_checksum(request),
        )
        return self._offsets(Response(status=HTTPStatus.NO_CONTENT), upload)

    @extend_schema(exclude=True)
    def delete(self, request: AuthenticatedRequest, upload_id: UUID) -> Response:
        upload_terminate(upload=upload_get(actor=request.user, upload_id=upload_id))
        return Response(status=HTTPStatus.NO_CONTENT)


# --- videos ---------------------------------------------------------------------------------


class CaptionOutput(serializers.ModelSerializer):
    class Meta:
        model = Caption
        fields = ["language", "label", "created_at", "updated_at"]


class VideoOutput(_FailureFields):
    course_id = serializers.UUIDField()
    captions = CaptionOutput(many=True)

    class Meta:
        model = VideoAsset
        fields = [
            "id",
            "course_id",
            "title",
            "status",
            "progress_percent",
            "failure_code",
            "failure_message",
            "duration_seconds",
            "width",
            "height",
            "renditions",
            "source_size_bytes",
            "ready_at",
            "created_at",
            "updated_at",
            "captions",
        ]


class VideoCollectionApi(ListApi):
    """The videos of the courses the actor teaches, with their processing state. New videos
    arrive through ``/api/v1/uploads/``."""

    filterset_class = VideoFilter
    output_serializer = VideoOutput

    def selector_queryset(self) -> QuerySet[VideoAsset]:
        return video_asset_list(actor=self.request.user)  # type: ignore[arg-type]


class VideoDetailApi(APIView):
    class UpdateInput(serializers.Serializer):
        title = serializers.CharField(max_length=200)

    @extend_schema(responses={200: VideoOutput})
    def get(self, request: AuthenticatedRequest, video_id: UUID) -> Response:
        asset = video_asset_get_for_edit(actor=request.user, asset_id=video_id)
        return Response(VideoOutput(asset).data)

    @extend_schema(request=UpdateInput, responses={200: VideoOutput})
    def patch(self, request: AuthenticatedRequest, video_id: UUID) -> Response:
        data = self.UpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        asset = video_asset_get_for_edit(actor=request.user, asset_id=video_id)
        return Response(VideoOutput(video_asset_update(asset=asset, **data.validated_data)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest, video_id: UUID) -> Response:
        video_asset_delete(asset=video_asset_get_for_edit(actor=request.user, asset_id=video_id))
        return Response(status=HTTPStatus.NO_CONTENT)


class VideoTranscodeApi(APIView):
    """``POST``: transcode the video again from its source (after a failure, or to remake it)."""

    @extend_schema(request=None, responses={202: VideoOutput})
    def post(self, request: AuthenticatedRequest, video_id: UUID) -> Response:
        asset = video_asset_get_for_edit(actor=request.user, asset_id=video_id)
        asset = video_asset_retry(asset=asset)
        return Response(VideoOutput(asset).data, status=HTTPStatus.ACCEPTED)


class CaptionLinkOutput(serializers.Serializer):
    language = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    url = serializers.URLField()


class PlaybackOutput(serializers.Serializer):
    master_url = serializers.URLField(help_text="HLS master playlist (signed, short-lived)")
    poster_url = serializers.URLField()
    thumbnails_url = serializers.URLField(
        allow_null=True, help_text="WebVTT track of preview frames (null: the video has none)"
    )
    expires_at = serializers.DateTimeField()
    captions = CaptionLinkOutput(many=True)


def playback_data(playback: Playback) -> dict[str, Any]:
    return dict(PlaybackOutput(playback).data)


class VideoPlaybackApi(APIView):
    """Signed links to play a video: for the course's learners, trainers, coordinators, staff."""

    @extend_schema(responses={200: PlaybackOutput})
    def get(self, request: AuthenticatedRequest, video_id: UUID) -> Response:
        playback = video_asset_playback(actor=request.user, asset_id=video_id)
        return Response(playback_data(playback))


class VideoCaptionCollectionApi(APIView):
    """``POST`` (multipart: ``language``, ``label``, ``file``) adds or replaces the caption of
    one language; SRT is converted to WebVTT, a wrong file is refused with its line number."""

    parser_classes = [MultiPartParser, FormParser]

    class PutInput(serializers.Serializer):
        language = serializers.CharField(max_length=35)
        label = serializers.CharField(max_length=100, required=False, default="")  # type: ignore[assignment]
        file = serializers.FileField()

    @extend_schema(responses={200: CaptionOutput(many=True)})
    def get(self, request: AuthenticatedRequest, video_id: UUID) -> Response:
        asset = video_asset_get_for_edit(actor=request.user, asset_id=video_id)
        return Response(CaptionOutput(asset.captions.all(), many=True).data)

    @extend_schema(request=PutInput, responses={201: CaptionOutput})
    def post(self, request: AuthenticatedRequest, video_id: UUID) -> Response:
        data = self.PutInput(data=request.data)
        data.is_valid(raise_exception=True)
        asset = video_asset_get_for_edit(actor=request.user, asset_id=video_id)
        upload = data.validated_data["file"]
        caption = caption_put(
            actor=request.user,
            asset=asset,
            language=data.validated_data["language"],
            label=data.validated_data["label"],
            data=upload.read(settings.CAPTION_MAX_UPLOAD_BYTES + 1),
            filename=upload.name or "",
        )
        return Response(CaptionOutput(caption).data, status=HTTPStatus.CREATED)


class VideoCaptionDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest, video_id: UUID, language: str) -> Response:
        asset = video_asset_get_for_edit(actor=request.user, asset_id=video_id)
        caption_delete(asset=asset, language=language)
        return Response(status=HTTPStatus.NO_CONTENT)


# --- documents ------------------------------------------------------------------------------


class DocumentOutput(serializers.ModelSerializer):
    course_id = serializers.UUIDField()
    lesson_id = serializers.UUIDField(allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = CourseDocument
        fields = [
            "id",
            "course_id",
            "lesson_id",
            "title",
            "filename",
            "content_type",
            "size_bytes",
            "download_url",
            "created_at",
        ]

    def get_download_url(self, document: CourseDocument) -> str:
        path = reverse("document-file", kwargs={"document_id": document.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class DocumentCollectionApi(APIView):
    """``GET ?course=<id>``: a course's documents (for whoever may see its content).
    ``POST`` (multipart: ``course``, optional ``lesson``, ``title``, ``file``): add one."""

    parser_classes = [MultiPartParser, FormParser]

    class ListInput(serializers.Serializer):
        course = serializers.UUIDField()

    class CreateInput(serializers.Serializer):
        course = serializers.UUIDField()
        lesson = serializers.UUIDField(required=False, allow_null=True, default=None)
        title = serializers.CharField(max_length=200, required=False, default="")
        file = serializers.FileField()

    @extend_schema(parameters=[ListInput], responses={200: DocumentOutput(many=True)})
    def get(self, request: AuthenticatedRequest) -> Response:
        data = self.ListInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        documents = document_list(actor=request.user, course_id=data.validated_data["course"])
        return Response(DocumentOutput(documents, many=True, context={"request": request}).data)

    @extend_schema(request=CreateInput, responses={201: DocumentOutput})
    def post(self, request: AuthenticatedRequest) -> Response:
        data = self.CreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        document = document_create(
            actor=request.user,
            course_id=data.validated_data["course"],
            lesson_id=data.validated_data["lesson"],
            title=data.validated_data["title"],
            data=upload.read(settings.DOCUMENT_MAX_UPLOAD_BYTES + 1),
            filename=upload.name or "",
        )
        return Response(
            DocumentOutput(document, context={"request": request}).data,
            status=HTTPStatus.CREATED,
        )


class DocumentDetailApi(APIView):
    @extend_schema(responses={200: DocumentOutput})
    def get(self, request: AuthenticatedRequest, document_id: UUID) -> Response:
        document = document_get(actor=request.user, document_id=document_id)
        return Response(DocumentOutput(document, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthenticatedRequest, document_id: UUID) -> Response:
        document_delete(document=document_get_for_edit(actor=request.user, document_id=document_id))
        return Response(status=HTTPStatus.NO_CONTENT)


class DocumentFileApi(APIView):
    """The document's file, as an attachment with the name the trainer gave it."""

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request: AuthenticatedRequest, document_id: UUID) -> FileResponse:
        document = document_get(actor=request.user, document_id=document_id)
        return FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.filename,
            content_type=document.content_type,
        )


# --- development delivery of HLS files ------------------------------------------------------

CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".vtt": "text/vtt; charset=utf-8",
    ".jpg": "image/jpeg",
}
STREAM_CHUNK = 256 * 1024


def _file_range(handle: Any, first: int, last: int) -> Any:
    try:
        handle.seek(first)
        remaining = last - first + 1
        while remaining > 0:
            data = handle.read(min(STREAM_CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        handle.close()


class PlaybackFileApi(APIView):
    """A file of a published ladder (or a caption), behind a signed path: the development and
    single-server path, with Range requests (206, Content-Range, 416). In production
    (MEDIA_DELIVERY=nginx) nginx checks the same signature and serves these files itself."""

    authentication_classes: list[Any] = []  # the signature is the credential
    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(
        self,
        request: Request,
        user_id: UUID,
        expires: int,
        signature: str,
        asset_id: UUID,
        path: str,
    ) -> HttpResponseBase:
        if settings.MEDIA_DELIVERY != "django" or not SERVED_PATH.match(path):
            raise NotFound()  # NotFound: same shape as every other 404
        if not playback_signature_valid(
            key=settings.MEDIA_SIGNING_KEY.encode(),
            user_id=user_id,
            asset_id=asset_id,
            expires=expires,
            signature=signature,
            now=time.time(),
        ):
            raise PlaybackLinkInvalid()
        name = f"videos/{asset_id}/{path}"
        try:
            size = default_storage.size(name)
        except (FileNotFoundError, OSError):
            raise NotFound() from None
        suffix = re.sub(r"^.*(\.[a-z0-9]+)$", r"\1", path)
        content_type = CONTENT_TYPES.get(suffix, "application/octet-stream")
        try:
            wanted = ranges.parse_byte_range(request.headers.get("Range"), size=size)
        except ranges.RangeNotSatisfiable:
            unsatisfiable = HttpResponse(status=HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            unsatisfiable["Content-Range"] = ranges.unsatisfied_content_range(size)
            return unsatisfiable
        first, last = wanted if wanted else (0, size - 1)
        body = _file_range(default_storage.open(name, "rb"), first, last) if size else iter(())
        response: HttpResponseBase = StreamingHttpResponse(
            body,
            status=HTTPStatus.PARTIAL_CONTENT if wanted else HTTPStatus.OK,
            content_type=content_type,
        )
        response["Content-Length"] = str(last - first + 1 if size else 0)
        if wanted:
            response["Content-Range"] = ranges.content_range(first, last, size)
        response["Accept-Ranges"] = "bytes"
        # A ladder's files never change (a new ladder gets a new prefix); the link expires.
        response["Cache-Control"] = f"private, max-age={max(0, expires - int(time.time()))}"
        return response

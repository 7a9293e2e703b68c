"""The trainer's pages: their courses, a course's content, the video upload, captions and
documents.

Thin views over the same selectors and services as the API (``courses/apis.py``,
``media/apis.py``): each parses a Django form, calls one service, and shows what the service
refused on the form, in the reader's language. A course outside the trainer's reach is a 404
(whether it is another trainer's draft or a published course they do not teach); a person who
does not teach at all gets the 403 page.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from courses.models import Course, Lesson, Module
from courses.selectors import (
    course_get_for_edit,
    course_list_taught,
    lesson_get_for_edit,
    module_get_for_edit,
)
from courses.services import (
    course_create,
    course_update,
    lesson_create,
    lesson_delete,
    lesson_update,
    module_create,
    module_delete,
    module_update,
)
from lms import exceptions as app_errors
from lms.accounts.models import User
from lms.exceptions import ApplicationError
from media.models import VideoAsset
from media.selectors import document_list, video_asset_get_for_edit, video_asset_list
from media.services import (
    caption_delete,
    caption_put,
    document_create,
    document_delete,
    document_get_for_edit,
    video_asset_delete,
)
from pages.trainer.forms import (
    CaptionForm,
    CourseCreateForm,
    CourseForm,
    DocumentForm,
    LessonForm,
    ModuleForm,
    MoveForm,
)

View = Callable[..., HttpResponse]


def _person(request: HttpRequest) -> User:
    return cast(User, request.user)


def teachers_only(view: View) -> View:
    """Signed in, and a trainer or staff: everyone else gets the 403 page."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _person(request).can_teach:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _in_scope(get: Callable[..., Any], **kwargs: Any) -> Any:
    """What a ``*_get_for_edit`` selector gives, or a 404: a course the trainer does not
    teach is none of their business, whether or not they can see it in the catalogue."""
    try:
        return get(**kwargs)
    except (app_errors.NotFound, app_errors.PermissionDenied) as error:
        raise Http404(str(error.message)) from error


def _refused(request: HttpRequest, error: ApplicationError | ValidationError) -> None:
    if isinstance(error, ApplicationError):
        messages.error(request, str(error.message))
    else:
        messages.error(request, " ".join(error.messages))


# --- my courses -----------------------------------------------------------------------------


@teachers_only
@require_http_methods(["GET", "POST"])
def courses(request: HttpRequest) -> HttpResponse:
    form = CourseCreateForm(request.POST or None, prefix="new")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                course = course_create(actor=_person(request), **form.service_data())
            except (ApplicationError, ValidationError) as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Course created as a draft."))
                return redirect("trainer:course", course_id=course.pk)
        status = 400
    return render(
        request,
        "pages/trainer/courses.html",
        {"courses": list(course_list_taught(actor=_person(request))), "form": form},
        status=status,
    )


# --- a course -------------------------------------------------------------------------------


def _course_page(
    request: HttpRequest,
    course: Course,
    *,
    form: CourseForm | None = None,
    module_form: ModuleForm | None = None,
    document_form: DocumentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    lessons = [lesson for module in course.modules.all() for lesson in module.lessons.all()]
    videos = list(video_asset_list(actor=_person(request)).filter(course=course))
    documents = list(document_list(actor=_person(request), course_id=course.pk))
    return render(
        request,
        "pages/trainer/course.html",
        {
            "course": course,
            "form": form or CourseForm(initial=CourseForm.initial_of(course), prefix="course"),
            "module_form": module_form or ModuleForm(prefix="module"),
            "document_form": document_form
            or DocumentForm(
                prefix="document", lessons=Lesson.objects.filter(module__course=course)
            ),
            "lessons": lessons,
            "videos": videos,
            "documents": documents,
            "processing": any(v.status in (v.Status.UPLOADED, v.Status.PROCESSING) for v in videos),
        },
        status=status,
    )


def _course(request: HttpRequest, course_id: UUID) -> Course:
    return _in_scope(
        course_get_for_edit, actor=_person(request), course_id=course_id, with_content=True
    )


@teachers_only
@require_http_methods(["GET", "POST"])
def course(request: HttpRequest, course_id: UUID) -> HttpResponse:
    course = _course(request, course_id)
    if request.method == "GET":
        return _course_page(request, course)
    form = CourseForm(request.POST, prefix="course")
    if form.is_valid():
        try:
            course_update(actor=_person(request), course=course, data=form.service_data())
        except (ApplicationError, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Course saved."))
            return redirect("trainer:course", course_id=course.pk)
    return _course_page(request, _course(request, course_id), form=form, status=400)


@teachers_only
@require_POST
def module_new(request: HttpRequest, course_id: UUID) -> HttpResponse:
    course = _course(request, course_id)
    form = ModuleForm(request.POST, prefix="module")
    if form.is_valid():
        try:
            module = module_create(actor=_person(request), course=course, **form.service_data())
        except (ApplicationError, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Module added."))
            return redirect(reverse("trainer:course", args=[course.pk]) + f"#module-{module.pk}")
    return _course_page(request, course, module_form=form, status=400)


@teachers_only
@require_POST
def document_new(request: HttpRequest, course_id: UUID) -> HttpResponse:
    course = _course(request, course_id)
    lessons = Lesson.objects.filter(module__course=course)
    form = DocumentForm(request.POST, request.FILES, prefix="document", lessons=lessons)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        lesson = form.cleaned_data["lesson"]
        try:
            document_create(
                actor=_person(request),
                course_id=course.pk,
                lesson_id=lesson.pk if lesson else None,
                title=form.cleaned_data["title"],
                data=upload.read(settings.DOCUMENT_MAX_UPLOAD_BYTES + 1),
                filename=upload.name or "",
            )
        except (ApplicationError, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Document added."))
            return redirect(reverse("trainer:course", args=[course.pk]) + "#documents")
    return _course_page(request, course, document_form=form, status=400)


@teachers_only
@require_POST
def document_remove(request: HttpRequest, document_id: UUID) -> HttpResponse:
    document = _in_scope(document_get_for_edit, actor=_person(request), document_id=document_id)
    document_delete(document=document)
    messages.success(request, _("Document deleted."))
    return redirect(reverse("trainer:course", args=[document.course_id]) + "#documents")


# --- modules --------------------------------------------------------------------------------


def _module(request: HttpRequest, module_id: UUID) -> Module:
    return _in_scope(module_get_for_edit, actor=_person(request), module_id=module_id)


def _course_videos(request: HttpRequest, course_id: UUID) -> Any:
    return video_asset_list(actor=_person(request)).filter(course_id=course_id)


def _module_page(
    request: HttpRequest,
    module: Module,
    *,
    form: ModuleForm | None = None,
    lesson_form: LessonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    videos = _course_videos(request, module.course_id)
    return render(
        request,
        "pages/trainer/module.html",
        {
            "module": module,
            "course": module.course,
            "lessons": list(module.lessons.select_related("video_asset").order_by("position")),
            "form": form or ModuleForm(initial=ModuleForm.initial_of(module), prefix="module"),
            "lesson_form": lesson_form or LessonForm(prefix="lesson", videos=videos),
        },
        status=status,
    )


@teachers_only
@require_http_methods(["GET", "POST"])
def module(request: HttpRequest, module_id: UUID) -> HttpResponse:
    module = _module(request, module_id)
    if request.method == "GET":
        return _module_page(request, module)
    form = ModuleForm(request.POST, prefix="module")
    if form.is_valid():
        try:
            module_update(actor=_person(request), module=module, data=form.service_data())
        except (ApplicationError, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Module saved."))
            return redirect("trainer:module", module_id=module.pk)
    return _module_page(request, _module(request, module_id), form=form, status=400)


@teachers_only
@require_POST
def module_move(request: HttpRequest, module_id: UUID) -> HttpResponse:
    module = _module(request, module_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            module_update(actor=_person(request), module=module, data=form.cleaned_data)
        except (ApplicationError, ValidationError) as error:
            _refused(request, error)
        else:
            messages.success(request, _("Module moved."))
    return redirect(reverse("trainer:course", args=[module.course_id]) + f"#module-{module.pk}")


@teachers_only
@require_POST
def module_remove(request: HttpRequest, module_id: UUID) -> HttpResponse:
    module = _module(request, module_id)
    try:
        module_delete(actor=_person(request), module=module)
    except ApplicationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Module deleted."))
    return redirect(reverse("trainer:course", args=[module.course_id]) + "#modules")


@teachers_only
@require_POST
def lesson_new(request: HttpRequest, module_id: UUID) -> HttpResponse:
    module = _module(request, module_id)
    videos = _course_videos(request, module.course_id)
    form = LessonForm(request.POST, prefix="lesson", videos=videos)
    if form.is_valid():
        try:
            lesson = lesson_create(actor=_person(request), module=module, **form.service_data())
        except (ApplicationError, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Lesson added."))
            return redirect(reverse("trainer:module", args=[module.pk]) + f"#lesson-{lesson.pk}")
    return _module_page(request, module, lesson_form=form, status=400)


# --- lessons --------------------------------------------------------------------------------


def _lesson(request: HttpRequest, lesson_id: UUID) -> Lesson:
    return _in_scope(lesson_get_for_edit, actor=_person(request), lesson_id=lesson_id)


@teachers_only
@require_http_methods(["GET", "POST"])
def lesson(request: HttpRequest, lesson_id: UUID) -> HttpResponse:
    lesson = _lesson(request, lesson_id)
    videos = _course_videos(request, lesson.module.course_id)
    status = 200
    if request.method == "POST":
        form = LessonForm(request.POST, prefix="lesson", videos=videos)
        if form.is_valid():
            try:
                lesson_update(actor=_person(request), lesson=lesson, data=form.service_data())
            except (ApplicationError, ValidationError) as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Lesson saved."))
                return redirect("trainer:lesson", lesson_id=lesson.pk)
        status = 400
        lesson = _lesson(request, lesson_id)  # as it is stored, not as the refused form had it
    else:
        form = LessonForm(initial=LessonForm.initial_of(lesson), prefix="lesson", videos=videos)
    return render(
        request,
        "pages/trainer/lesson.html",
        {"lesson": lesson, "module": lesson.module, "course": lesson.module.course, "form": form},
        status=status,
    )


@teachers_only
@require_POST
def lesson_move(request: HttpRequest, lesson_id: UUID) -> HttpResponse:
    lesson = _lesson(request, lesson_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            lesson_update(actor=_person(request), lesson=lesson, data=form.cleaned_data)
        except (ApplicationError, ValidationError) as error:
            _refused(request, error)
        else:
            messages.success(request, _("Lesson moved."))
    return redirect(reverse("trainer:module", args=[lesson.module_id]) + f"#lesson-{lesson.pk}")


@teachers_only
@require_POST
def lesson_remove(request: HttpRequest, lesson_id: UUID) -> HttpResponse:
    lesson = _lesson(request, lesson_id)
    try:
        lesson_delete(actor=_person(request), lesson=lesson)
    except ApplicationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Lesson deleted."))
    return redirect(reverse("trainer:module", args=[lesson.module_id]) + "#lessons")


# --- videos ---------------------------------------------------------------------------------


@teachers_only
def upload(request: HttpRequest, course_id: UUID) -> HttpResponse:
    """The page of the resumable upload: the tus client (``upload.js``) speaks to the API's
    own endpoint, ``/api/v1/uploads/``, with the session and the CSRF token."""
    course = _in_scope(course_get_for_edit, actor=_person(request), course_id=course_id)
    return render(
        request,
        "pages/trainer/upload.html",
        {
            "course": course,
            "chunk_bytes": settings.TRAINER_UPLOAD_CHUNK_BYTES,
            "uploads_url": reverse("upload-list"),
            "video_url": reverse("video-detail", args=[UUID(int=0)]),
        },
    )


def _video(request: HttpRequest, video_id: UUID) -> VideoAsset:
    return _in_scope(video_asset_get_for_edit, actor=_person(request), asset_id=video_id)


def _video_page(
    request: HttpRequest, video: VideoAsset, *, form: CaptionForm | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "pages/trainer/video.html",
        {
            "video": video,
            "course": video.course,
            "captions": list(video.captions.all()),
            "form": form or CaptionForm(prefix="caption"),
            "video_url": reverse("video-detail", args=[video.pk]),
        },
        status=status,
    )


@teachers_only
def video(request: HttpRequest, video_id: UUID) -> HttpResponse:
    return _video_page(request, _video(request, video_id))


@teachers_only
@require_POST
def video_remove(request: HttpRequest, video_id: UUID) -> HttpResponse:
    video = _video(request, video_id)
    try:
        video_asset_delete(asset=video)
    except ApplicationError as error:
        _refused(request, error)
        return redirect("trainer:video", video_id=video.pk)
    messages.success(request, _("Video deleted."))
    return redirect(reverse("trainer:course", args=[video.course_id]) + "#videos")


@teachers_only
@require_POST
def caption_new(request: HttpRequest, video_id: UUID) -> HttpResponse:
    video = _video(request, video_id)
    form = CaptionForm(request.POST, request.FILES, prefix="caption")
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            caption_put(
                actor=_person(request),
                asset=video,
                language=form.cleaned_data["language"],
                label=form.cleaned_data["label"],
                data=upload.read(settings.CAPTION_MAX_UPLOAD_BYTES + 1),
                filename=upload.name or "",
            )
        except (ApplicationError, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Captions saved."))
            return redirect("trainer:video", video_id=video.pk)
    return _video_page(request, _video(request, video_id), form=form, status=400)


@teachers_only
@require_POST
def caption_remove(request: HttpRequest, video_id: UUID, language: str) -> HttpResponse:
    video = _video(request, video_id)
    try:
        caption_delete(asset=video, language=language)
    except ApplicationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Captions deleted."))
    return redirect("trainer:video", video_id=video.pk)

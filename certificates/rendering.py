"""A certificate's PDF: the fixed context a staff-written template sees, its QR code, the check
of a template staff write, and the PDF/A-3b itself (Django's template engine, then WeasyPrint).
No models: the lead's services fill ``CertificateFacts`` and store what this returns.

What a staff template can reach is only what ``render_context`` builds (plain strings, numbers,
dates and lists of strings, never a model) through an engine of its own: no loaders (no
``{% include %}`` or ``{% extends %}`` of the project's templates), only the ``i18n``, ``l10n``
and ``tz`` libraries to ``{% load %}``, no context processors. WeasyPrint fetches nothing from
the network: its URL fetcher serves the vendored fonts, this app's static folder and ``data:``
URIs, and refuses everything else.

Fast, because 1,000 certificates are written at a time: the fonts, every stylesheet and every
compiled template are parsed once per process and reused (one ``FontConfiguration`` for all).
"""

from __future__ import annotations

import logging
import mimetypes
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from html import escape
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from typing import Any, Final

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template import Context, Engine, Node, NodeList, Template, TemplateSyntaxError
from django.template.base import FilterExpression, Token, TokenType, Variable
from django.utils import formats, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from certificates.hours import tenths_of_hour

logger = logging.getLogger(__name__)

PDF_VARIANT: Final = "pdf/a-3b"
# The credential is the data the PDF shows, machine-readable (ISO 19005-3 "Data").
ATTACHMENT_RELATIONSHIP: Final = "Data"
KINDS: Final = ("module", "course", "programme")
KIND_LABELS: Final = {
    "module": gettext_lazy("Module"),
    "course": gettext_lazy("Course"),
    "programme": gettext_lazy("Programme"),
}
APP_STATIC_DIR: Final = Path(__file__).resolve().parent / "static" / "certificates"
TITILLIUM_DIR: Final = "pages/vendor/bootstrap-italia/fonts/Titillium_Web"
TITILLIUM_FACES: Final = (  # (weight, style, file): the faces the default template uses
    (400, "normal", "titillium-web-v10-latin-ext_latin-regular.woff2"),
    (400, "italic", "titillium-web-v10-latin-ext_latin-italic.woff2"),
    (700, "normal", "titillium-web-v10-latin-ext_latin-700.woff2"),
)
FALLBACK_FONT: Final = "DejaVu Sans"  # Debian's fonts-dejavu-core, found by fontconfig
IMAGE_CACHE_SIZE: Final = 64  # a template's images (a logo) are decoded once, not per PDF

# The context every template gets, key path -> what it holds. Marked for translation (shown
# translated in the admin by ``render_context_help``), stored here in English (for the docs).
RENDER_CONTEXT_DOC: dict[str, str] = {
    "programme.plan_title": gettext_noop("Title of the training plan"),
    "programme.project_title": gettext_noop("Title of the project"),
    "programme.funding_programme": gettext_noop("The programme that funds the training"),
    "programme.funding_codes": gettext_noop(
        "The funding codes (CUP, project code...), a list of texts: "
        "{% for code in programme.funding_codes %}"
    ),
    "issuer.name": gettext_noop("Who issues the certificate"),
    "issuer.url": gettext_noop("The issuer's web address"),
    "certificate.code": gettext_noop("Verification code, e.g. MLC-7K3Q-9XW2-PA4D-R8TF"),
    "certificate.verification_url": gettext_noop("The page that verifies the certificate"),
    "certificate.qr_svg": gettext_noop(
        "QR code of the verification page, as an SVG image to place as it is"
    ),
    "certificate.issued_on": gettext_noop("Date of issue (a date: use |date)"),
    "certificate.issued_on_text": gettext_noop(
        "Date of issue, written out in the certificate's language"
    ),
    "certificate.kind": gettext_noop("What it certifies: module, course or programme"),
    "certificate.kind_label": gettext_noop("The same, in the certificate's language"),
    "certificate.is_revoked": gettext_noop("True when the certificate has been revoked"),
    "learner.name": gettext_noop("The learner's full name"),
    "learner.tax_code": gettext_noop("The learner's tax code (empty when none)"),
    "learner.organisation": gettext_noop("The learner's organisation"),
    "learner.city": gettext_noop("The learner's Metropolitan City"),
    "achievement.title": gettext_noop("Title of the module, course or programme completed"),
    "achievement.course_title": gettext_noop(
        "The course the module belongs to (empty for the programme)"
    ),
    "achievement.description": gettext_noop("A description of what was completed"),
    "hours.distance": gettext_noop("Hours of distance learning: 12,5 in Italian, 12.5 in English"),
    "hours.in_person": gettext_noop("Hours in person, written the same way"),
    "hours.webinar": gettext_noop("Hours of live webinars, written the same way"),
    "hours.total": gettext_noop("Total hours: the sum of the three above"),
    "hours.distance_seconds": gettext_noop("Seconds of distance learning, a number"),
    "hours.in_person_seconds": gettext_noop("Seconds in person, a number"),
    "hours.webinar_seconds": gettext_noop("Seconds of live webinars, a number"),
    "hours.total_seconds": gettext_noop("Total seconds, a number"),
    "dates.started_on": gettext_noop("When the learner started (a date, or empty)"),
    "dates.completed_on": gettext_noop("When the learner completed (a date)"),
    "dates.started_on_text": gettext_noop("When the learner started, written out (or empty)"),
    "dates.completed_on_text": gettext_noop("When the learner completed, written out"),
    "language": gettext_noop("The certificate's language: it or en"),
}


@dataclass(frozen=True)
class CertificateFacts:
    """What a certificate shows, as raw values (the services copy them from the model)."""

    plan_title: str
    project_title: str
    funding_programme: str
    funding_codes: Sequence[str]
    issuer_name: str
    issuer_url: str
    code: str
    verification_url: str
    issued_on: date
    kind: str  # one of KINDS
    is_revoked: bool
    learner_name: str
    learner_tax_code: str
    learner_organisation: str
    learner_city: str
    achievement_title: str
    course_title: str
    distance_seconds: float
    in_person_seconds: float
    webinar_seconds: float
    started_on: date | None
    completed_on: date
    language: str  # "it" or "en"
    achievement_description: str = ""


def render_context(*, facts: CertificateFacts) -> dict[str, Any]:
    """The context of ``RENDER_CONTEXT_DOC``, in the facts' language (labels, hours, QR)."""
    seconds = {
        "distance": facts.distance_seconds,
        "in_person": facts.in_person_seconds,
        "webinar": facts.webinar_seconds,
    }
    tenths = {part: tenths_of_hour(value) for part, value in seconds.items()}
    tenths["total"] = sum(tenths.values())
    seconds["total"] = sum(seconds.values())
    with translation.override(facts.language):
        return {
            "programme": {
                "plan_title": facts.plan_title,
                "project_title": facts.project_title,
                "funding_programme": facts.funding_programme,
                "funding_codes": [str(code) for code in facts.funding_codes],
            },
            "issuer": {"name": facts.issuer_name, "url": facts.issuer_url},
            "certificate": {
                "code": facts.code,
                "verification_url": facts.verification_url,
                "qr_svg": qr_svg(facts.verification_url),
                "issued_on": facts.issued_on,
                "issued_on_text": date_text(facts.issued_on, facts.language),
                "kind": facts.kind,
                "kind_label": str(KIND_LABELS.get(facts.kind, facts.kind)),
                "is_revoked": facts.is_revoked,
            },
            "learner": {
                "name": facts.learner_name,
                "tax_code": facts.learner_tax_code or "",
                "organisation": facts.learner_organisation,
                "city": facts.learner_city,
            },
            "achievement": {
                "title": facts.achievement_title,
                "course_title": facts.course_title,
                "description": facts.achievement_description,
            },
            "hours": {
                **{part: _hours_text(count, facts.language) for part, count in tenths.items()},
                **{f"{part}_seconds": value for part, value in seconds.items()},
            },
            "dates": {
                "started_on": facts.started_on,
                "completed_on": facts.completed_on,
                "started_on_text": date_text(facts.started_on, facts.language),
                "completed_on_text": date_text(facts.completed_on, facts.language),
            },
            "language": facts.language,
        }


def render_context_help() -> list[tuple[str, str]]:
    """``RENDER_CONTEXT_DOC`` in the reader's language: (``{{ key }}``, description) rows."""
    return [(f"{{{{ {key} }}}}", _(text)) for key, text in RENDER_CONTEXT_DOC.items()]


def _hours_text(tenths: int, language: str) -> str:
    """12,5 in Italian, 12.5 in English: one decimal, the language's decimal mark."""
    mark = formats.get_format("DECIMAL_SEPARATOR", lang=language)
    return f"{tenths // 10}{mark}{tenths % 10}"


def date_text(day: date | None, language: str) -> str:
    """A date as people write it in ``language``: 1º novembre 2026 (Italian month names are
    lower case, the first of the month an ordinal), 1 November 2026; "" for None."""
    if day is None:
        return ""
    with translation.override(language):
        text = formats.date_format(day, "j F Y")
    if language == "it":
        text = text.lower().replace("1 ", "1º ", 1) if day.day == 1 else text.lower()
    return text


def qr_svg(url: str) -> SafeString:
    """``url`` as a QR code (error correction M, quiet zone of 4 modules), black on white, in an
    inline SVG that scales to its box (a ``viewBox``, no size), labelled for screen readers."""
    code = segno.make(url, error="m", micro=False, boost_error=False)
    label = _("QR code to verify the certificate: %(url)s") % {"url": url}
    buffer = BytesIO()
    code.save(
        buffer,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        scale=1,
        border=4,
        dark="#000",
        light="#fff",
        omitsize=True,
        svgclass="qr-code",
        lineclass=None,
        title=label,  # segno escapes it
    )
    svg = buffer.getvalue().decode()
    accessible = f'<svg role="img" aria-label="{escape(label, quote=True)}" '
    return mark_safe(svg.replace("<svg ", accessible, 1))  # noqa: S308 - segno's markup, escaped


# --- the template engine ------------------------------------------------------------------------

# Its own engine: nothing to include or extend, no project tag library, no context processor;
# {% translate %} and {% blocktranslate %} without {% load i18n %}. debug=True keeps each node's
# line, for template_check's messages; it costs nothing at render.
ENGINE: Final = Engine(
    dirs=[],
    app_dirs=False,
    loaders=[],
    debug=True,
    builtins=["django.templatetags.i18n"],
    libraries={
        "i18n": "django.templatetags.i18n",
        "l10n": "django.templatetags.l10n",
        "tz": "django.templatetags.tz",
    },
    autoescape=True,
)


@lru_cache(maxsize=16)
def compiled(html: str) -> Template:
    """``html`` compiled once per process (a batch renders one template a thousand times)."""
    return ENGINE.from_string(html)


def render_html(*, html: str, context: dict[str, Any], language: str) -> str:
    """The template rendered in ``language`` (its {% translate %} tags and date formats)."""
    with translation.override(language):
        return compiled(html).render(Context(context, autoescape=True))


# --- WeasyPrint: fonts, stylesheets, fetching ---------------------------------------------------


class LocalFilesOnly(URLFetcher):
    """Serves ``data:`` URIs and files under ``roots``; refuses every other URL (http, ftp,
    files elsewhere) without opening it: a certificate never depends on a server, and a staff
    template cannot make the worker fetch anything."""

    def __init__(self, roots: Sequence[Path]) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self.roots = [root.resolve() for root in roots]

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            request = urllib.request.Request(url)  # noqa: S310 - a data: URI, opened in memory
            with urllib.request.DataHandler().data_open(request) as answer:
                body = answer.read()
                return URLFetcherResponse(
                    url, body, {"Content-Type": answer.headers["Content-Type"]}
                )
        if scheme == "file":
            path = Path(urllib.request.url2pathname(url.split("?")[0].removeprefix("file:")))
            path = path.resolve()
            if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})
        logger.warning("A certificate refused to fetch %s", url[:200])
        raise ValueError(f"A certificate loads only its own files ({url[:80]})")


@dataclass(frozen=True)
class _Fonts:
    family: str  # "Titillium Web", or FALLBACK_FONT when the vendored files are absent
    config: FontConfiguration
    stylesheet: CSS
    fetcher: LocalFilesOnly


def _titillium_dir() -> Path | None:
    """Where the vendored Titillium Web is (``make assets``): the static files' source folder
    in development, ``STATIC_ROOT`` after collectstatic; None when it is in neither."""
    first = f"{TITILLIUM_DIR}/{TITILLIUM_FACES[0][2]}"
    found = finders.find(first)
    if isinstance(found, str):
        return Path(found).parent
    collected = Path(settings.STATIC_ROOT or "") / first
    return collected.parent if settings.STATIC_ROOT and collected.is_file() else None


@lru_cache(maxsize=1)
def fonts() -> _Fonts:
    """The fonts every certificate uses, loaded once per process: Titillium Web (Bootstrap
    Italia's, vendored) declared with @font-face, or DejaVu Sans from the system when the
    vendored files are missing. WeasyPrint embeds (a subset of) whichever it uses, as PDF/A
    requires."""
    folder = _titillium_dir()
    roots = [APP_STATIC_DIR] + ([folder] if folder else [])
    fetcher = LocalFilesOnly(roots)
    config = FontConfiguration()
    faces = []
    if folder is not None:
        for weight, style, name in TITILLIUM_FACES:
            if (folder / name).is_file():
                faces.append(
                    "@font-face { font-family: 'Titillium Web'; "
                    f"font-weight: {weight}; font-style: {style}; "
                    f"src: url('{(folder / name).as_uri()}') format('woff2'); }}"
                )
    else:
        logger.warning(
            "Titillium Web is not in the static files: certificates use %s", FALLBACK_FONT
        )
    # Staff CSS that names the family by either name gets it.
    family = "Titillium Web" if faces else FALLBACK_FONT
    stylesheet = CSS(string="\n".join(faces), font_config=config, url_fetcher=fetcher)
    return _Fonts(family, config, stylesheet, fetcher)


def font_family() -> str:
    """The font family certificates are written in on this machine."""
    return fonts().family


@lru_cache(maxsize=16)
def stylesheet(css: str) -> CSS:
    """Staff's CSS parsed once per process, its @font-face rules into the shared fonts."""
    shared = fonts()
    return CSS(
        string=css,
        base_url=APP_STATIC_DIR.as_uri() + "/",
        font_config=shared.config,
        url_fetcher=shared.fetcher,
    )


_image_cache: dict[str, Any] = {}


def _images() -> dict[str, Any]:
    """WeasyPrint's cache of decoded images, shared by every certificate, kept small."""
    if len(_image_cache) > IMAGE_CACHE_SIZE:
        _image_cache.clear()
    return _image_cache


# --- the PDF -----------------------------------------------------------------------------------


def certificate_pdf(
    *,
    html: str,
    css: str,
    context: dict[str, Any],
    attachments: Sequence[tuple[str, bytes, str]] = (),
    language: str = "it",
) -> bytes:
    """The certificate as a PDF/A-3b: ``html`` rendered by Django's template engine (escaping
    on) with ``context`` in ``language``, laid out by WeasyPrint with ``css``, each attachment
    (file name, bytes, description) embedded as an associated file. Title, author and language
    come from the template (<title>, <meta name="author">), or else from the context."""
    shared = fonts()
    markup = render_html(html=html, context=context, language=language)
    with translation.override(language):
        document = HTML(
            string=markup, base_url=APP_STATIC_DIR.as_uri() + "/", url_fetcher=shared.fetcher
        ).render(
            font_config=shared.config,
            stylesheets=[shared.stylesheet, stylesheet(css)],
            pdf_variant=PDF_VARIANT,
            cache=_images(),
        )
        _fill_metadata(document.metadata, context=context, language=language)
        pdf: bytes = document.write_pdf(
            pdf_variant=PDF_VARIANT,
            finisher=_associated_files_once,
            attachments=[
                Attachment(
                    file_obj=BytesIO(content),
                    name=name,
                    description=description,
                    relationship=ATTACHMENT_RELATIONSHIP,
                    url_fetcher=shared.fetcher,
                )
                for name, content, description in attachments
            ],
        )
    return pdf


def _associated_files_once(document: Any, pdf: Any) -> None:
    """WeasyPrint 69 lists each attachment twice in the catalog's /AF (once from the embedded
    files' names, once from the file specifications): once is what PDF/A-3 means."""
    if "AF" in pdf.catalog:
        unique = list(dict.fromkeys(pdf.catalog["AF"]))
        pdf.catalog["AF"].clear()
        pdf.catalog["AF"].extend(unique)


def _fill_metadata(metadata: Any, *, context: dict[str, Any], language: str) -> None:
    """What a staff template left out of the PDF's metadata, from the context."""
    learner = context.get("learner") or {}
    issuer = context.get("issuer") or {}
    if not metadata.title:
        metadata.title = _("Certificate of attendance – %(name)s") % {
            "name": learner.get("name", "")
        }
    if not metadata.authors and issuer.get("name"):
        metadata.authors = [str(issuer["name"])]
    metadata.lang = language


def page_count(*, html: str, css: str, context: dict[str, Any], language: str) -> int:
    """How many pages the template takes with ``context`` (a certificate should take one)."""
    shared = fonts()
    markup = render_html(html=html, context=context, language=language)
    with translation.override(language):
        document = HTML(
            string=markup, base_url=APP_STATIC_DIR.as_uri() + "/", url_fetcher=shared.fetcher
        ).render(font_config=shared.config, stylesheets=[shared.stylesheet, stylesheet(css)])
    return len(document.pages)


# --- the admin's preview and check --------------------------------------------------------------


def preview_facts(language: str) -> CertificateFacts:
    """Made-up facts for the admin's preview of a template (nobody real: Maria Bianchi)."""
    return CertificateFacts(
        plan_title="Piano formativo delle Città metropolitane",
        project_title="Metropoli: competenze per l'amministrazione",
        funding_programme="PN Capacità per la Coesione 2021-2027",
        funding_codes=["CUP J51B00000000000", "Codice progetto PRJ-0001"],
        issuer_name="Metropoli LMS",
        issuer_url=settings.SITE_URL,
        code="MLC-7K3Q-9XW2-PA4D-R8TF",
        verification_url=f"{settings.SITE_URL}/verify/MLC-7K3Q-9XW2-PA4D-R8TF",
        issued_on=date(2026, 11, 9),
        kind="module",
        is_revoked=False,
        learner_name="Maria Bianchi",
        learner_tax_code="BNCMRA85M41F205D",
        learner_organisation="Comune di Rho",
        learner_city="Milano",
        achievement_title="La transizione digitale negli enti locali",
        course_title="Innovazione e semplificazione amministrativa",
        achievement_description="",
        distance_seconds=12.5 * 3600,
        in_person_seconds=8 * 3600,
        webinar_seconds=2.5 * 3600,
        started_on=date(2026, 9, 14),
        completed_on=date(2026, 11, 6),
        language=language,
    )


def template_check(*, html: str, css: str) -> list[str]:
    """What stops a staff template from making certificates, in the reader's language: a
    syntax error (with its line), an error while rendering the preview in either language, a
    page with nothing on it. Empty when the template can be saved. ``css`` cannot stop it
    (WeasyPrint skips what it does not understand): ``template_warnings`` tells about it."""
    try:
        compiled(html)
    except TemplateSyntaxError as exc:
        line = getattr(exc, "template_debug", {}).get("line", "?")
        return [_("Line %(line)s: %(error)s") % {"line": line, "error": exc}]
    errors = []
    for language, _name in settings.LANGUAGES:
        context = render_context(facts=preview_facts(language))
        try:
            markup = render_html(html=html, context=context, language=language)
        # Whatever a staff template does wrong is reported to them, not raised at them.
        except Exception as exc:  # noqa: BLE001
            errors.append(_("The template cannot be rendered: %(error)s") % {"error": exc})
            break
        if not _has_content(markup):
            errors.append(_("The certificate would be empty: the template shows nothing."))
            break
    return errors


def template_warnings(*, html: str, css: str) -> list[str]:
    """What is suspicious but does not stop a template (for a template that passes
    ``template_check``): names the context does not have (Django prints nothing for them, so a
    typo silently drops a value), what WeasyPrint skipped (CSS it does not understand, a file
    refused) and a certificate that takes more than one page. Warnings rather than errors:
    the names are found by reading the template's nodes, which cannot follow every tag."""
    warnings = [
        _("Line %(line)s: “%(name)s” is not in the certificate's context: it prints nothing.")
        % {"line": line, "name": name}
        for line, name in _unknown_names(compiled(html))
    ]
    language = settings.LANGUAGE_CODE
    handler = _Collect()
    weasyprint_logger = logging.getLogger("weasyprint")
    weasyprint_logger.addHandler(handler)
    try:
        context = render_context(facts=preview_facts(language))
        pages = page_count(html=html, css=css, context=context, language=language)
    finally:
        weasyprint_logger.removeHandler(handler)
    warnings += [_("PDF: %(message)s") % {"message": text} for text in handler.messages]
    if pages > 1:
        warnings.append(
            _("The certificate takes %(count)s pages: it should fit on one.") % {"count": pages}
        )
    return warnings


class _Collect(logging.Handler):
    """The distinct warnings WeasyPrint logs while it lays a template out."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()[:300]
        if text not in self.messages:
            self.messages.append(text)


class _Text(HTMLParser):
    """Whether a page shows anything: text outside <head>, or an image."""

    HIDDEN: Final = frozenset({"head", "title", "style", "script", "template"})

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.found = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in {"img", "svg"} and not self.hidden:
            self.found = True

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data: str) -> None:
        if data.strip() and not self.hidden:
            self.found = True


def _has_content(markup: str) -> bool:
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return parser.found


def _known(path: str, bound: set[str]) -> bool:
    """A name the context has: a key, the start of one (``learner``), a key's own attribute
    (``learner.name.upper``, ``programme.funding_codes.0``), or a name the template binds."""
    if path.split(".", 1)[0] in bound:
        return True
    return any(
        key == path or key.startswith(path + ".") or path.startswith(key + ".")
        for key in RENDER_CONTEXT_DOC
    )


def _unknown_names(template: Template) -> list[tuple[int | str, str]]:
    """(line, name) of each variable the template reads that the context does not have."""
    nodes = template.nodelist.get_nodes_by_type(Node)
    bound = {"forloop", "block", "True", "False", "None"}
    for node in nodes:
        bound.update(getattr(node, "loopvars", None) or ())
        bound.update(getattr(node, "extra_context", None) or ())
        for attribute in ("asvar", "variable", "variable_name", "countervar"):
            if isinstance(name := getattr(node, attribute, None), str):
                bound.add(name)
    found: list[tuple[int | str, str]] = []
    for node in nodes:
        token = getattr(node, "token", None)
        line = getattr(token, "lineno", None) or "?"
        attributes = {k: v for k, v in vars(node).items() if k not in {"token", "origin"}}
        for path in _paths(attributes, depth=0):
            if not _known(path, bound) and (line, path) not in found:
                found.append((line, path))
    return found


def _paths(value: object, *, depth: int) -> list[str]:
    """The variable paths in one node's attributes: filter expressions, {% if %} conditions
    (operators hold ``first``/``second``, literals ``value``), {% blocktranslate %} tokens."""
    if depth > 8 or isinstance(value, str | Node | NodeList):
        return []
    if isinstance(value, Variable):
        return [".".join(value.lookups)] if value.lookups else []
    if isinstance(value, FilterExpression):
        arguments = [arg for _filter, args in value.filters for _lookup, arg in args]
        return _paths(value.var, depth=depth + 1) + _paths(arguments, depth=depth + 1)
    if isinstance(value, Token):
        return [value.contents.strip()] if value.token_type == TokenType.VAR else []
    if isinstance(value, dict):
        return [p for item in value.values() for p in _paths(item, depth=depth + 1)]
    if isinstance(value, list | tuple):
        return [p for item in value for p in _paths(item, depth=depth + 1)]
    parts = [getattr(value, name, None) for name in ("first", "second", "value")]
    return [p for part in parts if part is not None for p in _paths(part, depth=depth + 1)]

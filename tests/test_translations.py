"""The Italian catalogue: complete, compiled, and what the API says to `Accept-Language: it`."""

import gettext
import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

PO_FILE = Path(settings.LOCALE_PATHS[0]) / "it" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")


def _unquote(line: str) -> str:
    """The text of one quoted .po string line, escapes resolved."""
    text = line.strip()[1:-1]
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def _catalogue() -> list[tuple[str, str, str, bool, str, list[str]]]:
    """``(context, msgid, msgstr, fuzzy, msgid_plural, plural_forms)`` for every message of the
    .po file but its header; for a plural message ``msgstr`` is its first form and
    ``plural_forms`` all of them (``msgstr[0]``, ``msgstr[1]``, ...), else ``""`` and ``[]``."""
    entries: list[tuple[str, str, str, bool, str, list[str]]] = []
    msgctxt: list[str] = []
    msgid: list[str] = []
    plural: list[str] = []
    forms: list[list[str]] = []
    msgstr: list[str] = []
    fuzzy = False
    current: list[str] | None = None

    def flush() -> None:
        nonlocal msgctxt, msgid, plural, forms, msgstr, fuzzy, current
        if current is not None and "".join(msgid):
            texts = ["".join(form) for form in forms]
            first = texts[0] if texts else "".join(msgstr)
            entries.append(("".join(msgctxt), "".join(msgid), first, fuzzy, "".join(plural), texts))
        msgctxt, msgid, plural, forms, msgstr, fuzzy, current = [], [], [], [], [], False, None

    for line in PO_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            flush()
        elif line.startswith("#,"):
            fuzzy = fuzzy or "fuzzy" in line
        elif line.startswith("msgctxt "):
            if current is not None:
                flush()
            current = msgctxt
            msgctxt.append(_unquote(line[len("msgctxt ") :]))
        elif line.startswith("msgid "):
            if current is not None and current is not msgctxt:
                flush()
            current = msgid
            msgid.append(_unquote(line[len("msgid ") :]))
        elif line.startswith("msgid_plural "):
            current = plural
            plural.append(_unquote(line[len("msgid_plural ") :]))
        elif line.startswith("msgstr["):
            current = []
            forms.append(current)
            current.append(_unquote(line.split(" ", 1)[1]))
        elif line.startswith("msgstr "):
            current = msgstr
            msgstr.append(_unquote(line[len("msgstr ") :]))
        elif line.startswith('"') and current is not None:
            current.append(_unquote(line))
    flush()
    return entries


def test_every_message_is_translated_and_compiled():
    entries = _catalogue()
    assert len(entries) > 100  # the parser found the catalogue, not an empty file

    untranslated = [
        msgid
        for _ctx, msgid, msgstr, _fuzzy, plural, forms in entries
        if not msgstr.strip() or (plural and (len(forms) < 2 or not all(f.strip() for f in forms)))
    ]
    fuzzy = [entry[1] for entry in entries if entry[3]]
    lost_placeholders = [
        msgid
        for _ctx, msgid, msgstr, _fuzzy, plural, forms in entries
        for source, text in (
            [(msgid, forms[0]), *((plural, f) for f in forms[1:])] if plural else [(msgid, msgstr)]
        )
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text))
    ]
    assert untranslated == []
    assert fuzzy == []
    assert lost_placeholders == []

    # The .mo Django reads says the same as the .po: compilemessages was run after the last edit.
    with MO_FILE.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    def in_mo(context: str, msgid: str, plural: str, n: int) -> str:
        if plural:
            if context:
                return compiled.npgettext(context, msgid, plural, n)
            return compiled.ngettext(msgid, plural, n)
        return compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)

    stale = [
        msgid
        for context, msgid, msgstr, _fuzzy, plural, forms in entries
        if (
            [in_mo(context, msgid, plural, n) for n in (1, 2)] != forms[:2]
            if plural
            else in_mo(context, msgid, "", 1) != msgstr
        )
    ]
    assert stale == []


@pytest.mark.django_db
def test_unknown_course_is_reported_in_italian(api_client):
    response = api_client.get(f"/api/v1/courses/{uuid.uuid4()}/", HTTP_ACCEPT_LANGUAGE="it")

    assert response.status_code == 404
    assert response.json() == {
        "code": "course_not_found",
        "message": "Corso non trovato.",
        "extra": {},
    }
    assert response["Content-Language"] == "it"


@pytest.mark.django_db
def test_english_is_still_served_when_asked_for(api_client):
    response = api_client.get(f"/api/v1/courses/{uuid.uuid4()}/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response.json()["message"] == "Course not found."


@pytest.mark.django_db
def test_permission_error_is_reported_in_italian(client_for, learner):
    response = client_for(learner).get("/api/v1/people/", HTTP_ACCEPT_LANGUAGE="it")

    assert response.status_code == 403
    assert response.json()["code"] == "coordinators_only"
    assert response.json()["message"] == (
        "Solo i coordinatori e lo staff possono gestire persone ed enti."
    )


@pytest.mark.django_db
def test_import_row_messages_are_in_italian(client_for, milano_coordinator):
    content = b"codice_fiscale;corso\nRSSMRA85B01F205A;sportello-unico\nRSSMRA85B01F205B;x\n"
    upload = SimpleUploadedFile("iscrizioni.csv", content, content_type="text/csv")

    response = client_for(milano_coordinator).post(
        "/api/v1/enrollment-imports/",
        {"file": upload, "dry_run": True},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="it",
    )

    assert response.status_code == 200
    assert [(row["row"], row["code"], row["message"]) for row in response.json()["rows"]] == [
        (
            2,
            "invalid_tax_code",
            "RSSMRA85B01F205A non è un codice fiscale valido: verificarne i caratteri.",
        ),
        (3, "unknown_course", "Corso “x” non trovato: indicarne lo slug o il titolo esatto."),
    ]

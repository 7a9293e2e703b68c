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


def _catalogue() -> list[tuple[str, str, str, bool]]:
    """``(context, msgid, msgstr, fuzzy)`` for every message of the .po file but its header."""
    entries: list[tuple[str, str, str, bool]] = []
    msgctxt: list[str] = []
    msgid: list[str] = []
    msgstr: list[str] = []
    fuzzy = False
    current: list[str] | None = None

    def flush() -> None:
        nonlocal msgctxt, msgid, msgstr, fuzzy, current
        if current is not None and "".join(msgid):
            entries.append(("".join(msgctxt), "".join(msgid), "".join(msgstr), fuzzy))
        msgctxt, msgid, msgstr, fuzzy, current = [], [], [], False, None

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

    untranslated = [msgid for _ctx, msgid, msgstr, _fuzzy in entries if not msgstr.strip()]
    fuzzy = [msgid for _ctx, msgid, _msgstr, is_fuzzy in entries if is_fuzzy]
    lost_placeholders = [
        msgid
        for _ctx, msgid, msgstr, _fuzzy in entries
        if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(msgstr))
    ]
    assert untranslated == []
    assert fuzzy == []
    assert lost_placeholders == []

    # The .mo Django reads says the same as the .po: compilemessages was run after the last edit.
    with MO_FILE.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = [
        msgid
        for context, msgid, msgstr, _fuzzy in entries
        if (compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)) != msgstr
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

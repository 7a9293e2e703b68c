"""Bulk enrolment on the database: enrollments_import and POST /api/v1/enrollment-imports/."""

import io
from datetime import date, timedelta
from http import HTTPStatus

import pytest
from codicefiscale import codicefiscale
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from courses.exceptions import ImportFileUnreadable
from courses.models import Enrollment
from courses.services.imports import ImportReport, enrollments_import
from lms.accounts.models import Position, User
from tests.accounts.factories import OrganisationFactory, UserFactory, city
from tests.courses.factories import CourseFactory, EnrollmentFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/enrollment-imports/"
HEADER = "codice_fiscale;email;nome;cognome;ente;Città;qualifica;corso"
MARIO = "RSSMRA85B01F205B"  # nobody yet
LUIGI = "BNCLGU70C12F839K"  # nobody yet
ANNA = "VRDNNA90L65F205E"  # the `anna` fixture, Milano
GIULIA = "FRRGLI75B54F205L"  # the `giulia` fixture, Milano
GENNARO = "SPSGNR80S05F839S"  # the `gennaro` fixture, Napoli
MARIO_ROW = f"{MARIO};mario.rossi@comune.rho.mi.it;Mario;Rossi;Comune di Rho;;;sportello-unico"


def _tax_code(n: int) -> str:
    birthdate = date(1970, 1, 1) + timedelta(days=n)
    return codicefiscale.encode(
        lastname="Numero",
        firstname="Persona",
        gender="M",
        birthdate=birthdate.isoformat(),
        birthplace="Milano",
    )


def _csv(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows, ""]).encode()


def _upload(content: bytes, name: str = "iscrizioni.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def _import(actor: User, content: bytes, *, dry_run: bool = False) -> ImportReport:
    return enrollments_import(actor=actor, upload=_upload(content), dry_run=dry_run)


def _post(client, content: bytes, *, dry_run: bool = False, name: str = "iscrizioni.csv"):
    return client.post(
        URL,
        {"file": _upload(content, name), "dry_run": "true" if dry_run else "false"},
        format="multipart",
    )


def _outcomes(report: ImportReport) -> list[tuple[int, str, str, str]]:
    return [(outcome.row, outcome.status, outcome.code, outcome.message) for outcome in report.rows]


def _database_state() -> tuple[list[tuple], list[tuple]]:
    """Everything an import may write: people and enrolments, field by field."""
    people = User.objects.order_by("pk").values_list(
        "pk", "email", "tax_code", "first_name", "last_name", "organisation", "position", "role"
    )
    enrollments = Enrollment.objects.order_by("pk").values_list(
        "pk", "learner", "course", "status", "source", "enrolled_by", "withdrawn_at"
    )
    return list(people), list(enrollments)


@pytest.fixture
def course(db):
    return CourseFactory(
        published=True, slug="sportello-unico", title="Sportello unico per l'edilizia"
    )


@pytest.fixture
def anna(milano_org):
    return UserFactory(
        first_name="Anna",
        last_name="Verdi",
        email="anna.verdi@comune.rho.mi.it",
        tax_code=ANNA,
        organisation=milano_org,
        position=Position.OFFICIAL,
    )


@pytest.fixture
def giulia(milano_org):
    return UserFactory(
        first_name="Giulia",
        last_name="Ferrari",
        email="giulia.ferrari@comune.rho.mi.it",
        tax_code=GIULIA,
        organisation=milano_org,
    )


@pytest.fixture
def gennaro(napoli_org):
    return UserFactory(
        first_name="Gennaro",
        last_name="Esposito",
        email="gennaro.esposito@comune.pozzuoli.na.it",
        tax_code=GENNARO,
        organisation=napoli_org,
    )


@pytest.fixture
def catalogue(course, anna, giulia, gennaro, napoli_org):
    """Everything the rejected rows below name: look-alike courses and organisations included."""
    CourseFactory(published=True, slug="privacy-2024", title="Privacy e trasparenza")
    CourseFactory(published=True, slug="privacy-2025", title="Privacy e trasparenza")
    CourseFactory(slug="bozza", title="Corso in bozza")
    # the same name in two other cities: ambiguous for Milano's coordinator
    OrganisationFactory(city=city("torino"), name="Unione dei Comuni")
    OrganisationFactory(city=city("napoli"), name="Unione dei Comuni")


def test_enrollments_import_creates_people_and_enrolls_them(milano_coordinator, course, anna):
    content = _csv(
        f"{MARIO};Mario.Rossi@Comune.Rho.MI.it;Mario;Rossi;comune di rho;;Dirigente;"
        "sportello-unico",
        # the course by its title and the organisation with its city, in any case
        f"{LUIGI};;Luigi;Bianchi;Comune di Rho;MILANO;amministratore;"
        "SPORTELLO UNICO PER L'EDILIZIA",
        # someone already registered, found by e-mail whatever its case
        ";Anna.Verdi@comune.rho.mi.it;;;;;;sportello-unico",
    )

    report = _import(milano_coordinator, content)

    mario = User.objects.get(tax_code=MARIO)
    luigi = User.objects.get(tax_code=LUIGI)
    enrollments = {e.learner: e for e in Enrollment.objects.filter(course=course)}
    assert _outcomes(report) == [
        (2, "created", "", ""),
        (3, "created", "", ""),
        (4, "created", "", ""),
    ]
    assert [(o.learner_id, o.enrollment_id, o.person_created) for o in report.rows] == [
        (str(mario.pk), str(enrollments[mario].pk), True),
        (str(luigi.pk), str(enrollments[luigi].pk), True),
        (str(anna.pk), str(enrollments[anna].pk), False),
    ]
    assert report.summary == {"created": 3, "already_enrolled": 0, "rejected": 0}
    assert (mario.first_name, mario.last_name, mario.email, mario.username) == (
        "Mario",
        "Rossi",
        "mario.rossi@comune.rho.mi.it",
        "mario.rossi@comune.rho.mi.it",
    )
    assert (mario.organisation.name, mario.organisation.city.slug) == ("Comune di Rho", "milano")
    assert mario.position == Position.MANAGER
    assert mario.role == User.Role.LEARNER
    assert not mario.has_usable_password()
    assert (luigi.email, luigi.username, luigi.position) == ("", LUIGI, Position.ADMINISTRATOR)
    assert {(e.learner, e.status, e.source, e.enrolled_by) for e in enrollments.values()} == {
        (person, Enrollment.Status.ACTIVE, Enrollment.Source.IMPORT, milano_coordinator)
        for person in (mario, luigi, anna)
    }


def test_enrollments_import_api_returns_the_report(
    client_for, milano_coordinator, milano_org, course
):
    response = _post(client_for(milano_coordinator), _csv(MARIO_ROW, ";;Mario;Rossi;;;;"))

    mario = User.objects.get(tax_code=MARIO)
    enrollment = Enrollment.objects.get(learner=mario, course=course)
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "dry_run": False,
        "summary": {"created": 1, "already_enrolled": 0, "rejected": 1},
        "rows": [
            {
                "row": 2,
                "status": "created",
                "code": "",
                "message": "",
                "learner_id": str(mario.pk),
                "enrollment_id": str(enrollment.pk),
                "person_created": True,
            },
            {
                "row": 3,
                "status": "rejected",
                "code": "missing_identity",
                "message": "Give a tax code or an e-mail address.",
                "learner_id": None,
                "enrollment_id": None,
                "person_created": False,
            },
        ],
    }


def test_enrollments_import_api_reads_an_xlsx_workbook(
    client_for, milano_coordinator, milano_org, course
):
    workbook = Workbook()
    workbook.active.append(["Codice fiscale", "Nome", "Cognome", "Ente", "Qualifica", "Corso"])
    workbook.active.append(
        [MARIO, "Mario", "Rossi", "Comune di Rho", "Funzionario", "sportello-unico"]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = _post(client_for(milano_coordinator), buffer.getvalue(), name="iscrizioni.xlsx")

    assert response.status_code == HTTPStatus.OK
    assert response.json()["summary"] == {"created": 1, "already_enrolled": 0, "rejected": 0}
    assert Enrollment.objects.get(course=course).learner.tax_code == MARIO


@pytest.mark.parametrize(
    ("row", "code", "message"),
    [
        (
            ";;Mario;Rossi;Comune di Rho;;;sportello-unico",
            "missing_identity",
            "Give a tax code or an e-mail address.",
        ),
        (
            "RSSMRA85B01F205A;;Mario;Rossi;Comune di Rho;;;sportello-unico",
            "invalid_tax_code",
            "RSSMRA85B01F205A is not a valid tax code (codice fiscale): check its characters.",
        ),
        (
            f"{MARIO};mario.rossi@;Mario;Rossi;Comune di Rho;;;sportello-unico",
            "invalid_email",
            "mario.rossi@ is not a valid e-mail address.",
        ),
        (
            f"{MARIO};;Mario;Rossi;Comune di Rho;;Sindaco;sportello-unico",
            "invalid_position",
            "Unknown position “Sindaco”: use amministratore, funzionario or dirigente.",
        ),
        (
            f"{MARIO};;Mario;Rossi;Comune di Rho;;;",
            "missing_course",
            "The course is missing.",
        ),
        (
            f"{MARIO};;Mario;Rossi;Comune di Rho;;;corso-inesistente",
            "unknown_course",
            "Unknown course “corso-inesistente”: give its slug or its exact title.",
        ),
        (
            f"{MARIO};;Mario;Rossi;Comune di Rho;;;bozza",
            "unknown_course",
            "Unknown course “bozza”: give its slug or its exact title.",
        ),
        (
            f"{MARIO};;Mario;Rossi;Comune di Rho;;;Corso in bozza",
            "unknown_course",
            "Unknown course “Corso in bozza”: give its slug or its exact title.",
        ),
        (
            f"{MARIO};;Mario;Rossi;Comune di Rho;;;privacy e trasparenza",
            "ambiguous_course",
            "Several courses are called “privacy e trasparenza”: give the course slug instead.",
        ),
        (
            f"{MARIO};;Mario;Rossi;Comune di Atlantide;;;sportello-unico",
            "unknown_organisation",
            "Unknown organisation “Comune di Atlantide”: check its name in the list of "
            "organisations.",
        ),
        (
            f"{MARIO};;Mario;Rossi;Comune di Rho;Torino;;sportello-unico",
            "unknown_organisation",
            "Unknown organisation “Comune di Rho”: check its name in the list of organisations.",
        ),
        (
            f"{MARIO};;Mario;Rossi;Unione dei Comuni;;;sportello-unico",
            "ambiguous_organisation",
            "Several organisations are called “Unione dei Comuni”: add a city column.",
        ),
        (
            f"{MARIO};;Mario;Rossi;Comune di Pozzuoli;;;sportello-unico",
            "organisation_out_of_scope",
            "The organisation belongs to another Metropolitan City than yours.",
        ),
        (
            f"{MARIO};;Mario;Rossi;Unione dei Comuni;Napoli;;sportello-unico",
            "organisation_out_of_scope",
            "The organisation belongs to another Metropolitan City than yours.",
        ),
        (
            f"{MARIO};;Mario;Rossi;;;;sportello-unico",
            "missing_organisation",
            "This person is not registered yet: give their organisation.",
        ),
        (
            f"{MARIO};;;Rossi;Comune di Rho;;;sportello-unico",
            "missing_name",
            "This person is not registered yet: give their first and last name.",
        ),
        (
            f"{GENNARO};;;;;;;sportello-unico",
            "person_out_of_scope",
            "This person belongs to an organisation outside your Metropolitan City.",
        ),
        (
            ";gennaro.esposito@comune.pozzuoli.na.it;;;Comune di Rho;;;sportello-unico",
            "person_out_of_scope",
            "This person belongs to an organisation outside your Metropolitan City.",
        ),
        (
            f"{ANNA};giulia.ferrari@comune.rho.mi.it;;;;;;sportello-unico",
            "identity_conflict",
            "The tax code and the e-mail address belong to two different people.",
        ),
        (
            f"{MARIO};;{'M' * 151};Rossi;Comune di Rho;;;sportello-unico",
            "invalid",
            "Ensure this value has at most 150 characters (it has 151).",
        ),
    ],
    ids=[
        "missing-identity",
        "invalid-tax-code",
        "invalid-email",
        "invalid-position",
        "missing-course",
        "unknown-course",
        "draft-course-by-slug",
        "draft-course-by-title",
        "ambiguous-course",
        "unknown-organisation",
        "organisation-in-another-city",
        "ambiguous-organisation",
        "organisation-out-of-scope",
        "organisation-out-of-scope-by-city",
        "missing-organisation",
        "missing-name",
        "person-out-of-scope-by-tax-code",
        "person-out-of-scope-by-email",
        "identity-conflict",
        "name-too-long",
    ],
)
def test_enrollments_import_rejects_a_bad_row_and_creates_nothing(
    milano_coordinator, catalogue, row, code, message
):
    before = _database_state()

    report = _import(milano_coordinator, _csv(row))

    assert _outcomes(report) == [(2, "rejected", code, message)]
    assert (report.rows[0].learner_id, report.rows[0].enrollment_id) == (None, None)
    assert report.summary == {"created": 0, "already_enrolled": 0, "rejected": 1}
    assert _database_state() == before


def test_enrollments_import_rejects_only_the_row_that_is_not_utf8(
    milano_coordinator, milano_org, course
):
    content = (
        f"{HEADER}\n".encode()
        + f"{LUIGI};;Nicolò;Bianchi;Comune di Rho;;;sportello-unico\n".encode("latin-1")
        + f"{MARIO_ROW}\n".encode()
    )

    report = _import(milano_coordinator, content)

    assert _outcomes(report) == [
        (
            2,
            "rejected",
            "bad_encoding",
            "The row is not valid UTF-8 text: save the file as “CSV UTF-8” and upload it again.",
        ),
        (3, "created", "", ""),
    ]
    assert list(Enrollment.objects.values_list("learner__tax_code", flat=True)) == [MARIO]
    assert not User.objects.filter(tax_code=LUIGI).exists()


def test_enrollments_import_rejects_a_row_with_a_nul_character(
    milano_coordinator, milano_org, course
):
    content = _csv(
        f"{LUIGI};;Lu\x00igi;Bianchi;Comune di Rho;;;sportello-unico",
        f"{LUIGI};;Luigi;Bianchi;Comune di Rho;;;sportello\x00-unico",
        MARIO_ROW,
    )

    report = _import(milano_coordinator, content)

    assert [(o.row, o.status, o.code) for o in report.rows] == [
        (2, "rejected", "bad_encoding"),
        (3, "rejected", "bad_encoding"),
        (4, "created", ""),
    ]
    assert list(Enrollment.objects.values_list("learner__tax_code", flat=True)) == [MARIO]


def test_enrollments_import_rejects_a_draft_course_as_not_open_when_staff_import(staff, milano_org):
    CourseFactory(slug="bozza")  # staff see drafts, so the course is found, but not open

    report = _import(staff, _csv(f"{MARIO};;Mario;Rossi;Comune di Rho;;;bozza"))

    assert _outcomes(report) == [
        (2, "rejected", "course_not_open", "This course is not open for enrolment.")
    ]
    assert not User.objects.filter(tax_code=MARIO).exists()


def _comparable(report: ImportReport) -> list[tuple]:
    """A report without the ids (a dry run leaves out those it only pretended to create)."""
    return [(o.row, o.status, o.code, o.message, o.person_created) for o in report.rows]


def test_enrollments_import_dry_run_reports_what_the_real_run_does_and_changes_nothing(
    milano_coordinator, catalogue, course, anna, giulia
):
    withdrawn = EnrollmentFactory(
        learner=giulia,
        course=course,
        status=Enrollment.Status.WITHDRAWN,
        withdrawn_at=timezone.now(),
    )
    EnrollmentFactory(learner=anna, course=course)
    content = _csv(
        MARIO_ROW,
        f"{ANNA};;;;;;;sportello-unico",
        f"{GIULIA};;;;;;;sportello-unico",
        ";mario.rossi@comune.rho.mi.it;;;;;;sportello-unico",
        f"{LUIGI};;Luigi;Bianchi;;;;sportello-unico",
        f"{GENNARO};;;;;;;sportello-unico",
        f"{ANNA};;;;;;;corso-inesistente",
    )
    before = _database_state()

    dry = _import(milano_coordinator, content, dry_run=True)
    after_dry_run = _database_state()
    real = _import(milano_coordinator, content)

    assert after_dry_run == before
    assert (dry.dry_run, real.dry_run) == (True, False)
    assert _comparable(dry) == _comparable(real)
    assert [o.learner_id for o in dry.rows[1:3]] == [str(anna.pk), str(giulia.pk)]
    assert [o.learner_id for o in real.rows[1:3]] == [str(anna.pk), str(giulia.pk)]
    assert real.rows[2].enrollment_id == str(withdrawn.pk)
    # a dry run's new people and enrolments were rolled back: no ids that point at nothing
    assert (dry.rows[0].learner_id, dry.rows[0].enrollment_id) == (None, None)
    assert dry.rows[2].enrollment_id is None  # re-activation of the withdrawn one: rolled back
    assert real.rows[0].learner_id == str(User.objects.get(tax_code=MARIO).pk)
    assert dry.summary == real.summary == {"created": 2, "already_enrolled": 2, "rejected": 3}
    assert _database_state() != before  # and the real run did write


def test_enrollments_import_api_dry_run_changes_nothing(
    client_for, milano_coordinator, milano_org, course
):
    before = _database_state()

    response = _post(client_for(milano_coordinator), _csv(MARIO_ROW), dry_run=True)

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["dry_run"] is True
    assert body["summary"] == {"created": 1, "already_enrolled": 0, "rejected": 0}
    assert (body["rows"][0]["status"], body["rows"][0]["person_created"]) == ("created", True)
    assert _database_state() == before


def test_enrollments_import_changes_nothing_when_the_same_file_is_imported_again(
    milano_coordinator, course, anna
):
    content = _csv(MARIO_ROW, f"{ANNA};;;;;;;sportello-unico")
    first = _import(milano_coordinator, content)
    after_first = _database_state()

    second = _import(milano_coordinator, content)

    assert _outcomes(second) == [(2, "already_enrolled", "", ""), (3, "already_enrolled", "", "")]
    assert [(o.learner_id, o.enrollment_id) for o in second.rows] == [
        (o.learner_id, o.enrollment_id) for o in first.rows
    ]
    assert [o.person_created for o in second.rows] == [False, False]
    assert second.summary == {"created": 0, "already_enrolled": 2, "rejected": 0}
    assert _database_state() == after_first


def test_enrollments_import_reports_a_repeated_row_as_already_enrolled(
    milano_coordinator, milano_org, course
):
    content = _csv(
        MARIO_ROW,
        MARIO_ROW,
        ";MARIO.ROSSI@comune.rho.mi.it;;;;;;sportello-unico",  # the same person by e-mail
        f"{MARIO.lower()};;;;;;;Sportello unico per l'edilizia",  # and by tax code and title
    )

    report = _import(milano_coordinator, content)

    assert _outcomes(report) == [
        (2, "created", "", ""),
        (3, "already_enrolled", "", ""),
        (4, "already_enrolled", "", ""),
        (5, "already_enrolled", "", ""),
    ]
    assert [o.person_created for o in report.rows] == [True, False, False, False]
    assert len({(o.learner_id, o.enrollment_id) for o in report.rows}) == 1
    assert User.objects.filter(tax_code=MARIO).count() == 1
    assert Enrollment.objects.count() == 1


def test_enrollments_import_rejects_a_row_whose_identity_matches_two_people_created_in_it(
    milano_coordinator, milano_org, course
):
    content = _csv(
        MARIO_ROW,
        f"{LUIGI};luigi.bianchi@comune.rho.mi.it;Luigi;Bianchi;Comune di Rho;;;sportello-unico",
        f"{MARIO};luigi.bianchi@comune.rho.mi.it;;;;;;sportello-unico",
    )

    report = _import(milano_coordinator, content)

    assert _outcomes(report)[2] == (
        4,
        "rejected",
        "identity_conflict",
        "The tax code and the e-mail address belong to two different people.",
    )
    assert Enrollment.objects.count() == 2


def test_enrollments_import_reactivates_a_withdrawn_enrolment_keeping_its_id(
    milano_coordinator, course, anna
):
    withdrawn = EnrollmentFactory(
        learner=anna,
        course=course,
        status=Enrollment.Status.WITHDRAWN,
        withdrawn_at=timezone.now(),
    )

    report = _import(milano_coordinator, _csv(f"{ANNA};;;;;;;sportello-unico"))

    enrollment = Enrollment.objects.get()
    assert _outcomes(report) == [(2, "created", "", "")]
    assert report.rows[0].enrollment_id == str(withdrawn.pk) == str(enrollment.pk)
    assert (enrollment.status, enrollment.withdrawn_at, enrollment.enrolled_by) == (
        Enrollment.Status.ACTIVE,
        None,
        milano_coordinator,
    )


def test_enrollments_import_leaves_a_completed_enrolment_completed(
    milano_coordinator, course, anna
):
    completed = EnrollmentFactory(
        learner=anna, course=course, status=Enrollment.Status.COMPLETED, completed_at=timezone.now()
    )

    report = _import(milano_coordinator, _csv(f"{ANNA};;;;;;;sportello-unico"))

    assert _outcomes(report) == [(2, "already_enrolled", "", "")]
    assert report.rows[0].enrollment_id == str(completed.pk)
    assert Enrollment.objects.get().status == Enrollment.Status.COMPLETED


def test_enrollments_import_does_not_change_the_details_of_someone_registered(
    milano_coordinator, course, anna
):
    OrganisationFactory(city=city("milano"), name="Comune di Legnano")

    report = _import(
        milano_coordinator,
        _csv(f"{ANNA};;Annamaria;Verdini;Comune di Legnano;;Dirigente;sportello-unico"),
    )

    anna_now = User.objects.get(pk=anna.pk)
    assert _outcomes(report) == [(2, "created", "", "")]
    assert (anna_now.first_name, anna_now.last_name, anna_now.organisation, anna_now.position) == (
        "Anna",
        "Verdi",
        anna.organisation,
        Position.OFFICIAL,
    )


def _napoli_state() -> tuple[list[tuple], list[tuple]]:
    people, enrollments = _database_state()
    napoli_people = set(
        User.objects.filter(organisation__city__slug="napoli").values_list("pk", flat=True)
    )
    return (
        [p for p in people if p[0] in napoli_people],
        [e for e in enrollments if e[1] in napoli_people],
    )


def test_enrollments_import_keeps_a_milano_coordinator_out_of_napoli(
    milano_coordinator, milano_org, course, gennaro, napoli_org
):
    before = _napoli_state()
    content = _csv(
        f"{LUIGI};;Luigi;Bianchi;Comune di Pozzuoli;Napoli;;sportello-unico",
        f"{GENNARO};;;;;;;sportello-unico",
        f"{GENNARO};;Gennaro;Esposito;Comune di Rho;;;sportello-unico",
        MARIO_ROW,
    )

    report = _import(milano_coordinator, content)

    assert _outcomes(report) == [
        (
            2,
            "rejected",
            "organisation_out_of_scope",
            "The organisation belongs to another Metropolitan City than yours.",
        ),
        (
            3,
            "rejected",
            "person_out_of_scope",
            "This person belongs to an organisation outside your Metropolitan City.",
        ),
        (
            4,
            "rejected",
            "person_out_of_scope",
            "This person belongs to an organisation outside your Metropolitan City.",
        ),
        (5, "created", "", ""),
    ]
    assert _napoli_state() == before
    assert not User.objects.filter(tax_code=LUIGI).exists()


def test_enrollments_import_lets_a_national_coordinator_enrol_people_of_any_city(
    national_coordinator, milano_org, course, gennaro, napoli_org
):
    content = _csv(
        MARIO_ROW,
        f"{LUIGI};;Luigi;Bianchi;Comune di Pozzuoli;;;sportello-unico",
        f"{GENNARO};;;;;;;sportello-unico",
    )

    report = _import(national_coordinator, content)

    assert _outcomes(report) == [(row, "created", "", "") for row in (2, 3, 4)]
    assert set(
        Enrollment.objects.filter(course=course).values_list(
            "learner__tax_code", "learner__organisation__city__slug"
        )
    ) == {(MARIO, "milano"), (LUIGI, "napoli"), (GENNARO, "napoli")}


def test_enrollments_import_lets_staff_enrol_people_of_any_city(
    staff, milano_org, course, napoli_org
):
    content = _csv(MARIO_ROW, f"{LUIGI};;Luigi;Bianchi;Comune di Pozzuoli;;;sportello-unico")

    report = _import(staff, content)

    assert report.summary == {"created": 2, "already_enrolled": 0, "rejected": 0}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\r\n \n", "The file is empty."),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
            "Old .xls workbooks are not supported: save it as .xlsx or CSV.",
        ),
        (
            b"PK\x03\x04" + b"\x00garbage\xff" * 64,
            "The Excel file is damaged or is not an .xlsx workbook.",
        ),
        (
            f"codice_fiscale;nome;cognome\n{MARIO};Mario;Rossi\n".encode(),
            "Missing column(s): corso (course). The first row must name the columns.",
        ),
        (
            "codice_fiscale;Città;corso\n".encode("latin-1"),
            "The file is not UTF-8 text: save it as “CSV UTF-8” (or .xlsx) and upload it again.",
        ),
    ],
    ids=["empty", "legacy-xls", "damaged-xlsx", "missing-column", "header-not-utf8"],
)
def test_enrollments_import_api_refuses_an_unreadable_file(
    client_for, milano_coordinator, course, content, message
):
    before = _database_state()

    response = _post(client_for(milano_coordinator), content)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"code": "import_file_unreadable", "message": message, "extra": {}}
    assert _database_state() == before


def test_enrollments_import_refuses_a_zero_byte_upload_as_empty(milano_coordinator):
    with pytest.raises(ImportFileUnreadable) as error:
        _import(milano_coordinator, b"")

    assert (error.value.code, str(error.value.message)) == (
        "import_file_unreadable",
        "The file is empty.",
    )


def test_enrollments_import_api_refuses_a_zero_byte_upload_as_empty(client_for, milano_coordinator):
    response = _post(client_for(milano_coordinator), b"")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "code": "import_file_unreadable",
        "message": "The file is empty.",
        "extra": {},
    }


def test_enrollments_import_api_refuses_a_file_with_too_many_rows(
    client_for, milano_coordinator, course, settings
):
    settings.ENROLLMENT_IMPORT_MAX_ROWS = 2
    content = _csv(*(f";persona{n}@comune.rho.mi.it;;;;;;sportello-unico" for n in range(3)))

    response = _post(client_for(milano_coordinator), content)

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert response.json() == {
        "code": "import_file_too_large",
        "message": "The file has 3 rows; at most 2 can be imported at once.",
        "extra": {"rows": 3, "max_rows": 2},
    }


def test_enrollments_import_api_refuses_a_file_over_the_size_limit(
    client_for, milano_coordinator, course, settings
):
    content = _csv(MARIO_ROW)
    settings.ENROLLMENT_IMPORT_MAX_BYTES = len(content) - 1
    before = _database_state()

    response = _post(client_for(milano_coordinator), content)

    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert response.json() == {
        "code": "import_file_too_large",
        "message": "The file is too large.",
        "extra": {"max_bytes": len(content) - 1},
    }
    assert _database_state() == before


def test_enrollments_import_api_takes_a_file_exactly_at_the_size_limit(
    client_for, milano_coordinator, milano_org, course, settings
):
    content = _csv(MARIO_ROW)
    settings.ENROLLMENT_IMPORT_MAX_BYTES = len(content)

    response = _post(client_for(milano_coordinator), content)

    assert response.status_code == HTTPStatus.OK
    assert response.json()["summary"] == {"created": 1, "already_enrolled": 0, "rejected": 0}


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("learner", HTTPStatus.FORBIDDEN),
        ("trainer", HTTPStatus.FORBIDDEN),
        ("milano_coordinator", HTTPStatus.OK),
        ("napoli_coordinator", HTTPStatus.OK),
        ("national_coordinator", HTTPStatus.OK),
        ("staff", HTTPStatus.OK),
    ],
)
def test_enrollments_import_api_allows_only_coordinators_and_staff(
    request, client_for, course, role, status
):
    user = request.getfixturevalue(role)

    response = _post(client_for(user), _csv(f";{user.email};;;;;;sportello-unico"), dry_run=True)

    assert response.status_code == status


@pytest.mark.parametrize("role", ["learner", "trainer"])
def test_enrollments_import_api_refuses_people_who_are_not_coordinators(
    request, client_for, course, role
):
    user = request.getfixturevalue(role)
    before = _database_state()

    response = _post(client_for(user), _csv(MARIO_ROW))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == {
        "code": "coordinators_only",
        "message": "Only coordinators and staff can manage people and organisations.",
        "extra": {},
    }
    assert _database_state() == before


def test_enrollments_import_api_refuses_anonymous_visitors(api_client, course):
    response = _post(api_client, _csv(MARIO_ROW))

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
        "extra": {},
    }
    assert not User.objects.filter(tax_code=MARIO).exists()


def test_enrollments_import_runs_a_bounded_number_of_queries_per_row(
    milano_coordinator, milano_org, course, django_assert_max_num_queries
):
    content = _csv(
        *(
            f"{_tax_code(n)};persona{n}@comune.rho.mi.it;Persona;Numero;Comune di Rho;;;"
            "sportello-unico"
            for n in range(50)
        )
    )

    # Measured: 8 queries around the rows (the outer transaction, then courses with audiences
    # and trainers, organisations, people by tax code and by e-mail, all loaded up front), then
    # 10 per new person: row savepoint 2, identity check 1 (e-mail or tax code taken), person
    # insert 3, enrolment look-up 1, enrolment insert 3. 508 here.
    with django_assert_max_num_queries(520):
        first = _import(milano_coordinator, content)
    # Measured: 8 + 3 per row already enrolled (row savepoint 2, enrolment look-up 1): 158.
    with django_assert_max_num_queries(170):
        again = _import(milano_coordinator, content)

    assert first.summary == {"created": 50, "already_enrolled": 0, "rejected": 0}
    assert again.summary == {"created": 0, "already_enrolled": 50, "rejected": 0}


def test_enrollments_import_takes_the_organisation_of_the_coordinators_own_city(
    milano_coordinator, course
):
    milano_union = OrganisationFactory(city=city("milano"), name="Unione dei Comuni")
    OrganisationFactory(city=city("napoli"), name="Unione dei Comuni")

    report = _import(
        milano_coordinator, _csv(f"{MARIO};;Mario;Rossi;Unione dei Comuni;;;sportello-unico")
    )

    assert report.summary == {"created": 1, "already_enrolled": 0, "rejected": 0}
    assert User.objects.get(tax_code=MARIO).organisation == milano_union

"""Demo data for ``make run``: organisations, one account per role, a small catalogue and a few
enrolments. Idempotent: everything is looked up by a natural key before it is created."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from codicefiscale import codicefiscale
from django.db import transaction
from django.utils import timezone

from courses.models import Course, CourseAudience, Enrollment, Lesson, Module, ThematicArea
from lms.accounts.models import MetropolitanCity, Organisation, Position, User

DEMO_PASSWORD = "metropoli-demo"

ORGANISATIONS = {
    "milano": [
        ("Comune di Milano", "municipality"),
        ("Comune di Rho", "municipality"),
        ("Comune di Sesto San Giovanni", "municipality"),
    ],
    "napoli": [("Comune di Napoli", "municipality"), ("Comune di Pozzuoli", "municipality")],
    "roma-capitale": [("Roma Capitale", "municipality"), ("Comune di Fiumicino", "municipality")],
    "bologna": [
        ("Comune di Bologna", "municipality"),
        ("Comune di Imola", "municipality"),
        ("Unione dei Comuni Savena-Idice", "other"),
    ],
    "torino": [("Comune di Torino", "municipality"), ("Comune di Moncalieri", "municipality")],
}

# username, first name, last name, sex, birth date, birthplace, role, organisation, position,
# coordinated city slug
PEOPLE: list[tuple[Any, ...]] = [
    ("admin", "Paola", "Conti", "F", date(1975, 3, 2), "Roma", "staff", None, "", None),
    (
        "docente",
        "Giulia",
        "Bianchi",
        "F",
        date(1980, 6, 14),
        "Bologna",
        "trainer",
        "Comune di Bologna",
        Position.MANAGER,
        None,
    ),
    (
        "docente2",
        "Stefano",
        "Greco",
        "M",
        date(1969, 11, 30),
        "Torino",
        "trainer",
        "Comune di Torino",
        Position.MANAGER,
        None,
    ),
    (
        "coord.nazionale",
        "Laura",
        "Marino",
        "F",
        date(1972, 1, 21),
        "Firenze",
        "coordinator",
        None,
        "",
        None,
    ),
    (
        "coord.milano",
        "Marco",
        "Colombo",
        "M",
        date(1978, 9, 9),
        "Milano",
        "coordinator",
        "Città metropolitana di Milano",
        Position.OFFICIAL,
        "milano",
    ),
    (
        "coord.napoli",
        "Francesca",
        "Romano",
        "F",
        date(1983, 4, 17),
        "Napoli",
        "coordinator",
        "Città metropolitana di Napoli",
        Position.OFFICIAL,
        "napoli",
    ),
    (
        "mario.rossi",
        "Mario",
        "Rossi",
        "M",
        date(1985, 2, 1),
        "Milano",
        "learner",
        "Comune di Milano",
        Position.OFFICIAL,
        None,
    ),
    (
        "chiara.galli",
        "Chiara",
        "Galli",
        "F",
        date(1990, 7, 23),
        "Milano",
        "learner",
        "Comune di Rho",
        Position.OFFICIAL,
        None,
    ),
    (
        "anna.esposito",
        "Anna",
        "Esposito",
        "F",
        date(1979, 12, 5),
        "Napoli",
        "learner",
        "Comune di Napoli",
        Position.MANAGER,
        None,
    ),
    (
        "luca.ferrari",
        "Luca",
        "Ferrari",
        "M",
        date(1966, 5, 11),
        "Bologna",
        "learner",
        "Comune di Imola",
        Position.ADMINISTRATOR,
        None,
    ),
    (
        "sara.ricci",
        "Sara",
        "Ricci",
        "F",
        date(1988, 10, 3),
        "Roma",
        "learner",
        "Roma Capitale",
        Position.OFFICIAL,
        None,
    ),
]

# slug, title, area slug, summary, hours, self-enrolment, audience, status, trainer, modules
# modules: (title, hours, [(lesson title, kind, minutes)])
COURSES: list[tuple[Any, ...]] = [
    (
        "sportello-unico-edilizia",
        "Lo sportello unico per l'edilizia digitale",
        "semplificazione-amministrativa",
        "Procedimenti edilizi telematici, modulistica unificata e tempi certi per imprese "
        "e cittadini.",
        Decimal("12"),
        True,
        [Position.OFFICIAL, Position.MANAGER],
        "published",
        "docente",
        [
            (
                "Il quadro normativo",
                Decimal("4"),
                [
                    ("Il Testo unico dell'edilizia in pratica", "video", 45),
                    ("La modulistica unificata nazionale", "document", 20),
                ],
            ),
            (
                "Il procedimento telematico",
                Decimal("8"),
                [
                    ("Dalla pratica cartacea al SUE digitale", "video", 50),
                    ("Interoperabilità tra SUE e SUAP", "video", 40),
                    ("Laboratorio con i comuni dell'area", "live_webinar", 120),
                ],
            ),
        ],
    ),
    (
        "open-data-pa",
        "Open data per le amministrazioni locali",
        "semplificazione-amministrativa",
        "Pubblicare e riusare i dati aperti: licenze, formati, qualità e cataloghi.",
        Decimal("6"),
        True,
        [Position.OFFICIAL],
        "published",
        "docente2",
        [
            (
                "Dati aperti: perché e come",
                Decimal("6"),
                [
                    ("Licenze e formati aperti", "video", 35),
                    ("Qualità dei dati e metadati DCAT-AP_IT", "video", 40),
                ],
            ),
        ],
    ),
    (
        "piano-strategico-metropolitano",
        "Il piano strategico metropolitano",
        "pianificazione-strategica",
        "Costruire il piano con gli stakeholder del territorio e monitorarne l'attuazione.",
        Decimal("16"),
        False,
        [Position.ADMINISTRATOR, Position.MANAGER],
        "published",
        "docente2",
        [
            (
                "Coinvolgere gli stakeholder",
                Decimal("8"),
                [
                    ("Mappare gli attori del territorio", "video", 45),
                    ("Giornata di lavoro in presenza", "in_person", 360),
                ],
            ),
            (
                "Monitorare il piano",
                Decimal("8"),
                [
                    ("Indicatori e cruscotti di monitoraggio", "video", 55),
                ],
            ),
        ],
    ),
    (
        "uffici-associati",
        "Uffici comuni e gestione associata dei servizi",
        "gestione-associata",
        "Convenzioni, unioni di comuni e uffici condivisi: modelli e casi delle città "
        "metropolitane.",
        Decimal("10"),
        True,
        [Position.ADMINISTRATOR, Position.OFFICIAL, Position.MANAGER],
        "published",
        "docente",
        [
            (
                "Modelli di gestione associata",
                Decimal("10"),
                [
                    ("Convenzioni e unioni di comuni", "video", 40),
                    ("Le società partecipate", "video", 45),
                    ("Regolamenti unificati: un caso studio", "document", 30),
                ],
            ),
        ],
    ),
    (
        "regolamenti-unificati",
        "Regolamenti unificati (bozza)",
        "gestione-associata",
        "Corso in preparazione.",
        Decimal("4"),
        False,
        [Position.OFFICIAL],
        "draft",
        "docente",
        [("Introduzione", Decimal("4"), [("Presentazione del corso", "video", 15)])],
    ),
]

ENROLLMENTS = [
    ("mario.rossi", "sportello-unico-edilizia"),
    ("mario.rossi", "open-data-pa"),
    ("chiara.galli", "sportello-unico-edilizia"),
    ("anna.esposito", "piano-strategico-metropolitano"),
    ("luca.ferrari", "uffici-associati"),
    ("sara.ricci", "open-data-pa"),
]


@dataclass
class DemoSummary:
    people: int
    courses: int
    enrollments: int


def _tax_code(last: str, first: str, sex: Literal["M", "F"], birth: date, place: str) -> str:
    return codicefiscale.encode(
        lastname=last, firstname=first, gender=sex, birthdate=birth.isoformat(), birthplace=place
    )


@transaction.atomic
def demo_seed() -> DemoSummary:
    """Create the demo data that is missing; running it again changes nothing."""
    cities = {city.slug: city for city in MetropolitanCity.objects.all()}
    for city_slug, organisations in ORGANISATIONS.items():
        for name, kind in organisations:
            Organisation.objects.get_or_create(
                city=cities[city_slug], name=name, defaults={"kind": kind}
            )
    organisations_by_name = {o.name: o for o in Organisation.objects.all()}

    people = {}
    for username, first, last, sex, birth, place, role, organisation, position, city_slug in PEOPLE:
        person, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.metropoli.it",
                "tax_code": _tax_code(last, first, sex, birth, place),
                "role": role,
                "is_staff": role == "staff",
                "is_superuser": role == "staff",
                "organisation": organisations_by_name.get(organisation) if organisation else None,
                "position": position,
                "coordinated_city": cities[city_slug] if city_slug else None,
            },
        )
        if created:
            person.set_password(DEMO_PASSWORD)
            person.save(update_fields=["password"])
        people[username] = person

    areas = {area.slug: area for area in ThematicArea.objects.all()}
    courses = {}
    now = timezone.now()
    for slug, title, area, summary, hours, self_open, audience, status, trainer, modules in COURSES:
        course, created = Course.objects.get_or_create(
            slug=slug,
            defaults={
                "title": title,
                "area": areas[area],
                "summary": summary,
                "description": summary,
                "declared_hours": hours,
                "self_enrollment_open": self_open,
                "status": status,
                "published_at": now if status == "published" else None,
                "created_by": people[trainer],
            },
        )
        courses[slug] = course
        if not created:
            continue
        course.trainers.add(people[trainer])
        CourseAudience.objects.bulk_create(
            CourseAudience(course=course, position=p) for p in audience
        )
        for module_position, (module_title, module_hours, lessons) in enumerate(modules, 1):
            module = Module.objects.create(
                course=course,
                position=module_position,
                title=module_title,
                declared_hours=module_hours,
            )
            Lesson.objects.bulk_create(
                Lesson(
                    module=module,
                    position=lesson_position,
                    title=lesson_title,
                    kind=kind,
                    duration_seconds=minutes * 60,
                )
                for lesson_position, (lesson_title, kind, minutes) in enumerate(lessons, 1)
            )

    for username, slug in ENROLLMENTS:
        Enrollment.objects.get_or_create(
            learner=people[username],
            course=courses[slug],
            defaults={
                "enrolled_at": now,
                "source": Enrollment.Source.SELF,
                "enrolled_by": people[username],
            },
        )
    return DemoSummary(
        people=User.objects.count(),
        courses=Course.objects.count(),
        enrollments=Enrollment.objects.count(),
    )

"""xAPI Video Profile statements as the platform's player sends them, deterministic from a seed.

A viewing session is what one learner does with one lesson between opening and closing the
player: initialized, played, paused, seeked, played... completed (when the end is reached),
terminated; every statement carries the session id, the video's length, the time and, from the
first pause on, the played segments and the progress. Stdlib only: the benchmark's client and
the store builder both use it.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

VIDEO = "https://w3id.org/xapi/video"
VERBS = ("initialized", "played", "paused", "seeked", "completed", "terminated")
VERB_IDS = {name: f"{VIDEO}/verbs/{name}" for name in VERBS}
EXTENSIONS = {
    name: f"{VIDEO}/extensions/{name}"
    for name in (
        "session-id",
        "length",
        "time",
        "played-segments",
        "progress",
        "time-from",
        "time-to",
    )
}
ACTIVITIES = "http://127.0.0.1/xapi/activities"
NAMESPACE = uuid.UUID("5d0a4a70-3c1e-4a43-9a65-6f0e1f2b7d11")


def stable_uuid(*parts: object) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


@dataclass(frozen=True)
class Lesson:
    iri: str
    module_iri: str
    course_iri: str
    course: int
    title: str
    length: float  # seconds


def catalogue(*, courses: int = 4, modules: int = 5, lessons: int = 6) -> list[Lesson]:
    """The courses of the programme, as lesson activities with their module and course."""
    found = []
    for c in range(courses):
        course_iri = f"{ACTIVITIES}/course/{stable_uuid('course', c)}"
        for m in range(modules):
            module_iri = f"{ACTIVITIES}/module/{stable_uuid('module', c, m)}"
            for n in range(lessons):
                found.append(
                    Lesson(
                        iri=f"{ACTIVITIES}/lesson/{stable_uuid('lesson', c, m, n)}",
                        module_iri=module_iri,
                        course_iri=course_iri,
                        course=c,
                        title=f"Modulo {m + 1}, lezione {n + 1}",
                        length=float(300 + (c * 97 + m * 31 + n * 53) % 1500),
                    )
                )
    return found


def learner_uuid(index: int) -> uuid.UUID:
    return stable_uuid("learner", index)


def registration_uuid(learner: int, course: int) -> uuid.UUID:
    """One registration per enrolment: a learner in a course."""
    return stable_uuid("registration", learner, course)


def actor(*, home_page: str, learner: int) -> dict:
    return {
        "objectType": "Agent",
        "account": {"homePage": home_page, "name": str(learner_uuid(learner))},
    }


def _timestamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def session_statements(
    rng: random.Random, *, lesson: Lesson, learner: int, home_page: str, start: datetime
) -> list[tuple[datetime, dict]]:
    """A viewing session's statements, each with the moment it was sent."""
    session = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    base = {
        "actor": actor(home_page=home_page, learner=learner),
        "object": {
            "objectType": "Activity",
            "id": lesson.iri,
            "definition": {
                "type": f"{VIDEO}/activity-type/video",
                "name": {"it-IT": lesson.title},
            },
        },
    }
    context = {
        "registration": str(registration_uuid(learner, lesson.course)),
        "contextActivities": {
            "parent": [{"objectType": "Activity", "id": lesson.module_iri}],
            "grouping": [{"objectType": "Activity", "id": lesson.course_iri}],
            "category": [
                {
                    "objectType": "Activity",
                    "id": VIDEO,
                    "definition": {"type": "http://adlnet.gov/expapi/activities/profile"},
                }
            ],
        },
        "extensions": {EXTENSIONS["session-id"]: session, EXTENSIONS["length"]: lesson.length},
    }
    out: list[tuple[datetime, dict]] = []
    clock = start
    position = 0.0
    segments: list[str] = []

    def emit(verb: str, result: dict | None = None) -> None:
        statement = {
            **base,
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "verb": {"id": VERB_IDS[verb], "display": {"en-US": verb}},
            "context": context,
            "timestamp": _timestamp(clock),
        }
        if result is not None:
            statement["result"] = {"extensions": result}
        out.append((clock, statement))

    def watched() -> dict:
        covered = sum(float(s.split("[.]")[1]) - float(s.split("[.]")[0]) for s in segments)
        return {
            EXTENSIONS["time"]: round(position, 3),
            EXTENSIONS["played-segments"]: "[,]".join(segments),
            EXTENSIONS["progress"]: round(min(1.0, covered / lesson.length), 4),
        }

    emit("initialized")
    for _ in range(rng.randint(1, 4)):
        clock += timedelta(seconds=rng.uniform(1, 20))
        emit("played", {EXTENSIONS["time"]: round(position, 3)})
        span = min(lesson.length - position, rng.uniform(20, lesson.length / 2))
        segments.append(f"{position:.3f}[.]{position + span:.3f}")
        position += span
        clock += timedelta(seconds=span)
        if position >= lesson.length - 0.001:
            emit("completed", watched())  # result.completion: the profile's "completed"
            break
        emit("paused", watched())
        if rng.random() < 0.4:
            target = round(rng.uniform(0, lesson.length), 3)
            clock += timedelta(seconds=rng.uniform(1, 10))
            emit(
                "seeked",
                {EXTENSIONS["time-from"]: round(position, 3), EXTENSIONS["time-to"]: target},
            )
            position = target
    clock += timedelta(seconds=rng.uniform(1, 30))
    emit("terminated", watched())
    return out

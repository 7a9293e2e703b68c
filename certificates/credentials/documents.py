"""The documents of an Open Badges 3.0 certificate: the credential, the issuer profile, its keys.

Pure: built from ``CredentialFacts`` that the certificates services gather, every property one
that the shipped contexts define (``signing.credential_sign`` refuses anything else).

Choices, against the OB 3.0 data model:

- the learner is identified by ``identifier`` IdentityObjects, as OB 3.0 wants when the subject
  has no ``id``: the name in plain text (``identityType`` "name") and the tax code hashed
  (``nationalIdentityNumber``, ``sha256$`` with a salt): a credential is meant to be shared, and a
  codice fiscale tells birth date, sex and birthplace;
- the credited hours are ``result``s of the subject, each pointing to a ``resultDescription`` of
  the achievement ("Distance hours", ...; ``resultType`` "ext:CreditedHours", OB's
  extension form of that enumeration); ``creditsEarned`` is not used because OB defines it as
  academic credits, which these hours are not;
- the organisation, the city and the course go into the credential's ``description``, a sentence
  in the certificate's language; the verification page is the credential's ``evidence``;
- no ``awardedDate``: ``validFrom`` says the same, and the published 3.0.3 context has been
  edited in place (its ``awardedDate`` is typed ``xsd:dateTime`` with no ``xsd`` prefix), so the
  fewer of its later additions we sign, the fewer verifiers holding another copy we lose.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.utils import translation
from django.utils.translation import gettext

from certificates.credentials.keys import issuer_id, verification_public_keys
from certificates.credentials.loader import (
    CREDENTIALS_V2_URL,
    DID_V1_URL,
    MULTIKEY_V1_URL,
    OPEN_BADGES_V3_URL,
)
from certificates.credentials.signing import date_time_stamp
from certificates.hours import TENTH, tenths_of_hour

CREDENTIAL_CONTEXT = [CREDENTIALS_V2_URL, OPEN_BADGES_V3_URL]
# The issuer profile is also the controller document of its keys: verificationMethod and
# assertionMethod come from the DID context (the only shipped one that defines them at the top),
# Multikey from the Multikey context.
ISSUER_PROFILE_CONTEXT = [CREDENTIALS_V2_URL, OPEN_BADGES_V3_URL, DID_V1_URL, MULTIKEY_V1_URL]

# OB 3.0 AchievementType: "Course" is the completion of a course of study (a module is one),
# "LearningProgram" the completion of a learning program.
ACHIEVEMENT_TYPES = {"module": "Course", "course": "Course", "programme": "LearningProgram"}
RESULT_TYPE_HOURS = "ext:CreditedHours"
LANGUAGES = ("it", "en")


@dataclass(frozen=True)
class CredentialFacts:
    """Everything a certificate's credential says, gathered by the services."""

    certificate_id: UUID
    verification_url: str
    issued_at: datetime
    learner_name: str
    learner_tax_code: str  # "" if none
    learner_organisation: str
    learner_city: str
    achievement_id: str  # an IRI, e.g. SITE_URL/xapi/activities/module/<uuid>
    achievement_kind: str  # "module" | "course" | "programme"
    achievement_name: str
    achievement_description: str
    criteria_narrative: str
    course_title: str
    distance_seconds: float
    in_person_seconds: float
    webinar_seconds: float
    completed_at: datetime
    status_list_url: str
    status_list_index: int
    issuer_name: str
    issuer_url: str
    language: str  # "it" | "en"


def _hours(seconds: float) -> Decimal:
    """Seconds as the hours a certificate states (``certificates.hours``: tenths, rounded
    down), without a trailing zero (5400 s -> 1.5, 3600 s -> 1)."""
    hours = tenths_of_hour(seconds) * TENTH
    return hours.normalize() if hours else Decimal(0)


def _hours_text(seconds: float, *, language: str) -> str:
    """Hours for a sentence: '1,5' in Italian, '1.5' in English."""
    text = format(_hours(seconds), "f")
    return text.replace(".", ",") if language == "it" else text


def identity_hash(value: str, *, salt: str) -> str:
    """OB 3.0's IdentityHash: 'sha256$' + hex SHA-256 of the value followed by the salt."""
    return "sha256$" + hashlib.sha256((value + salt).encode("utf-8")).hexdigest()


def _identifiers(facts: CredentialFacts) -> list[dict[str, Any]]:
    identifiers: list[dict[str, Any]] = [
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": facts.learner_name,
        }
    ]
    if facts.learner_tax_code:
        salt = facts.certificate_id.hex
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityType": "nationalIdentityNumber",
                "hashed": True,
                "identityHash": identity_hash(facts.learner_tax_code.strip().upper(), salt=salt),
                "salt": salt,
            }
        )
    return identifiers


def _hour_kinds(facts: CredentialFacts) -> list[tuple[str, str, float]]:
    """(fragment, label, seconds) of each kind of credited hours, labels translated."""
    return [
        ("distance-hours", gettext("Distance hours"), facts.distance_seconds),
        ("in-person-hours", gettext("In-person hours"), facts.in_person_seconds),
        ("webinar-hours", gettext("Live webinar hours"), facts.webinar_seconds),
    ]


def _description(facts: CredentialFacts) -> str:
    """One paragraph in the certificate's language: who, what, where, how many hours."""
    place = ", ".join(part for part in (facts.learner_organisation, facts.learner_city) if part)
    learner = f"{facts.learner_name} ({place})" if place else facts.learner_name
    names = {"learner": learner, "name": facts.achievement_name, "course": facts.course_title}
    if facts.achievement_kind == "module":
        awarded = (
            gettext(
                "Awarded to %(learner)s for completing the module “%(name)s” "
                "of the course “%(course)s”."
            )
            % names
        )
    elif facts.achievement_kind == "course":
        awarded = gettext("Awarded to %(learner)s for completing the course “%(name)s”.") % names
    else:
        awarded = gettext("Awarded to %(learner)s for completing the programme “%(name)s”.") % names
    total = facts.distance_seconds + facts.in_person_seconds + facts.webinar_seconds
    hours = gettext(
        "Credited hours: %(total)s (distance learning %(distance)s, in person %(in_person)s, "
        "webinar %(webinar)s)."
    ) % {
        "total": _hours_text(total, language=facts.language),
        "distance": _hours_text(facts.distance_seconds, language=facts.language),
        "in_person": _hours_text(facts.in_person_seconds, language=facts.language),
        "webinar": _hours_text(facts.webinar_seconds, language=facts.language),
    }
    return f"{awarded} {hours}"


def open_badge_credential(facts: CredentialFacts) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential of a certificate (sign it with ``credential_sign``)."""
    if facts.achievement_kind not in ACHIEVEMENT_TYPES:
        raise ValueError(
            f"achievement_kind {facts.achievement_kind!r} is not one of {list(ACHIEVEMENT_TYPES)}"
        )
    if facts.language not in LANGUAGES:
        raise ValueError(f"language {facts.language!r} is not one of {list(LANGUAGES)}")
    with translation.override(facts.language):
        hour_kinds = _hour_kinds(facts)
        description = _description(facts)
        evidence_name = gettext("Certificate verification page")
    result_descriptions = [
        {
            "id": f"{facts.achievement_id}#{fragment}",
            "type": ["ResultDescription"],
            "name": label,
            "resultType": RESULT_TYPE_HOURS,
        }
        for fragment, label, _seconds in hour_kinds
    ]
    results = [
        {
            "type": ["Result"],
            "resultDescription": f"{facts.achievement_id}#{fragment}",
            "value": format(_hours(seconds), "f"),
        }
        for fragment, _label, seconds in hour_kinds
    ]
    return {
        "@context": list(CREDENTIAL_CONTEXT),
        "id": f"urn:uuid:{facts.certificate_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": facts.achievement_name,
        "description": description,
        "issuer": {
            "id": issuer_id(),
            "type": ["Profile"],
            "name": facts.issuer_name,
            "url": facts.issuer_url,
        },
        "validFrom": date_time_stamp(facts.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": _identifiers(facts),
            "activityEndDate": facts.completed_at.date().isoformat(),
            "achievement": {
                "id": facts.achievement_id,
                "type": ["Achievement"],
                "achievementType": ACHIEVEMENT_TYPES[facts.achievement_kind],
                "name": facts.achievement_name,
                "description": facts.achievement_description,
                "criteria": {"narrative": facts.criteria_narrative},
                "inLanguage": facts.language,
                "resultDescription": result_descriptions,
            },
            "result": results,
        },
        "evidence": [{"id": facts.verification_url, "type": ["Evidence"], "name": evidence_name}],
        "credentialStatus": {
            "id": f"{facts.status_list_url}#{facts.status_list_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(facts.status_list_index),
            "statusListCredential": facts.status_list_url,
        },
    }


def _multikey(key_id: str, public_key_multibase: str) -> dict[str, Any]:
    return {
        "id": key_id,
        "type": "Multikey",
        "controller": issuer_id(),
        "publicKeyMultibase": public_key_multibase,
    }


def issuer_profile(
    *, name: str, url: str, email: str = "", public_keys: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The document served at ``issuer_id()``: an OB Profile that is also the controller
    document of the issuer's keys, the current one and the retired ones (``public_keys``,
    verification method URL -> publicKeyMultibase, by default ``verification_public_keys()``)."""
    keys = verification_public_keys() if public_keys is None else dict(public_keys)
    profile: dict[str, Any] = {
        "@context": list(ISSUER_PROFILE_CONTEXT),
        "id": issuer_id(),
        "type": ["Profile"],
        "name": name,
        "url": url,
    }
    if email:
        profile["email"] = email
    profile["verificationMethod"] = [_multikey(key_id, key) for key_id, key in keys.items()]
    profile["assertionMethod"] = list(keys)
    return profile


def verification_method_document(
    key_id: str, *, public_keys: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """One key as a Multikey document of its own, for loaders that dereference ``key_id``
    itself; ``LookupError`` for a key the issuer does not have (or no longer lists)."""
    keys = verification_public_keys() if public_keys is None else dict(public_keys)
    if key_id not in keys:
        raise LookupError(f"{key_id!r} is not one of the issuer's keys")
    return {"@context": [MULTIKEY_V1_URL], **_multikey(key_id, keys[key_id])}

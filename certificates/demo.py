"""The certificates part of the demo (``manage.py seed_certificates_demo``, run by ``make
run``): mario.rossi holds a certificate of a module of "sportello-unico-edilizia" and a
revoked one re-issued, anna.esposito one of the module of her day in person (its hours from
the roster), so that "My certificates", the coordinator's list and the verification page have
something to show. Issued by hand by staff (the demo has no completed
module), each with its reason, through the same services as any other."""

from __future__ import annotations

from django.db import transaction

from certificates.models import Certificate
from certificates.services import finishing, issuing
from courses.models import Lesson, Module
from lms.accounts.models import User

DEMO_REASON = "Attestato dimostrativo creato da make run"


def demo_certificates_seed() -> list[Certificate]:
    """Create what is missing (idempotent); the demo's valid certificates."""
    staff = User.objects.filter(username="admin").first()
    mario = User.objects.filter(username="mario.rossi").first()
    anna = User.objects.filter(username="anna.esposito").first()
    modules = list(
        Module.objects.filter(course__slug="sportello-unico-edilizia").order_by("position")[:2]
    )
    # anna.esposito's day in person (seed_attendance_demo): her hours come from its roster.
    attended = Module.objects.filter(
        course__slug="piano-strategico-metropolitano", lessons__kind=Lesson.Kind.IN_PERSON
    ).first()
    if staff is None or mario is None or anna is None or len(modules) < 2 or attended is None:
        return []  # the catalogue's demo is not there
    with transaction.atomic():
        if not Certificate.objects.filter(learner=mario).exists():
            issuing.certificate_issue(
                actor=staff, learner=mario, kind="module", module=modules[0], reason=DEMO_REASON
            )
            wrong = issuing.certificate_issue(
                actor=staff, learner=mario, kind="module", module=modules[1], reason=DEMO_REASON
            )
            issuing.certificate_reissue(
                actor=staff,
                certificate=wrong,
                reason="Ore in presenza registrate dopo l'emissione: riemesso (dimostrativo)",
            )
        if not Certificate.objects.filter(learner=anna).exists():
            issuing.certificate_issue(
                actor=staff, learner=anna, kind="module", module=attended, reason=DEMO_REASON
            )
    for certificate in Certificate.objects.filter(learner__in=[mario, anna]):
        finishing.certificate_finish(certificate_id=certificate.pk)
    return list(Certificate.objects.filter(learner__in=[mario, anna], revoked_at__isnull=True))

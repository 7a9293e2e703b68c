import base64
import json

import pytest

from tracking.lrs.signatures import SIGNATURE_USAGE, check_signature
from tracking.lrs.xapi import StatementInvalid

STATEMENT = {
    "id": "6f2c1a0e-3b0e-4c53-9a6f-0c5d0b7f2a11",
    "actor": {"mbox": "mailto:ann@example.it"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
    "object": {"id": "http://lms.test/xapi/activities/lesson/1"},
}
ATTACHMENT = {"usageType": SIGNATURE_USAGE, "contentType": "application/octet-stream"}


def _segment(value) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _jws(header=None, payload=None) -> bytes:
    header = header or {"alg": "RS256"}
    payload = STATEMENT if payload is None else payload
    return f"{_segment(header)}.{_segment(payload)}.{_segment(b'signature-bytes')}".encode()


def test_a_well_formed_signature_of_the_statement_passes():
    check_signature(STATEMENT, attachment=ATTACHMENT, jws=_jws(), path="attachments[0]")


def test_a_signature_made_before_the_id_was_assigned_passes():
    unsigned_id = {k: v for k, v in STATEMENT.items() if k != "id"}

    check_signature(STATEMENT, attachment=ATTACHMENT, jws=_jws(payload=unsigned_id), path="a")


@pytest.mark.parametrize(
    ("attachment", "jws", "message"),
    [
        (
            {**ATTACHMENT, "contentType": "application/jose"},
            _jws(),
            "A signature attachment's contentType must be application/octet-stream.",
        ),
        (ATTACHMENT, b"not-a-jws", "The signature is not a JWS compact serialisation."),
        (
            ATTACHMENT,
            _jws(header={"alg": "HS256"}),
            "The JWS must be signed with RS256, RS384 or RS512.",
        ),
        (
            ATTACHMENT,
            _jws(payload={**STATEMENT, "verb": {"id": "http://example.it/other"}}),
            "The JWS payload is not this statement.",
        ),
    ],
    ids=["content-type", "malformed", "algorithm", "other-statement"],
)
def test_signature_rules(attachment, jws, message):
    with pytest.raises(StatementInvalid) as error:
        check_signature(STATEMENT, attachment=attachment, jws=jws, path="attachments[0]")

    assert error.value.message == message


def test_durations_compare_to_the_hundredth_of_a_second():
    short = {**STATEMENT, "result": {"duration": "P1DT12H36M0.12S"}}
    signed_full = {**STATEMENT, "result": {"duration": "P1DT12H36M0.1237S"}}

    check_signature(short, attachment=ATTACHMENT, jws=_jws(payload=signed_full), path="a")

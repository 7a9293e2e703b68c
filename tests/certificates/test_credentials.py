"""Open Badges 3.0 credentials: built from facts, signed with eddsa-rdfc-2022, verified by our own
check and by digitalbazaar's JavaScript libraries (tools/credential-verifier), revoked through a
Bitstring Status List; the keys, the offline loader and the encodings underneath.

Pure: no database. The Node verifier needs `make credential-verifier` (npm ci) first.
"""

import copy
import gzip
import json
import shutil
import socket
import stat
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import generate_private_key
from django.conf import settings as django_settings

from certificates.credentials import documents, keys, loader, multibase, signing, status_list

SITE_URL = "https://lms.example.it"
ISSUER = f"{SITE_URL}/certificates/issuer"
STATUS_LIST_URL = f"{SITE_URL}/certificates/status/1"
VERIFIER = Path(django_settings.BASE_DIR) / "tools" / "credential-verifier"
ISSUED_AT = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
CERTIFICATE_ID = uuid.UUID("5b6d2c1e-0c1a-4a52-9a53-0c0f7a1c9e11")


def _pem(private_key: Ed25519PrivateKey) -> str:
    return keys.private_key_pem(private_key)


@pytest.fixture
def signing_settings(settings):
    """A site URL and a fresh signing key given as PEM text, as production gives it."""
    settings.SITE_URL = SITE_URL
    settings.DEBUG = False
    settings.CERTIFICATES_SIGNING_KEY = _pem(Ed25519PrivateKey.generate())
    settings.CERTIFICATES_SIGNING_KEY_FILE = ""
    settings.CERTIFICATES_KEY_ID = "key-1"
    settings.CERTIFICATES_PREVIOUS_PUBLIC_KEYS = []
    return settings


def _facts(**changes: Any) -> documents.CredentialFacts:
    values: dict[str, Any] = {
        "certificate_id": CERTIFICATE_ID,
        "verification_url": f"{SITE_URL}/verify/K7Q2M9",
        "issued_at": ISSUED_AT,
        "learner_name": "Maria Rossi",
        "learner_tax_code": "rssmra80a41f205x",
        "learner_organisation": "Comune di Milano",
        "learner_city": "Milano",
        "achievement_id": f"{SITE_URL}/xapi/activities/module/7f0c7d2e-1111-4c1e-9d43-5a2b9a0d1e01",
        "achievement_kind": "module",
        "achievement_name": "Public procurement basics",
        "achievement_description": "The first module of the procurement course.",
        "criteria_narrative": "Attend at least 90% of every lesson.",
        "course_title": "Public procurement",
        "distance_seconds": 5400.0,
        "in_person_seconds": 7200.0,
        "webinar_seconds": 1800.0,
        "completed_at": datetime(2025, 2, 28, 17, 0, tzinfo=UTC),
        "status_list_url": STATUS_LIST_URL,
        "status_list_index": 42,
        "issuer_name": "Metropoli LMS",
        "issuer_url": SITE_URL,
        "language": "en",
    }
    values.update(changes)
    return documents.CredentialFacts(**values)


def _signed_status_list(*, revoked: list[int]) -> dict[str, Any]:
    unsigned = status_list.status_list_credential(
        list_url=STATUS_LIST_URL,
        encoded=status_list.bitstring_encode(revoked),
        valid_from=ISSUED_AT,
        issuer_name="Metropoli LMS",
        issuer_url=SITE_URL,
    )
    return signing.credential_sign(unsigned, key=keys.signing_key_load(), created=ISSUED_AT)


def _signed_credential(**changes: Any) -> dict[str, Any]:
    unsigned = documents.open_badge_credential(_facts(**changes))
    return signing.credential_sign(unsigned, key=keys.signing_key_load(), created=ISSUED_AT)


def _documents(*, revoked: list[int] | None = None) -> dict[str, Any]:
    """What a verifier fetches: the issuer profile and the status list credential."""
    return {
        ISSUER: documents.issuer_profile(name="Metropoli LMS", url=SITE_URL),
        STATUS_LIST_URL: _signed_status_list(revoked=revoked or []),
    }


def _node_verify(credential: dict[str, Any], docs: dict[str, Any]) -> dict[str, Any]:
    """The independent verdict of tools/credential-verifier/verify.mjs."""
    node = shutil.which("node")
    if node is None or not (VERIFIER / "node_modules").is_dir():
        pytest.fail("The credential verifier is not installed: run `make credential-verifier`")
    run = subprocess.run(  # noqa: S603 - our own script, input on stdin
        [node, str(VERIFIER / "verify.mjs")],
        input=json.dumps({"credential": credential, "documents": docs}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


# --- the credential, signed and verified ---------------------------------------------------


def test_credential_from_facts_verifies_in_node_and_here(signing_settings):
    credential = _signed_credential()

    assert _node_verify(credential, _documents()) == {
        "verified": True,
        "revoked": False,
        "errors": [],
    }
    public_keys = keys.verification_public_keys()
    assert signing.credential_problems(credential, public_keys=public_keys) == []
    assert signing.credential_verify(credential, public_keys=public_keys) is True


def test_credential_says_what_the_facts_say(signing_settings):
    credential = documents.open_badge_credential(_facts())

    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["id"] == f"urn:uuid:{CERTIFICATE_ID}"
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"] == {
        "id": ISSUER,
        "type": ["Profile"],
        "name": "Metropoli LMS",
        "url": SITE_URL,
    }
    assert credential["validFrom"] == "2025-03-01T09:30:00Z"
    subject = credential["credentialSubject"]
    name, tax_code = subject["identifier"]
    assert name == {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": False,
        "identityHash": "Maria Rossi",
    }
    # The tax code is hashed (upper case, with the salt) as OB 3.0's IdentityHash: a holder can
    # prove it is theirs, a reader of the credential cannot read it.
    salt = CERTIFICATE_ID.hex
    assert tax_code == {
        "type": "IdentityObject",
        "identityType": "nationalIdentityNumber",
        "hashed": True,
        "identityHash": documents.identity_hash("RSSMRA80A41F205X", salt=salt),
        "salt": salt,
    }
    assert "RSSMRA80A41F205X" not in json.dumps(credential).upper()
    assert subject["activityEndDate"] == "2025-02-28"
    achievement = subject["achievement"]
    assert achievement["achievementType"] == "Course"
    assert achievement["criteria"] == {"narrative": "Attend at least 90% of every lesson."}
    hours = {
        description["name"]: result["value"]
        for description, result in zip(
            achievement["resultDescription"], subject["result"], strict=True
        )
        if result["resultDescription"] == description["id"]
    }
    assert hours == {
        "Distance hours": "1.5",
        "In-person hours": "2",
        "Live webinar hours": "0.5",
    }
    assert credential["description"] == (
        "Awarded to Maria Rossi (Comune di Milano, Milano) for completing the module "
        "“Public procurement basics” of the course “Public procurement”. "
        "Credited hours: 4 (distance learning 1.5, in person 2, webinar 0.5)."
    )
    assert credential["evidence"][0]["id"] == f"{SITE_URL}/verify/K7Q2M9"
    assert credential["credentialStatus"] == {
        "id": f"{STATUS_LIST_URL}#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": STATUS_LIST_URL,
    }


def test_italian_credential_is_written_in_italian(signing_settings):
    """Needs the msgids of var/i18n/credentials.json in the compiled Italian catalogue."""
    credential = documents.open_badge_credential(
        _facts(language="it", achievement_kind="course", learner_tax_code="")
    )

    assert credential["description"] == (
        "Rilasciato a Maria Rossi (Comune di Milano, Milano) per aver completato il corso "
        "“Public procurement basics”. Ore riconosciute: 4 (a distanza 1,5, in presenza 2, "
        "webinar 0,5)."
    )
    names = [
        entry["name"]
        for entry in credential["credentialSubject"]["achievement"]["resultDescription"]
    ]
    assert names == ["Ore a distanza", "Ore in presenza", "Ore in webinar"]
    assert credential["credentialSubject"]["achievement"]["inLanguage"] == "it"
    assert len(credential["credentialSubject"]["identifier"]) == 1  # no tax code, no identifier


@pytest.mark.parametrize(
    ("kind", "achievement_type"),
    [("module", "Course"), ("course", "Course"), ("programme", "LearningProgram")],
)
def test_every_kind_of_achievement_signs(signing_settings, kind, achievement_type):
    credential = _signed_credential(achievement_kind=kind)

    assert credential["credentialSubject"]["achievement"]["achievementType"] == achievement_type
    assert signing.credential_verify(credential, public_keys=keys.verification_public_keys())


def _change_name(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["achievement"]["name"] = "Advanced procurement"


def _change_hours(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["result"][1]["value"] = "20"


def _change_learner(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["identifier"][0]["identityHash"] = "Mario Bianchi"


@pytest.mark.parametrize("tamper", [_change_name, _change_hours, _change_learner])
def test_tampered_credential_fails_in_node_and_here(signing_settings, tamper):
    credential = _signed_credential()
    tamper(credential)

    verdict = _node_verify(credential, _documents())
    assert verdict["verified"] is False
    assert verdict["revoked"] is None
    assert any("Invalid signature" in error for error in verdict["errors"]), verdict
    assert signing.credential_problems(credential, public_keys=keys.verification_public_keys()) == [
        "the signature does not match the credential: it was changed after signing"
    ]


def test_undefined_term_added_after_signing_fails_in_node_and_here(signing_settings):
    """An unsigned extra property (dropped by canonicalisation) does not ride on the signature."""
    credential = _signed_credential()
    credential["credentialSubject"]["grade"] = "A+"

    assert _node_verify(credential, _documents())["verified"] is False
    problems = signing.credential_problems(credential, public_keys=keys.verification_public_keys())
    assert problems == ["not defined by the credential's contexts: credentialSubject.grade"]


def test_key_the_issuer_does_not_list_fails_in_node_and_here(signing_settings, settings):
    credential = _signed_credential()
    listed = keys.verification_public_keys()
    settings.CERTIFICATES_SIGNING_KEY = _pem(Ed25519PrivateKey.generate())  # the key was replaced

    verdict = _node_verify(credential, _documents())
    assert verdict["verified"] is False
    assert (
        signing.credential_verify(credential, public_keys=keys.verification_public_keys()) is False
    )
    assert signing.credential_verify(credential, public_keys=listed) is True


def test_rotated_key_still_verifies_old_credentials(signing_settings, settings):
    old_credential = _signed_credential()
    old_public = keys.signing_key_load().public_key_multibase
    settings.CERTIFICATES_SIGNING_KEY = _pem(Ed25519PrivateKey.generate())
    settings.CERTIFICATES_KEY_ID = "key-2"
    settings.CERTIFICATES_PREVIOUS_PUBLIC_KEYS = [f"key-1={old_public}"]
    new_credential = _signed_credential()

    profile = documents.issuer_profile(name="Metropoli LMS", url=SITE_URL)
    assert profile["assertionMethod"] == [f"{ISSUER}#key-1", f"{ISSUER}#key-2"]
    assert new_credential["proof"]["verificationMethod"] == f"{ISSUER}#key-2"
    for credential in (old_credential, new_credential):
        assert _node_verify(credential, _documents())["verified"] is True
        assert signing.credential_verify(credential, public_keys=keys.verification_public_keys())


def test_node_verifier_fetches_nothing_it_was_not_given(signing_settings):
    credential = _signed_credential()
    docs = _documents()
    del docs[ISSUER]

    verdict = _node_verify(credential, docs)
    assert verdict["verified"] is False
    assert any(f'"{ISSUER}#key-1" is not available offline' in e for e in verdict["errors"])


def test_shipped_contexts_are_the_node_verifiers_contexts():
    """Our copies in certificates/credentials/contexts/ are the npm packages' documents."""
    node = shutil.which("node")
    if node is None or not (VERIFIER / "node_modules").is_dir():
        pytest.fail("The credential verifier is not installed: run `make credential-verifier`")
    run = subprocess.run(  # noqa: S603 - our own script
        [node, str(VERIFIER / "contexts.mjs")], capture_output=True, text=True, check=True
    )
    node_contexts = json.loads(run.stdout)
    for url in loader.CONTEXT_FILES:
        assert loader.document_loader(url)["document"] == node_contexts[url], url


# --- revocation ----------------------------------------------------------------------------


def test_revoked_bit_makes_node_say_revoked(signing_settings):
    credential = _signed_credential()

    verdict = _node_verify(credential, _documents(revoked=[41, 42, 43]))
    assert verdict == {"verified": True, "revoked": True, "errors": []}
    neighbours = _node_verify(credential, _documents(revoked=[41, 43]))
    assert neighbours == {"verified": True, "revoked": False, "errors": []}


def test_status_list_changed_after_signing_fails_in_node(signing_settings):
    credential = _signed_credential()
    docs = _documents(revoked=[42])
    docs[STATUS_LIST_URL]["credentialSubject"]["encodedList"] = status_list.bitstring_encode([])

    verdict = _node_verify(credential, docs)
    assert verdict["verified"] is False
    assert any("BitstringStatusListCredential" in error for error in verdict["errors"]), verdict


def test_bitstring_round_trip_and_bit_order():
    encoded = status_list.bitstring_encode([0, 7, 8, 131071])
    assert encoded.startswith("u")
    assert "=" not in encoded
    raw = gzip.decompress(multibase.base64url_multibase_decode(encoded))

    # W3C Bitstring Status List: index 0 is the leftmost (most significant) bit of byte 0.
    assert len(raw) == 16384
    assert raw[0] == 0b1000_0001
    assert raw[1] == 0b1000_0000
    assert raw[-1] == 0b0000_0001
    assert set(raw[2:-1]) == {0}
    for index in (0, 7, 8, 131071):
        assert status_list.bitstring_is_set(encoded, index)
    for index in (1, 6, 9, 131070):
        assert not status_list.bitstring_is_set(encoded, index)
    assert status_list.bitstring_encode([8, 0, 131071, 7]) == encoded  # deterministic
    with pytest.raises(ValueError, match="outside"):
        status_list.bitstring_encode([131072])


def test_status_list_credential_shape(signing_settings):
    unsigned = status_list.status_list_credential(
        list_url=STATUS_LIST_URL,
        encoded=status_list.bitstring_encode([]),
        valid_from=ISSUED_AT,
        issuer_name="Metropoli LMS",
        issuer_url=SITE_URL,
    )
    assert unsigned["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert unsigned["issuer"]["id"] == ISSUER
    assert unsigned["credentialSubject"] == {
        "id": f"{STATUS_LIST_URL}#list",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": status_list.bitstring_encode([]),
    }


# --- what the contexts define --------------------------------------------------------------


def test_built_documents_use_only_defined_terms(signing_settings):
    assert signing.undefined_terms(documents.open_badge_credential(_facts())) == []
    assert (
        signing.undefined_terms(documents.issuer_profile(name="M", url=SITE_URL, email="a@b.it"))
        == []
    )
    assert signing.undefined_terms(_signed_status_list(revoked=[1])) == []


def _add_top_level(credential: dict[str, Any]) -> None:
    credential["grade"] = "A"


def _add_in_subject(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["hoursTotal"] = 4


def _add_in_achievement(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["achievement"]["level"] = "advanced"


def _add_type(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["type"] = ["AchievementSubject", "Employee"]


@pytest.mark.parametrize(
    ("add", "named"),
    [
        (_add_top_level, "grade"),
        (_add_in_subject, "credentialSubject.hoursTotal"),
        (_add_in_achievement, "credentialSubject.achievement.level"),
        (_add_type, "type 'Employee'"),
    ],
)
def test_sign_refuses_undefined_terms(signing_settings, add, named):
    credential = documents.open_badge_credential(_facts())
    add(credential)

    with pytest.raises(signing.UndefinedTerm) as refused:
        signing.credential_sign(credential, key=keys.signing_key_load(), created=ISSUED_AT)
    assert refused.value.terms == [named]
    assert named in str(refused.value)


def test_loader_refuses_unknown_urls_without_the_network(signing_settings, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the loader tried the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    with pytest.raises(loader.DocumentNotAvailable, match="never fetched"):
        loader.document_loader("https://www.w3.org/2018/credentials/v1")

    credential = documents.open_badge_credential(_facts())
    credential["@context"].append("https://example.org/badges/extra.json")
    with pytest.raises(loader.DocumentNotAvailable, match="extra.json"):
        signing.credential_sign(credential, key=keys.signing_key_load(), created=ISSUED_AT)
    signed = _signed_credential()
    signed["@context"].append("https://example.org/badges/extra.json")
    assert signing.credential_problems(signed, public_keys=keys.verification_public_keys()) == [
        "the credential is not valid JSON-LD here: "
        + str(loader.DocumentNotAvailable("https://example.org/badges/extra.json"))
    ]


def test_loader_serves_the_shipped_contexts_and_given_documents():
    for url in loader.CONTEXT_FILES:
        assert "@context" in loader.document_loader(url)["document"]
    served = loader.document_loader_with({"https://x.example/doc": {"a": 1}})
    assert served("https://x.example/doc")["document"] == {"a": 1}
    assert served(loader.CREDENTIALS_V2_URL)["documentUrl"] == loader.CREDENTIALS_V2_URL


# --- keys ----------------------------------------------------------------------------------


def test_signing_key_from_pem_setting(settings):
    private_key = Ed25519PrivateKey.generate()
    settings.SITE_URL = SITE_URL
    settings.CERTIFICATES_SIGNING_KEY = _pem(private_key)
    settings.CERTIFICATES_KEY_ID = "key-7"

    key = keys.signing_key_load()
    assert key.key_id == f"{ISSUER}#key-7"
    assert key.public_key_multibase == keys.public_key_multibase(private_key.public_key())


def test_signing_key_from_file(settings, tmp_path):
    private_key = Ed25519PrivateKey.generate()
    pem_file = tmp_path / "signing.pem"
    pem_file.write_text(_pem(private_key))
    settings.SITE_URL = SITE_URL
    settings.CERTIFICATES_SIGNING_KEY = ""
    settings.CERTIFICATES_SIGNING_KEY_FILE = str(pem_file)

    key = keys.signing_key_load()
    assert key.key_id == f"{ISSUER}#key-1"
    assert key.public_key_multibase == keys.public_key_multibase(private_key.public_key())


def test_development_key_is_made_once_and_kept_private(settings, tmp_path):
    settings.DEBUG = False
    settings.CERTIFICATES_SIGNING_KEY = ""
    settings.CERTIFICATES_SIGNING_KEY_FILE = ""
    settings.CERTIFICATES_DEV_KEY_FILE = str(tmp_path / "keys" / "dev.pem")

    first = keys.signing_key_load()
    second = keys.signing_key_load()
    assert first.public_key_multibase == second.public_key_multibase
    mode = (tmp_path / "keys" / "dev.pem").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600
    assert list((tmp_path / "keys").iterdir()) == [tmp_path / "keys" / "dev.pem"]


def test_missing_key_outside_debug_raises(settings):
    settings.DEBUG = False
    settings.CERTIFICATES_SIGNING_KEY = ""
    settings.CERTIFICATES_SIGNING_KEY_FILE = ""
    settings.CERTIFICATES_DEV_KEY_FILE = ""

    with pytest.raises(keys.SigningKeyMissing, match="CERTIFICATES_SIGNING_KEY"):
        keys.signing_key_load()


def test_a_key_that_is_not_ed25519_is_refused(settings):
    rsa_pem = (
        generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    settings.CERTIFICATES_SIGNING_KEY = rsa_pem
    with pytest.raises(keys.SigningKeyInvalid, match="not an Ed25519 key"):
        keys.signing_key_load()
    settings.CERTIFICATES_SIGNING_KEY = "not a pem"
    with pytest.raises(keys.SigningKeyInvalid, match="PEM"):
        keys.signing_key_load()


def test_previous_public_keys_from_settings(settings):
    public = keys.public_key_multibase(Ed25519PrivateKey.generate().public_key())
    settings.SITE_URL = SITE_URL
    settings.CERTIFICATES_PREVIOUS_PUBLIC_KEYS = [f"key-0={public}"]
    assert keys.previous_public_keys() == {f"{ISSUER}#key-0": public}

    settings.CERTIFICATES_PREVIOUS_PUBLIC_KEYS = [public]
    with pytest.raises(keys.SigningKeyInvalid, match="key-id=z6Mk"):
        keys.previous_public_keys()
    settings.CERTIFICATES_PREVIOUS_PUBLIC_KEYS = ["key-0=zNotAKey"]
    with pytest.raises(keys.SigningKeyInvalid):
        keys.previous_public_keys()


def test_issuer_profile_is_the_controller_of_its_keys(signing_settings):
    key = keys.signing_key_load()
    profile = documents.issuer_profile(name="Metropoli LMS", url=SITE_URL)

    assert profile["id"] == ISSUER
    assert profile["verificationMethod"] == [
        {
            "id": key.key_id,
            "type": "Multikey",
            "controller": ISSUER,
            "publicKeyMultibase": key.public_key_multibase,
        }
    ]
    assert profile["assertionMethod"] == [key.key_id]
    method = documents.verification_method_document(key.key_id)
    assert method["@context"] == ["https://w3id.org/security/multikey/v1"]
    assert method["publicKeyMultibase"] == key.public_key_multibase
    with pytest.raises(LookupError):
        documents.verification_method_document(f"{ISSUER}#key-9")


# --- encodings -----------------------------------------------------------------------------


def test_base58_known_vectors():
    assert multibase.base58_encode(b"Hello World!") == "2NEpo7TZRRrLZSi2U"
    assert multibase.base58_encode(b"\0\0\x01") == "112"
    assert multibase.base58_encode(b"") == ""
    for data in (b"Hello World!", b"\0\0\x01", b"\xff" * 64, b""):
        assert multibase.base58_decode(multibase.base58_encode(data)) == data
    with pytest.raises(multibase.MultibaseError):
        multibase.base58_decode("0OIl")


def test_multikey_of_the_vc_di_eddsa_test_key():
    """The W3C vc-di-eddsa specification's test key pair, in its multibase forms."""
    secret = multibase.base58btc_multibase_decode(
        "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
    )
    assert secret[:2] == b"\x80\x26"  # the ed25519-priv multicodec
    private_key = Ed25519PrivateKey.from_private_bytes(secret[2:])

    public = keys.public_key_multibase(private_key.public_key())
    assert public == "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    assert keys.public_key_from_multibase(public).public_bytes_raw() == (
        private_key.public_key().public_bytes_raw()
    )


def test_sign_refuses_a_signed_credential_and_a_naive_date(signing_settings):
    credential = _signed_credential()
    with pytest.raises(ValueError, match="already has a proof"):
        signing.credential_sign(credential, key=keys.signing_key_load(), created=ISSUED_AT)
    unsigned = copy.deepcopy(credential)
    del unsigned["proof"]
    with pytest.raises(ValueError, match="naive"):
        signing.credential_sign(unsigned, key=keys.signing_key_load(), created=datetime(2025, 1, 1))  # noqa: DTZ001

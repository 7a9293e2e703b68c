"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C vc-di-eddsa v1.0).

Signing (spec §3.3, "eddsa-rdfc-2022"): the credential without its proof and the proof options
(with the credential's ``@context``) are each canonicalised with RDFC-1.0 (URDNA2015) into
N-Quads; the signature is Ed25519 over SHA-256(proof options) || SHA-256(credential), written as
multibase base58btc. A verifier recomputes both hashes from the JSON it receives.

RDFC-1.0 sees only what the contexts define: a property without a term is silently dropped, so
it would be shown to people but not signed. ``credential_sign`` therefore refuses such a
credential (``UndefinedTerm``) and ``credential_verify`` rejects one.
"""

import copy
import hashlib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from pyld import jsonld

from certificates.credentials.keys import SigningKey, SigningKeyInvalid, public_key_from_multibase
from certificates.credentials.loader import (
    DocumentLoader,
    DocumentNotAvailable,
    document_loader,
    document_not_available_in,
)
from certificates.credentials.multibase import (
    MultibaseError,
    base58btc_multibase,
    base58btc_multibase_decode,
)

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"


class UndefinedTerm(ValueError):
    """The document has properties or types that its contexts do not define (they would not be
    signed)."""

    def __init__(self, terms: list[str]):
        self.terms = terms
        super().__init__(
            "Not defined by the document's @context, so it would not be signed: " + ", ".join(terms)
        )


def date_time_stamp(value: datetime) -> str:
    """``value`` as an XSD dateTimeStamp in UTC to the second: ``2025-03-01T09:30:00Z``."""
    if value.tzinfo is None:
        raise ValueError("a naive datetime has no place in a credential: give it a timezone")
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _key_paths(node: Any, prefix: str = "") -> Iterator[str]:
    """Every property path of a JSON tree (list positions ignored), e.g. ``issuer.name``."""
    if isinstance(node, list):
        for item in node:
            yield from _key_paths(item, prefix)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                continue
            path = f"{prefix}.{key}" if prefix else key
            yield path
            yield from _key_paths(value, path)


def _relative_iris(node: Any, path: str = "") -> Iterator[str]:
    """Types and ids of an expanded document that are not absolute IRIs: an undefined type
    (``"type": "Foo"``) expands to the relative IRI ``Foo``."""
    if isinstance(node, list):
        for item in node:
            yield from _relative_iris(item, path)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type" and "@value" not in node:
                for type_iri in value if isinstance(value, list) else [value]:
                    if ":" not in type_iri:
                        yield f"type {type_iri!r}"
            elif key == "@id" and isinstance(value, str) and ":" not in value:
                yield f"id {value!r}"
            elif not key.startswith("@") or key in ("@graph", "@list", "@set"):
                yield from _relative_iris(value, key)


def undefined_terms(
    document: Mapping[str, Any], *, loader: DocumentLoader = document_loader
) -> list[str]:
    """The properties (as paths) and types of ``document`` that its contexts do not define;
    ``DocumentNotAvailable`` if it names a context that is not shipped.

    pyld has no "safe mode": it drops an undefined property without a word. So the document is
    expanded and compacted back with its own context, and every property path that did not
    survive is reported; a key written as an IRI (``"ex:foo"``) is reported too, as is a type or
    id that expands to a relative IRI.
    """
    options = {"documentLoader": loader}
    try:
        expanded = jsonld.expand(copy.deepcopy(dict(document)), options)
        compacted = jsonld.compact(expanded, document.get("@context", {}), options)
    except jsonld.JsonLdError as error:
        not_available = document_not_available_in(error)
        if not_available is None:
            raise
        raise not_available from error
    paths = set(_key_paths(document))
    problems = sorted(paths - set(_key_paths(compacted)))
    problems += sorted(path for path in paths if ":" in path.rsplit(".", 1)[-1])
    problems += sorted(set(_relative_iris(expanded)))
    return problems


def _canonical_hash(document: Mapping[str, Any], *, loader: DocumentLoader) -> bytes:
    """SHA-256 of ``document``'s RDFC-1.0 canonical N-Quads."""
    nquads = jsonld.normalize(
        copy.deepcopy(dict(document)),
        {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader},
    )
    return hashlib.sha256(nquads.encode("utf-8")).digest()


def _hash_data(
    unsecured: Mapping[str, Any], proof_options: Mapping[str, Any], *, loader: DocumentLoader
) -> bytes:
    """What is signed: SHA-256(canonical proof configuration) || SHA-256(canonical document)."""
    proof_config = {"@context": unsecured["@context"], **proof_options}
    proof_config.pop("proofValue", None)
    return _canonical_hash(proof_config, loader=loader) + _canonical_hash(unsecured, loader=loader)


def credential_sign(
    credential: Mapping[str, Any],
    *,
    key: SigningKey,
    created: datetime,
    loader: DocumentLoader = document_loader,
) -> dict[str, Any]:
    """A copy of ``credential`` with an ``eddsa-rdfc-2022`` DataIntegrityProof by ``key``.

    Raises ``UndefinedTerm`` if the credential has anything its contexts do not define,
    ``DocumentNotAvailable`` if a context is not one we ship, and ``ValueError`` if it already
    has a proof.
    """
    if "proof" in credential:
        raise ValueError("the credential already has a proof")
    if "@context" not in credential:
        raise ValueError("a credential without @context cannot be signed")
    problems = undefined_terms(credential, loader=loader)
    if problems:
        raise UndefinedTerm(problems)
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": date_time_stamp(created),
        "verificationMethod": key.key_id,
        "proofPurpose": PROOF_PURPOSE,
    }
    signature = key.private_key.sign(_hash_data(credential, proof, loader=loader))
    signed = copy.deepcopy(dict(credential))
    signed["proof"] = {**proof, "proofValue": base58btc_multibase(signature)}
    return signed


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def credential_problems(
    credential: Mapping[str, Any],
    *,
    public_keys: Mapping[str, str],
    loader: DocumentLoader = document_loader,
) -> list[str]:
    """Why ``credential``'s proof does not hold, in words; an empty list when it holds.

    ``public_keys`` maps verification method URLs to their ``publicKeyMultibase`` (see
    ``keys.verification_public_keys``). Only our own kind of proof is accepted: one
    DataIntegrityProof, ``eddsa-rdfc-2022``, for ``assertionMethod``, by a key of the issuer.
    """
    proof = credential.get("proof")
    if not isinstance(proof, dict):
        return ["the credential has no proof, or more than one"]
    expected = {"type": PROOF_TYPE, "cryptosuite": CRYPTOSUITE, "proofPurpose": PROOF_PURPOSE}
    problems = [
        f"proof {name} is {proof.get(name)!r}, not {value!r}"
        for name, value in expected.items()
        if proof.get(name) != value
    ]
    method = proof.get("verificationMethod")
    public_key = public_keys.get(method) if isinstance(method, str) else None
    if not isinstance(method, str) or public_key is None:
        problems.append(f"proof verificationMethod {method!r} is not one of the issuer's keys")
    elif method.partition("#")[0] != _issuer_id(credential):
        problems.append(
            f"the key {method!r} does not belong to the issuer {_issuer_id(credential)!r}"
        )
    try:
        created = proof.get("created")
        datetime.fromisoformat(str(created).replace("Z", "+00:00"))
    except ValueError:
        problems.append(f"proof created {created!r} is not a date and time")
    try:
        signature = base58btc_multibase_decode(str(proof.get("proofValue", "")))
    except MultibaseError:
        problems.append("proof proofValue is not multibase base58btc")
    if problems or public_key is None:
        return problems

    unsecured = {name: value for name, value in credential.items() if name != "proof"}
    try:
        undefined = undefined_terms(unsecured, loader=loader) + undefined_terms(
            {"@context": unsecured.get("@context"), **proof}, loader=loader
        )
        if undefined:
            return [f"not defined by the credential's contexts: {', '.join(undefined)}"]
        hash_data = _hash_data(unsecured, proof, loader=loader)
    except (jsonld.JsonLdError, DocumentNotAvailable) as error:
        return [f"the credential is not valid JSON-LD here: {error}"]
    try:
        public_key_from_multibase(public_key).verify(signature, hash_data)
    except SigningKeyInvalid as error:
        return [str(error)]
    except InvalidSignature:
        return ["the signature does not match the credential: it was changed after signing"]
    return []


def credential_verify(
    credential: Mapping[str, Any],
    *,
    public_keys: Mapping[str, str],
    loader: DocumentLoader = document_loader,
) -> bool:
    """Whether ``credential`` carries a valid proof by one of ``public_keys`` (our own check)."""
    return not credential_problems(credential, public_keys=public_keys, loader=loader)

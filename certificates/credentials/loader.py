"""The JSON-LD document loader: the contexts shipped in ``contexts/``, never the network.

A credential's meaning (and so its signature) depends on its contexts; fetching them at run time
would let whoever answers those URLs change what we sign, and would make signing depend on their
servers. ``contexts/README.md`` says which package and version each file comes from.
"""

import copy
import functools
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"

CREDENTIALS_V2_URL = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3_URL = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_V1_URL = "https://w3id.org/security/multikey/v1"
DID_V1_URL = "https://www.w3.org/ns/did/v1"

# URL -> file in contexts/.
CONTEXT_FILES: dict[str, str] = {
    CREDENTIALS_V2_URL: "credentials-v2.jsonld",
    OPEN_BADGES_V3_URL: "ob-v3p0-context-3.0.3.json",
    MULTIKEY_V1_URL: "multikey-v1.jsonld",
    DID_V1_URL: "did-v1.jsonld",
}

RemoteDocument = dict[str, Any]
DocumentLoader = Callable[..., RemoteDocument]


class DocumentNotAvailable(LookupError):
    """A URL the loader will not serve: neither a shipped context nor a document given to it."""

    def __init__(self, url: str):
        self.url = url
        super().__init__(
            f"{url!r} is not one of the JSON-LD contexts shipped in {CONTEXTS_DIR} "
            f"({', '.join(sorted(CONTEXT_FILES))}) nor a document given to the loader; "
            "documents are never fetched from the network"
        )


@functools.cache
def _context_parsed(url: str) -> dict[str, Any]:
    """The parsed context file for ``url``, read once per process."""
    with (CONTEXTS_DIR / CONTEXT_FILES[url]).open(encoding="utf-8") as file:
        return json.load(file)


def _remote_document(url: str, document: Mapping[str, Any]) -> RemoteDocument:
    """pyld's shape of a loaded document."""
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        # A copy: pyld must not be able to change the cached original.
        "document": copy.deepcopy(dict(document)),
    }


def document_loader(url: str, options: Mapping[str, Any] | None = None) -> RemoteDocument:
    """pyld's ``documentLoader``: a shipped context, or ``DocumentNotAvailable``."""
    if url not in CONTEXT_FILES:
        raise DocumentNotAvailable(url)
    return _remote_document(url, _context_parsed(url))


def document_not_available_in(error: BaseException) -> DocumentNotAvailable | None:
    """The ``DocumentNotAvailable`` behind a pyld error, if that is what it is.

    pyld wraps a loader's exception (in ``details["cause"]``, sometimes twice) under a message
    about CORS and HTTP headers, which would send whoever reads it in the wrong direction.
    """
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, DocumentNotAvailable):
            return current
        details = getattr(current, "details", None)
        if isinstance(details, dict) and isinstance(details.get("cause"), BaseException):
            pending.append(details["cause"])
        pending += [getattr(current, "cause", None), current.__cause__, current.__context__]
    return None


def document_loader_with(documents: Mapping[str, Mapping[str, Any]]) -> DocumentLoader:
    """A loader that also serves ``documents`` (URL -> JSON), e.g. an issuer profile in a test."""
    given = dict(documents)

    def load(url: str, options: Mapping[str, Any] | None = None) -> RemoteDocument:
        if url in given:
            return _remote_document(url, given[url])
        return document_loader(url, options)

    return load

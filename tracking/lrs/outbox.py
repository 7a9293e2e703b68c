"""What the LRS's outbox carries of each statement it stores: the few values of its JSON that
the statements' consumer (the progress engine) reads, taken out once when the statement is
stored so that applying it never parses the JSON again. Pure: no Django.

The values are those of the ADL xAPI Video Profile and of cmi5 that say which viewing session
a statement belongs to and what it reports; a reader that recomputes from the stored statements
asks the database for the same ``FACT_PATHS``.
"""

from __future__ import annotations

import json
from typing import Any

VIDEO = "https://w3id.org/xapi/video"
SEGMENTS_EXTENSION = f"{VIDEO}/extensions/played-segments"
SESSION_EXTENSION = f"{VIDEO}/extensions/session-id"
CMI5_SESSION_EXTENSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"

# By path; values are text as PostgreSQL's ``#>>`` gives them (non-strings as JSON).
FACT_PATHS: dict[str, tuple[str, ...]] = {
    "video_session": ("context", "extensions", SESSION_EXTENSION),
    "cmi5_session": ("context", "extensions", CMI5_SESSION_EXTENSION),
    "segments": ("result", "extensions", SEGMENTS_EXTENSION),
    "duration": ("result", "duration"),
}


def statement_facts(statement: dict[str, Any], *, marker: str) -> dict[str, Any]:
    """The values of ``FACT_PATHS`` in a statement (None where absent), and whether it carries
    the ``marker`` context extension (what the platform itself emitted)."""
    facts: dict[str, Any] = {}
    for name, path in FACT_PATHS.items():
        value: Any = statement
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        facts[name] = value if value is None or isinstance(value, str) else json.dumps(value)
    extensions = (statement.get("context") or {}).get("extensions") or {}
    facts["emitted_by_engine"] = marker in extensions
    return facts

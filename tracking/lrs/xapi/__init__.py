"""Pure xAPI: validate, identify, compare and format statements (no ORM, no HTTP).

The interface the LRS codes against; the submodules split it by concern:
``validation`` (xAPI 1.0.3 / 2.0.0 Data MUSTs), ``agents`` (identities, related sets),
``comparison`` (storage normalisation, Statement Comparison Requirements), ``formats``
(GET ``format`` parameter), ``versions`` (the version header) and ``syntax`` (IRIs, UUIDs,
language tags, ISO 8601).
"""

from tracking.lrs.xapi.agents import agent_ifi, statement_activities, statement_agents
from tracking.lrs.xapi.comparison import normalise_statement, same_statement
from tracking.lrs.xapi.errors import StatementInvalid
from tracking.lrs.xapi.formats import FORMATS, best_language, format_statement
from tracking.lrs.xapi.syntax import parse_json
from tracking.lrs.xapi.validation import (
    VOIDED_VERB,
    StorageLimits,
    validate_agent,
    validate_statement,
)
from tracking.lrs.xapi.versions import SUPPORTED_VERSIONS, parse_version_header

__all__ = [
    "FORMATS",
    "SUPPORTED_VERSIONS",
    "VOIDED_VERB",
    "StatementInvalid",
    "StorageLimits",
    "agent_ifi",
    "best_language",
    "format_statement",
    "normalise_statement",
    "parse_json",
    "parse_version_header",
    "same_statement",
    "statement_activities",
    "statement_agents",
    "validate_agent",
    "validate_statement",
]

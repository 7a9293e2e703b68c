"""Every statement case of ADL's LRS conformance suite, run against the pure validator.

The suite is not part of this repository: point ``LRS_SUITE_DIR`` at a checkout of
adlnet/lrs-conformance-test-suite (as ``make conformance`` does) and these tests read its
table-driven cases through ``tools/xapi_conformance_cases.js`` (Node). Without it they are
skipped. "expect" is the status the suite demands: 400 must raise StatementInvalid, 200 pass.
"""

import json
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tracking.lrs.xapi import StatementInvalid, validate_statement

SUITE = os.environ.get("LRS_SUITE_DIR", "")
EXTRACTOR = Path(__file__).resolve().parents[2] / "tools" / "xapi_conformance_cases.js"

pytestmark = pytest.mark.skipif(
    not SUITE or shutil.which("node") is None,
    reason="set LRS_SUITE_DIR to a checkout of the ADL LRS conformance suite (and install node)",
)


@cache
def _suite_cases(tree: str) -> list[dict[str, Any]]:
    if not SUITE:
        return []
    result = subprocess.run(  # noqa: S603 - our own script on the suite's own files
        ["node", str(EXTRACTOR), str(Path(SUITE) / "test" / tree)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout)


def _cases(tree: str) -> list[Any]:
    return [
        pytest.param(
            case["statement"], case["expect"][0], id=f"{case['file']}:{index}:{case['name']}"
        )
        for index, case in enumerate(_suite_cases(tree))
    ]


def _status(statement: object, version: str) -> int:
    try:
        validate_statement(statement, version=version)
    except StatementInvalid:
        return 400
    return 200


@pytest.mark.parametrize(("statement", "expect"), _cases("v1_0_3"))
def test_conformance_suite_v1_0_3_statement_cases(statement: object, expect: int) -> None:
    assert _status(statement, "1.0.3") == expect


@pytest.mark.parametrize(("statement", "expect"), _cases("v2_0"))
def test_conformance_suite_v2_0_statement_cases(statement: object, expect: int) -> None:
    assert _status(statement, "2.0.0") == expect

"""The one rule by which a certificate states hours, wherever it states them (the PDF, the
Open Badges credential, the verification page, the API): whole tenths of an hour, rounded
down, so that a certificate never states more than was earned, and the total is the sum of
the parts it states. Pure."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

TENTH = Decimal("0.1")


def tenths_of_hour(seconds: float) -> int:
    """Whole tenths of an hour in ``seconds``, rounded down. (A millisecond of slack: credited
    seconds are sums of floats, and 44,999.9999 s are 12.5 hours.)"""
    exact = Decimal(repr(max(0.0, float(seconds)) + 0.001)) / 360
    return int(exact.to_integral_value(rounding=ROUND_FLOOR))


def certified_hours(
    *, distance_seconds: float, in_person_seconds: float, webinar_seconds: float
) -> dict[str, Decimal]:
    """The hours a certificate states, by mode and in total (``Decimal`` with one decimal)."""
    tenths = {
        "distance": tenths_of_hour(distance_seconds),
        "in_person": tenths_of_hour(in_person_seconds),
        "webinar": tenths_of_hour(webinar_seconds),
    }
    tenths["total"] = sum(tenths.values())
    return {part: count * TENTH for part, count in tenths.items()}

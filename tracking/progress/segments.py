"""Pure: sets of intervals on a line (media seconds, or real seconds) and the ADL xAPI Video
Profile's ``played-segments`` notation.

A set is kept as sorted, disjoint, non-touching ``(start, end)`` pairs with ``start < end``, so
that its measure is a plain sum and every operation is a merge of sorted lists.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Iterator

Interval = tuple[float, float]


class IntervalSet:
    """A union of intervals; adding returns what was new, so nothing ever counts twice."""

    __slots__ = ("_starts", "_ends")

    def __init__(self, intervals: Iterable[Interval] = ()):
        self._starts: list[float] = []
        self._ends: list[float] = []
        for start, end in intervals:
            self.add(start, end)

    def __iter__(self) -> Iterator[Interval]:
        return iter(zip(self._starts, self._ends, strict=True))

    def __len__(self) -> int:
        return len(self._starts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IntervalSet) and list(self) == list(other)

    def __repr__(self) -> str:
        return f"IntervalSet({list(self)!r})"

    def copy(self) -> IntervalSet:
        copied = IntervalSet()
        copied._starts, copied._ends = list(self._starts), list(self._ends)
        return copied

    @property
    def measure(self) -> float:
        return sum(end - start for start, end in self)

    def to_list(self) -> list[list[float]]:
        return [[start, end] for start, end in self]

    def missing(self, start: float, end: float) -> list[Interval]:
        """The parts of [start, end] not in the set, in order."""
        if end <= start:
            return []
        gaps = []
        cursor = start
        index = bisect.bisect_right(self._ends, start)  # first interval ending after start
        while index < len(self._starts) and self._starts[index] < end:
            if self._starts[index] > cursor:
                gaps.append((cursor, self._starts[index]))
            cursor = max(cursor, self._ends[index])
            index += 1
        if cursor < end:
            gaps.append((cursor, end))
        return gaps

    def add(self, start: float, end: float) -> list[Interval]:
        """Add [start, end]; returns the parts that were not in the set before."""
        if not (math.isfinite(start) and math.isfinite(end)) or end <= start:
            return []
        new = self.missing(start, end)
        if not new:
            return []
        # merge with every interval that overlaps or touches [start, end]
        low = bisect.bisect_left(self._ends, start)
        high = bisect.bisect_right(self._starts, end)
        if low < high:
            start = min(start, self._starts[low])
            end = max(end, self._ends[high - 1])
        self._starts[low:high] = [start]
        self._ends[low:high] = [end]
        return new

    def take(self, amount: float, within: Iterable[Interval]) -> list[Interval]:
        """Claim up to ``amount`` of the parts of ``within`` not in the set, earliest first;
        returns what was claimed (now in the set)."""
        claimed: list[Interval] = []
        for start, end in within:
            for gap_start, gap_end in self.missing(start, end):
                if amount <= 0:
                    break
                piece_end = min(gap_end, gap_start + amount)
                claimed.append((gap_start, piece_end))
                amount -= piece_end - gap_start
        for start, end in claimed:
            self.add(start, end)
        return claimed

    def free_within(self, within: Iterable[Interval]) -> float:
        """How much of ``within`` is not in the set."""
        return sum(e - s for start, end in within for s, e in self.missing(start, end))

    def drop_before(self, moment: float) -> None:
        """Forget everything that ends before ``moment`` (nothing later can reach back there)."""
        index = bisect.bisect_left(self._ends, moment)
        del self._starts[:index], self._ends[:index]


def measure(intervals: Iterable[Interval]) -> float:
    return sum(end - start for start, end in intervals)


def parse_played_segments(text: str) -> list[Interval]:
    """The intervals of a Video Profile ``played-segments`` value (``"0[.]5.4[,]11.2[.]18.9"``);
    ValueError when it is not that notation. A segment still open at the end of the value
    (``"12[.]"``, allowed in some statements) is left out: it has not been played to any end."""
    found: list[Interval] = []
    if not text.strip():
        return found
    for part in text.split("[,]"):
        start_text, separator, end_text = part.partition("[.]")
        if not separator:
            raise ValueError(f"not a played segment: {part!r}")
        if not end_text.strip():
            continue
        start, end = float(start_text), float(end_text)
        if not (math.isfinite(start) and math.isfinite(end)) or start < 0 or end < 0:
            raise ValueError(f"not a played segment: {part!r}")
        if end > start:
            found.append((start, end))
    return found


def clip(intervals: Iterable[Interval], low: float, high: float) -> list[Interval]:
    """The parts of the intervals inside [low, high]."""
    return [
        (max(start, low), min(end, high))
        for start, end in intervals
        if min(end, high) > max(start, low)
    ]

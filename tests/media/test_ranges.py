"""HTTP Range headers (RFC 9110 §14): one satisfiable byte range → 206, the rest → 200 or 416."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from media.ranges import (
    RangeNotSatisfiable,
    content_range,
    parse_byte_range,
    unsatisfied_content_range,
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", (0, 99)),
        ("bytes=500-", (500, 999)),
        ("bytes=-100", (900, 999)),
        ("bytes=999-999", (999, 999)),
        ("bytes=0-0", (0, 0)),
    ],
)
def test_parse_byte_range_returns_the_inclusive_range_when_it_is_satisfiable(header, expected):
    assert parse_byte_range(header, size=1000) == expected


def test_parse_byte_range_clips_the_last_byte_when_it_is_past_the_end():
    assert parse_byte_range("bytes=900-5000", size=1000) == (900, 999)


def test_parse_byte_range_returns_the_whole_file_as_a_range_when_the_suffix_is_longer():
    assert parse_byte_range("bytes=-5000", size=1000) == (0, 999)


@pytest.mark.parametrize(
    "header",
    ["BYTES=0-99", " bytes = 0 - 99 ", "bytes=\t0-99\t", "bytes=0-99,", "bytes=, 0-99 ,"],
)
def test_parse_byte_range_tolerates_case_and_blanks_when_the_range_is_valid(header):
    assert parse_byte_range(header, size=1000) == (0, 99)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "bytes",
        "bytes=",
        "bytes=,",
        "items=0-99",
        "bytes 0-99",
        "bytes=abc",
        "bytes=-",
        "bytes=--5",
        "bytes=5",
        "bytes=0-99-",
        "bytes=+5-9",
        "bytes=0x10-20",
        "bytes=٠-٩",  # Arabic-Indic digits are digits to Python, not to HTTP
        "bytes=99-0",
    ],
)
def test_parse_byte_range_sends_the_whole_file_when_the_header_is_absent_or_invalid(header):
    assert parse_byte_range(header, size=1000) is None


@pytest.mark.parametrize("header", ["bytes=0-9,20-29", "bytes=0-9, -5", "bytes=5000-,0-1"])
def test_parse_byte_range_sends_the_whole_file_when_several_ranges_are_asked(header):
    assert parse_byte_range(header, size=1000) is None


@pytest.mark.parametrize(
    ("header", "size"),
    [
        ("bytes=1000-", 1000),
        ("bytes=1000-2000", 1000),
        ("bytes=-0", 1000),
        ("bytes=0-", 0),
        ("bytes=0-0", 0),
        ("bytes=-5", 0),
    ],
)
def test_parse_byte_range_raises_not_satisfiable_when_no_requested_byte_exists(header, size):
    with pytest.raises(RangeNotSatisfiable) as raised:
        parse_byte_range(header, size=size)

    assert raised.value.size == size


def test_parse_byte_range_ignores_an_invalid_header_when_the_file_is_empty():
    assert parse_byte_range("bytes=abc", size=0) is None


def test_content_range_names_the_range_and_the_size():
    assert content_range(0, 99, 1000) == "bytes 0-99/1000"


def test_unsatisfied_content_range_names_only_the_size():
    assert unsatisfied_content_range(1000) == "bytes */1000"


@given(data=st.data(), size=st.integers(min_value=1, max_value=10**12))
def test_parse_byte_range_stays_inside_the_file_when_first_is_inside(data, size):
    first = data.draw(st.integers(min_value=0, max_value=size - 1))
    last = data.draw(st.none() | st.integers(min_value=first, max_value=2 * size))
    header = f"bytes={first}-{'' if last is None else last}"

    result = parse_byte_range(header, size=size)

    assert result is not None
    assert 0 <= result[0] <= result[1] <= size - 1
    assert result == (first, size - 1 if last is None else min(last, size - 1))


@given(size=st.integers(min_value=1, max_value=10**12), suffix=st.integers(min_value=1))
def test_parse_byte_range_returns_the_last_bytes_when_a_suffix_is_asked(size, suffix):
    first, last = parse_byte_range(f"bytes=-{suffix}", size=size) or (-1, -1)

    assert last == size - 1
    assert last - first + 1 == min(suffix, size)


@given(header=st.text(), size=st.integers(min_value=0, max_value=10**6))
def test_parse_byte_range_never_fails_otherwise_when_the_header_is_arbitrary(header, size):
    try:
        result = parse_byte_range(f"bytes={header}", size=size)
    except RangeNotSatisfiable:
        return

    assert result is None or 0 <= result[0] <= result[1] <= size - 1

"""Caption files: WebVTT and SubRip in, clean WebVTT or an error naming the line to fix out."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from media.captions import caption_language_valid, caption_to_webvtt
from media.exceptions import CaptionInvalid

CLEAN_VTT = (
    "WEBVTT\n"
    "\n"
    "00:00:01.000 --> 00:00:04.000\n"
    "Benvenuti al corso.\n"
    "\n"
    "saluti\n"
    "00:00:05.000 --> 00:00:07.500 line:0 align:start\n"
    "<i>Buongiorno</i> a tutti,\n"
    "e grazie.\n"
)
NOT_CAPTIONS = (
    "“%s” is neither WebVTT nor SubRip (SRT): a WebVTT file starts with “WEBVTT”, an SRT file "
    "with a cue number and a timing line like 00:00:01,000 --> 00:00:02,000."
)


def _error(data: bytes, filename: str = "sottotitoli.vtt") -> tuple[int | None, str]:
    with pytest.raises(CaptionInvalid) as raised:
        caption_to_webvtt(data, filename=filename)
    return raised.value.line, str(raised.value.message)


def _vtt(*cues: str) -> bytes:
    return ("WEBVTT\n\n" + "\n\n".join(cues) + "\n").encode()


def _time(ms: int, separator: str = ".") -> str:
    hours, minutes, seconds = ms // 3_600_000, ms // 60_000 % 60, ms // 1000 % 60
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{ms % 1000:03d}"


# WebVTT in


def test_caption_to_webvtt_returns_the_same_text_when_the_webvtt_is_already_clean():
    assert caption_to_webvtt(CLEAN_VTT.encode(), filename="lezione.vtt") == CLEAN_VTT


def test_caption_to_webvtt_drops_the_bom_and_carriage_returns_when_made_on_windows():
    data = b"\xef\xbb\xbf" + CLEAN_VTT.replace("\n", "\r\n").encode()

    assert caption_to_webvtt(data, filename="lezione.vtt") == CLEAN_VTT


def test_caption_to_webvtt_reads_lone_carriage_returns_as_line_ends():
    data = CLEAN_VTT.replace("\n", "\r").encode()

    assert caption_to_webvtt(data, filename="lezione.vtt") == CLEAN_VTT


def test_caption_to_webvtt_writes_full_timestamps_when_hours_are_left_out():
    data = b"WEBVTT\n\n00:01.000-->00:02.500   align:end    size:50%  \nCiao\n"

    assert caption_to_webvtt(data, filename="a.vtt") == (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.500 align:end size:50%\nCiao\n"
    )


def test_caption_to_webvtt_accepts_hours_beyond_99_when_written_with_more_digits():
    data = _vtt("100:00:00.000 --> 100:00:01.000\nFine")

    assert caption_to_webvtt(data, filename="a.vtt") == (
        "WEBVTT\n\n100:00:00.000 --> 100:00:01.000\nFine\n"
    )


def test_caption_to_webvtt_keeps_the_title_metadata_and_non_cue_blocks():
    text = (
        "WEBVTT - Lezione 1\n"
        "Kind: captions\n"
        "Language: it\n"
        "\n"
        "STYLE\n"
        "::cue { color: yellow; }\n"
        "\n"
        "REGION\n"
        "id:fred width:40%\n"
        "\n"
        "NOTE rivisto il 3 marzo\n"
        "\n"
        "00:00:01.000 --> 00:00:02.000 region:fred\n"
        "Ciao\n"
        "\n"
        "NOTE\n"
        "a comment after a cue\n"
    )

    assert caption_to_webvtt(text.encode(), filename="a.vtt") == text


def test_caption_to_webvtt_keeps_a_cue_without_text_when_the_file_is_webvtt():
    data = _vtt("00:00:01.000 --> 00:00:02.000", "00:00:03.000 --> 00:00:04.000\nDopo")

    assert caption_to_webvtt(data, filename="a.vtt") == (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n\n00:00:03.000 --> 00:00:04.000\nDopo\n"
    )


def test_caption_to_webvtt_collapses_blank_runs_and_trailing_spaces():
    data = b"WEBVTT   \n\n\n \t\n00:00:01.000 --> 00:00:02.000  \nCiao  \n\n\n\n"

    assert caption_to_webvtt(data, filename="a.vtt") == (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nCiao\n"
    )


def test_caption_to_webvtt_keeps_cues_with_the_same_start_time():
    data = _vtt("00:00:01.000 --> 00:00:02.000\nUno", "00:00:01.000 --> 00:00:03.000\nDue")

    assert caption_to_webvtt(data, filename="a.vtt") == data.decode()


def test_caption_to_webvtt_reads_the_content_not_the_name_when_a_webvtt_is_named_srt():
    assert caption_to_webvtt(CLEAN_VTT.encode(), filename="lezione.srt") == CLEAN_VTT


# SubRip in


def test_caption_to_webvtt_converts_subrip_when_the_file_is_srt():
    data = (
        b"1\r\n"
        b"00:00:01,000 --> 00:00:04,000\r\n"
        b"Benvenuti al corso.\r\n"
        b"\r\n"
        b"2\r\n"
        b"00:00:05,000 --> 00:00:07,500\r\n"
        b"<i>Buongiorno</i> a tutti,\r\n"
        b"e grazie.\r\n"
    )

    assert caption_to_webvtt(data, filename="lezione.srt") == (
        "WEBVTT\n"
        "\n"
        "1\n"
        "00:00:01.000 --> 00:00:04.000\n"
        "Benvenuti al corso.\n"
        "\n"
        "2\n"
        "00:00:05.000 --> 00:00:07.500\n"
        "<i>Buongiorno</i> a tutti,\n"
        "e grazie.\n"
    )


def test_caption_to_webvtt_reads_the_content_not_the_name_when_a_subrip_is_named_vtt():
    data = b"1\n00:00:01,000 --> 00:00:02,000\nCiao\n"

    assert caption_to_webvtt(data, filename="lezione.vtt") == (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nCiao\n"
    )


def test_caption_to_webvtt_reads_windows_1252_when_an_srt_is_not_utf8():
    data = "1\r\n00:00:01,000 --> 00:00:02,000\r\nPerché sì, così è.\r\n".encode("cp1252")

    assert caption_to_webvtt(data, filename="lezione.srt") == (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nPerché sì, così è.\n"
    )


def test_caption_to_webvtt_reads_utf8_with_a_bom_when_an_srt_has_one():
    data = "\ufeff1\n00:00:01,000 --> 00:00:02,000\nPerché\n".encode()

    assert caption_to_webvtt(data, filename="lezione.srt") == (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nPerché\n"
    )


def test_caption_to_webvtt_keeps_basic_tags_and_drops_font_and_ass_tags_when_converting_srt():
    data = (
        b"1\n"
        b"00:00:01,000 --> 00:00:02,000\n"
        b'{\\an8}<font color="#ffff00">In alto</font> <B>forte</B> <u>sotto</u>\n'
        b"{\\pos(10,10)}\n"
        b"<FONT face=Arial></FONT>\n"
        b"fine\n"
    )

    assert caption_to_webvtt(data, filename="a.srt") == (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nIn alto <b>forte</b> <u>sotto</u>\nfine\n"
    )


def test_caption_to_webvtt_escapes_ampersands_and_stray_angle_brackets_when_converting_srt():
    data = b"1\n00:00:01,000 --> 00:00:02,000\nSoci & amici &amp; <3 <i>ok</i> a<b\n"

    assert caption_to_webvtt(data, filename="a.srt") == (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\n"
        "Soci &amp; amici &amp; &lt;3 <i>ok</i> a&lt;b\n"
    )


def test_caption_to_webvtt_drops_position_hints_when_an_srt_timing_has_them():
    data = b"1\n00:00:01.000 --> 00:00:02.000  X1:40 X2:600 Y1:20 Y2:50\nCiao\n"

    assert caption_to_webvtt(data, filename="a.srt") == (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nCiao\n"
    )


def test_caption_to_webvtt_keeps_an_srt_cue_without_text():
    data = b"\n\n1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:03,000 --> 00:00:04,000\nDopo\n"

    assert caption_to_webvtt(data, filename="a.srt") == (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\n\n2\n00:00:03.000 --> 00:00:04.000\nDopo\n"
    )


# Whole-file errors


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b" \r\n\t\n"])
def test_caption_to_webvtt_raises_when_the_file_is_empty(data):
    assert _error(data, "vuoto.vtt") == (None, "“vuoto.vtt” is empty.")


@pytest.mark.parametrize(
    "data",
    [
        b"Appunti della lezione\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b" WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nCiao\n",
        b"00:00:01,000 --> 00:00:02,000\nCiao\n",
        b"1\nCiao\n",
    ],
)
def test_caption_to_webvtt_raises_when_the_file_is_neither_webvtt_nor_srt(data):
    assert _error(data, "note.txt") == (None, NOT_CAPTIONS % "note.txt")


def test_caption_to_webvtt_asks_for_utf8_when_the_file_is_utf16():
    data = "WEBVTT\n".encode("utf-16")

    assert _error(data, "a.vtt") == (
        None,
        "“a.vtt” is saved as UTF-16: save it as UTF-8 and upload it again.",
    )


def test_caption_to_webvtt_raises_when_a_webvtt_file_has_no_cues():
    assert _error(b"WEBVTT\n\nNOTE solo un commento\n") == (None, "This caption file has no cues.")


def test_caption_invalid_carries_the_error_contract():
    with pytest.raises(CaptionInvalid) as raised:
        caption_to_webvtt(b"WEBVTT\n\n00:00:02.000 --> 00:00:01.000\n", filename="a.vtt")

    assert (raised.value.code, raised.value.status_code) == ("caption_invalid", 400)
    assert raised.value.extra == {"line": 3}


# Errors on a line


def test_caption_to_webvtt_names_the_line_when_a_webvtt_line_is_not_utf8():
    data = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nPerch\xe8\n"

    assert _error(data) == (4, "Line 4 is not UTF-8 text: save the WebVTT file as UTF-8.")


def test_caption_to_webvtt_names_the_line_when_an_srt_is_neither_utf8_nor_windows_1252():
    data = (
        b"1\r\n00:00:01,000 --> 00:00:02,000\r\nCiao\r\n\r\n"
        b"2\r\n00:00:03,000 --> 00:00:04,000\r\n\x81\x8d\r\n"
    )

    assert _error(data, "a.srt") == (
        7,
        "Line 7 is neither UTF-8 nor Windows-1252 text: save the file as UTF-8.",
    )


@pytest.mark.parametrize("header", [b"WEBVTTX", b"WEBVTT-Lezione", b"WEBVTT:"])
def test_caption_to_webvtt_raises_when_the_header_is_not_followed_by_a_space(header):
    line, message = _error(header + b"\n\n00:00:01.000 --> 00:00:02.000\nCiao\n")

    assert (line, message) == (
        1,
        "Line 1: the first line must be “WEBVTT”, alone or followed by a space and a title, "
        f"not “{header.decode()}”.",
    )


def test_caption_to_webvtt_raises_when_a_cue_follows_the_header_without_a_blank_line():
    assert _error(b"WEBVTT\nKind: captions\n00:00:01.000 --> 00:00:02.000\nCiao\n") == (
        3,
        "Line 3: leave a blank line between “WEBVTT” and the first cue.",
    )


@pytest.mark.parametrize(
    "timing",
    [
        "00:00:05,000 --> 00:00:07,000",
        "00:00:05.000 -> 00:00:07.000",
        "00:00:05.000 --> 00:00:07",
        "0:00:05.000 --> 0:00:07.000",
        "00:05.00 --> 00:07.00",
        "00:00:05.000 00:00:07.000",
        "00:00:05.000 --> ",
    ],
)
def test_caption_to_webvtt_raises_when_a_webvtt_timing_is_malformed(timing):
    data = _vtt("00:00:01.000 --> 00:00:02.000\nPrima", f"{timing}\nPoi")

    assert _error(data) == (
        6,
        f"Line 6: the cue timing “{timing.strip()}” is not valid: expected “start --> end” "
        "like 00:00:05.000 --> 00:00:07.000.",
    )


def test_caption_to_webvtt_raises_when_an_srt_timing_is_malformed():
    data = (
        b"1\n00:00:01,000 --> 00:00:02,000\nPrima\n\n"
        b"2\n00:00:03,000 --> 00:00:04,000\nSeconda\n\n"
        b"3\n00:00:05,000 -> 00:00:07,000\nTerza\n"
    )

    assert _error(data, "a.srt") == (
        10,
        "Line 10: the cue timing “00:00:05,000 -> 00:00:07,000” is not valid: expected "
        "“start --> end” like 00:00:05,000 --> 00:00:07,000.",
    )


def test_caption_to_webvtt_raises_when_an_srt_timing_has_something_else_after_it():
    data = b"1\n00:00:01,000 --> 00:00:02,000 align:start\nCiao\n"

    assert _error(data, "a.srt") == (
        2,
        "Line 2: the cue timing “00:00:01,000 --> 00:00:02,000 align:start” is not valid: "
        "expected “start --> end” like 00:00:05,000 --> 00:00:07,000.",
    )


def test_caption_to_webvtt_shortens_the_quoted_timing_when_it_is_very_long():
    timing = "00:00:01.000 --> " + "x" * 100

    _line, message = _error(_vtt(timing))

    assert f"“{timing[:59]}…”" in message


@pytest.mark.parametrize(
    ("timing", "time"),
    [
        ("00:60.000 --> 01:02.000", "00:60.000"),
        ("00:00:01.000 --> 00:00:60.000", "00:00:60.000"),
        ("00:60:00.000 --> 01:00:00.000", "00:60:00.000"),
        ("60:00.000 --> 61:00.000", "60:00.000"),
    ],
)
def test_caption_to_webvtt_raises_when_minutes_or_seconds_reach_60(timing, time):
    assert _error(_vtt(f"{timing}\nCiao")) == (
        3,
        f"Line 3: “{time}” is not a valid time: minutes and seconds go from 00 to 59.",
    )


def test_caption_to_webvtt_raises_when_srt_seconds_reach_60():
    assert _error(b"1\n00:00:59,000 --> 00:00:60,500\nCiao\n", "a.srt") == (
        2,
        "Line 2: “00:00:60,500” is not a valid time: minutes and seconds go from 00 to 59.",
    )


@pytest.mark.parametrize(
    ("timing", "start", "end"),
    [
        ("00:00:07.000 --> 00:00:05.000", "00:00:07.000", "00:00:05.000"),
        ("00:05.000 --> 00:05.000", "00:05.000", "00:05.000"),
    ],
)
def test_caption_to_webvtt_raises_when_a_cue_does_not_end_after_it_starts(timing, start, end):
    assert _error(_vtt(f"{timing}\nCiao")) == (
        3,
        f"Line 3: the cue ends at {end}, which is not after its start at {start}.",
    )


def test_caption_to_webvtt_raises_when_a_webvtt_cue_starts_before_the_previous_one():
    data = _vtt(
        "00:00:05.000 --> 00:00:06.000\nUno",
        "intro\n00:00:04.000 --> 00:00:08.000\nDue",
    )

    assert _error(data) == (
        7,
        "Line 7: this cue starts at 00:00:04.000, before the previous cue (00:00:05.000): "
        "cues must be in order of start time.",
    )


def test_caption_to_webvtt_raises_when_an_srt_cue_starts_before_the_previous_one():
    data = b"1\n00:00:05,000 --> 00:00:06,000\nUno\n\n2\n00:00:04,000 --> 00:00:08,000\nDue\n"

    assert _error(data, "a.srt") == (
        6,
        "Line 6: this cue starts at 00:00:04,000, before the previous cue (00:00:05,000): "
        "cues must be in order of start time.",
    )


@pytest.mark.parametrize("settings", ["line0", "align:start size", "align:"])
def test_caption_to_webvtt_raises_when_cue_settings_are_not_name_value_pairs(settings):
    assert _error(_vtt(f"00:00:01.000 --> 00:00:02.000 {settings}\nCiao")) == (
        3,
        f"Line 3: the cue settings “{settings}” are not valid: write them as name:value pairs "
        "like “line:0 align:start”.",
    )


@pytest.mark.parametrize(
    ("cue", "line", "found"),
    [("Testo senza tempi", 3, "Testo senza tempi"), ("intro\nTesto", 4, "Testo")],
)
def test_caption_to_webvtt_raises_when_a_webvtt_block_has_no_timing(cue, line, found):
    assert _error(_vtt(cue)) == (
        line,
        f"Line {line}: expected a cue timing like 00:00:05.000 --> 00:00:07.000, found “{found}”.",
    )


def test_caption_to_webvtt_raises_when_webvtt_cues_are_not_separated_by_a_blank_line():
    data = _vtt("00:00:01.000 --> 00:00:02.000\nUno\n00:00:03.000 --> 00:00:04.000\nDue")

    assert _error(data) == (5, "Line 5: leave a blank line before each cue.")


def test_caption_to_webvtt_names_the_cue_number_when_srt_cues_are_not_separated():
    data = b"1\n00:00:01,000 --> 00:00:02,000\nUno\n2\n00:00:03,000 --> 00:00:04,000\nDue\n"

    assert _error(data, "a.srt") == (4, "Line 4: leave a blank line before each cue.")


@pytest.mark.parametrize("kind", ["STYLE", "REGION"])
def test_caption_to_webvtt_raises_when_a_style_or_region_block_follows_a_cue(kind):
    data = _vtt("00:00:01.000 --> 00:00:02.000\nUno", f"{kind}\nid:x")

    assert _error(data) == (6, f"Line 6: a {kind} block must come before the first cue.")


def test_caption_to_webvtt_raises_when_a_note_contains_an_arrow():
    data = _vtt("NOTE\nprima -->\ndopo", "00:00:01.000 --> 00:00:02.000\nUno")

    assert _error(data) == (4, "Line 4: a NOTE block cannot contain “-->”.")


def test_caption_to_webvtt_raises_when_an_srt_cue_has_no_number():
    data = b"1\n00:00:01,000 --> 00:00:02,000\nUno\n\nDue\n"

    assert _error(data, "a.srt") == (5, "Line 5: expected a cue number, found “Due”.")


@pytest.mark.parametrize(
    "second_cue", [b"2\nDue\n", b"2\n", b"2\n\n00:00:03,000 --> 00:00:04,000\nDue\n"]
)
def test_caption_to_webvtt_raises_when_an_srt_cue_number_has_no_timing(second_cue):
    data = b"1\n00:00:01,000 --> 00:00:02,000\nUno\n\n" + second_cue

    assert _error(data, "a.srt") == (
        5,
        "Line 5: cue 2 has no timing: the line after a cue number must be like "
        "00:00:05,000 --> 00:00:07,000.",
    )


# Language tags


@pytest.mark.parametrize("code", ["it", "en", "sl", "de-CH", "ita", "zh-Hant-TW", "es-419"])
def test_caption_language_valid_accepts_simple_bcp47_tags(code):
    assert caption_language_valid(code)


@pytest.mark.parametrize(
    "code", ["", "i", "italiano", "it_IT", "it-", "de-C", "en-abcdefghi", " it", "it\n", "3n"]
)
def test_caption_language_valid_refuses_other_text(code):
    assert not caption_language_valid(code)


# Properties

CUE_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
    min_size=1,
    max_size=40,
).filter(lambda text: text.strip() and "-->" not in text)
PLAIN_TEXT = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?'\"àèéìòù",
    min_size=1,
    max_size=40,
).filter(lambda text: text.strip())


@st.composite
def srt_cues(draw, text=CUE_TEXT):
    """(start ms, end ms, text lines) of valid cues in order of start time."""
    starts = sorted(draw(st.lists(st.integers(0, 100 * 3_600_000), min_size=1, max_size=8)))
    return [
        (start, start + draw(st.integers(1, 3_600_000)), draw(st.lists(text, max_size=3)))
        for start in starts
    ]


def _srt(cues, *, separator=",", newline="\n") -> str:
    return newline.join(
        f"{number}{newline}{_time(start, separator)} --> {_time(end, separator)}{newline}"
        + "".join(line + newline for line in lines)
        for number, (start, end, lines) in enumerate(cues, start=1)
    )


@given(
    cues=srt_cues(), separator=st.sampled_from([",", "."]), newline=st.sampled_from(["\n", "\r\n"])
)
def test_caption_to_webvtt_is_idempotent_when_converting_valid_srt(cues, separator, newline):
    vtt = caption_to_webvtt(
        _srt(cues, separator=separator, newline=newline).encode(), filename="a.srt"
    )

    assert caption_to_webvtt(vtt.encode(), filename="a.vtt") == vtt
    assert vtt.startswith("WEBVTT\n\n")
    assert vtt.endswith("\n")
    assert "\r" not in vtt
    assert vtt.count(" --> ") == len(cues)


@given(cues=srt_cues(text=PLAIN_TEXT))
def test_caption_to_webvtt_converts_plain_srt_exactly_in_utf8_and_windows_1252(cues):
    expected = (
        "WEBVTT\n\n"
        + "\n\n".join(
            "\n".join(
                [
                    str(number),
                    f"{_time(start)} --> {_time(end)}",
                    *(line.rstrip() for line in lines),
                ]
            )
            for number, (start, end, lines) in enumerate(cues, start=1)
        )
        + "\n"
    )
    srt = _srt(cues, newline="\r\n")

    assert caption_to_webvtt(srt.encode(), filename="a.srt") == expected
    assert caption_to_webvtt(srt.encode("cp1252"), filename="a.srt") == expected
    assert caption_to_webvtt(expected.encode(), filename="a.vtt") == expected

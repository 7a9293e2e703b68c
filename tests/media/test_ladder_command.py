"""What media.ffmpeg's command builders ask ffmpeg to do, read back from the argv they build.

One input decoded once, its picture split into every rendition (by the short side, never above
the source), the poster and the preview frames; the HLS options; the audio-only rendition; the
sheets. bench/transcode.py times a hand-written command line against the project's transcode:
these tests are what makes the two the same work. No ffmpeg is run.
"""

import re
from pathlib import Path
from typing import Any

import pytest

from media.ffmpeg import ladder_command, sheets_command
from media.ladder import Ladder, Probe, ladder_for, probe_from_ffprobe

SOURCE = "/src/lecture.mp4"
WORK = Path("/work/ladder")
FLAGS = {"-y", "-nostdin", "-nostats", "-hide_banner"}
# Every HLS rendition's options, whatever the source (bench/transcode.py's reference_argv).
HLS = {
    "-f": "hls",
    "-vcodec": "libx264",
    "-preset": "veryfast",
    "-crf": "23",
    "-pix_fmt": "yuv420p",
    "-force_key_frames": "expr:gte(t,n_forced*6)",
    "-sc_threshold": "0",
    "-acodec": "aac",
    "-ac": "2",
    "-hls_time": "6",
    "-hls_playlist_type": "vod",
    "-hls_segment_type": "fmp4",
    "-hls_fmp4_init_filename": "init.mp4",
    "-hls_flags": "independent_segments",
    "-hls_segment_filename": f"{WORK}/%v/seg_%05d.m4s",
    "-master_pl_name": "master.m3u8",
}


def parse(argv: list[str]) -> dict[str, Any]:
    """An ffmpeg argv as its inputs and outputs ((options, path); an output's -map values,
    resolved through the filter graph to the filters from the input on, under "maps"), the
    filter graph's text, and the global flags and options (those after the last output)."""
    inputs, outputs, flags = [], [], set()
    options: dict[str, Any] = {"maps": []}
    tokens = iter(argv[1:])
    for token in tokens:
        if token in FLAGS:
            flags.add(token)
        elif token.startswith("-"):
            value = next(tokens)
            if token == "-i":
                inputs.append(({k: v for k, v in options.items() if k != "maps"}, value))
                options = {"maps": []}
            elif token == "-map":
                options["maps"].append(value)
            else:
                options[token] = value
        else:
            outputs.append((options, token))
            options = {"maps": []}
    graph = outputs[0][0].pop("-filter_complex", "")
    streams = filter_streams(graph)
    for output, _path in outputs:
        output["maps"] = [streams.get(m.strip("[]"), m) for m in output["maps"]]
    options.pop("maps")
    return {
        "inputs": inputs,
        "outputs": outputs,
        "graph": graph,
        "flags": flags,
        "globals": options,
    }


def filter_streams(graph: str) -> dict[str, list[str]]:
    """Each labelled output of a filter graph -> the filters from its input to it."""
    made: dict[str, list[str]] = {}
    for chain in graph.split(";") if graph else []:
        found = re.fullmatch(r"((?:\[[^\]]+\])+)(.+?)((?:\[[^\]]+\])+)", chain)
        assert found, chain
        source, *_others = re.findall(r"\[([^\]]+)\]", found[1])
        for label in re.findall(r"\[([^\]]+)\]", found[3]):
            made[label] = [*made.get(source, [source]), found[2]]
    return made


def probe(
    width: int, height: int, *, seconds: float, fps: str = "25/1", audio: bool = True, **more: Any
) -> Probe:
    """What probe_from_ffprobe makes of ffprobe's JSON for such a source."""
    video = {"codec_type": "video", "width": width, "height": height, "avg_frame_rate": fps}
    streams = [{**video, **more}, *([{"codec_type": "audio"}] if audio else [])]
    return probe_from_ffprobe({"format": {"duration": str(seconds)}, "streams": streams})


def command(ladder: Ladder) -> dict[str, Any]:
    return parse(ladder_command(source=SOURCE, workdir=WORK, ladder=ladder, binary="ffmpeg"))


def test_a_1080p_lecture_is_decoded_once_into_four_renditions_audio_poster_and_frames() -> None:
    ladder = ladder_for(probe(1920, 1080, seconds=600))
    built = command(ladder)

    assert built["inputs"] == [({}, SOURCE)]
    assert built["graph"].count("[0:v]") == 1  # one decode, one split for everything
    assert built["graph"].count("split=") == 1
    hls, poster, frames = built["outputs"]
    decoded = ["0:v", "fps=fps=25.0", "split=6"]
    sizes = [("1920:1080", "4500", "9000"), ("1280:720", "2500", "5000")]
    sizes += [("854:480", "1200", "2400"), ("640:360", "700", "1400")]
    renditions = [[*decoded, f"scale={size}", "setsar=1"] for size, _peak, _buffer in sizes]
    assert hls[0]["maps"] == [
        *[stream for video in renditions for stream in (video, "0:a:0")],
        "0:a:0",  # the audio-only rendition
    ]
    assert hls[1] == f"{WORK}/%v/index.m3u8"
    rates = {f"-maxrate:v:{i}": f"{peak}k" for i, (_s, peak, _b) in enumerate(sizes)}
    rates |= {f"-bufsize:v:{i}": f"{buffer}k" for i, (_s, _p, buffer) in enumerate(sizes)}
    audio = {f"-b:a:{i}": "128k" for i in range(4)} | {"-b:a:4": "64k"}
    streams = "v:0,a:0,name:1080p v:1,a:1,name:720p v:2,a:2,name:480p v:3,a:3,name:360p"
    assert {k: v for k, v in hls[0].items() if k != "maps"} == {
        **HLS,
        **rates,
        **audio,
        "-var_stream_map": f"{streams} a:4,name:audio",
    }
    assert poster == (
        {
            "maps": [[*decoded, "select=gte(t\\,10.000)", "scale=-2:720"]],
            "-q:v": "3",
            "-vframes": "1",
        },
        f"{WORK}/poster.jpg",
    )
    assert frames == (
        {"maps": [[*decoded, "fps=fps=1/10:round=up:start_time=0", "scale=160:90"]], "-q:v": "5"},
        f"{WORK}/frames/%05d.jpg",
    )
    assert built["flags"] == {"-nostdin", "-nostats", "-y"}
    assert built["globals"] == {"-loglevel": "warning", "-progress": "pipe:1"}


def test_a_rotated_phone_recording_without_sound_gets_portrait_renditions_and_no_audio() -> None:
    # Stored landscape, turned a quarter for display; 60 fps capped at 30; no audio stream.
    rotation = {"side_data_list": [{"rotation": -90}]}
    rotated = probe(1920, 1080, seconds=30, fps="60/1", audio=False, **rotation)
    ladder = ladder_for(rotated)
    built = command(ladder)

    assert ladder.names == ["1080p", "720p", "480p", "360p"]
    hls, poster, frames = built["outputs"]
    decoded = ["0:v", "fps=fps=30", "split=6"]
    sizes = ("1080:1920", "720:1280", "480:854", "360:640")
    assert hls[0]["maps"] == [[*decoded, f"scale={size}", "setsar=1"] for size in sizes]
    assert not any(key.startswith("-b:a") for key in hls[0])
    assert hls[0]["-var_stream_map"] == "v:0,name:1080p v:1,name:720p v:2,name:480p v:3,name:360p"
    assert poster[0]["maps"] == [[*decoded, "select=gte(t\\,3.000)", "scale=-2:720"]]
    assert frames[0]["maps"] == [[*decoded, "fps=fps=1/10:round=up:start_time=0", "scale=160:284"]]


def test_a_small_odd_sized_source_gets_one_rendition_at_its_own_even_size() -> None:
    ladder = ladder_for(probe(321, 241, seconds=3, fps="15/1"))
    hls, poster, frames = command(ladder)["outputs"]

    decoded = ["0:v", "fps=fps=15.0", "split=3"]
    assert hls[0]["maps"] == [[*decoded, "scale=320:240", "setsar=1"], "0:a:0", "0:a:0"]
    assert hls[0]["-var_stream_map"] == "v:0,a:0,name:241p a:1,name:audio"
    assert (hls[0]["-maxrate:v:0"], hls[0]["-bufsize:v:0"]) == ("700k", "1400k")
    assert (hls[0]["-b:a:0"], hls[0]["-b:a:1"]) == ("128k", "64k")
    assert poster[0]["maps"] == [[*decoded, "select=gte(t\\,0.300)", "scale=-2:240"]]
    assert frames[0]["maps"] == [[*decoded, "fps=fps=1/10:round=up:start_time=0", "scale=160:120"]]


@pytest.mark.parametrize(
    ("width", "height", "scales"),
    [
        (3840, 2160, ["1920:1080", "1280:720", "854:480", "640:360"]),  # never more than 1080p
        (1280, 720, ["1280:720", "854:480", "640:360"]),  # never above the source
        (1440, 1080, ["1440:1080", "960:720", "640:480", "480:360"]),  # 4:3 keeps its shape
        (640, 480, ["640:480", "480:360"]),
    ],
)
def test_the_renditions_go_by_the_short_side_up_to_the_source(
    width: int, height: int, scales: list[str]
) -> None:
    hls = command(ladder_for(probe(width, height, seconds=60)))["outputs"][0][0]

    assert [video[3] for video in hls["maps"][:-1:2]] == [f"scale={s}" for s in scales]
    assert hls["maps"][0][2] == f"split={len(scales) + 2}"


def test_the_sheets_command_tiles_the_frames_ten_by_ten() -> None:
    built = parse(sheets_command(workdir=WORK, binary="ffmpeg"))

    assert built["inputs"] == [({"-framerate": "1"}, f"{WORK}/frames/%05d.jpg")]
    assert built["outputs"] == [
        ({"maps": [["0", "tile=10x10"]], "-q:v": "5"}, f"{WORK}/thumbnails_%03d.jpg")
    ]
    assert built["flags"] == {"-nostdin", "-y"}
    assert built["globals"] == {"-loglevel": "error"}

"""What the project's transcode costs over the plain ffmpeg command line making the same ladder.

    python bench/transcode.py [--minutes N] [--rounds N] [--per-rendition]     (or: make bench)

The source is a generated lecture: N minutes (10 by default) of 1920x1080 at 25 fps with sound,
a still slide (two layouts, changing every minute) with a clock, a moving pointer and a small
speaker picture in a corner, encoded as a camera or screen recorder would (H.264 veryfast CRF 20,
AAC). It is made once and kept in ``var/bench/``.

Two ways of making its HLS ladder (4 renditions with sound, the audio-only rendition, poster and
preview sheets) run in alternating order, each several times:

- ffmpeg: the plain ``ffmpeg`` command line written out below (``reference_argv``), then the
  small one that lays the preview frames out in sheets (``sheets_argv``). Before anything is
  measured they are compared with what ``media.ffmpeg.ladder_command`` and ``sheets_command``
  build for the same source (inputs, filter graphs, every output's streams and options, in any
  order): if they differ the two would not do the same work, and the benchmark stops.
- project: ``media.services.video_asset_transcode`` itself, in a Django process of its own with
  production settings, on a fresh PostgreSQL database, for a VideoAsset whose source is the file
  in local storage: sniff, ffprobe, one ffmpeg run with progress written to the database, the
  ladder checked, the sheets made, all published to storage, the pointer switched. Measured
  around the service call (Django's start-up is not the transcode's): the process's own CPU,
  its children's (ffprobe, ffmpeg) and its PostgreSQL backend's.

The figures are medians. Both ladders must hold the same renditions and segments. With
``--per-rendition`` the same ladder is also made by one ffmpeg run per rendition (and one for
the pictures), once, for comparison.

Ends with one line per target and exits 1 if any says MISS. The database is dropped and the
ladders deleted whatever happens.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _harness import (
    REPO,
    BenchError,
    Target,
    free_port,
    fresh_postgres_database,
    manage,
    report,
    say,
    server_environment,
)

# Pure modules (no settings, no ORM): the project's command for the honesty check, and the
# playlist parser to compare the two ladders.
from media.ffmpeg import ladder_command, sheets_command
from media.ffmpeg import probe as ffprobe
from media.hls import parse_master, parse_media
from media.ladder import Ladder, ladder_for, probe_from_ffprobe

DATABASE_NAME = f"lms_bench_{os.getpid()}"
FFMPEG = os.environ.get("FFMPEG_BINARY", "ffmpeg")
FFPROBE = os.environ.get("FFPROBE_BINARY", "ffprobe")
CACHE = REPO / "var" / "bench"
RECIPE = "v1"  # change when the source's recipe changes: the cached file is made again
WIDTH, HEIGHT, FPS = 1920, 1080, 25
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
TARGET_RATIO = 1.05


class Ratio(Target):
    """A target whose figure is a plain number: no unit between it and the target."""

    def line(self) -> str:
        return super().line().replace("  (target", " (target")


# --- the source -------------------------------------------------------------------------------


def _text(text: str, x: int, y: int, size: int, colour: str, enable: str = "") -> str:
    when = f":enable='{enable}'" if enable else ""
    place = f"x={x}:y={y}:fontsize={size}:fontcolor={colour}"
    return f"drawtext=fontfile={FONT}:text='{text}':{place}{when}"


def source_argv(seconds: int, path: Path) -> list[str]:
    """A lecture: a slide (two layouts, one a minute), a clock, a pointer, a speaker picture."""
    first, second = "lt(mod(t,120),60)", "gte(mod(t,120),60)"
    slide = [
        f"drawbox=x=0:y=0:w={WIDTH}:h=140:color=0x1f3a5f:t=fill",
        f"drawbox=x=120:y=900:w=1100:h=8:color=0x1f3a5f:t=fill:enable='{second}'",
    ]
    if FONT.exists():  # drawtext needs a font file; without one the slide has boxes only
        slide += [
            _text("Lezione 3 - Semplificazione amministrativa", 80, 40, 56, "white"),
            _text("%{pts\\:hms}", 1600, 60, 36, "white"),
            _text("- Procedimenti e termini", 120, 260, 44, "0x222222", first),
            _text("- Silenzio assenso, art. 20", 120, 340, 44, "0x222222", first),
            _text("- Conferenza di servizi", 120, 420, 44, "0x222222", first),
            _text("Domande frequenti", 120, 260, 52, "0x1f3a5f", second),
            _text("- Chi firma il provvedimento?", 120, 360, 40, "0x222222", second),
            _text("- Quali termini si sospendono?", 120, 430, 40, "0x222222", second),
        ]
    else:
        slide += [
            f"drawbox=x=120:y={y}:w={w}:h=36:color=0x444444:t=fill"
            for y, w in ((260, 900), (340, 1100), (420, 700))
        ]
    slide.append("drawbox=x='300+200*sin(t/3)':y='600+80*cos(t/5)':w=16:h=16:color=red:t=fill")
    graph = (
        f"[0:v]{','.join(slide)}[slide];[1:v]noise=alls=6:allf=t[speaker];"
        "[slide][speaker]overlay=x=1496:y=824[v];[2:a]volume=0.2[tone];[3:a][tone]amix=inputs=2[a]"
    )
    return [
        FFMPEG,
        *("-nostdin", "-hide_banner", "-loglevel", "error", "-y"),
        *("-f", "lavfi", "-i", f"color=c=0xf4f1ea:s={WIDTH}x{HEIGHT}:r={FPS}:d={seconds}"),
        *("-f", "lavfi", "-i", f"testsrc2=s=384x216:r={FPS}:d={seconds}"),
        *("-f", "lavfi", "-i", f"sine=f=180:sample_rate=48000:d={seconds}"),
        *("-f", "lavfi", "-i", f"anoisesrc=c=pink:a=0.03:r=48000:d={seconds}"),
        *("-filter_complex", graph, "-map", "[v]", "-map", "[a]"),
        *("-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-g", "50"),
        *("-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-ac", "2"),
        *("-movflags", "+faststart", "-f", "mp4", str(path)),
    ]


def lecture(minutes: float) -> Path:
    seconds = round(minutes * 60)
    path = CACHE / f"transcode-lecture-{seconds}s-{RECIPE}.mp4"
    if path.exists():
        say(f"Source: {path} (made before; delete it to make it again)")
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    say(f"Making the source: {seconds} s of {WIDTH}x{HEIGHT} at {FPS} fps...")
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 - our ffmpeg, fixed arguments
        source_argv(seconds, partial), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BenchError(f"Making the source failed:\n{result.stderr[-2000:]}")
    partial.rename(path)
    say(f"Source: {path}, made in {time.monotonic() - started:.0f} s")
    return path


# --- the plain ffmpeg command line ----------------------------------------------------------

RUNGS = (  # name, width, height, peak video kbit/s
    ("1080p", 1920, 1080, 4500),
    ("720p", 1280, 720, 2500),
    ("480p", 854, 480, 1200),
    ("360p", 640, 360, 700),
)
X264 = ("-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p")
KEYFRAMES = ("-force_key_frames", "expr:gte(t,n_forced*6)", "-sc_threshold", "0")
HLS = (
    *("-f", "hls", "-hls_time", "6", "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4"),
    *("-hls_fmp4_init_filename", "init.mp4", "-hls_flags", "independent_segments"),
)
QUIET = ("-nostdin", "-hide_banner", "-loglevel", "warning", "-nostats", "-y")


def reference_argv(source: Path, out: Path, *, poster_at: float) -> list[str]:
    """The whole ladder in one ffmpeg run, as one would type it: decode once, split the picture
    for the 4 renditions, the poster and the preview frames (one small picture every 10 s, laid
    out in sheets by ``sheets_argv`` afterwards); sound encoded with each rendition and once
    more for the audio-only one. The poster's instant is the project's choice for this video
    (``Ladder.poster_at_seconds``), like the source's name."""
    graph = ";".join(
        [
            f"[0:v]fps={FPS},split=6{''.join(f'[in{n}]' for n, *_ in RUNGS)}[inposter][insheets]",
            *(f"[in{n}]scale={w}:{h},setsar=1[v{n}]" for n, w, h, _k in RUNGS),
            f"[inposter]select=gte(t\\,{poster_at:.3f}),scale=-2:720[poster]",
            "[insheets]fps=1/10:round=up,scale=160:90[frames]",
        ]
    )
    maps = [arg for n, *_ in RUNGS for arg in ("-map", f"[v{n}]", "-map", "0:a:0")]
    rates = [
        arg
        for i, (_n, _w, _h, kbps) in enumerate(RUNGS)
        for arg in (f"-maxrate:v:{i}", f"{kbps}k", f"-bufsize:v:{i}", f"{2 * kbps}k")
    ]
    audio = ["-c:a", "aac", "-ac", "2"]
    audio += [arg for i in range(len(RUNGS)) for arg in (f"-b:a:{i}", "128k")]
    audio += [f"-b:a:{len(RUNGS)}", "64k"]
    streams = " ".join(f"v:{i},a:{i},name:{n}" for i, (n, *_) in enumerate(RUNGS))
    return [
        FFMPEG,
        *QUIET,
        *("-i", str(source), "-filter_complex", graph),
        *maps,
        *("-map", "0:a:0"),
        *X264,
        *rates,
        *KEYFRAMES,
        *audio,
        *HLS,
        *("-hls_segment_filename", f"{out}/%v/seg_%05d.m4s", "-master_pl_name", "master.m3u8"),
        *("-var_stream_map", f"{streams} a:{len(RUNGS)},name:audio", f"{out}/%v/index.m3u8"),
        *("-map", "[poster]", "-frames:v", "1", "-q:v", "3", f"{out}/poster.jpg"),
        *("-map", "[frames]", "-q:v", "5", f"{out}/frames/%05d.jpg"),
    ]


def sheets_argv(out: Path) -> list[str]:
    """The preview frames in sheets of 10 x 10 (the project's second, small run)."""
    return [
        FFMPEG,
        *QUIET,
        *("-framerate", "1", "-i", f"{out}/frames/%05d.jpg"),
        *("-filter_complex", "[0:v]tile=10x10[sheets]", "-map", "[sheets]"),
        *("-q:v", "5", f"{out}/thumbnails_%03d.jpg"),
    ]


def per_rendition_argvs(source: Path, out: Path, *, poster_at: float) -> list[list[str]]:
    """The same ladder made by one ffmpeg run per rendition, one for the audio-only rendition
    and one for the poster and preview frames (the source is decoded by each), then the
    sheets."""
    runs = []
    for name, w, h, kbps in RUNGS:
        runs.append(
            [
                FFMPEG,
                *QUIET,
                *("-i", str(source), "-vf", f"fps={FPS},scale={w}:{h},setsar=1"),
                *("-map", "0:v:0", "-map", "0:a:0", *X264),
                *("-maxrate", f"{kbps}k", "-bufsize", f"{2 * kbps}k", *KEYFRAMES),
                *("-c:a", "aac", "-ac", "2", "-b:a", "128k", *HLS),
                *("-hls_segment_filename", f"{out}/{name}/seg_%05d.m4s"),
                f"{out}/{name}/index.m3u8",
            ]
        )
    runs.append(
        [
            FFMPEG,
            *QUIET,
            *("-i", str(source), "-map", "0:a:0", "-c:a", "aac", "-ac", "2", "-b:a", "64k"),
            *HLS,
            *("-hls_segment_filename", f"{out}/audio/seg_%05d.m4s", f"{out}/audio/index.m3u8"),
        ]
    )
    graph = (
        f"[0:v]fps={FPS},split=2[a][b];"
        f"[a]select=gte(t\\,{poster_at:.3f}),scale=-2:720[poster];"
        "[b]fps=1/10:round=up,scale=160:90[frames]"
    )
    runs.append(
        [
            FFMPEG,
            *QUIET,
            *("-i", str(source), "-filter_complex", graph),
            *("-map", "[poster]", "-frames:v", "1", "-q:v", "3", f"{out}/poster.jpg"),
            *("-map", "[frames]", "-q:v", "5", f"{out}/frames/%05d.jpg"),
        ]
    )
    runs.append(sheets_argv(out))
    return runs


# --- comparing two ffmpeg command lines -----------------------------------------------------

FLAGS = {"-y", "-n", "-nostdin", "-nostats", "-stats", "-hide_banner"}
# Global options that change what is logged or reported, never what is made.
REPORTING = FLAGS | {"-loglevel", "-v", "-progress", "-stats_period"}
ALIASES = {
    "-vcodec": "-c:v",
    "-codec:v": "-c:v",
    "-acodec": "-c:a",
    "-codec:a": "-c:a",
    "-vframes": "-frames:v",
    "-qscale:v": "-q:v",
    "-v": "-loglevel",
}
# Positional filter arguments by name, for the filters of the ladder (fps=25 is fps=fps=25).
POSITIONAL = {
    "fps": ("fps",),
    "scale": ("w", "h"),
    "split": ("outputs",),
    "select": ("expr",),
    "setsar": ("r",),
    "tile": ("layout",),
}


def _number(value: str) -> str:
    try:
        number = float(value)
    except ValueError:
        return value
    return repr(number) if number == number else value  # "25.0" and "25" alike; not NaN


def _split(text: str, separator: str) -> list[str]:
    """``text`` cut at each ``separator`` not escaped by a backslash."""
    return re.split(r"(?<!\\)" + re.escape(separator), text)


def _filter(spec: str) -> str:
    name, _sep, args = spec.strip().partition("=")
    named = {}
    for index, part in enumerate(_split(args, ":") if args else []):
        match = re.fullmatch(r"([A-Za-z_]\w*)=(.*)", part, re.S)
        if match:
            key, value = match.groups()
        else:
            names = POSITIONAL.get(name, ())
            key = names[index] if index < len(names) else f"#{index}"
            value = part
        named[key] = _number(value)
    return name + "(" + ",".join(f"{k}={v}" for k, v in sorted(named.items())) + ")"


def graph_streams(text: str) -> dict[str, str]:
    """Each labelled output of a filter graph → what it is made of, from the inputs up, with
    the labels themselves gone (``[x]scale=1:2[y]`` and ``[a]scale=w=1:h=2[b]`` alike)."""
    chains = []
    for chain in _split(text, ";"):
        head = re.match(r"\s*((?:\[[^\]]*\])*)", chain)
        tail = re.search(r"((?:\[[^\]]*\])*)\s*$", chain)
        if head is None or tail is None:  # never: both match the empty string
            raise BenchError(f"Unreadable filter chain: {chain}")
        inputs = re.findall(r"\[([^\]]*)\]", head.group(1))
        outputs = re.findall(r"\[([^\]]*)\]", tail.group(1))
        filters = _split(chain[head.end() : tail.start() if tail.group(1) else len(chain)], ",")
        chains.append((inputs, [f for f in filters if f.strip()], outputs))
    produced = {label for _i, _f, outputs in chains for label in outputs}
    made: dict[str, str] = {}
    waiting = chains
    while waiting:
        later = []
        for inputs, filters, outputs in waiting:
            if any(label in produced and label not in made for label in inputs):
                later.append((inputs, filters, outputs))
                continue
            # A bare input number feeds a filter its video: [0] is [0:v] for these graphs.
            stream = ",".join(
                made.get(label, f"input({label}:v)" if label.isdigit() else f"input({label})")
                for label in inputs
            )
            multiple = ""
            for spec in filters:
                stream = f"{_filter(spec)}<-[{stream}]"
                multiple = spec.strip().partition("=")[0]
            for index, label in enumerate(outputs):
                # The outputs of split are all the same picture; any other filter's are not.
                alike = len(outputs) == 1 or multiple in ("split", "asplit")
                made[label] = stream if alike else f"{stream}#{index}"
        if len(later) == len(waiting):
            raise BenchError(f"The filter graph has labels nothing produces: {text}")
        waiting = later
    return made


@dataclass
class Output:
    path: str
    maps: list[str]
    options: dict[str, str]


@dataclass
class Command:
    globals: dict[str, str] = field(default_factory=dict)
    inputs: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)


def parse_command(argv: list[str], *, source: str, out: str) -> Command:
    """An ffmpeg argv as inputs, outputs (their streams, resolved through the filter graph, and
    options) and global options, with the source and output folder as SRC and OUT."""

    def normal(value: str) -> str:
        return _number(value.replace(out, "OUT").replace(source, "SRC"))

    command = Command()
    options: dict[str, str] = {}
    maps: list[str] = []
    tokens = argv[1:]
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token in FLAGS:
            command.globals[token] = ""
            index += 1
        elif token.startswith("-") and len(token) > 1:
            name, value = ALIASES.get(token, token), tokens[index + 1]
            index += 2
            if name == "-i":
                command.inputs.append((normal(value), options))
                options = {}
            elif name in REPORTING or name == "-filter_complex":
                command.globals[name] = value
            elif name == "-map":
                maps.append(value)
            else:
                options[name] = normal(value)
        else:
            command.outputs.append(Output(normal(token), maps, options))
            options, maps = {}, []
            index += 1
    if options or maps:
        raise BenchError(f"Options after the last output: {options or maps}")
    streams = graph_streams(command.globals.pop("-filter_complex", ""))
    for output in command.outputs:
        output.maps = [
            streams[m[1:-1]] if m.startswith("[") else f"input({m})" for m in output.maps
        ]
    return command


def command_differences(ours: Command, project: Command) -> tuple[list[str], list[str]]:
    """What differs in the work done (first list) and in reporting only (second)."""
    work: list[str] = []
    if ours.inputs != project.inputs:
        work.append(f"inputs: {ours.inputs} here, {project.inputs} in the project")
    if len(ours.outputs) != len(project.outputs):
        work.append(f"{len(ours.outputs)} outputs here, {len(project.outputs)} in the project")
    for mine, theirs in zip(ours.outputs, project.outputs, strict=False):
        if mine.path != theirs.path:
            work.append(f"output {mine.path} here, {theirs.path} in the project")
        if mine.maps != theirs.maps:
            work.append(f"{theirs.path}: streams {mine.maps} here, {theirs.maps} in the project")
        for name in sorted(set(mine.options) | set(theirs.options)):
            here, there = mine.options.get(name), theirs.options.get(name)
            if here != there:
                work.append(f"{theirs.path}: {name} {here} here, {there} in the project")

    def shown(value: str | None) -> str:
        return "absent" if value is None else value or "set"

    reporting = [
        f"{name} {shown(ours.globals.get(name))} here, "
        f"{shown(project.globals.get(name))} in the project"
        for name in sorted(set(ours.globals) | set(project.globals))
        if ours.globals.get(name) != project.globals.get(name)
    ]
    unexpected = [line for line in reporting if line.split()[0] not in REPORTING]
    return work + unexpected, [line for line in reporting if line not in unexpected]


def check_command(source: Path, seconds: float) -> Ladder:
    """Stop unless the command lines here do what the project's ladder_command and
    sheets_command do; the ladder as the project sees it."""
    probe = probe_from_ffprobe(ffprobe(str(source), binary=FFPROBE))
    ladder = ladder_for(probe)
    with tempfile.TemporaryDirectory(prefix="transcode-check-") as tmp:
        out = Path(tmp)  # only compiled here: nothing is written
        pairs = [
            (
                "ladder_command",
                reference_argv(source, out, poster_at=ladder.poster_at_seconds),
                ladder_command(source=str(source), workdir=out, ladder=ladder, binary=FFMPEG),
            ),
            ("sheets_command", sheets_argv(out), sheets_command(workdir=out, binary=FFMPEG)),
        ]
        differ, reporting = [], []
        for name, ours, project in pairs:
            work, logs = command_differences(
                parse_command(ours, source=str(source), out=str(out)),
                parse_command(project, source=str(source), out=str(out)),
            )
            differ += [f"{name}: {line}" for line in work]
            reporting += [f"{name}: {line}" for line in logs]
    if differ:
        raise BenchError(
            "The ffmpeg command lines here no longer do what media.ffmpeg's do; update "
            "reference_argv or sheets_argv in bench/transcode.py:\n  " + "\n  ".join(differ)
        )
    say(
        "Command lines: they do what the project's ladder_command and sheets_command do (the "
        "same inputs, filter graphs, outputs, streams and options); renditions "
        f"{', '.join(ladder.names)}"
    )
    if reporting:
        say(f"  differing in reporting only: {'; '.join(reporting)}")
    if abs(probe.duration_seconds - seconds) > 1:
        raise BenchError(f"The source lasts {probe.duration_seconds:.1f} s, not {seconds} s")
    return ladder


# --- runs -------------------------------------------------------------------------------------


@dataclass
class Run:
    kind: str
    wall: float
    cpu: float
    detail: str = ""
    ladder: dict[str, Any] = field(default_factory=dict)


def run_measured(
    argv: list[str], *, log: Path, env: dict[str, str] | None = None
) -> tuple[float, resource.struct_rusage]:
    """Run to the end; its wall time and the resources it and its waited-for children used."""
    with log.open("wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(  # noqa: S603 - our ffmpeg or our interpreter
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=env,
            start_new_session=True,  # its own process group: ended with its children below
        )
        try:
            _pid, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # interrupted (Ctrl-C, SIGTERM): no ffmpeg outlives the run
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise BenchError(
            f"{Path(argv[0]).name} exited with status {process.returncode}:\n"
            + log.read_text(errors="replace")[-3000:]
        )
    return wall, usage


def ladder_summary(folder: Path) -> dict[str, Any]:
    """What a ladder holds: its variants, each rendition's segments, seconds and bytes, and the
    pictures."""
    variants = parse_master((folder / "master.m3u8").read_text())
    renditions = {}
    for variant in variants:
        directory = (folder / variant.uri).parent
        playlist = parse_media((folder / variant.uri).read_text())
        renditions[directory.name] = {
            "resolution": variant.resolution,
            "codecs": variant.codecs,
            "segments": len(playlist.segments),
            "seconds": round(playlist.duration_seconds, 2),
            "ended": playlist.ended,
            "bytes": sum(p.stat().st_size for p in directory.iterdir()),
        }
    sheets = sorted(folder.glob("thumbnails_*.jpg"))
    return {
        "renditions": renditions,
        "poster_bytes": (folder / "poster.jpg").stat().st_size
        if (folder / "poster.jpg").exists()
        else 0,
        "sheets": len(sheets),
        "sheet_bytes": sum(p.stat().st_size for p in sheets),
    }


def run_reference(source: Path, workdir: Path, *, poster_at: float) -> Run:
    out = workdir / "reference"
    shutil.rmtree(out, ignore_errors=True)
    (out / "frames").mkdir(parents=True)
    wall, usage = run_measured(
        reference_argv(source, out, poster_at=poster_at), log=workdir / "reference-ffmpeg.log"
    )
    sheets_wall, sheets = run_measured(sheets_argv(out), log=workdir / "reference-sheets.log")
    summary = ladder_summary(out)
    shutil.rmtree(out)
    user, system = usage.ru_utime + sheets.ru_utime, usage.ru_stime + sheets.ru_stime
    detail = (
        f"user {user:.1f} s, system {system:.1f} s, peak RSS {usage.ru_maxrss / 1024:.0f} MB; "
        f"sheets {sheets_wall:.2f} s/{sheets.ru_utime + sheets.ru_stime:.2f} s CPU"
    )
    wall, cpu = wall + sheets_wall, user + system
    return Run("ffmpeg", wall, cpu, detail, summary)


def run_project(source: Path, workdir: Path, env: dict[str, str]) -> Run:
    result = workdir / "project.json"
    result.unlink(missing_ok=True)
    child = [sys.executable, str(Path(__file__).resolve()), "--project-child"]
    total_wall, usage = run_measured(
        [*child, str(source), str(result)],
        log=workdir / "project.log",
        env=env,
    )
    facts = json.loads(result.read_text())
    if facts["status"] != "ready":
        raise BenchError(f"The project's transcode ended {facts['status']}: {facts['reason']}")
    ladder = Path(facts["media_root"]) / facts["hls_prefix"]
    summary = ladder_summary(ladder)
    shutil.rmtree(Path(facts["media_root"]) / "videos")
    cpu = facts["self_cpu"] + facts["children_cpu"] + (facts["database_cpu"] or 0.0)
    phases = ", ".join(
        f"{name} {p['wall']:.1f} s/{p['cpu']:.1f} s CPU" for name, p in facts["phases"].items()
    )
    database = (
        f"{facts['database_cpu']:.2f} s" if facts["database_cpu"] is not None else "not readable"
    )
    writes = facts["progress_writes"]
    progress = f"{len(writes)} progress writes" + (
        f", the first {writes[0]:.0f} s in" if writes else ""
    )
    detail = (
        f"Python {facts['self_cpu']:.1f} s, ffprobe+ffmpeg {facts['children_cpu']:.1f} s, "
        f"PostgreSQL backend {database}, {progress}; "
        f"phases (wall/CPU): {phases}; whole process with Django start-up "
        f"{total_wall:.1f} s, {usage.ru_utime + usage.ru_stime:.1f} s CPU"
    )
    run = Run("project", facts["wall"], cpu, detail, summary)
    run.ladder["ffmpeg_cpu"] = facts["phases"]["ffmpeg"]["cpu"]
    return run


def project_child(source: str, result_path: str) -> None:
    """In a Django process of its own: a VideoAsset whose source is ``source`` in local storage,
    then ``video_asset_transcode`` measured; the facts as JSON in ``result_path``."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from courses.models import Course, ThematicArea
    from media import ffmpeg
    from media.models import VideoAsset, video_source_path
    from media.services import transcoding, video_asset_transcode

    area = ThematicArea.objects.order_by("position").first()
    course = Course.objects.create(title="Benchmark", slug=f"bench-{uuid.uuid4().hex}", area=area)
    asset = VideoAsset(course=course, title="Lezione (benchmark)")
    name = video_source_path(asset, "lezione.mp4")
    stored = Path(settings.MEDIA_ROOT) / name
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.symlink_to(source)  # the bytes in storage, as after an upload; no copy measured
    asset.source.name = name
    asset.source_size_bytes = stored.stat().st_size
    asset.save()

    phases: dict[str, dict[str, float]] = {}

    def cpu_now() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    def timed(name: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), cpu_now()
            try:
                return function(*args, **kwargs)
            finally:
                phase = phases.setdefault(name, {"wall": 0.0, "cpu": 0.0})
                phase["wall"] += time.perf_counter() - wall
                phase["cpu"] += cpu_now() - cpu

        return wrapper

    writes: list[float] = []  # when each progress write happened, from the service's start
    still_mine = transcoding._still_mine

    def counted(*args: Any, **kwargs: Any) -> Any:
        writes.append(time.perf_counter() - started)
        return still_mine(*args, **kwargs)

    transcoding._sniff = timed("sniff", transcoding._sniff)
    ffmpeg.probe = timed("ffprobe", ffmpeg.probe)
    ffmpeg.run_with_progress = timed("ffmpeg", ffmpeg.run_with_progress)
    ffmpeg.run = timed("sheets", ffmpeg.run)
    transcoding._check_ladder = timed("check", transcoding._check_ladder)
    transcoding._publish = timed("publish", transcoding._publish)
    transcoding._ready = timed("pointer", transcoding._ready)
    transcoding._still_mine = counted

    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])

    def backend_cpu() -> float | None:
        try:
            stat = Path(f"/proc/{backend}/stat").read_text()
        except OSError:  # PostgreSQL on another machine, or not ours to read
            return None
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    own_before = resource.getrusage(resource.RUSAGE_SELF)
    kids_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    database_before = backend_cpu()
    started = time.perf_counter()
    done = video_asset_transcode(asset_id=asset.pk)
    wall = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    database_after = backend_cpu()
    facts = {
        "status": done.status if done else "superseded",
        "reason": done.failure_reason if done else "",
        "hls_prefix": done.hls_prefix if done else "",
        "media_root": str(settings.MEDIA_ROOT),
        "wall": wall,
        "self_cpu": own.ru_utime + own.ru_stime - own_before.ru_utime - own_before.ru_stime,
        "children_cpu": kids.ru_utime + kids.ru_stime - kids_before.ru_utime - kids_before.ru_stime,
        "database_cpu": None
        if database_before is None or database_after is None
        else database_after - database_before,
        "phases": phases,
        "progress_writes": writes,
    }
    Path(result_path).write_text(json.dumps(facts))


# --- comparing the ladders ------------------------------------------------------------------


def ladder_differences(reference: dict[str, Any], project: dict[str, Any]) -> list[str]:
    problems = []
    ours, theirs = reference["renditions"], project["renditions"]
    if list(ours) != list(theirs):
        problems.append(f"renditions {list(theirs)} in the project, {list(ours)} from ffmpeg")
    for name in set(ours) & set(theirs):
        for key in ("resolution", "codecs", "segments", "ended"):
            if ours[name][key] != theirs[name][key]:
                problems.append(
                    f"{name}: {key} {theirs[name][key]} in the project, {ours[name][key]} "
                    "from ffmpeg"
                )
        if abs(ours[name]["seconds"] - theirs[name]["seconds"]) > 0.1:
            problems.append(
                f"{name}: {theirs[name]['seconds']} s in the project, {ours[name]['seconds']} s "
                "from ffmpeg"
            )
    for key in ("sheets",):
        if reference[key] != project[key]:
            problems.append(f"{project[key]} {key} in the project, {reference[key]} from ffmpeg")
    if not reference["poster_bytes"] or not project["poster_bytes"]:
        problems.append("a poster is missing")
    return problems


def sizes_table(reference: dict[str, Any], project: dict[str, Any]) -> None:
    say(f"{'rendition':<10} {'size':>10} {'segments':>9} {'ffmpeg MB':>10} {'project MB':>11}")
    for name, facts in reference["renditions"].items():
        theirs = project["renditions"].get(name, {})
        say(
            f"{name:<10} {facts['resolution'] or 'audio':>10} {facts['segments']:>9} "
            f"{facts['bytes'] / 1e6:>10.1f} {theirs.get('bytes', 0) / 1e6:>11.1f}"
        )
    say(
        f"{'pictures':<10} {'':>10} {reference['sheets'] + 1:>9} "
        f"{(reference['poster_bytes'] + reference['sheet_bytes']) / 1e6:>10.2f} "
        f"{(project['poster_bytes'] + project['sheet_bytes']) / 1e6:>11.2f}"
    )


# --- main -------------------------------------------------------------------------------------


def per_rendition(source: Path, workdir: Path, *, poster_at: float) -> Run:
    out = workdir / "per-rendition"
    shutil.rmtree(out, ignore_errors=True)
    wall = cpu = 0.0
    for name in [*(n for n, *_ in RUNGS), "audio", "frames"]:
        (out / name).mkdir(parents=True)
    for number, argv in enumerate(per_rendition_argvs(source, out, poster_at=poster_at)):
        took, usage = run_measured(argv, log=workdir / f"per-rendition-{number}.log")
        wall += took
        cpu += usage.ru_utime + usage.ru_stime
    shutil.rmtree(out)
    return Run("one run per rendition", wall, cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--minutes", type=float, default=10, help="length of the lecture (default 10)"
    )
    parser.add_argument(
        "--rounds", type=int, default=0, help="runs of each (default 2, 3 under 5 minutes)"
    )
    parser.add_argument(
        "--per-rendition",
        action="store_true",
        help="also make the ladder with one ffmpeg run per rendition, once",
    )
    parser.add_argument("--project-child", nargs=2, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.project_child:
        project_child(*options.project_child)
        return 0
    # A SIGTERM unwinds like Ctrl-C: the database is dropped and the files deleted.
    signal.signal(signal.SIGTERM, lambda number, _frame: sys.exit(128 + number))
    seconds = round(options.minutes * 60)
    rounds = options.rounds or (2 if options.minutes >= 5 else 3)
    began = time.monotonic()
    runs: dict[str, list[Run]] = {"ffmpeg": [], "project": []}
    extra: Run | None = None
    try:
        if shutil.which(FFMPEG) is None:
            raise BenchError(f"{FFMPEG} is missing: install it first (make ffmpeg)")
        say(f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        source = lecture(options.minutes)
        ladder = check_command(source, seconds)
        source.read_bytes()  # into the page cache: the first run must not pay for the disk
        with (
            tempfile.TemporaryDirectory(prefix="transcode-bench-") as tmp,
            fresh_postgres_database(DATABASE_NAME) as database_url,
        ):
            workdir = Path(tmp)
            env = server_environment(
                database_url=database_url,
                port=free_port(),
                var_dir=workdir / "var",
                LOG_LEVEL="WARNING",
                MEDIA_WORK_DIR=str(workdir / "work"),
                DJANGO_SETTINGS_MODULE="lms.settings",
                PYTHONPATH=str(REPO),
            )
            manage("migrate", "--noinput", env=env)
            say(
                f"Runs: {rounds} of each, alternating (ffmpeg first in odd rounds, the project "
                f"first in even ones); {ladder.fps:g} fps, {len(ladder.renditions)} renditions "
                f"+ audio, poster, {ladder.thumbnail_sheets} preview sheet(s)"
            )
            say()
            for number in range(rounds):
                order = ("ffmpeg", "project") if number % 2 == 0 else ("project", "ffmpeg")
                for kind in order:
                    if kind == "ffmpeg":
                        run = run_reference(source, workdir, poster_at=ladder.poster_at_seconds)
                    else:
                        run = run_project(source, workdir, env)
                    runs[kind].append(run)
                    say(
                        f"round {number + 1}, {kind:<7}: {run.wall:6.1f} s wall, "
                        f"{run.cpu:6.1f} s CPU, load {os.getloadavg()[0]:.1f} ({run.detail})"
                    )
            if options.per_rendition:
                extra = per_rendition(source, workdir, poster_at=ladder.poster_at_seconds)
    except BenchError as exc:
        say(f"transcode: could not run: {exc}")
        return 1
    say(f"Run time: {(time.monotonic() - began) / 60:.1f} min")
    say()
    reference, project = runs["ffmpeg"], runs["project"]
    sizes_table(reference[-1].ladder, project[-1].ladder)
    problems = [
        problem
        for ours, theirs in zip(reference, project, strict=True)
        for problem in ladder_differences(ours.ladder, theirs.ladder)
    ]
    for problem in dict.fromkeys(problems):
        say(f"  ladder differs: {problem}")
    say()
    wall = {kind: statistics.median(r.wall for r in rs) for kind, rs in runs.items()}
    cpu = {kind: statistics.median(r.cpu for r in rs) for kind, rs in runs.items()}
    project_ffmpeg = statistics.median(r.ladder["ffmpeg_cpu"] for r in project)
    for kind in runs:
        say(
            f"{kind}: median {wall[kind]:.1f} s wall, {cpu[kind]:.1f} s CPU "
            f"(runs: {', '.join(f'{r.wall:.1f}/{r.cpu:.1f}' for r in runs[kind])})"
        )
    say(
        f"project's ffmpeg run alone: median {project_ffmpeg:.1f} s CPU "
        f"({project_ffmpeg / cpu['ffmpeg']:.3f} x the plain command line's)"
    )
    if extra is not None:
        say(
            f"{extra.kind}: {extra.wall:.1f} s wall, {extra.cpu:.1f} s CPU "
            f"({extra.cpu / cpu['ffmpeg']:.2f} x the CPU and {extra.wall / wall['ffmpeg']:.2f} x "
            "the wall time of the single run)"
        )
    for kind in runs:
        say(f"transcode speed ({kind}): {seconds / wall[kind]:.2f} x real time")
    targets = [
        Ratio(
            "transcode CPU ratio (project/ffmpeg)",
            round(cpu["project"] / cpu["ffmpeg"], 3),
            "",
            "<=",
            TARGET_RATIO,
        ),
        Ratio(
            "transcode wall ratio (project/ffmpeg)",
            round(wall["project"] / wall["ffmpeg"], 3),
            "",
            "<=",
            TARGET_RATIO,
        ),
        Target(
            "ladder differences from ffmpeg's (renditions, segments, pictures)",
            float(len(problems)),
            "differences",
            "==",
            0,
        ),
    ]
    return report(targets)


if __name__ == "__main__":
    sys.exit(main())

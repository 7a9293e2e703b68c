"""What the project's transcode costs over the plain ffmpeg command line making the same ladder.

    python bench/transcode.py [--minutes N] [--rounds N]     (or: make bench)

The source: a generated lecture of N minutes (10 by default), 1920x1080 at 25 fps with sound (a
slide changing every minute, a clock, a moving pointer, a speaker picture), encoded as a screen
recorder would; made once and kept in var/bench/. Its HLS ladder (4 renditions, the audio-only
one, poster and preview sheets) is made in alternating rounds by the plain ffmpeg command line
written out below and by ``media.services.video_asset_transcode`` itself (bench/_store.py
transcode: a Django process with production settings on a fresh database, measured around the
service call: its own CPU, its children's and its PostgreSQL backend's). The figures are
medians; both ladders must hold the same renditions, segments and pictures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _harness import LOG_DIR, REPO, BenchError, Target, project, run, say, zero

# Pure modules of the app: the ladder the project makes of this source, and its playlists.
from media.ffmpeg import probe as ffprobe
from media.hls import parse_master, parse_media
from media.ladder import Ladder, ladder_for, probe_from_ffprobe

FFMPEG = os.environ.get("FFMPEG_BINARY", "ffmpeg")
FFPROBE = os.environ.get("FFPROBE_BINARY", "ffprobe")
RECIPE = "v1"  # change when the source's recipe changes: the cached file is made again
WIDTH, HEIGHT, FPS = 1920, 1080, 25
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
TARGET_RATIO = 1.05
QUIET = ("-nostdin", "-hide_banner", "-loglevel", "warning", "-nostats", "-y")
RUNGS = (  # name, width, height, peak video kbit/s
    ("1080p", 1920, 1080, 4500),
    ("720p", 1280, 720, 2500),
    ("480p", 854, 480, 1200),
    ("360p", 640, 360, 700),
)


def source_argv(seconds: int, path: Path) -> list[str]:
    """A lecture: a slide (two layouts, one a minute), a clock, a pointer, a speaker picture."""
    first, second = "lt(mod(t,120),60)", "gte(mod(t,120),60)"
    slide = [
        f"drawbox=x=0:y=0:w={WIDTH}:h=140:color=0x1f3a5f:t=fill",
        f"drawbox=x=120:y=900:w=1100:h=8:color=0x1f3a5f:t=fill:enable='{second}'",
    ]
    texts = (
        ("Lezione 3 - Semplificazione amministrativa", 80, 40, 56, "white", ""),
        ("%{pts\\:hms}", 1600, 60, 36, "white", ""),
        ("- Procedimenti e termini", 120, 260, 44, "0x222222", first),
        ("- Silenzio assenso, art. 20", 120, 340, 44, "0x222222", first),
        ("- Conferenza di servizi", 120, 420, 44, "0x222222", first),
        ("Domande frequenti", 120, 260, 52, "0x1f3a5f", second),
        ("- Chi firma il provvedimento?", 120, 360, 40, "0x222222", second),
        ("- Quali termini si sospendono?", 120, 430, 40, "0x222222", second),
    )
    if FONT.exists():  # drawtext needs a font file; without one the slide has boxes only
        slide += [
            f"drawtext=fontfile={FONT}:text='{text}':x={x}:y={y}:fontsize={size}:fontcolor={colour}"
            + (f":enable='{when}'" if when else "")
            for text, x, y, size, colour, when in texts
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
        *(FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"),
        *("-f", "lavfi", "-i", f"color=c=0xf4f1ea:s={WIDTH}x{HEIGHT}:r={FPS}:d={seconds}"),
        *("-f", "lavfi", "-i", f"testsrc2=s=384x216:r={FPS}:d={seconds}"),
        *("-f", "lavfi", "-i", f"sine=f=180:sample_rate=48000:d={seconds}"),
        *("-f", "lavfi", "-i", f"anoisesrc=c=pink:a=0.03:r=48000:d={seconds}"),
        *("-filter_complex", graph, "-map", "[v]", "-map", "[a]"),
        *("-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-g", "50"),
        *("-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-ac", "2"),
        *("-movflags", "+faststart", "-f", "mp4", str(path)),
    ]


def lecture(seconds: int) -> Path:
    path = LOG_DIR / f"transcode-lecture-{seconds}s-{RECIPE}.mp4"
    if path.exists():
        say(f"Source: {path} (made before; delete it to make it again)")
        return path
    say(f"Making the source: {seconds} s of {WIDTH}x{HEIGHT} at {FPS} fps...")
    made = path.with_suffix(".part")
    wall, _usage = run_measured(source_argv(seconds, made), log=LOG_DIR / "source.log")
    say(f"Source: {path}, made in {wall:.0f} s")
    return made.rename(path)


def reference_argv(source: Path, out: Path, *, poster_at: float) -> list[str]:
    """The whole ladder in one ffmpeg run, as one would type it: decode once, split the picture
    for the 4 renditions, the poster and the preview frames (one every 10 s, laid out in sheets
    by ``sheets_argv`` afterwards); sound with each rendition and once more for audio only.

    This is the measurement's baseline. That it does the same work as what media.ffmpeg's
    ladder_command and sheets_command build is tests/media/test_ladder_command.py's job."""
    graph = ";".join(
        [
            f"[0:v]fps={FPS},split=6{''.join(f'[in{n}]' for n, *_ in RUNGS)}[inposter][insheets]",
            *(f"[in{n}]scale={w}:{h},setsar=1[v{n}]" for n, w, h, _k in RUNGS),
            f"[inposter]select=gte(t\\,{poster_at:.3f}),scale=-2:720[poster]",
            "[insheets]fps=1/10:round=up,scale=160:90[frames]",
        ]
    )
    streams = " ".join(f"v:{i},a:{i},name:{n}" for i, (n, *_) in enumerate(RUNGS))
    return [
        *(FFMPEG, *QUIET, "-i", str(source), "-filter_complex", graph),
        *[arg for n, *_ in RUNGS for arg in ("-map", f"[v{n}]", "-map", "0:a:0")],
        *("-map", "0:a:0", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23"),
        *("-pix_fmt", "yuv420p"),
        *[
            arg
            for i, (_n, _w, _h, kbps) in enumerate(RUNGS)
            for arg in (f"-maxrate:v:{i}", f"{kbps}k", f"-bufsize:v:{i}", f"{2 * kbps}k")
        ],
        *("-force_key_frames", "expr:gte(t,n_forced*6)", "-sc_threshold", "0"),
        *("-c:a", "aac", "-ac", "2", *[a for i in range(4) for a in (f"-b:a:{i}", "128k")]),
        *("-b:a:4", "64k", "-f", "hls", "-hls_time", "6", "-hls_playlist_type", "vod"),
        *("-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4"),
        *("-hls_flags", "independent_segments"),
        *("-hls_segment_filename", f"{out}/%v/seg_%05d.m4s", "-master_pl_name", "master.m3u8"),
        *("-var_stream_map", f"{streams} a:4,name:audio", f"{out}/%v/index.m3u8"),
        *("-map", "[poster]", "-frames:v", "1", "-q:v", "3", f"{out}/poster.jpg"),
        *("-map", "[frames]", "-q:v", "5", f"{out}/frames/%05d.jpg"),
    ]


def sheets_argv(out: Path) -> list[str]:
    """The preview frames in sheets of 10 x 10 (the project's second, small run)."""
    return [
        *(FFMPEG, *QUIET, "-framerate", "1", "-i", f"{out}/frames/%05d.jpg"),
        *("-filter_complex", "[0:v]tile=10x10[sheets]", "-map", "[sheets]"),
        *("-q:v", "5", f"{out}/thumbnails_%03d.jpg"),
    ]


@dataclass
class Run:
    wall: float
    cpu: float
    ladder: dict[str, Any]
    detail: str
    ffmpeg_cpu: float = field(default=0.0)


def run_measured(
    argv: list[str], *, log: Path, env: dict[str, str] | None = None
) -> tuple[float, resource.struct_rusage]:
    """Run to the end; its wall time and what it and its waited-for children used."""
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
            f"{Path(argv[0]).name} exited {process.returncode}: {log.read_text()[-3000:]}"
        )
    return wall, usage


def ladder_summary(folder: Path) -> dict[str, Any]:
    """What a ladder holds: per rendition its resolution, codecs, segments, seconds, whether it
    ends, bytes; the sheets, whether there is a poster, the pictures' bytes."""
    facts: dict[str, Any] = {}
    for variant in parse_master((folder / "master.m3u8").read_text()):
        playlist, directory = (
            parse_media((folder / variant.uri).read_text()),
            (folder / variant.uri).parent,
        )
        size = sum(p.stat().st_size for p in directory.iterdir())
        shape = (
            variant.resolution or "audio",
            variant.codecs,
            len(playlist.segments),
            playlist.ended,
        )
        facts[directory.name] = {
            "shape": shape,
            "seconds": playlist.duration_seconds,
            "bytes": size,
        }
    pictures = [*folder.glob("thumbnails_*.jpg"), *folder.glob("poster.jpg")]
    sheets = len(pictures) - (folder / "poster.jpg").exists()
    facts["pictures"] = {"shape": (sheets, (folder / "poster.jpg").exists()), "seconds": 0.0}
    facts["pictures"]["bytes"] = sum(p.stat().st_size for p in pictures)
    return facts


def run_reference(source: Path, workdir: Path, ladder: Ladder) -> Run:
    out = workdir / "reference"
    (out / "frames").mkdir(parents=True)
    argv = reference_argv(source, out, poster_at=ladder.poster_at_seconds)
    wall, usage = run_measured(argv, log=workdir / "reference-ffmpeg.log")
    sheets_wall, sheets = run_measured(sheets_argv(out), log=workdir / "reference-sheets.log")
    summary = ladder_summary(out)
    shutil.rmtree(out)
    cpu = usage.ru_utime + usage.ru_stime + sheets.ru_utime + sheets.ru_stime
    detail = f"peak RSS {usage.ru_maxrss / 1024:.0f} MB; sheets {sheets_wall:.2f} s"
    return Run(wall + sheets_wall, cpu, summary, detail)


def run_project(source: Path, workdir: Path, env: dict[str, str]) -> Run:
    result, store = workdir / "project.json", str(REPO / "bench" / "_store.py")
    env = {**env, "PYTHONPATH": str(REPO), "DJANGO_SETTINGS_MODULE": "lms.settings"}
    argv = [sys.executable, store, "transcode", str(source), str(result)]
    total, usage = run_measured(argv, log=workdir / "project.log", env=env)
    facts = json.loads(result.read_text())
    if facts["status"] != "ready":
        raise BenchError(f"The project's transcode ended {facts['status']}: {facts['reason']}")
    summary = ladder_summary(Path(facts["ladder"]))
    shutil.rmtree(facts["videos"])
    ffmpeg = facts["ffmpeg"]
    detail = (
        f"Python {facts['self_cpu']:.1f} s, ffprobe+ffmpeg {facts['children_cpu']:.1f} s, "
        f"PostgreSQL backend {facts['database_cpu']:.2f} s; the ffmpeg run {ffmpeg['wall']:.1f} "
        f"s/{ffmpeg['cpu']:.1f} s CPU; with Django's start-up {total:.1f} s, "
        f"{usage.ru_utime + usage.ru_stime:.1f} s CPU"
    )
    cpu = facts["self_cpu"] + facts["children_cpu"] + facts["database_cpu"]
    return Run(facts["wall"], cpu, summary, detail, ffmpeg["cpu"])


def ladder_differences(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """What differs (renditions, their resolution, codecs, segments and length within 0.1 s,
    the sheets and the poster)."""
    if list(ours) != list(theirs):
        return [f"parts {list(theirs)} in the project, {list(ours)} from ffmpeg"]
    return [
        f"{name}: {theirs[name]['shape']} in the project, {facts['shape']} from ffmpeg"
        for name, facts in ours.items()
        if facts["shape"] != theirs[name]["shape"]
        or abs(facts["seconds"] - theirs[name]["seconds"]) > 0.1
    ] + ([] if ours["pictures"]["shape"][1] else ["no poster"])


def compare(runs: dict[str, list[Run]], seconds: int) -> list[Target]:
    ours, theirs = runs["ffmpeg"][-1].ladder, runs["project"][-1].ladder
    say(f"{'rendition':<10} {'size':>10} {'segments':>9} {'ffmpeg MB':>10} {'project MB':>11}")
    for name, facts in ours.items():
        size, segments = facts["shape"][:2] if name != "pictures" else ("", sum(facts["shape"]))
        mine, other = facts["bytes"] / 1e6, theirs.get(name, {"bytes": 0})["bytes"] / 1e6
        say(f"{name:<10} {size:>10} {segments:>9} {mine:>10.2f} {other:>11.2f}")
    problems = [
        problem
        for reference, project in zip(runs["ffmpeg"], runs["project"], strict=True)
        for problem in ladder_differences(reference.ladder, project.ladder)
    ]
    for problem in dict.fromkeys(problems):
        say(f"  ladder differs: {problem}")
    wall = {kind: statistics.median(r.wall for r in made) for kind, made in runs.items()}
    cpu = {kind: statistics.median(r.cpu for r in made) for kind, made in runs.items()}
    for kind, made in runs.items():
        listed = ", ".join(f"{r.wall:.1f}/{r.cpu:.1f}" for r in made)
        say(f"{kind}: median {wall[kind]:.1f} s wall, {cpu[kind]:.1f} s CPU (runs: {listed})")
    alone = statistics.median(r.ffmpeg_cpu for r in runs["project"])
    times = f"{alone / cpu['ffmpeg']:.3f} x the plain command line's"
    say(f"project's ffmpeg run alone: median {alone:.1f} s CPU ({times})")
    for kind in runs:
        say(f"transcode speed ({kind}): {seconds / wall[kind]:.2f} x real time")
    cpu_ratio, wall_ratio = cpu["project"] / cpu["ffmpeg"], wall["project"] / wall["ffmpeg"]
    return [
        Target("transcode CPU ratio (project/ffmpeg)", round(cpu_ratio, 3), "", "<=", TARGET_RATIO),
        Target(
            "transcode wall ratio (project/ffmpeg)", round(wall_ratio, 3), "", "<=", TARGET_RATIO
        ),
        zero(
            "ladder differences from ffmpeg's (renditions, segments, pictures)",
            len(problems),
            "differences",
        ),
    ]


def measure(minutes: float, rounds: int) -> list[Target]:
    if shutil.which(FFMPEG) is None:
        raise BenchError(f"{FFMPEG} is missing: install it first (make ffmpeg)")
    say(f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    seconds = round(minutes * 60)
    source = lecture(seconds)
    probe = probe_from_ffprobe(ffprobe(str(source), binary=FFPROBE))
    if abs(probe.duration_seconds - seconds) > 1:
        raise BenchError(f"The source lasts {probe.duration_seconds:.1f} s, not {seconds} s")
    ladder = ladder_for(probe)
    source.read_bytes()  # into the page cache: the first run must not pay for the disk
    runs: dict[str, list[Run]] = {"ffmpeg": [], "project": []}
    with project("transcode", broker=False) as lrs:
        say(
            f"Runs: {rounds} of each, alternating; {ladder.fps:g} fps, renditions "
            f"{', '.join(ladder.names)}, poster, {ladder.thumbnail_sheets} preview sheet(s)"
        )
        for number in range(rounds):
            for kind in ("ffmpeg", "project") if number % 2 == 0 else ("project", "ffmpeg"):
                if kind == "ffmpeg":
                    done = run_reference(source, lrs.workdir, ladder)
                else:
                    done = run_project(source, lrs.workdir, lrs.env)
                runs[kind].append(done)
                say(
                    f"round {number + 1}, {kind:<7}: {done.wall:6.1f} s wall, {done.cpu:6.1f} s "
                    f"CPU, load {os.getloadavg()[0]:.1f} ({done.detail})"
                )
    say()
    return compare(runs, seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10, help="the lecture's length (10)")
    parser.add_argument("--rounds", type=int, default=0, help="runs of each (2, 3 under 5 min)")
    options = parser.parse_args(argv)
    rounds = options.rounds or (2 if options.minutes >= 5 else 3)
    return run("transcode", lambda: measure(options.minutes, rounds))


if __name__ == "__main__":
    sys.exit(main())

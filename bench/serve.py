"""What checking playback signatures costs nginx: signed HLS URLs against the same files unsigned.

    python bench/serve.py [--rounds N] [--seconds S]     (or: make bench)

Runs one nginx on 127.0.0.1 with the shipped ``deploy/nginx/metropoli.conf`` (its site settings
replaced, as tests/media/test_nginx.py does) and, in this copy only, a ``location /plain/`` made
from the signed location with the signature check taken out: same types, headers, access log and
file lookup. Only playback is measured; no Django is needed for it. The files are a ladder-like
tree in a temporary folder: 20 segments of exactly 1 MiB of random bytes, 4 rendition playlists
and a master playlist.

Before any load, a signed URL must answer 200 with the file's bytes and a wrong signature 403
(a benchmark of a broken path is worthless). Then wrk (2 threads, 8 keep-alive connections,
rotating over the URLs) loads signed and unsigned URLs in rounds, segments and then playlists:
each round is a signed run and an unsigned one back to back (which goes first alternates), so
that what else the machine is doing weighs on both. Rates are medians over the rounds; the ratio
is the median of the rounds' ratios. nginx's CPU time per request (its workers' user + system
time from /proc) is shown too: it moves far less than the rates on a shared machine, and the
difference is what the signature check costs. nginx runs as many workers as cores, sharing them
with wrk.

Ends with one line per target and exits 1 if any says MISS. nginx is stopped whatever happens.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from _harness import REPO, BenchError, CpuMeter, Target, children, free_port, report, say, stop

from media.signing import sign_playback  # pure: the URL format Django issues; no Django here

DEPLOY = REPO / "deploy" / "nginx"
JS_MODULE = Path("/usr/lib/nginx/modules/ngx_http_js_module.so")
KEY = "bench-" + uuid.uuid4().hex
USER = uuid.uuid4()
ASSET = uuid.uuid4()
LADDER = uuid.uuid4().hex
SEGMENTS = 20
SEGMENT_BYTES = 1 << 20
RENDITIONS = ("1080p", "720p", "480p", "360p")
THREADS, CONNECTIONS = 2, 8


# --- tools ------------------------------------------------------------------------------------


def system_tool(command: str, packages: str, present: bool | None = None) -> None:
    """Install ``packages`` with apt-get when ``command`` is missing and we are root (as the
    Makefile's system_package does), else stop with the command to run."""
    if present if present is not None else shutil.which(command):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say(f"Installing {packages} with apt-get...")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)  # noqa: S607
        result = subprocess.run(  # noqa: S603
            ["apt-get", "install", "-y", "-qq", *packages.split()],  # noqa: S607
            check=False,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        if result.returncode == 0:
            return
    raise BenchError(
        f"{command} is missing: install it first, e.g. 'sudo apt-get install {packages}'"
    )


def nginx_binary() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    system_tool("nginx", "nginx libnginx-mod-http-js", bool(found) and JS_MODULE.exists())
    if not found:  # just installed: Debian starts it on port 80; this benchmark runs its own
        subprocess.run(["service", "nginx", "stop"], check=False, capture_output=True)  # noqa: S607
    return found or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin") or "nginx"


# --- files and configuration ------------------------------------------------------------------


def make_ladder(media_root: Path) -> dict[str, bytes]:
    """A published ladder as the transcoder leaves it: the files by their path under the asset."""
    ladder = f"ladders/{LADDER}"
    files: dict[str, bytes] = {}
    master = ["#EXTM3U", "#EXT-X-VERSION:7"]
    for rendition in RENDITIONS:
        master += ["#EXT-X-STREAM-INF:BANDWIDTH=3000000", f"{rendition}/index.m3u8"]
        playlist = [
            "#EXTM3U",
            "#EXT-X-VERSION:7",
            "#EXT-X-TARGETDURATION:6",
            '#EXT-X-MAP:URI="init.mp4"',
        ]
        for number in range(1, SEGMENTS + 1):
            playlist += ["#EXTINF:6.000000,", f"seg_{number:05d}.m4s"]
        files[f"{ladder}/{rendition}/index.m3u8"] = (
            "\n".join([*playlist, "#EXT-X-ENDLIST"]) + "\n"
        ).encode()
    files[f"{ladder}/master.m3u8"] = ("\n".join(master) + "\n").encode()
    for number in range(1, SEGMENTS + 1):
        files[f"{ladder}/720p/seg_{number:05d}.m4s"] = os.urandom(SEGMENT_BYTES)
    for name, data in files.items():
        path = media_root / "videos" / str(ASSET) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def render_site(conf: str, settings: dict[str, str]) -> str:
    for shipped, value in settings.items():
        if shipped not in conf:
            raise BenchError(f"{shipped!r} is no longer in metropoli.conf: update bench/serve.py")
        conf = conf.replace(shipped, value)
    return conf


def plain_location(site: str) -> str:
    """The signed playback location with its signature check taken out, at /plain/<asset>/<path>."""
    start = site.index('location ~ "^/hls/')
    opened = site.index("\n", start)  # the regex holds braces: count from the next line on
    depth, end = 1, opened
    while depth:
        end += 1
        depth += {"{": 1, "}": -1}.get(site[end], 0)
    block = site[start : end + 1]
    check = re.search(r"\n[ \t]*if \(\$hls_valid != 1\) \{[^}]*\}", block)
    if check is None:
        raise BenchError("The signature check of metropoli.conf changed: update bench/serve.py")
    uuid_re = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    head = f'location ~ "^/plain/(?<hls_asset>{uuid_re})/(?<hls_path>.+)$" {{'
    return head + block.replace(check.group(0), "")[opened - start :]


def write_configuration(prefix: Path, *, port: int, media_root: Path, error_log: Path) -> Path:
    logs = prefix / "logs"
    logs.mkdir(parents=True)
    site = render_site(
        (DEPLOY / "metropoli.conf").read_text(),
        {
            "server 127.0.0.1:8000;": f"server 127.0.0.1:{free_port()};",  # no Django needed
            "/etc/nginx/metropoli/hls_auth.js": str(DEPLOY / "hls_auth.js"),
            "/srv/lms/var/media;": f"{media_root};",  # set $metropoli_media_root
            "/var/log/nginx/": f"{logs}/",
        },
    )
    site = render_site(
        site, {"listen 80;": f"listen 127.0.0.1:{port};\n    {plain_location(site)}"}
    )
    (prefix / "metropoli.conf").write_text(site)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"""
daemon off;
worker_processes auto;
pid {prefix}/nginx.pid;
error_log {error_log} warn;
{"user root;" if os.geteuid() == 0 else ""}
load_module {JS_MODULE};
include {DEPLOY / "nginx-main.conf"};
events {{ worker_connections 1024; }}
http {{
    access_log off;
{temp_paths}
    include {prefix}/metropoli.conf;
}}
"""
    )
    return conf


@dataclass
class Nginx:
    process: subprocess.Popen[bytes]
    port: int

    def get(self, path: str) -> tuple[int, str, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.getheader("Content-Type") or "", response.read()
        finally:
            connection.close()


def start_nginx(binary: str, conf: Path, *, port: int, error_log: Path) -> Nginx:
    process = subprocess.Popen(  # noqa: S603 - the system's nginx, our configuration
        [binary, "-p", f"{conf.parent}/", "-c", str(conf), "-e", str(error_log)],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "MEDIA_SIGNING_KEY": KEY},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as a whole
    )
    deadline = time.monotonic() + 15
    while True:
        if process.poll() is not None:
            raise BenchError(
                f"nginx exited ({process.returncode}):\n{error_log.read_text()[-2000:]}"
            )
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return Nginx(process, port)
        except OSError:
            if time.monotonic() > deadline:
                stop(process)
                raise BenchError(f"nginx did not listen within 15 s; see {error_log}") from None
            time.sleep(0.05)


# --- checks and load --------------------------------------------------------------------------


def signed_path(file: str, *, key: str = KEY) -> str:
    token = sign_playback(
        key=key.encode(), user_id=USER, asset_id=ASSET, expires=int(time.time()) + 3600
    )
    return f"/hls/{token.path(file)}"


def plain_path(file: str) -> str:
    return f"/plain/{ASSET}/{file}"


def check_paths(nginx: Nginx, files: dict[str, bytes]) -> None:
    """Both paths serve the right bytes, and the signed one refuses a wrong signature."""
    segment = f"ladders/{LADDER}/720p/seg_00001.m4s"
    for path in (signed_path(segment), plain_path(segment)):
        status, content_type, body = nginx.get(path)
        if (status, content_type, body) != (200, "video/iso.segment", files[segment]):
            raise BenchError(f"GET {path}: HTTP {status} {content_type}, {len(body)} bytes")
    wrong = signed_path(segment, key="not-" + KEY)
    status, _, _ = nginx.get(wrong)
    if status != 403:
        raise BenchError(f"A wrong signature got HTTP {status}, not 403: nothing is checked")
    say(
        f"Checked: signed and plain URLs serve the segment's {SEGMENT_BYTES:,} bytes; "
        "a wrong signature gets 403"
    )


@dataclass(frozen=True)
class Run:
    requests: int
    seconds: float
    megabytes: float
    errors: int  # non-2xx/3xx answers and socket errors
    cpu_seconds: float  # nginx's workers, user + system

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def throughput(self) -> float:
        return self.megabytes / self.seconds

    @property
    def cpu_us(self) -> float:
        """nginx's CPU time per request, in microseconds: steadier than the rate on a machine
        shared with other work."""
        return 1e6 * self.cpu_seconds / self.requests if self.requests else float("nan")


LUA = """
local paths = {%s}
local next_path = 0
request = function()
  next_path = next_path %% #paths + 1
  return wrk.format("GET", paths[next_path])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    summary.bytes, e.status + e.connect + e.read + e.write + e.timeout))
end
"""


def load(nginx: Nginx, paths: list[str], *, seconds: float, workdir: Path) -> Run:
    """wrk on loopback, rotating over ``paths``."""
    script = workdir / "rotate.lua"
    script.write_text(LUA % ", ".join(f'"{path}"' for path in paths))
    meter = CpuMeter(lambda: children(nginx.process.pid))
    meter.start()
    result = subprocess.run(  # noqa: S603 - wrk from PATH, our arguments
        [
            shutil.which("wrk") or "wrk",
            f"-t{THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{seconds:g}s",
            "--timeout=10s",
            f"-s{script}",
            f"http://127.0.0.1:{nginx.port}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    cpu = meter.seconds()
    found = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+)$", result.stdout, re.MULTILINE)
    if result.returncode != 0 or found is None:
        raise BenchError(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    requests, microseconds, size, errors = (int(value) for value in found.groups())
    return Run(requests, microseconds / 1e6, size / 2**20, errors, cpu)


@dataclass
class Comparison:
    """Signed and unsigned runs in pairs, one right after the other: whatever else the machine
    does at that moment weighs on both runs of a pair."""

    name: str
    signed: list[Run]
    plain: list[Run]

    @property
    def signed_rate(self) -> float:
        return statistics.median(run.rate for run in self.signed)

    @property
    def plain_rate(self) -> float:
        return statistics.median(run.rate for run in self.plain)

    @property
    def ratio(self) -> float:
        """The median of the pairs' signed/unsigned rate ratios."""
        return statistics.median(
            s.rate / p.rate for s, p in zip(self.signed, self.plain, strict=True)
        )

    @property
    def signed_cpu_us(self) -> float:
        return statistics.median(run.cpu_us for run in self.signed)

    @property
    def plain_cpu_us(self) -> float:
        return statistics.median(run.cpu_us for run in self.plain)

    @property
    def errors(self) -> int:
        return sum(run.errors for run in self.signed + self.plain)

    def summary(self) -> str:
        return (
            f"signed {self.signed_rate:,.0f} req/s, unsigned {self.plain_rate:,.0f} req/s "
            f"(medians), ratio {self.ratio:.2f} (median of the rounds' ratios); nginx CPU "
            f"{self.signed_cpu_us:,.0f} µs/request signed, {self.plain_cpu_us:,.0f} unsigned"
        )


def compare(
    nginx: Nginx, name: str, files: list[str], *, rounds: int, seconds: float, workdir: Path
) -> Comparison:
    signed = [signed_path(file) for file in files]
    plain = [plain_path(file) for file in files]
    load(nginx, signed, seconds=2, workdir=workdir)  # warm-up, not measured
    load(nginx, plain, seconds=2, workdir=workdir)
    result = Comparison(name, [], [])
    say(f"{name}: {len(files)} URLs, {rounds} rounds of {seconds:g} s each way")
    say(
        f"  {'round':>5} {'signed req/s':>13} {'plain req/s':>12} {'ratio':>6} "
        f"{'signed MiB/s':>13} {'plain MiB/s':>12} "
        f"{'signed CPU µs/req':>18} {'plain CPU µs/req':>17}"
    )
    for number in range(rounds):
        order = [("signed", signed), ("plain", plain)]
        for kind, paths in order if number % 2 == 0 else order[::-1]:  # neither always goes first
            getattr(result, kind).append(load(nginx, paths, seconds=seconds, workdir=workdir))
        s, p = result.signed[-1], result.plain[-1]
        say(
            f"  {number + 1:>5} {s.rate:>13,.0f} {p.rate:>12,.0f} {s.rate / p.rate:>6.2f} "
            f"{s.throughput:>13,.0f} {p.throughput:>12,.0f} {s.cpu_us:>18,.1f} {p.cpu_us:>17,.1f}"
        )
    say(f"  {result.summary()}")
    return result


# --- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=6, help="rounds each way (default 6)")
    parser.add_argument("--seconds", type=float, default=4, help="seconds per run (default 4)")
    options = parser.parse_args(argv)
    log_dir = REPO / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    error_log = log_dir / "serve-nginx-error.log"
    try:
        binary = nginx_binary()
        system_tool("wrk", "wrk")
        with tempfile.TemporaryDirectory(prefix="serve-bench-") as tmp:
            workdir = Path(tmp)
            files = make_ladder(workdir / "media")
            port = free_port()
            conf = write_configuration(
                workdir / "nginx", port=port, media_root=workdir / "media", error_log=error_log
            )
            version = subprocess.run(  # noqa: S603 - the nginx found above
                [binary, "-v"], capture_output=True, text=True, check=False
            ).stderr.strip()
            nginx = start_nginx(binary, conf, port=port, error_log=error_log)
            try:
                say(
                    f"Server: {version}, njs module, {os.cpu_count()} workers, "
                    f"http://127.0.0.1:{port} (error log: {error_log})"
                )
                say(f"Load: wrk, {THREADS} threads, {CONNECTIONS} connections, on the same machine")
                check_paths(nginx, files)
                say()
                segments = compare(
                    nginx,
                    f"Segments ({SEGMENT_BYTES >> 20} MiB)",
                    sorted(name for name in files if name.endswith(".m4s")),
                    rounds=options.rounds,
                    seconds=options.seconds,
                    workdir=workdir,
                )
                say()
                playlists = compare(
                    nginx,
                    "Playlists (small files)",
                    sorted(name for name in files if name.endswith(".m3u8")),
                    rounds=options.rounds,
                    seconds=options.seconds,
                    workdir=workdir,
                )
            finally:
                stop(nginx.process)  # before its folder goes
    except BenchError as exc:
        say(f"serve: could not run: {exc}")
        return 1
    say()
    say(f"Segments: {segments.summary()}")
    say(f"Playlists (informative, no target): {playlists.summary()}")
    return report(
        [
            Target("signed/unsigned segment rate", segments.ratio, "ratio", ">=", 0.9),
            Target(
                "errors under load",
                float(segments.errors + playlists.errors),
                "non-2xx answers or socket errors",
                "==",
                0,
            ),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())

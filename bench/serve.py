"""What checking playback signatures costs nginx: signed HLS URLs against the same files unsigned.

    python bench/serve.py [--rounds N] [--seconds S]     (or: make bench)

nginx on 127.0.0.1 with the shipped deploy/nginx/metropoli.conf (site settings replaced, as
tests/media/test_nginx.py does) plus, in this copy only, ``/plain/``: the signed location without
its check. Files: 20 segments of 1 MiB, 4 playlists and a master. A signed URL must serve the
bytes and a wrong signature get 403; then wrk (2 threads, 8 connections) loads signed and plain
URLs in rounds, back to back, alternating which goes first; the ratio is the rounds' median.
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

import _harness as h

from media.signing import sign_playback  # pure: the URL format Django issues

DEPLOY = h.REPO / "deploy" / "nginx"
JS_MODULE = Path("/usr/lib/nginx/modules/ngx_http_js_module.so")
KEY, USER, ASSET = f"bench-{uuid.uuid4().hex}", uuid.uuid4(), uuid.uuid4()
LADDER = uuid.uuid4().hex  # as the transcoder names them
SEGMENT = f"ladders/{LADDER}/720p/seg_00001.m4s"
THREADS, CONNECTIONS = 2, 8
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


def wrk() -> str:
    """wrk, installed with apt-get when it is missing and we are root (nginx: ``make nginx``)."""
    if not shutil.which("wrk") and os.geteuid() == 0:
        h.say("Installing wrk with apt-get...")
        for args in (["update", "-qq"], ["install", "-y", "-qq", "wrk"]):
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            subprocess.run(["apt-get", *args], env=env, capture_output=True, check=False)  # noqa: S603, S607
    if found := shutil.which("wrk"):
        return found
    raise h.BenchError("wrk is missing: install it first ('apt-get install wrk')")


def make_ladder(media_root: Path) -> dict[str, bytes]:
    """A published ladder as the transcoder leaves it: the files by their path under the asset."""
    files, master = {}, ["#EXTM3U", "#EXT-X-VERSION:7"]
    playlist = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:6"]
    playlist += ['#EXT-X-MAP:URI="init.mp4"']
    playlist += [f"#EXTINF:6.000000,\nseg_{n:05d}.m4s" for n in range(1, 21)] + ["#EXT-X-ENDLIST"]
    for rendition in ("1080p", "720p", "480p", "360p"):
        master += ["#EXT-X-STREAM-INF:BANDWIDTH=3000000", f"{rendition}/index.m3u8"]
        files[f"ladders/{LADDER}/{rendition}/index.m3u8"] = "\n".join([*playlist, ""]).encode()
    files[f"ladders/{LADDER}/master.m3u8"] = "\n".join([*master, ""]).encode()
    for number in range(1, 21):
        files[f"ladders/{LADDER}/720p/seg_{number:05d}.m4s"] = os.urandom(1 << 20)
    for name, data in files.items():
        path = media_root / "videos" / str(ASSET) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def replace(conf: str, settings: dict[str, str]) -> str:
    for shipped, value in settings.items():
        if shipped not in conf:
            raise h.BenchError(f"{shipped!r} is no longer in metropoli.conf: update bench/serve.py")
        conf = conf.replace(shipped, value)
    return conf


def plain_location(site: str) -> str:
    """The signed playback location without its signature check, at /plain/<asset>/<path>."""
    opened = end = site.index("\n", site.index('location ~ "^/hls/'))  # its regex holds braces
    depth = 1
    while depth:
        end += 1
        depth += {"{": 1, "}": -1}.get(site[end], 0)
    block = site[opened : end + 1]
    check = re.search(r"\n[ \t]*if \(\$hls_valid != 1\) \{[^}]*\}", block)
    if check is None:
        raise h.BenchError("The signature check of metropoli.conf changed: update bench/serve.py")
    uuid_re = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    return f'location ~ "^/plain/(?<hls_asset>{uuid_re})/(?<hls_path>.+)$" {{' + block.replace(
        check.group(0), ""
    )


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


def start_nginx(binary: str, prefix: Path, media_root: Path, error_log: Path) -> Nginx:
    port, logs = h.free_port(), prefix / "logs"
    logs.mkdir(parents=True)
    site = replace(
        (DEPLOY / "metropoli.conf").read_text(),
        {
            "server 127.0.0.1:8000;": f"server 127.0.0.1:{h.free_port()};",  # no Django needed
            "/etc/nginx/metropoli/hls_auth.js": str(DEPLOY / "hls_auth.js"),
            "/srv/lms/var/media;": f"{media_root};",
            "/var/log/nginx/": f"{logs}/",
        },
    )
    site = replace(site, {"listen 80;": f"listen 127.0.0.1:{port};\n    {plain_location(site)}"})
    (prefix / "metropoli.conf").write_text(site)
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = "".join(f"    {kind}_temp_path {prefix / kind};\n" for kind in kinds)
    (prefix / "nginx.conf").write_text(
        f"daemon off;\nworker_processes auto;\npid {prefix}/nginx.pid;\n"
        f"error_log {error_log} warn;\n{'user root;' if os.geteuid() == 0 else ''}\n"
        f"load_module {JS_MODULE};\ninclude {DEPLOY / 'nginx-main.conf'};\n"
        f"events {{ worker_connections 1024; }}\n"
        f"http {{\n    access_log off;\n{temp}    include {prefix}/metropoli.conf;\n}}\n"
    )
    process = subprocess.Popen(  # noqa: S603 - the system's nginx, our configuration
        [binary, "-p", f"{prefix}/", "-c", str(prefix / "nginx.conf"), "-e", str(error_log)],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "MEDIA_SIGNING_KEY": KEY},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as a whole
    )
    deadline = time.monotonic() + 15
    while process.poll() is None and time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return Nginx(process, port)
        except OSError:
            time.sleep(0.05)
    h.stop(process)
    raise h.BenchError(f"nginx did not start: {error_log.read_text()[-2000:]}")


def signed(file: str, *, key: str = KEY) -> str:
    expires = int(time.time()) + 3600
    token = sign_playback(key=key.encode(), user_id=USER, asset_id=ASSET, expires=expires)
    return f"/hls/{token.path(file)}"


def plain(file: str) -> str:
    return f"/plain/{ASSET}/{file}"


def check_paths(nginx: Nginx, files: dict[str, bytes]) -> None:
    """Both paths serve the right bytes, and the signed one refuses a wrong signature."""
    for path in (signed(SEGMENT), plain(SEGMENT)):
        status, content_type, body = nginx.get(path)
        if (status, content_type, body) != (200, "video/iso.segment", files[SEGMENT]):
            raise h.BenchError(f"GET {path}: HTTP {status} {content_type}, {len(body)} bytes")
    if (status := nginx.get(signed(SEGMENT, key="not-" + KEY))[0]) != 403:
        raise h.BenchError(f"A wrong signature got HTTP {status}, not 403: nothing is checked")
    h.say(f"Checked: both serve the segment's {len(files[SEGMENT]):,} bytes; a wrong signature 403")


@dataclass(frozen=True)
class Load:
    rate: float  # requests/s
    throughput: float  # MiB/s
    errors: int  # non-2xx/3xx answers and socket errors
    cpu_us: float  # nginx's workers' CPU per request


def load(nginx: Nginx, paths: list[str], seconds: float) -> Load:
    """wrk on loopback, rotating over ``paths``."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(LUA % ", ".join(f'"{path}"' for path in paths))
        script.flush()
        meter = h.CpuMeter(lambda: h.children(nginx.process.pid))
        meter.start()
        result = subprocess.run(  # noqa: S603 - wrk, our arguments
            [wrk(), f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--timeout=10s"]
            + [f"-s{script.name}", f"http://127.0.0.1:{nginx.port}"],
            capture_output=True,
            text=True,
            check=False,
        )
        cpu = meter.seconds()
    found = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+)$", result.stdout, re.MULTILINE)
    if result.returncode != 0 or found is None:
        raise h.BenchError(f"wrk failed ({result.returncode}): {result.stdout} {result.stderr}")
    requests, micros, size, errors = (int(value) for value in found.groups())
    return Load(requests / micros * 1e6, size / 2**20 / micros * 1e6, errors, cpu / requests * 1e6)


Runs = tuple[list[Load], list[Load]]  # signed, plain


def compare(nginx: Nginx, name: str, files: list[str], rounds: int, seconds: float) -> Runs:
    """Signed and plain runs in rounds, back to back."""
    urls = {"signed": [signed(f) for f in files], "plain": [plain(f) for f in files]}
    for paths in urls.values():
        load(nginx, paths, 2)  # warm-up, not measured
    h.say(f"{name}: {len(files)} URLs, {rounds} rounds of {seconds:g} s each way")
    h.say(
        f"  {'round':>5} {'signed req/s':>13} {'plain req/s':>12} {'ratio':>6} {'signed MiB/s':>13}"
        f" {'plain MiB/s':>12} {'signed CPU µs/req':>18} {'plain CPU µs/req':>17}"
    )
    runs: dict[str, list[Load]] = {"signed": [], "plain": []}
    for number in range(rounds):
        for kind in ("signed", "plain") if number % 2 == 0 else ("plain", "signed"):
            runs[kind].append(load(nginx, urls[kind], seconds))
        s, p = runs["signed"][-1], runs["plain"][-1]
        h.say(
            f"  {number + 1:>5} {s.rate:>13,.0f} {p.rate:>12,.0f} {s.rate / p.rate:>6.2f} "
            f"{s.throughput:>13,.0f} {p.throughput:>12,.0f} {s.cpu_us:>18,.1f} {p.cpu_us:>17,.1f}"
        )
    h.say(f"  {summary((runs['signed'], runs['plain']))}")
    return runs["signed"], runs["plain"]


def ratio(runs: Runs) -> float:
    return statistics.median(s.rate / p.rate for s, p in zip(*runs, strict=True))


def summary(runs: Runs) -> str:
    signed, plain = runs

    def mid(runs: list[Load], what: str) -> float:
        return statistics.median(getattr(run, what) for run in runs)

    return (
        f"signed {mid(signed, 'rate'):,.0f} req/s, unsigned {mid(plain, 'rate'):,.0f} req/s "
        f"(medians), ratio {ratio(runs):.2f} (median of the rounds' ratios); nginx CPU "
        f"{mid(signed, 'cpu_us'):,.0f} µs/request signed, {mid(plain, 'cpu_us'):,.0f} unsigned"
    )


def measure(rounds: int, seconds: float) -> list[h.Target]:
    binary = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
    if binary is None or not JS_MODULE.exists():
        raise h.BenchError("nginx or its njs module is missing: install them first (make nginx)")
    version = subprocess.run([binary, "-v"], capture_output=True, text=True, check=False)  # noqa: S603
    error_log = h.LOG_DIR / "serve-nginx-error.log"
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as tmp:
        files = make_ladder(Path(tmp) / "media")
        nginx = start_nginx(binary, Path(tmp) / "nginx", Path(tmp) / "media", error_log)
        try:
            h.say(f"Server: {version.stderr.strip()}, njs, {os.cpu_count()} workers ({error_log})")
            h.say(f"Load: wrk, {THREADS} threads, {CONNECTIONS} connections, on the same machine")
            check_paths(nginx, files)
            h.say()
            segments = [n for n in sorted(files) if n.endswith(".m4s")]
            segment = compare(nginx, "Segments (1 MiB)", segments, rounds, seconds)
            h.say()
            playlists = [n for n in sorted(files) if n.endswith(".m3u8")]
            playlist = compare(nginx, "Playlists (small files)", playlists, rounds, seconds)
        finally:
            h.stop(nginx.process)  # before its folder goes
    h.say()
    h.say(f"Segments: {summary(segment)}")
    h.say(f"Playlists (informative, no target): {summary(playlist)}")
    errors = sum(run.errors for runs in (*segment, *playlist) for run in runs)
    return [
        h.Target("signed/unsigned segment rate", ratio(segment), "ratio", ">=", 0.9),
        h.zero("errors under load", errors, "non-2xx answers or socket errors"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=6, help="rounds each way (default 6)")
    parser.add_argument("--seconds", type=float, default=4, help="seconds per run (default 4)")
    options = parser.parse_args(argv)
    return h.run("serve", lambda: measure(options.rounds, options.seconds))


if __name__ == "__main__":
    sys.exit(main())

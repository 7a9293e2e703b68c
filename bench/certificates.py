"""What writing a certificate's PDF costs: seconds per certificate over a batch of 1,000, and
peak memory.

    python bench/certificates.py [--count N] [--rounds N]     (or: make bench)

A fresh Python process (Django set up with the production settings; no database:
``certificates.rendering`` takes plain values, not models) renders ``--count`` certificates
with the built-in template (``certificates/templates/certificates/default.*``), each with its
own learner, code, hours and QR code, half in Italian and half in English, and a ~2 KB JSON
attachment like the Open Badges credential the services embed: the context
(``render_context``, which draws the QR code) and the PDF/A-3b (``certificate_pdf``), as a
worker writes them one after another. The first certificate is timed apart (the fonts and
stylesheets are parsed once per process). Its figures: seconds per certificate over the batch,
CPU, the slowest certificate, and peak RSS (``ru_maxrss``: Django's and the libraries' memory
included). ``--rounds`` fresh processes: the fastest round counts (timeit's rule: other work on
a shared machine only ever slows a round down), and the highest peak. Every PDF is checked
(signature, one page); the first and last are read back with pypdf (name, code, attachment).
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import _harness as h

SECONDS_TARGET = 0.1  # per certificate, over the batch
MEMORY_TARGET_MB = 300  # a Celery worker writes them, beside its own memory
FIRST = ("Giulia", "Marco", "Francesca", "Luca", "Chiara", "Andrea", "Sara", "Davide", "Elena")
LAST = ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "D'Angelo")
CITIES = ("Milano", "Napoli", "Torino", "Bari", "Bologna", "Firenze", "Genova", "Roma")
KINDS = ("module", "course", "programme")


def credential(number: int) -> bytes:
    """About 2 KB of JSON, as an Open Badges 3.0 credential is."""
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "id": f"urn:uuid:{number:08d}-0000-4000-8000-000000000000",
        "issuer": {"id": "https://lms.example.it/issuer", "type": ["Profile"], "name": "Metropoli"},
        "validFrom": "2026-11-09T10:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {"type": ["Achievement"], "name": f"Modulo {number}", "criteria": {}},
        },
        "proof": {"type": "DataIntegrityProof", "proofValue": "z" + "3" * 1200},
    }
    return json.dumps(document, indent=2).encode()


def render_in_this_process(count: int) -> dict[str, Any]:
    """The child's work: ``count`` certificates rendered, timed; its figures for the parent."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    import django

    django.setup()
    import pypdf

    from certificates import rendering
    from certificates.selectors import template_default

    html, css = template_default()
    base = rendering.preview_facts("it")

    def facts(number: int) -> rendering.CertificateFacts:
        code = verification_code(number)
        return dataclasses.replace(
            base,
            code=code,
            verification_url=f"https://lms.example.it/verify/{code}",
            learner_name=f"{FIRST[number % 9]} {LAST[number // 9 % 8]} {number:04d}",
            learner_tax_code="" if number % 5 == 0 else f"RSSMRA80A01H{number % 1000:03d}U",
            learner_organisation=f"Comune di {CITIES[number % 8]} {number % 50 + 1}",
            learner_city=CITIES[number % 8],
            kind=KINDS[number % 3],
            distance_seconds=3600.0 * (number % 300) + number % 3600,
            in_person_seconds=1800.0 * (number % 17),
            webinar_seconds=900.0 * (number % 11),
            completed_on=date(2026, 1, 1) + timedelta(days=number % 365),
            language="it" if number % 2 == 0 else "en",
        )

    def render(number: int) -> bytes:
        one = facts(number)
        return rendering.certificate_pdf(
            html=html,
            css=css,
            context=rendering.render_context(facts=one),
            attachments=[("open-badge-credential.json", credential(number), "Open Badges 3.0")],
            language=one.language,
        )

    started = time.perf_counter()
    first = last = render(0)
    first_seconds, slowest = time.perf_counter() - started, 0.0
    started, cpu_started = time.perf_counter(), time.process_time()
    for number in range(1, count + 1):
        began = time.perf_counter()
        last = render(number)
        slowest = max(slowest, time.perf_counter() - began)
        if not last.startswith(b"%PDF-"):
            raise h.BenchError(f"Certificate {number} is not a PDF")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    for number, pdf in ((0, first), (count, last)):
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        text = reader.pages[0].extract_text()
        expected = (facts(number).learner_name, facts(number).code)
        if len(reader.pages) != 1 or not all(part in text for part in expected):
            raise h.BenchError(f"Certificate {number} is not one page with its name and code")
        if reader.attachments.get("open-badge-credential.json") != [credential(number)]:
            raise h.BenchError(f"Certificate {number} lacks its attachment")
    return {
        "count": count,
        "seconds": seconds,
        "cpu": cpu,
        "first_seconds": first_seconds,
        "slowest": slowest,
        "peak_mb": peak_mb,
        "bytes": len(last),
        "font": rendering.font_family(),
    }


def verification_code(number: int) -> str:
    """A distinct verification code per certificate, as ``certificates.codes`` prints them."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    raw = "".join(alphabet[(number * 7919 + i * 104729) % 32] for i in range(16))
    return "MLC-" + "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def render_in_child(count: int, workdir: Path) -> dict[str, Any]:
    """One batch rendered by a fresh process (``--child``); its figures."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings",
        "PYTHONPATH": str(h.REPO),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "MEDIA_SIGNING_KEY": secrets.token_urlsafe(32),
        "VAR_DIR": str(workdir / "var"),
        "LOG_LEVEL": "WARNING",  # WeasyPrint tells every step at INFO
    }
    result = subprocess.run(  # noqa: S603 - our interpreter, this script
        [sys.executable, __file__, "--child", "--count", str(count)],
        cwd=h.REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise h.BenchError(f"rendering the certificates failed:\n{result.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def measure(count: int, rounds: int) -> list[h.Target]:
    done = []
    for number in range(1, rounds + 1):
        h.say(f"{count:,} certificates in a fresh process, round {number} of {rounds}...")
        with tempfile.TemporaryDirectory(prefix="certificates-bench-") as tmp:
            figures = render_in_child(count, Path(tmp))
        h.say(
            f"  {figures['seconds']:.1f} s ({figures['cpu']:.1f} s of CPU): "
            f"{figures['seconds'] / count * 1000:.1f} ms per certificate, slowest "
            f"{figures['slowest'] * 1000:.0f} ms, first {figures['first_seconds'] * 1000:.0f} ms "
            f"(fonts loaded); peak RSS {figures['peak_mb']:.0f} MB; "
            f"{figures['bytes'] / 1000:.0f} KB a PDF, in {figures['font']}"
        )
        done.append(figures)
    best = min(done, key=lambda figures: figures["seconds"])
    peak = max(figures["peak_mb"] for figures in done)
    size = f"{count:,} certificates, best of {rounds}"
    return [
        h.Target(
            f"PDF/A-3b, {size}", best["seconds"] / count, "s per certificate", "<=", SECONDS_TARGET
        ),
        h.Target(f"Peak memory, {size}", peak, "MB", "<=", MEMORY_TARGET_MB),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="certificates (1,000)")
    parser.add_argument("--rounds", type=int, default=1, help="fresh processes (1)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.child:  # the fresh process of render_in_child
        print(json.dumps(render_in_this_process(options.count)))  # noqa: T201 - the parent reads it
        return 0
    return h.run("certificates", lambda: measure(options.count, options.rounds))


if __name__ == "__main__":
    sys.exit(main())

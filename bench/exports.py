"""What writing an attendance register costs: CSV and XLSX rows per second and peak memory on a
million rows, and the PDF's seconds per thousand rows.

    python bench/exports.py [--rows N] [--pdf-rows N] [--rounds N]     (or: make bench)

The rows are synthetic and made as they are written, by a generator (a register of 2,000
learners over 300 days: name, tax code, organisation, day, entry and exit to the second,
hours, an empty signature), so that nothing but the writer holds memory. Each format is written
by ``tracking.attendance.exports`` in a fresh Python process of its own (Django set up with the
production settings; no database: the writers take rows, not models), which reports its time and
its peak RSS (``ru_maxrss``): Django's and the libraries' own memory included, nobody else's.
The CSV's chunks go to a file as a StreamingHttpResponse would send them; the XLSX is written
in XlsxWriter's constant-memory mode to a file; the PDF (WeasyPrint lays out a whole document at
once) on ``--pdf-rows`` rows. CSV and XLSX are written ``--rounds`` times: the fastest round
counts (timeit's rule: other sessions on a shared machine only ever slow a round down), and the
highest peak. Each file is checked: the CSV's lines, the XLSX's sheet and its last row, the PDF's
signature.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import _harness as h

LEARNERS, DAYS = 2000, 300
FIRST_DAY = date(2026, 1, 12)  # 300 days from here cross both of 2026's clock changes
ROME = ZoneInfo("Europe/Rome")
FIRST = ("Giulia", "Marco", "Francesca", "Luca", "Chiara", "Andrea", "Sara", "Davide", "Elena")
LAST = ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci")
CITIES = ("Milano", "Napoli", "Torino", "Bari", "Bologna", "Firenze", "Genova", "Roma")
FORMATS = ("csv", "xlsx", "pdf")
MEMORY_TARGET_MB = 200
# WeasyPrint lays out some 500 table cells a second on our 2-core machines (a bare 8-column
# table of 1,000 rows, no CSS at all, takes 15 to 20 s): no writer of ours gets a register under
# 10 s per 1,000 rows. The register takes 15 to 25 s; the ceiling is there to catch a regression.
PDF_CEILING_SECONDS = 40


def register_rows(count: int) -> Iterator[tuple[Any, ...]]:
    """``count`` rows of a session register, made one by one: each day's 2,000 learners with an
    entry within half an hour of 9:00 and an exit between 13:00 and 14:00, to the second."""
    learners = [
        (
            f"{FIRST[n % len(FIRST)]} {LAST[n // len(FIRST) % len(LAST)]} {n:04d}",
            f"{LAST[n % len(LAST)][:3].upper()}{FIRST[n % len(FIRST)][:3].upper()}80A01F{n:04d}X",
            f"Comune di {CITIES[n % len(CITIES)]} {n % 50 + 1}",
        )
        for n in range(LEARNERS)
    ]
    days = [FIRST_DAY + timedelta(days=n) for n in range(DAYS)]
    nine = [datetime(d.year, d.month, d.day, 9, tzinfo=ROME).astimezone(UTC) for d in days]
    seconds = [timedelta(seconds=n) for n in range(14400 + 3600)]  # made once, not per row
    index = 0
    while True:  # as a database cursor would hand them over: cheap beside the writer
        for day, opening in zip(days, nine, strict=True):
            for name, tax_code, organisation in learners:
                if index == count:
                    return
                entered, left = index * 7919 % 1800, 14400 + index * 104729 % 3600
                hours = (left - entered) / 3600
                entry, exit_ = opening + seconds[entered], opening + seconds[left]
                yield (name, tax_code, organisation, day, entry, exit_, hours, None)
                index += 1


def write_in_this_process(kind: str, rows: int, output: Path) -> dict[str, Any]:
    """The child's work: one register written, timed; its figures for the parent."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    import django

    django.setup()
    # The writers' module renders templates and reads the time zone: after setup, not before.
    from django.utils import translation

    from tracking.attendance.exports import (
        Column,
        RegisterHeading,
        csv_chunks,
        pdf_write,
        xlsx_write,
    )

    columns = [
        Column("name", "Cognome e nome", "text"),
        Column("tax_code", "Codice fiscale", "text"),
        Column("organisation", "Ente", "text"),
        Column("day", "Data", "date"),
        Column("entry", "Entrata", "time"),
        Column("exit", "Uscita", "time"),
        Column("hours", "Ore", "hours"),
        Column("signature", "Firma", "signature"),
    ]
    heading = RegisterHeading(
        title="Registro presenze — sessione di prova",
        plan_title="Piano formativo delle Città metropolitane",
        project_title="Metropoli: competenze per l'amministrazione",
        funding_programme="Programma nazionale di prova",
        funding_codes=[("CUP", "J00B00000000000"), ("Codice progetto", "PRJ-0001")],
        filters=["Periodo: dal 12/01/2026 al 07/11/2026"],
        generated_at=datetime(2026, 11, 9, 10, 0, tzinfo=UTC),
        generated_by="Benchmark",
    )
    written = rows
    with translation.override("it"):
        started, cpu_started = time.perf_counter(), time.process_time()
        if kind == "csv":
            with output.open("wb") as file:
                for chunk in csv_chunks(columns, register_rows(rows), delimiter=";"):
                    file.write(chunk)
        elif kind == "xlsx":
            written = xlsx_write(
                columns,
                register_rows(rows),
                output,
                heading=heading,
                sheet_name="Registro presenze",
                tmpdir=output.parent,
            )
        else:
            hours = sum(row[6] for row in register_rows(rows))
            totals = ["Totale", None, None, None, None, None, hours, None]
            pdf_write(columns, register_rows(rows), output, heading=heading, totals=totals)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    return {"rows": written, "seconds": seconds, "cpu": cpu, "peak_mb": peak_mb}


def write_in_child(kind: str, rows: int, workdir: Path) -> dict[str, Any]:
    """One register written by a fresh process (``--child``); its figures and the file."""
    output = workdir / f"register.{kind}"
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
        [sys.executable, __file__, "--child", kind, "--rows", str(rows), "--output", str(output)],
        cwd=h.REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise h.BenchError(f"writing the {kind.upper()} failed:\n{result.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    figures["bytes"] = output.stat().st_size
    check(kind, output, rows, figures)
    return figures


def check(kind: str, output: Path, rows: int, figures: dict[str, Any]) -> None:
    """The file holds the register: every row, as its format should."""
    if figures["rows"] != rows:
        raise h.BenchError(f"The {kind.upper()} writer wrote {figures['rows']:,} rows of {rows:,}")
    if kind == "csv":
        with output.open("rb") as file:
            start = file.read(3)
            lines = 1 + sum(block.count(b"\n") for block in iter(lambda: file.read(1 << 20), b""))
        if start != b"\xef\xbb\xbf" or lines - 1 != rows + 1:
            raise h.BenchError(f"The CSV has {lines - 1:,} lines for {rows:,} rows (or no BOM)")
    elif kind == "xlsx":
        with zipfile.ZipFile(output) as book:
            sheet = book.getinfo("xl/worksheets/sheet1.xml")
            with book.open(sheet) as xml:
                xml.seek(max(0, sheet.file_size - 4096))
                tail = xml.read().decode()
        last = 8 + 1 + 1 + rows  # the heading's 8 lines, a blank row, the header row, the rows
        if f'<row r="{last}"' not in tail:
            raise h.BenchError(f"The XLSX sheet does not end with row {last:,}")
    elif not output.read_bytes().startswith(b"%PDF-"):
        raise h.BenchError("The PDF is not a PDF")


def best_of(kind: str, count: int, rounds: int, workdir: Path) -> dict[str, Any]:
    """``rounds`` fresh processes writing the same register: the fastest round (as timeit
    takes: other work on the machine only ever slows a round down) with the highest peak."""
    done = []
    for number in range(1, rounds + 1):
        h.say(f"{kind.upper()}: {count:,} rows in a fresh process, round {number} of {rounds}...")
        figures = write_in_child(kind, count, workdir)
        (workdir / f"register.{kind}").unlink()
        h.say(
            f"  {figures['seconds']:.1f} s ({figures['cpu']:.1f} s of CPU), "
            f"{figures['rows'] / figures['seconds']:,.0f} rows/s, "
            f"peak RSS {figures['peak_mb']:.0f} MB, file {figures['bytes'] / 1e6:.1f} MB"
        )
        done.append(figures)
    return {
        **min(done, key=lambda figures: figures["seconds"]),
        "peak_mb": max(figures["peak_mb"] for figures in done),
    }


def measure(rows: int, pdf_rows: int, rounds: int) -> list[h.Target]:
    with tempfile.TemporaryDirectory(prefix="exports-bench-") as tmp:
        csv = best_of("csv", rows, rounds, Path(tmp))
        xlsx = best_of("xlsx", rows, rounds, Path(tmp))
        pdf = best_of("pdf", pdf_rows, 1, Path(tmp))  # minutes, not seconds: one round
    size = f"{rows:,} rows, best of {rounds}"
    return [
        h.Target(f"CSV, {size}", csv["rows"] / csv["seconds"], "rows/s", ">=", 100_000),
        h.Target(f"CSV peak memory, {size}", csv["peak_mb"], "MB", "<=", MEMORY_TARGET_MB),
        h.Target(f"XLSX, {size}", xlsx["rows"] / xlsx["seconds"], "rows/s", ">=", 20_000),
        h.Target(f"XLSX peak memory, {size}", xlsx["peak_mb"], "MB", "<=", MEMORY_TARGET_MB),
        h.Target(
            f"PDF, {pdf_rows:,} rows (peak memory {pdf['peak_mb']:.0f} MB)",
            pdf["seconds"] / pdf["rows"] * 1000,
            "s per 1,000 rows",
            "<=",
            PDF_CEILING_SECONDS,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="CSV and XLSX rows (1,000,000)")
    parser.add_argument("--pdf-rows", type=int, default=2000, help="PDF rows (2,000)")
    parser.add_argument("--rounds", type=int, default=3, help="CSV and XLSX rounds (3)")
    parser.add_argument("--child", choices=FORMATS, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.child:  # the fresh process of write_in_child
        figures = write_in_this_process(options.child, options.rows, options.output)
        print(json.dumps(figures))  # noqa: T201 - the parent reads it
        return 0
    return h.run("exports", lambda: measure(options.rows, options.pdf_rows, options.rounds))


if __name__ == "__main__":
    sys.exit(main())

"""Server time of the pages people open most, on a year of activity and a city of 5,000.

    python bench/pages.py [--statements N] [--learners N] [--city N] [--gets N]
                                                        (or: make bench)

Production settings on a fresh database. bench/_store.py makes learners enrolled in 120 video
lessons with a year of Video Profile statements, ``manage.py progress_recompute`` turns them into
the ledger, and a city of 5,000 learners gets copies of that progress (as bench/progress.py
does). Then gunicorn serves the pages to a signed-in session (a session row, as the login page
leaves it): the busiest learner's course page, the lesson player and "My progress", and the
city coordinator's dashboard. Each page is asked for ``--gets`` times after 3 unmeasured; every
answer must be a 200 that is the page asked for. The queries per page are pinned by the pages'
tests (``django_assert_max_num_queries``), not here.
"""

from __future__ import annotations

import argparse
import http.client
import time
from functools import partial

import _harness as h
from progress import build_store, recompute

P95_MS = 150
PAGES = (
    # (what, whose session, path, a text the page must contain)
    ("learner's course page", "learner", "/corsi/{course_slug}/", "<h1"),
    ("lesson player", "learner", "/lezioni/{lesson}/", "<video"),
    ('"My progress"', "learner", "/i-miei-progressi/", "<progress"),
    ("coordinator's dashboard", "coordinator", "/coordinamento/", "<svg"),
)


def timed_gets(port: int, path: str, session: str, count: int) -> tuple[list[float], list[str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Cookie": f"sessionid={session}", "Accept-Language": "it"}
    latencies, answers = [], []
    for _ in range(count + 3):
        began = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read().decode(errors="replace")
        latencies.append((time.perf_counter() - began) * 1000)
        answers.append(f"{response.status}\n{body}")
    return latencies[3:], answers[3:]


def measure(options: argparse.Namespace) -> list[h.Target]:
    with h.project("pages", broker=False) as site:
        store = build_store(site, options.statements, options.learners)
        recompute(site, store["count"])
        city = h.build("city", str(options.city), env=site.env, workdir=site.workdir)
        h.say(f"City: {options.city:,} learners in {city['organisations']} organisations")
        opened = h.build("pages", env=site.env, workdir=site.workdir)
        h.say(
            f"Learner: {opened['learner']} ({opened['ledger_rows']:,} ledger rows), course "
            f"{opened['course_slug']}"
        )
        h.say()
        targets = []
        with site.gunicorn("pages"):
            for what, whose, path, must_contain in PAGES:
                path = path.format(**opened)
                latencies, answers = timed_gets(
                    site.port, path, opened[f"{whose}_session"], options.gets
                )
                wrong = [a[:300] for a in answers if not a.startswith("200\n")]
                wrong += [f"no {must_contain!r}" for a in answers if must_contain not in a]
                p50, p95 = h.median(latencies), h.percentile(latencies, 95)
                size = len(answers[-1]) / 1024
                h.say(f"{what} ({path}): p50 {p50:.0f} ms, p95 {p95:.0f} ms, {size:.0f} KiB")
                for problem in wrong[:1]:
                    h.say(f"  wrong answer: {problem!r}")
                targets += [
                    h.Target(f"{what} p95", p95, "ms", "<=", P95_MS),
                    h.zero(f"{what}: answers that are not the page", len(wrong), "answers"),
                ]
    return targets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    number = partial(parser.add_argument, type=int)
    number("--statements", default=300_000, help="a year of statements (300,000)")
    number("--learners", default=2000, help="their learners (2,000)")
    number("--city", default=5000, help="learners of the coordinator's city (5,000)")
    number("--gets", default=40, help="measured GETs per page (40)")
    options = parser.parse_args(argv)
    return h.run("pages", lambda: measure(options))


if __name__ == "__main__":
    raise SystemExit(main())

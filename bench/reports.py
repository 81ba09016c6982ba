#!/usr/bin/env python
"""Report benchmark: rendering a report as PDF against rendering the same HTML alone.

1. create a temporary SQLite database and migrate it (``portal.migrate.upgrade``);
2. create one assessed candidate with the app's own services, the same steps as the
   ``assessed`` fixture in tests/test_reports.py: a consultant, an assignment with the
   "manager" profile template, a simulated test battery (``demo.simulate_battery``),
   submitted interview ratings, a reference with consent, the background checklist
   and the consultant's synthesis;
3. inside ``app.test_request_context()``, for the client report and the candidate
   report, time with ``time.perf_counter``:
   - **content**: ``build_content`` in a fresh session (the database reads, as in a request),
   - **html**: ``render_html(content)`` (the baseline),
   - **pdf**: ``render_pdf(content)`` (the HTML with ``pdf=True``, then WeasyPrint);
   the first call of each is timed on its own (cold: template compilation, the
   stylesheet, WeasyPrint's fonts), then ``--repeat`` rounds in which the three
   steps and the two reports take turns, in a rotating order;
4. print the median and interquartile range of each, the ratios to the HTML baseline
   (the median of the per-round ratios, each round's steps measured seconds apart),
   the PDF's size and page count, and the machine.

Nothing is kept: the database lives in a temporary directory that is removed at the end.

Run: ``.venv/bin/python bench/reports.py --help`` (``make bench-reports`` runs the defaults).
"""
from __future__ import annotations

import argparse
import importlib
import io
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from portal import create_app  # noqa: E402
from portal import resources as res  # noqa: E402
from portal.db import get_session  # noqa: E402
from portal.migrate import upgrade  # noqa: E402
from portal.models import (  # noqa: E402
    Assignment,
    Candidate,
    Client,
    InterviewRating,
    ReportKind,
    Role,
    Synthesis,
    User,
)
from portal.services import checks, demo, profiles  # noqa: E402
from portal.services import reports as svc  # noqa: E402
from portal.services.invitations import invite_candidate  # noqa: E402
from portal.web import renderer  # noqa: E402
from _shared import SECRET_KEY, fmt, percentile  # noqa: E402  (bench/, on sys.path)

#: A fixed clock, so that every run renders the same report (dates included).
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
STEPS = ["content", "html", "pdf", "draft"]
KINDS = (ReportKind.CLIENT, ReportKind.CANDIDATE)


# --------------------------------------------------------------------------- #
# small utilities
# --------------------------------------------------------------------------- #

def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


def _pango_version() -> str:
    try:
        from weasyprint.text.ffi import pango

        v = int(pango.pango_version())
        return f"{v // 10000}.{v // 100 % 100}.{v % 100}"
    except Exception:  # only informative
        return "?"


# --------------------------------------------------------------------------- #
# the assessed candidate (the steps of the `assessed` fixture in tests/test_reports.py)
# --------------------------------------------------------------------------- #

def seed_assessed(app, *, seed: int) -> int:
    """One consultant, one assignment with the manager profile and one candidate with
    results, interview ratings, a consented reference, the checklist and a synthesis."""
    with app.app_context():
        session = get_session()
        consultant = User(email="consultant@example.com", name="Consultant Person", role=Role.CONSULTANT,
                          password_hash=generate_password_hash("a long enough password"))
        a = Assignment(client=Client(name="Benchbolaget AB"), title="Ekonomichef", language="sv",
                       norm_group="managers", consultants=[consultant])
        session.add_all([consultant, a])
        session.flush()
        profiles.start_from_template(session, a, "manager", user_id=consultant.id, now=NOW)
        c, _inv = invite_candidate(session, a, name="Alva Lindqvist", email="alva@example.com", now=NOW,
                                   settings=res.invitation_settings())
        demo.simulate_battery(session, c, bank=res.logic_bank(), inventory=res.inventory(),
                              norms=res.norm_table(a.norm_group), now=NOW, rng=np.random.default_rng(seed))
        keys = [item.competency_key for item in profiles.current_profile(session, a).competencies]
        for key in keys:
            session.add(InterviewRating(candidate_id=c.id, rater_id=consultant.id, competency_key=key,
                                        level=4, notes="Intern anteckning", submitted_at=NOW))
        ref = checks.add_reference(session, c, referee_name="Rut Referent", relation="Tidigare chef",
                                   period="2019–2024", consent=True, now=NOW, user_id=consultant.id)
        ref.summary = "Strukturerad och lugn under bokslut."
        ref.ratings = {keys[0]: {"level": 4, "notes": ""}}
        checks.checklist(session, c)
        session.add(Synthesis(candidate_id=c.id, judgement="Stark analytisk förmåga.", strengths="Struktur",
                              risks="Ledarerfarenhet bör verifieras.", recommendation="reservations",
                              decided_by_id=consultant.id, decided_at=NOW, profile_version=1))
        session.commit()
        return c.id


# --------------------------------------------------------------------------- #
# the timed steps
# --------------------------------------------------------------------------- #

class Steps:
    """The three timed steps of one report kind. ``content`` opens a fresh session for
    every call (a request's own session: nothing cached in its identity map), loads the
    candidate and builds the content; ``html`` and ``pdf`` render one fixed content dict."""

    def __init__(self, app, candidate_id: int, kind: ReportKind):
        self.app, self.candidate_id, self.kind = app, candidate_id, kind
        self.content: dict | None = None
        self.last_pdf: bytes | None = None

    def run(self, step: str) -> float:
        """Seconds taken by one call of ``step``."""
        if step == "content":
            t0 = time.perf_counter()
            session = self.app.extensions["portal.sessionmaker"]()
            try:
                content = svc.build_content(session, session.get(Candidate, self.candidate_id), self.kind, now=NOW, renderer=renderer, inventory=res.inventory())
            finally:
                session.rollback()
                session.close()
            dt = time.perf_counter() - t0
            if self.content is None:
                self.content = content
            return dt
        if step == "html":
            t0 = time.perf_counter()
            svc.render_html(self.content, renderer=renderer)
            return time.perf_counter() - t0
        if step == "draft":  # a draft preview opened again: the cache (svc.DRAFTS) answers
            t0 = time.perf_counter()
            svc.draft_pdf(self.content, self.candidate_id, renderer=renderer)
            return time.perf_counter() - t0
        t0 = time.perf_counter()
        pdf = svc.render_pdf(self.content, renderer=renderer)
        dt = time.perf_counter() - t0
        self.last_pdf = pdf
        return dt


def measure(app, candidate_id: int, repeat: int) -> dict:
    """Cold calls, then ``repeat`` rounds; inside a request context, like a preview."""
    out: dict = {"cold_ms": {}, "times_ms": {}, "pdf": {}, "html_bytes": {}}
    with app.test_request_context():
        # WeasyPrint is imported lazily by portal.pdf on the first PDF; time the import
        # on its own so that the first render below is the render (fonts, stylesheet).
        t0 = time.perf_counter()
        importlib.import_module("weasyprint")
        importlib.import_module("weasyprint.urls")
        out["import_weasyprint_ms"] = (time.perf_counter() - t0) * 1000

        steps = {kind: Steps(app, candidate_id, kind) for kind in KINDS}
        for kind in KINDS:  # first calls in this process, client report first
            out["cold_ms"][kind.value] = {step: steps[kind].run(step) * 1000 for step in STEPS}
            out["times_ms"][kind.value] = {step: [] for step in STEPS}
        for kind in KINDS:  # one untimed warm-up round
            for step in STEPS:
                steps[kind].run(step)

        orders = [STEPS[i:] + STEPS[:i] for i in range(len(STEPS))]
        for r in range(repeat):
            kinds = KINDS if r % 2 == 0 else KINDS[::-1]
            for kind in kinds:
                for step in orders[r % len(orders)]:
                    out["times_ms"][kind.value][step].append(steps[kind].run(step) * 1000)
            if sys.stderr.isatty():
                print(f"round {r + 1}/{repeat}", end="\r", file=sys.stderr, flush=True)

        for kind in KINDS:
            s = steps[kind]
            reader = PdfReader(io.BytesIO(s.last_pdf))
            out["pdf"][kind.value] = {"bytes": len(s.last_pdf), "pages": len(reader.pages)}
            out["html_bytes"][kind.value] = len(svc.render_html(s.content, renderer=renderer).encode("utf-8"))
    return out


def summarise(times: list[float], base: list[float]) -> dict:
    """Median, quartiles and the ratio to the baseline (median of per-round ratios)."""
    ratios = [t / b for t, b in zip(times, base) if b > 0]
    return {
        "min": min(times), "median": percentile(times, 50),
        "p25": percentile(times, 25), "p75": percentile(times, 75),
        "ratio": percentile(ratios, 50), "ratio_p25": percentile(ratios, 25), "ratio_p75": percentile(ratios, 75),
    }


# --------------------------------------------------------------------------- #
# main
# --------------------------------------------------------------------------- #

def machine_info() -> list[str]:
    import sqlalchemy as sa

    return [
        f"{platform.platform()}, {os.cpu_count()} CPU(s), load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg()),
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"WeasyPrint {_version('weasyprint')}, pydyf {_version('pydyf')}, Pango {_pango_version()}, "
        f"Jinja2 {_version('jinja2')}, SQLAlchemy {sa.__version__}, pypdf {_version('pypdf')}",
    ]


def print_report(m: dict, repeat: int, setup_s: float) -> None:
    print()
    print(f"Report rendering, {repeat} rounds (steps and reports interleaved), SQLite, one assessed candidate")
    for line in machine_info():
        print(f"  {line}")
    print(f"  setup (migrate + seed + simulated battery): {setup_s:.1f} s; "
          f"import weasyprint: {m['import_weasyprint_ms']:.0f} ms")
    print()
    header = (f"{'report':<10} {'step':<8} {'first ms':>9} {'min ms':>8} {'median ms':>10} {'IQR ms':>15} "
              f"{'x HTML':>7} {'(IQR)':>13}")
    print(header)
    print("-" * len(header))
    for kind in KINDS:
        t = m["times_ms"][kind.value]
        for step in STEPS:
            s = summarise(t[step], t["html"])
            iqr = f"{fmt(s['p25'])}-{fmt(s['p75'])}"
            ratio = "1" if step == "html" else fmt(s["ratio"], ".2f")
            ratio_iqr = "" if step == "html" else f"({fmt(s['ratio_p25'], '.2f')}-{fmt(s['ratio_p75'], '.2f')})"
            print(f"{kind.value:<10} {step:<8} {fmt(m['cold_ms'][kind.value][step]):>9} {fmt(s['min']):>8} "
                  f"{fmt(s['median']):>10} "
                  f"{iqr:>15} {ratio:>7} {ratio_iqr:>13}")
    print()
    for kind in KINDS:
        p = m["pdf"][kind.value]
        print(f"{kind.value:<10} PDF {p['bytes'] / 1024:.0f} KiB, {p['pages']} page(s); "
              f"HTML {m['html_bytes'][kind.value] / 1024:.0f} KiB")
    print()
    print("first ms: the first call in this process (client report first, so the candidate report's")
    print("  first PDF already has WeasyPrint's fonts loaded). x HTML: median of the per-round ratios")
    print("  step / html (baseline: render_html alone). pdf includes its own render_html(pdf=True).")
    print("  draft: the draft PDF opened again with unchanged content (first: rendered; then the")
    print("  in-memory draft cache answers after hashing the content).")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--repeat", type=int, default=20, help="timed rounds (each times every step of both reports)")
    p.add_argument("--seed", type=int, default=7, help="seed of the simulated test answers")
    p.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results",
                   help="directory for the JSON result")
    args = p.parse_args(argv)
    if not 1 <= args.repeat <= 1000:
        p.error("--repeat must be between 1 and 1000")

    tmp = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    app = None
    try:
        t0 = time.perf_counter()
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        upgrade(url)
        app = create_app({
            "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "BASE_URL": "http://127.0.0.1:5000",
            "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False, "CLOCK": lambda: NOW,
        })
        candidate_id = seed_assessed(app, seed=args.seed)
        setup_s = time.perf_counter() - t0
        print(f"seeded in {setup_s:.1f} s; measuring ...", file=sys.stderr, flush=True)
        m = measure(app, candidate_id, args.repeat)
    finally:
        if app is not None:
            app.extensions["portal.engine"].dispose()
        shutil.rmtree(tmp, ignore_errors=True)
    print_report(m, args.repeat, setup_s)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"reports-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}.json"
    summary = {kind.value: {step: summarise(m["times_ms"][kind.value][step], m["times_ms"][kind.value]["html"])
                            for step in STEPS} for kind in KINDS}
    path.write_text(json.dumps({"command": "bench/reports.py " + " ".join(argv if argv is not None else sys.argv[1:]),
                                "repeat": args.repeat, "machine": machine_info(), "setup_s": setup_s,
                                "summary_ms": summary, **m}, indent=2))
    print(f"JSON: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

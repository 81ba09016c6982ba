#!/usr/bin/env python
"""Scale benchmark: do the consultant and client pages stay flat as an assignment grows?

Per database (SQLite file and/or a throw-away PostgreSQL database):

1. create a fresh database and migrate it (``portal.migrate.upgrade``);
2. build, through the app's services, a consultant, a client user of the organisation
   and one assignment per size (default 200 and 2,000 candidates), each with the
   ``manager`` requirement profile and candidates of whom three quarters have finished
   (the first ``--pool`` with a whole simulated battery, ``demo.simulate_battery``; the
   others get a copy of one of those, ``demo.copy_battery``, moved in time; every 20th
   with two interview ratings) and the rest are invited, opened, in the middle of the
   logic test, expired or revoked;
3. sign in through the pages and time each page on each assignment (one warm-up, then
   ``--repeat`` rounds, the sizes alternately within each round, in process through
   Flask's test client: the app's own work, no network), count its SQL statements
   (SQLAlchemy events) and its size; time ``flask norms build`` on each assignment;
4. print per page the median time at each size, the ratio largest/smallest, the query
   counts and the sizes, and write everything to ``bench/results/scale-<UTC>.json``.

Exit status 0 when every page answered as expected and issued the same number of
queries at every size, 1 otherwise, 3 when a database could not be benchmarked at all.

Run: ``.venv/bin/python bench/scale.py --help`` (``make bench`` runs the defaults).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import sqlalchemy as sa

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH_DIR))

from _shared import DEFAULT_PG, SECRET_KEY  # noqa: E402  (bench/, on sys.path)
from answers import postgres_database, sqlite_database  # noqa: E402
from portal import create_app  # noqa: E402
from portal.db import get_session  # noqa: E402
from portal.migrate import upgrade  # noqa: E402

PASSWORD = "bench password, not for production"
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
#: Kinds of the unfinished quarter, in turn.
UNFINISHED = ("invited", "opened", "running", "expired", "revoked")


def server_version(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return "SQLite " + conn.exec_driver_sql("select sqlite_version()").scalar()
        return "PostgreSQL " + conn.exec_driver_sql("show server_version").scalar().split()[0]


# --------------------------------------------------------------------------- #
# the assignment, through the services
# --------------------------------------------------------------------------- #

class World:
    """A consultant, a client user and their organisation; ``add(n)`` builds one assignment
    with ``n`` candidates. The finished candidates of every assignment copy the batteries of
    the first ``pool`` ones, which are simulated whole."""

    def __init__(self, app, *, pool: int, seed: int):
        from portal import passwords
        from portal import resources as res
        from portal.models import Client, Role, User

        self.app, self.pool_size, self.seed = app, pool, seed
        self.pool: list[int] = []
        self.finished: dict[int, int] = {}
        with app.app_context():
            session = get_session()
            digest = passwords.hash_password(PASSWORD)
            consultant = User(email="konsult@bench.example", name="Bänk Konsult", role=Role.CONSULTANT,
                              password_hash=digest)
            client = Client(name="Skalbolaget AB")
            session.add_all([consultant, client])
            session.flush()
            session.add(User(email="kund@bench.example", name="Bänk Kund", role=Role.CLIENT, client_id=client.id,
                             password_hash=digest))
            session.commit()
            self.consultant_id, self.client_id = consultant.id, client.id
            res.logic_bank(), res.inventory()  # loaded once, before any timing

    def add(self, n: int) -> tuple[int, float]:
        """A new assignment with ``n`` candidates: (its id, seconds it took to build)."""
        from portal import resources as res
        from portal.models import Assignment, Candidate, Client, User
        from portal.services import demo, interviews, invitation_admin, journey, profiles
        from portal.services.invitations import invite_candidate

        started = time.perf_counter()
        with self.app.app_context():
            session = get_session()
            a = Assignment(client=session.get(Client, self.client_id), title=f"Ekonomichef ({n})", language="sv",
                           norm_group="general", consultants=[session.get(User, self.consultant_id)],
                           logic_time_limit_minutes=40)
            session.add(a)
            session.flush()
            profiles.start_from_template(session, a, "manager", user_id=self.consultant_id, now=NOW)
            bank, inventory, norms = res.logic_bank(), res.inventory(), res.norm_table(a.norm_group)
            settings = res.invitation_settings()
            keys = [item.competency_key for item in profiles.current_profile(session, a).competencies]
            finished = 0
            for i in range(n):
                c, inv = invite_candidate(session, a, name=f"Kandidat {i:05d}", email=f"k{i:05d}@bench.example",
                                          now=NOW, settings=settings)
                if i % 4 != 3:  # three quarters finish
                    if len(self.pool) < self.pool_size:
                        demo.simulate_battery(session, c, bank=bank, inventory=inventory, norms=norms, now=NOW,
                                              rng=np.random.default_rng([self.seed, len(self.pool)]))
                        self.pool.append(c.id)
                    else:
                        source = session.get(Candidate, self.pool[finished % len(self.pool)])
                        demo.copy_battery(session, source, c, shift=timedelta(minutes=i % 600))
                    inv.opened_at = NOW - timedelta(hours=3)
                    if finished % 20 == 0:
                        for key in keys[:2]:
                            interviews.save_rating(session, c, rater_id=self.consultant_id, competency_key=key,
                                                   level=3 + i % 3, notes="Bänkexempel", submit=True, now=NOW)
                    finished += 1
                else:
                    kind = UNFINISHED[(i // 4) % len(UNFINISHED)]
                    if kind in ("opened", "running"):
                        inv.opened_at = NOW - timedelta(hours=1)
                    if kind == "running":
                        journey.accept_welcome(session, c, language="sv", now=NOW - timedelta(minutes=30))
                        journey.begin_practice(session, c)
                        for position in range(len(bank.practice)):
                            journey.answer_practice(session, c, bank, position=position,
                                                    chosen=bank.practice[position].key)
                        attempt = journey.start_logic(session, c, bank, now=NOW - timedelta(minutes=5), seed=i)
                        shown = journey.present_logic_item(session, attempt, bank, now=NOW - timedelta(minutes=5))
                        journey.answer_logic_item(session, attempt, response_id=shown.response.id,
                                                  option_id=shown.response.option_ids[0],
                                                  now=NOW - timedelta(minutes=4), bank=bank, norms=norms)
                        journey.present_logic_item(session, attempt, bank, now=NOW - timedelta(minutes=4))
                    if kind == "expired":
                        inv.expires_at = NOW - timedelta(days=1)
                    if kind == "revoked":
                        invitation_admin.revoke_invitation(session, inv, user_id=self.consultant_id, now=NOW)
                if i % 100 == 99:
                    session.commit()
            session.commit()
            self.finished[a.id] = finished
            return a.id, time.perf_counter() - started

    def sample(self, aid: int) -> dict:
        """Ids the pages need: the assignment and its first candidate with interview ratings."""
        from portal.models import Candidate, InterviewRating

        with self.app.app_context():
            rated = get_session().scalar(
                sa.select(InterviewRating.candidate_id).join(Candidate, Candidate.id == InterviewRating.candidate_id)
                .where(Candidate.assignment_id == aid).order_by(InterviewRating.id).limit(1))
            return {"assignment": aid, "candidate": rated}


# --------------------------------------------------------------------------- #
# measuring the pages
# --------------------------------------------------------------------------- #

def pages(ids: dict) -> list[tuple[str, str, str]]:
    """(name, who, url) of every page measured."""
    aid, cid = ids["assignment"], ids["candidate"]
    consultant, client = "konsult@bench.example", "kund@bench.example"
    return [
        ("dashboard", consultant, "/admin/"),
        ("assignment page", consultant, f"/admin/assignments/{aid}"),
        ("assignment page, last page", consultant, f"/admin/assignments/{aid}?page=9999"),
        ("assignment page, filtered", consultant, f"/admin/assignments/{aid}?status=completed&q=kandidat%200"),
        ("progress fragment", consultant, f"/admin/assignments/{aid}?fragment=1"),
        ("progress fragment, unchanged (304)", consultant, f"/admin/assignments/{aid}?fragment=1#304"),
        ("candidate list", consultant, f"/admin/assignments/{aid}/candidates"),
        ("candidate list, search", consultant, f"/admin/assignments/{aid}/candidates?q=k0000"),
        ("add a candidate", consultant, f"/admin/assignments/{aid}/candidates/new"),
        ("final candidates", consultant, f"/admin/assignments/{aid}/finalists"),
        ("final candidates, page 2", consultant, f"/admin/assignments/{aid}/finalists?page=2"),
        ("results", consultant, f"/admin/candidates/{cid}"),
        ("synthesis", consultant, f"/admin/candidates/{cid}/synthesis"),
        ("invitation and accommodations", consultant, f"/admin/candidates/{cid}/manage"),
        ("interview guide", consultant, f"/admin/candidates/{cid}/interview-guide"),
        ("client: assignments", client, "/admin/client"),
        ("client: assignment", client, f"/admin/client/assignments/{aid}"),
        ("client: first opinion", client, f"/admin/candidates/{cid}/first-opinion"),
    ]


def login(app, email: str):
    browser = app.test_client()
    page = browser.get("/admin/login")
    token = CSRF_RE.search(page.get_data(as_text=True)).group(1)
    response = browser.post("/admin/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"could not sign in as {email}: {response.status_code}")
    return browser


def measure_pages(app, samples: dict[int, dict], repeat: int) -> dict:
    """Per page and size: median and min time, queries, bytes and status. The sizes are
    measured alternately (round ``r`` goes small-to-large when even, large-to-small when
    odd), so a burst of background load hits both sides of a ratio."""
    engine = app.extensions["portal.engine"]
    browsers: dict[str, object] = {}
    sizes = sorted(samples)
    plans = {n: pages(samples[n]) for n in sizes}
    out: dict[str, dict] = {}
    for index, (name, who, _) in enumerate(plans[sizes[0]]):
        browser = browsers.get(who) or browsers.setdefault(who, login(app, who))
        runs = {}
        for n in sizes:
            url = plans[n][index][2]
            conditional = url.endswith("#304")
            url = url.removesuffix("#304")
            first = browser.get(url)  # warm-up: templates, first-use caches (and the ETag)
            etag = first.headers.get("ETag")
            headers = {"If-None-Match": etag} if conditional and etag else {}
            runs[n] = {"url": url, "headers": headers, "expected": 304 if conditional else 200, "times": [],
                       "queries": None, "status": None, "bytes": None}
        for r in range(repeat):
            for n in (sizes if r % 2 == 0 else sizes[::-1]):
                run = runs[n]
                statements: list[str] = []

                def count(conn, cursor, statement, parameters, context, executemany):
                    statements.append(statement)

                if run["queries"] is None:
                    sa.event.listen(engine, "before_cursor_execute", count)
                started = time.perf_counter()
                response = browser.get(run["url"], headers=run["headers"])
                run["times"].append((time.perf_counter() - started) * 1000)
                if run["queries"] is None:
                    sa.event.remove(engine, "before_cursor_execute", count)
                    run["queries"] = len(statements)
                run["status"], run["bytes"] = response.status_code, len(response.data)
        out[name] = {n: {"url": run["url"], "status": run["status"], "expected": run["expected"],
                         "queries": run["queries"], "bytes": run["bytes"],
                         "ms_median": statistics.median(run["times"]), "ms_min": min(run["times"]),
                         "ms_all": [round(t, 2) for t in run["times"]]} for n, run in runs.items()}
    return out


def measure_norms_build(app, aids: dict[int, int], tmp: Path, repeat: int) -> dict:
    """Time ``flask norms build`` on each assignment (``aids``: size -> id), alternately.
    A refusal because of the data (too few distinct scores, e.g. with a tiny ``--pool``)
    is reported, not counted as a failure; anything else is."""
    runner = app.test_cli_runner()
    sizes = sorted(aids)
    out = {n: {"ok": True, "ms_all": []} for n in sizes}
    for r in range(repeat):
        for n in (sizes if r % 2 == 0 else sizes[::-1]):
            if not out[n]["ok"]:
                continue
            out_dir = tmp / f"norms-{uuid.uuid4().hex[:12]}"
            out_dir.mkdir(parents=True)
            started = time.perf_counter()
            result = runner.invoke(args=["norms", "build", "--group", "bench", "--assignment", str(aids[n]),
                                         "--label-sv", "Bänk", "--label-en", "Bench", "--output-dir", str(out_dir)])
            out[n]["ms_all"].append(round((time.perf_counter() - started) * 1000, 2))
            if result.exit_code != 0:
                refused = isinstance(result.exception, SystemExit)  # a ClickException: the data
                out[n].update(ok=False, refused=refused,
                              output=result.output[-2000:] or repr(result.exception))
    for n in sizes:
        if out[n]["ok"]:
            out[n].update(ms_median=statistics.median(out[n]["ms_all"]), ms_min=min(out[n]["ms_all"]))
    return out


def run_database(db: Database, sizes: list[int], args, tmp: Path) -> dict:
    upgrade(db.url)
    app = create_app({
        "DATABASE_URL": db.url, "SECRET_KEY": SECRET_KEY, "BASE_URL": "http://localhost",
        "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False, "CLOCK": lambda: NOW,
        "RATELIMIT_STORAGE_URI": "memory://", "REQUIRE_ADMIN_2FA": False,
    })
    engine = app.extensions["portal.engine"]
    try:
        world = World(app, pool=args.pool, seed=args.seed)
        result = {"server": server_version(engine), "sizes": sizes, "build_seconds": {}, "finished": {}}
        aids = {}
        for n in sizes:
            print(f"[{db.kind}] building an assignment with {n} candidates ...", flush=True)
            aids[n], seconds = world.add(n)
            result["build_seconds"][n] = round(seconds, 2)
            result["finished"][n] = world.finished[aids[n]]
        print(f"[{db.kind}] measuring the pages, sizes alternately ...", flush=True)
        result["pages"] = measure_pages(app, {n: world.sample(aids[n]) for n in sizes}, args.repeat)
        result["norms_build"] = measure_norms_build(app, aids, tmp, max(1, min(3, args.repeat)))
        return result
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- #
# report
# --------------------------------------------------------------------------- #

def problems_of(result: dict) -> list[str]:
    problems = []
    sizes = result["sizes"]
    for name, by_size in result["pages"].items():
        for n, f in by_size.items():
            if f["status"] != f["expected"]:
                problems.append(f"{name} at {n}: status {f['status']}, expected {f['expected']}")
        counts = {f["queries"] for f in by_size.values()}
        if len(counts) > 1:
            problems.append(f"{name}: queries grow with the candidates: "
                            + ", ".join(f"{by_size[n]['queries']} at {n}" for n in sizes))
    for n, f in result["norms_build"].items():
        if not f.get("ok") and not f.get("refused"):
            problems.append(f"norms build at {n} failed: {f.get('output', '')}")
    return problems


def print_table(kind: str, result: dict) -> None:
    sizes = result["sizes"]
    lo, hi = sizes[0], sizes[-1]
    print(f"\n{kind} ({result['server']}): candidates {', '.join(map(str, sizes))}, finished "
          f"{', '.join(str(result['finished'][n]) for n in sizes)}; build "
          f"{', '.join(str(result['build_seconds'][n]) + ' s' for n in sizes)}")
    head = f"{'page':38} " + " ".join(f"{'ms@' + str(n):>10}" for n in sizes) + f" {'ratio':>6} " \
        + " ".join(f"{'q@' + str(n):>7}" for n in sizes) + " " + " ".join(f"{'KiB@' + str(n):>9}" for n in sizes)
    print(head)
    print("-" * len(head))
    for name, by_size in result["pages"].items():
        ratio = by_size[hi]["ms_median"] / by_size[lo]["ms_median"] if by_size[lo]["ms_median"] else float("nan")
        print(f"{name:38} " + " ".join(f"{by_size[n]['ms_median']:10.1f}" for n in sizes) + f" {ratio:6.2f} "
              + " ".join(f"{by_size[n]['queries']:7d}" for n in sizes) + " "
              + " ".join(f"{by_size[n]['bytes'] / 1024:9.1f}" for n in sizes))
    norms = result["norms_build"]
    if all(norms[n].get("ok") for n in sizes):
        ratio = norms[hi]["ms_median"] / norms[lo]["ms_median"]
        print(f"{'norms build (flask norms build)':38} " + " ".join(f"{norms[n]['ms_median']:10.1f}" for n in sizes)
              + f" {ratio:6.2f}")
    else:
        print(f"{'norms build (flask norms build)':38} refused by the data at "
              + ", ".join(str(n) for n in sizes if not norms[n].get("ok")) + " (see the JSON)")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    p.add_argument("--sizes", default="200,2000", help="candidate counts, ascending, comma-separated")
    p.add_argument("--pool", type=int, default=20, help="finished candidates with a whole simulated battery")
    p.add_argument("--repeat", type=int, default=10, help="timed requests per page and size")
    p.add_argument("--seed", type=int, default=20261207)
    p.add_argument("--pg-url", default=DEFAULT_PG, help="a maintenance database of the PostgreSQL server")
    p.add_argument("--out", default=str(BENCH_DIR / "results"), help="directory for the JSON")
    args = p.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if len(sizes) < 2 or sizes[0] < 1 or args.pool < 1 or args.repeat < 1:
        p.error("give at least two sizes >= 1, --pool >= 1 and --repeat >= 1")
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    report = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "machine": {"platform": platform.platform(), "python": platform.python_version(),
                          "cpus": os.cpu_count(), "sqlalchemy": sa.__version__,
                          "loadavg": os.getloadavg() if hasattr(os, "getloadavg") else None},
              "config": {"db": args.db, "sizes": sizes, "pool": args.pool, "repeat": args.repeat,
                         "seed": args.seed}, "results": {}, "skipped": {}, "problems": []}
    tmp = Path(tempfile.mkdtemp(prefix="scale-"))
    try:
        for kind in kinds:
            try:
                db = sqlite_database(tmp) if kind == "sqlite" else postgres_database(args.pg_url)
            except Exception as exc:  # no server: skipped, said so
                report["skipped"][kind] = f"{type(exc).__name__}: {exc}"
                print(f"[{kind}] skipped: {exc}", file=sys.stderr)
                continue
            try:
                result = run_database(db, sizes, args, tmp)
            finally:
                db.close()
            report["results"][kind] = result
            report["problems"] += [f"{kind}: {p}" for p in problems_of(result)]
            print_table(kind, result)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"scale-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    print(f"\nwritten: {path}")
    for problem in report["problems"]:
        print(f"PROBLEM {problem}", file=sys.stderr)
    if report["problems"]:
        return 1
    return 3 if report["skipped"] and not report["results"] else 0


if __name__ == "__main__":
    sys.exit(main())

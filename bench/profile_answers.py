#!/usr/bin/env python
"""Where an answer's server time goes: cProfile over the answer path, in one process.

Creates a fresh database (SQLite file, or a throw-away PostgreSQL database with
``--db postgresql``), seeds ``N`` invited candidates with the app's own services,
walks each one through the untimed steps with Flask's test client, then profiles
``K`` answers per candidate: POST /test/item and the redirected GET of the next
item, exactly the requests of ``bench/answers.py`` minus HTTP and gunicorn. Prints
the wall time per answer and the top functions by cumulative and by own time, and
a grouping of the time into the parts of a request (``--json`` for one JSON object).

    .venv/bin/python bench/profile_answers.py --candidates 20 --items 9
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import re
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT))

from portal import create_app  # noqa: E402
from portal.db import get_session  # noqa: E402
from portal.migrate import upgrade  # noqa: E402
from portal.models import Assignment, Client  # noqa: E402
from _shared import DEFAULT_PG  # noqa: E402  (bench/, on sys.path)

CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
STEP_RE = re.compile(r'data-step="([^"]*)"')
OPTION_RE = re.compile(r'name="option" value="([^"]+)"')
RESPONSE_RE = re.compile(r'name="response" value="(\d+)"')
POSITION_RE = re.compile(r'name="position" value="(\d+)"')

#: Buckets of own time by the file a function lives in (first match wins).
GROUPS = (
    ("item_banks (CAT)", ("item_banks/",)),
    ("portal (our code)", ("/portal/", "/admin/")),
    ("numpy", ("numpy/",)),
    ("SQLAlchemy", ("sqlalchemy/",)),
    ("database driver", ("psycopg", "sqlite3", "{method 'execute' of 'sqlite3", "_sqlite3")),
    ("Jinja templates", ("jinja2/", "<template>", ".html")),
    ("Flask-Babel / Babel", ("flask_babel/", "babel/")),
    ("CSRF / WTForms", ("flask_wtf/", "wtforms/")),
    ("sessions / signing", ("itsdangerous/", "hmac", "hashlib")),
    ("Flask / Werkzeug", ("flask/", "werkzeug/", "flask_limiter/", "flask_login/", "limits/")),
)


def _page(resp) -> str:
    return resp.get_data(as_text=True)


def _field(regex, html: str, what: str) -> str:
    m = regex.search(html)
    if not m:
        raise SystemExit(f"profile: no {what} on the page (step {STEP_RE.search(html)})")
    return m.group(1)


def walk_to_first_item(client, link: str) -> str:
    html = _page(client.get(link, follow_redirects=True))
    html = _page(client.post("/test/welcome", data={"csrf_token": _field(CSRF_RE, html, "csrf"),
                                                    "consent": "y"}, follow_redirects=True))
    html = _page(client.post("/test/instructions", data={"csrf_token": _field(CSRF_RE, html, "csrf")},
                             follow_redirects=True))
    for _ in range(20):
        step = _field(STEP_RE, html, "step")
        if step != "practice":
            break
        if "data-feedback" in html:
            html = _page(client.get("/test/practice"))
            continue
        html = _page(client.post("/test/practice", data={
            "csrf_token": _field(CSRF_RE, html, "csrf"), "position": _field(POSITION_RE, html, "position"),
            "option": "0"}, follow_redirects=True))
    html = _page(client.post("/test/start", data={"csrf_token": _field(CSRF_RE, html, "csrf")},
                             follow_redirects=True))
    if _field(STEP_RE, html, "step") != "item":
        raise SystemExit("profile: the test did not start")
    return html


def answer(client, html: str, choice: int) -> str:
    options = OPTION_RE.findall(html)
    post = client.post("/test/item", data={"csrf_token": _field(CSRF_RE, html, "csrf"),
                                           "response": _field(RESPONSE_RE, html, "response id"),
                                           "option": options[choice % len(options)]})
    if post.status_code != 302:
        raise SystemExit(f"profile: answer POST gave HTTP {post.status_code}")
    return _page(client.get(post.headers["Location"]))


def group_times(stats: pstats.Stats) -> dict[str, float]:
    """Own (total) time per group of ``GROUPS``, seconds."""
    out: dict[str, float] = {}
    for (filename, _line, name), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():
        where = f"{filename} {name}"
        label = next((g for g, keys in GROUPS if any(k in where for k in keys)), "other (stdlib, builtins)")
        out[label] = out.get(label, 0.0) + tt
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def database(kind: str, pg_url: str, tmp: Path):
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'profile.sqlite3'}"
        return url, lambda: None
    base = make_url(pg_url)
    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop():
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    p.add_argument("--candidates", type=int, default=20, help="candidates (N)")
    p.add_argument("--items", type=int, default=9, help="profiled answers per candidate (K, 1-9: "
                                                        "every test gives at least 10 items)")
    p.add_argument("--top", type=int, default=25, help="functions listed per table")
    p.add_argument("--pg-url", default=DEFAULT_PG)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.add_argument("--cpu", action="store_true", help="profile CPU time (time.process_time) instead of "
                   "wall time: leaves out the waits for the database server and the disk")
    p.add_argument("--dump", default=None, help="also write the raw profile here (pstats file, for "
                   "snakeviz or pstats' print_callers)")
    args = p.parse_args(argv)
    if not 1 <= args.items <= 9 or not 1 <= args.candidates <= 500:
        p.error("--items must be 1-9 and --candidates 1-500")

    tmp = Path(tempfile.mkdtemp(prefix="profile-answers-"))
    url, drop = database(args.db, args.pg_url, tmp)
    try:
        upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "profile-secret-key-not-for-production-0123",
                          "BASE_URL": "http://localhost", "SESSION_COOKIE_SECURE": False,
                          "REMEMBER_COOKIE_SECURE": False, "RATELIMIT_STORAGE_URI": "memory://"})
        from portal import resources as res
        from portal.services.invitations import invitation_url, invite_candidate

        with app.app_context():
            session = get_session()
            assignment = Assignment(client=Client(name="Profilbolaget AB"), title="Profile role",
                                    language="en", norm_group="general")
            session.add(assignment)
            session.flush()
            links = []
            for i in range(args.candidates):
                _c, inv = invite_candidate(session, assignment, name=f"Profile Candidate {i}",
                                           email=f"profile{i}@example.com", now=res.now(),
                                           settings=res.invitation_settings())
                links.append(invitation_url(inv, res.invitation_settings()).removeprefix("http://localhost"))
            session.commit()
        clients = [app.test_client() for _ in links]
        pages = [walk_to_first_item(c, link) for c, link in zip(clients, links)]
        # One unmeasured answer each warms every cache (templates, bank arrays).
        pages = [answer(c, html, 0) for c, html in zip(clients, pages)]
        # Half of the candidates answer without the profiler (the plain time per answer),
        # the other half under it.
        half = max(1, len(clients) // 2)
        plain, profiled = list(zip(clients, pages))[:half], list(zip(clients, pages))[half:] or None
        t0, c0 = time.perf_counter(), time.process_time()
        for k in range(args.items - 1):
            plain = [(c, answer(c, html, k + i)) for i, (c, html) in enumerate(plain)]
        plain_ms = (time.perf_counter() - t0) * 1000 / (half * (args.items - 1))
        plain_cpu_ms = (time.process_time() - c0) * 1000 / (half * (args.items - 1))
        profiled = profiled or plain
        profiler = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
        t0 = time.perf_counter()
        profiler.enable()
        for k in range(args.items - 1):
            profiled = [(c, answer(c, html, k + i)) for i, (c, html) in enumerate(profiled)]
        profiler.disable()
        wall = time.perf_counter() - t0
        n = len(profiled) * (args.items - 1)
        stats = pstats.Stats(profiler)
        if args.dump:
            stats.dump_stats(args.dump)
        groups = group_times(stats)
        total = sum(groups.values())
        if args.json:
            print(json.dumps({"db": args.db, "answers": n, "plain_ms_per_answer": plain_ms,
                              "plain_cpu_ms_per_answer": plain_cpu_ms,
                              "wall_ms_per_answer": wall * 1000 / n,
                              "profiled_ms_per_answer": total * 1000 / n,
                              "groups_ms_per_answer": {g: t * 1000 / n for g, t in groups.items()}}))
        else:
            print(f"{args.db}: {plain_ms:.2f} ms per answer (POST + GET, test client, no profiler; "
                  f"CPU {plain_cpu_ms:.2f} ms of this process); "
                  f"{n} answers profiled: {wall * 1000 / n:.2f} ms each under cProfile "
                  f"(profiled own time {total * 1000 / n:.2f} ms)")
            print("\nown time per answer by group:")
            for g, t in groups.items():
                print(f"  {g:<28} {t * 1000 / n:7.3f} ms  {100 * t / total:5.1f} %")
            for key in ("cumulative", "tottime"):
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(key).print_stats(args.top)
                print(f"\n--- top {args.top} by {key} ---")
                print(out.getvalue().split("\n\n", 1)[-1].rstrip())
        app.extensions["portal.engine"].dispose()
    finally:
        drop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Answer-throughput benchmark: the real app under gunicorn vs a one-INSERT baseline.

Per database (SQLite file and/or a throw-away PostgreSQL database):

1. create a fresh database and migrate it (``portal.migrate.upgrade``);
2. seed one client + assignment and N x R invited candidates with the app's
   own services (N per round, R rounds);
3. serve the real app (``gunicorn -w W wsgi:app``) and ``bench/baseline_app.py``
   (one INSERT + commit per POST) with the same gunicorn settings on the same
   database, each on 127.0.0.1:<free port>;
4. per round, app phase: N threads, one ``requests.Session`` each, walk the
   candidate journey (link, welcome, instructions, practice, start) untimed,
   then are released together to answer K logic items; each answer is timed as
   a browser sees it: POST /test/item plus the redirected GET of the next item;
5. per round, baseline phase right after: N threads x K POSTs to the baseline;
6. report answers/s, p50 and p95 latency, and the CPU per answer of the server
   (the gunicorn process group), of the PostgreSQL backends and of this load
   generator, for both, and the app/baseline ratios per answer and per request
   (medians over the R rounds, with their range); write JSON to
   ``bench/results/<timestamp>.json``.

Any non-2xx/3xx response, transport error, unexpected page, or answer missing
from the database afterwards counts as an error; the exit status is then 1.
A database that could not be benchmarked at all (e.g. no PostgreSQL server)
is reported as skipped, exit status 3.

Run: ``.venv/bin/python bench/answers.py --help`` (``make bench`` runs the defaults).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH_DIR))

import baseline_app  # noqa: E402
from _shared import DEFAULT_PG, SECRET_KEY, fmt, percentile  # noqa: E402
from portal import create_app  # noqa: E402
from portal.db import get_session  # noqa: E402
from portal.migrate import upgrade  # noqa: E402
from portal.models import Assignment, Client, LogicResponse  # noqa: E402
from item_banks import adaptive  # noqa: E402

HOST = "127.0.0.1"

#: Per-request timeout (connect, read) in seconds. SQLite's busy_timeout is 30 s,
#: so a request stuck behind the write lock still fails inside this bound.
REQUEST_TIMEOUT = (5, 45)
#: Max seconds to wait for a gunicorn server to answer /healthz.
STARTUP_TIMEOUT = 40
#: Max seconds all threads of a phase may take before it is abandoned.
PHASE_TIMEOUT = 150
#: Max practice pages walked (practice has 2-3 items, two pages each).
MAX_PRACTICE_PAGES = 20
#: Stored error details per phase (all errors are counted).
MAX_ERROR_DETAILS = 30

CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
STEP_RE = re.compile(r'data-step="([^"]*)"')
OPTION_RE = re.compile(r'name="option" value="([^"]+)"')
RESPONSE_RE = re.compile(r'name="response" value="(\d+)"')
POSITION_RE = re.compile(r'name="position" value="(\d+)"')
LOG_PROBLEM_RE = re.compile(
    r"Traceback|database is locked|OperationalError|IntegrityError|WORKER TIMEOUT|"
    r"Worker .* (?:was sent|exited)|\[ERROR\]|\bError\b",
)


# --------------------------------------------------------------------------- #
# small utilities
# --------------------------------------------------------------------------- #

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_cpu(pid: str) -> tuple[int, float] | None:
    """(process group, user + system CPU seconds) of one process from /proc, or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode("ascii", "replace")
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ": state, ppid, pgrp, ...
    return int(fields[2]), (int(fields[11]) + int(fields[12])) / CLK_TCK


def group_cpu_seconds(pgid: int) -> float | None:
    """CPU seconds used so far by the live processes of one process group (a gunicorn
    master and its workers); None where /proc is not available."""
    if not os.path.isdir("/proc"):
        return None
    total = 0.0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            got = _proc_cpu(entry.name)
            if got is not None and got[0] == pgid:
                total += got[1]
    return total


def pids_cpu_seconds(pids) -> dict[int, float]:
    out = {}
    for pid in pids:
        got = _proc_cpu(str(pid))
        if got is not None:
            out[pid] = got[1]
    return out


@dataclass
class Errors:
    count: int = 0
    details: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, detail: str) -> None:
        with self.lock:
            self.count += 1
            if len(self.details) < MAX_ERROR_DETAILS:
                self.details.append(detail[:500])


# --------------------------------------------------------------------------- #
# databases
# --------------------------------------------------------------------------- #

class Database:
    """A fresh database for one leg of the benchmark; ``close`` removes it.
    ``backend_pids`` lists the server processes serving it (PostgreSQL), for CPU metering."""

    def __init__(self, kind: str, url: str, cleanup, backend_pids=lambda: []):
        self.kind = kind
        self.url = url
        self._cleanup = cleanup
        self.backend_pids = backend_pids

    def close(self) -> None:
        self._cleanup()


def sqlite_database(tmp: Path) -> Database:
    path = tmp / "bench.sqlite3"
    return Database("sqlite", f"sqlite:///{path}", lambda: None)  # tmp dir removed by caller


def postgres_database(admin_url: str) -> Database:
    base = make_url(admin_url)
    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception:
        admin.dispose()
        raise

    def drop() -> None:
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            admin.dispose()

    def backend_pids() -> list[int]:
        # Only meaningful for a server on this machine (its processes are in our /proc).
        with admin.connect() as conn:
            return list(conn.execute(sa.text("SELECT pid FROM pg_stat_activity WHERE datname = :d"),
                                     {"d": name}).scalars())

    url = base.set(database=name).render_as_string(hide_password=False)
    return Database("postgresql", url, drop, backend_pids)


def server_version(url: str) -> str:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if url.startswith("sqlite"):
                return "SQLite " + conn.exec_driver_sql("select sqlite_version()").scalar()
            return conn.exec_driver_sql("show server_version").scalar().split()[0]
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- #
# seeding with the app's own services
# --------------------------------------------------------------------------- #

def seed(url: str, base_url: str, n: int) -> list[str]:
    """One client + assignment and ``n`` invited candidates; returns the link paths."""
    from portal import resources as res
    from portal.services.invitations import invitation_url, invite_candidate

    app = create_app({
        "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "BASE_URL": base_url,
        "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False,
    })
    links = []
    try:
        with app.app_context():
            session = get_session()
            assignment = Assignment(client=Client(name="Benchbolaget AB"), title="Bench role",
                                    language="en", norm_group="general")
            session.add(assignment)
            session.flush()
            settings = res.invitation_settings()
            for i in range(n):
                _cand, inv = invite_candidate(
                    session, assignment, name=f"Bench Candidate {i}",
                    email=f"bench{i}@example.com", now=res.now(), settings=settings,
                )
                links.append(invitation_url(inv, settings).removeprefix(base_url))
            session.commit()
    finally:
        app.extensions["portal.engine"].dispose()
    return links


def count_rows(url: str, query) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(query).scalar_one()
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- #
# gunicorn
# --------------------------------------------------------------------------- #

class Server:
    """A gunicorn process group, always terminated by ``stop``."""

    def __init__(self, app_spec: str, *, url: str, port: int, workers: int, threads: int,
                 log_path: Path, extra_args: list[str] = ()):
        self.port = port
        self.base = f"http://{HOST}:{port}"
        self.log_path = log_path
        env = dict(os.environ)
        env.update(
            DATABASE_URL=url, SECRET_KEY=SECRET_KEY, COOKIE_SECURE="0", BASE_URL=self.base,
            PYTHONUNBUFFERED="1",
        )
        cmd = [
            sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
            "-b", f"{HOST}:{port}", *extra_args, app_spec,
        ]
        self.cmd = cmd
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: master + workers stop together
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                r = requests.get(self.base + "/healthz", timeout=2)
                if r.status_code == 200:
                    return
                last = f"HTTP {r.status_code}"
            except requests.RequestException as exc:
                last = type(exc).__name__
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn not ready after {STARTUP_TIMEOUT}s ({last}):\n{self.log_tail()}")

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def problems(self) -> list[str]:
        """Worrying log lines; for a traceback, its last line (the exception)."""
        out: list[str] = []
        in_tb = False
        for line in self.log_text().splitlines():
            if line.startswith("Traceback"):
                in_tb = True
                continue
            if in_tb:
                if line.startswith((" ", "\t")) or not line.strip() or line.startswith("During handling"):
                    continue
                in_tb = False
                out.append("exception: " + line)
                continue
            if LOG_PROBLEM_RE.search(line):
                out.append(line)
        return out

    def stop(self) -> None:
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)  # graceful: master stops its workers
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
            try:  # anything left in the group we started (never another group)
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        finally:
            self._log.close()


# --------------------------------------------------------------------------- #
# simulated candidates
# --------------------------------------------------------------------------- #

class FlowError(Exception):
    pass


def http_session() -> requests.Session:
    """A client session for the load generator. ``trust_env`` off: requests would otherwise
    scan the environment for proxy settings on every request and redirect, CPU taken
    from the servers on a machine they share (the targets are on 127.0.0.1 anyway)."""
    http = requests.Session()
    http.trust_env = False
    return http


def _check(resp: requests.Response, what: str) -> None:
    for r in [*resp.history, resp]:
        if not 200 <= r.status_code < 400:
            raise FlowError(f"{what}: HTTP {r.status_code} at {r.url}")


def _step(resp: requests.Response) -> str | None:
    m = STEP_RE.search(resp.text)
    return m.group(1) if m else None


def _csrf(resp: requests.Response, what: str) -> str:
    m = CSRF_RE.search(resp.text)
    if not m:
        raise FlowError(f"{what}: no CSRF token on {resp.url} (step {_step(resp)!r})")
    return m.group(1)


class SimCandidate:
    def __init__(self, index: int, base: str, link: str, seed: int):
        self.index = index
        self.base = base
        self.link = link
        self.http = http_session()
        self.page: requests.Response | None = None
        self.rng = random.Random(seed)

    def get(self, path: str, what: str) -> requests.Response:
        self.page = self.http.get(self.base + path, timeout=REQUEST_TIMEOUT)
        _check(self.page, what)
        return self.page

    def post(self, path: str, data: dict, what: str) -> requests.Response:
        data = {"csrf_token": _csrf(self.page, what), **data}
        self.page = self.http.post(self.base + path, data=data, timeout=REQUEST_TIMEOUT)
        _check(self.page, what)
        return self.page

    def expect(self, step: str, what: str) -> None:
        got = _step(self.page)
        if got != step:
            raise FlowError(f"{what}: expected step {step!r}, got {got!r} at {self.page.url}")

    def warm_up(self) -> None:
        """Link -> welcome -> instructions -> practice -> start: not timed."""
        self.get(self.link, "open link")
        self.expect("welcome", "open link")
        self.post("/test/welcome", {"consent": "y"}, "welcome")
        self.expect("instructions", "welcome")
        self.post("/test/instructions", {}, "instructions")
        for _ in range(MAX_PRACTICE_PAGES):
            step = _step(self.page)
            if step != "practice":
                break
            if "data-feedback" in self.page.text:
                self.get("/test/practice", "practice next")
                continue
            m = POSITION_RE.search(self.page.text)
            if not m:
                raise FlowError("practice: no position field")
            self.post("/test/practice", {"position": m.group(1), "option": "0"}, "practice answer")
        self.expect("ready", "practice")
        self.post("/test/start", {}, "start test")
        self.expect("item", "start test")

    def answer(self, k: int, may_end: bool) -> tuple[float, float, float]:
        """Answer the current item; returns (total, post, get) seconds. ``may_end``: the
        adaptive test may stop after this answer (its minimum length is reached); then
        ``self.ended`` says whether it did."""
        m = RESPONSE_RE.search(self.page.text)
        options = OPTION_RE.findall(self.page.text)
        if not m or not options:
            raise FlowError(f"item {k}: no response id or options on {self.page.url}")
        response_id = m.group(1)
        data = {"csrf_token": _csrf(self.page, f"item {k}"), "response": response_id,
                "option": self.rng.choice(options)}
        t0 = time.perf_counter()
        post = self.http.post(self.base + "/test/item", data=data, timeout=REQUEST_TIMEOUT,
                              allow_redirects=False)
        t1 = time.perf_counter()
        _check(post, f"item {k} POST")
        if post.status_code not in (301, 302, 303) or "Location" not in post.headers:
            raise FlowError(f"item {k} POST: expected a redirect, got HTTP {post.status_code}")
        nxt = self.http.get(requests.compat.urljoin(post.url, post.headers["Location"]),
                            timeout=REQUEST_TIMEOUT)
        t2 = time.perf_counter()
        self.page = nxt
        _check(nxt, f"item {k} next page")
        step = _step(nxt)
        if may_end and step != "item":
            self.ended = True  # the precision target was reached: the test is over
        else:
            if step != "item":
                raise FlowError(f"item {k}: expected the next item page, got step {step!r} at {nxt.url}")
            m2 = RESPONSE_RE.search(nxt.text)
            if m2 and m2.group(1) == response_id:
                raise FlowError(f"item {k}: answer not taken (same item shown again)")
            if 'class="flash ' in nxt.text:
                raise FlowError(f"item {k}: flash message after answering")
        return t2 - t0, t1 - t0, t2 - t1


class BaselineClient:
    def __init__(self, index: int, base: str):
        self.index = index
        self.base = base
        self.http = http_session()

    def warm_up(self) -> None:
        r = self.http.get(self.base + "/healthz", timeout=REQUEST_TIMEOUT)
        _check(r, "baseline healthz")

    def answer(self, k: int, _last: bool) -> tuple[float, float, float]:
        data = {"candidate": str(self.index), "item": str(k), "value": f"opt{k % 4}"}
        t0 = time.perf_counter()
        r = self.http.post(self.base + "/answer", data=data, timeout=REQUEST_TIMEOUT)
        t1 = time.perf_counter()
        _check(r, f"baseline answer {k}")
        if r.status_code != 200:
            raise FlowError(f"baseline answer {k}: HTTP {r.status_code}")
        return t1 - t0, t1 - t0, 0.0


class CpuMeter:
    """CPU seconds spent during a timed phase: by the server's gunicorn process group
    (master + workers), by the database server's backends for the bench database
    (PostgreSQL on this machine; SQLite runs inside the workers), and by this load
    generator itself (all its threads)."""

    def __init__(self, server: "Server", db: Database):
        self.server, self.db = server, db

    def _snapshot(self) -> dict:
        try:
            backends = pids_cpu_seconds(self.db.backend_pids())
        except Exception:  # metering must never fail a run
            backends = None
        return {"server": group_cpu_seconds(self.server.proc.pid), "db": backends,
                "client": time.process_time()}

    def start(self) -> None:
        self._start = self._snapshot()

    def stop(self) -> dict:
        end, begin = self._snapshot(), self._start
        out = {"client": end["client"] - begin["client"], "server": None, "db": None}
        if end["server"] is not None and begin["server"] is not None:
            out["server"] = end["server"] - begin["server"]
        if self.db.kind == "postgresql" and end["db"] is not None and begin["db"] is not None:
            # A backend started during the phase counts from zero.
            out["db"] = sum(cpu - begin["db"].get(pid, 0.0) for pid, cpu in end["db"].items())
        return out


def run_phase(clients: list, k: int, min_length: int | None, meter: CpuMeter | None = None) -> dict:
    """Warm every client up concurrently (untimed), then release all threads at
    once into ``k`` timed answers each (fewer for a candidate whose adaptive test
    stops on precision after ``min_length`` answers). ``meter`` measures the CPU
    used from the release to the end of the phase."""
    n = len(clients)
    errors = Errors()
    totals: list[float] = []
    posts: list[float] = []
    gets: list[float] = []
    ok_answers = [0]
    not_asked = [0]  # answers the adaptive test did not ask for (it stopped earlier)
    lock = threading.Lock()
    start = {}

    def mark_start():
        if meter is not None:
            meter.start()
        start["t"] = time.perf_counter()

    barrier = threading.Barrier(n, action=mark_start, timeout=PHASE_TIMEOUT)
    end_times: list[float] = []

    def worker(c) -> None:
        warm_ok = True
        try:
            c.warm_up()
        except Exception as exc:  # any failure is a counted error, never a dead thread
            errors.add(f"client {c.index} warm-up: {type(exc).__name__}: {exc}")
            warm_ok = False
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            errors.add(f"client {c.index}: start barrier broken")
            return
        if not warm_ok:
            return
        # Drop the warm-up's idle keep-alive connection: a threaded gunicorn worker closes
        # it after its keepalive (2 s), and a POST sent on it just then meets a reset
        # (a browser would resend it; requests does not). Every timed series starts on
        # a fresh connection, for the app and the baseline alike.
        c.http.close()
        mine_t, mine_p, mine_g = [], [], []
        for i in range(k):
            may_end = min_length is not None and i >= min_length - 1
            try:
                t, p, g = c.answer(i, may_end)
            except Exception as exc:  # any failure is a counted error, never a dead thread
                errors.add(f"client {c.index} answer {i}: {type(exc).__name__}: {exc}")
                break  # the page state is unknown: this candidate stops
            mine_t.append(t)
            mine_p.append(p)
            mine_g.append(g)
            if getattr(c, "ended", False):
                with lock:
                    not_asked[0] += k - i - 1
                break
        with lock:
            totals.extend(mine_t)
            posts.extend(mine_p)
            gets.extend(mine_g)
            ok_answers[0] += len(mine_t)
            end_times.append(time.perf_counter())

    threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in clients]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 2 * PHASE_TIMEOUT
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()))
    hung = sum(t.is_alive() for t in threads)
    if hung:
        errors.add(f"{hung} client thread(s) still running after {2 * PHASE_TIMEOUT}s")
    cpu = meter.stop() if meter is not None and "t" in start else {}
    for c in clients:
        c.http.close()

    wall = (max(end_times) - start["t"]) if end_times and "t" in start else None
    ms = [x * 1000 for x in totals]

    def per_answer(seconds):
        return seconds * 1000 / ok_answers[0] if seconds is not None and ok_answers[0] else None

    return {
        "answers": ok_answers[0],
        "expected": n * k - not_asked[0],
        "ended_early": not_asked[0],
        "errors": errors.count,
        "error_details": errors.details,
        "wall_s": wall,
        "answers_per_s": (ok_answers[0] / wall) if wall else None,
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "max_ms": max(ms) if ms else None,
        "over_1s": sum(x > 1000 for x in ms),
        # The slowest answers as (total, POST, GET) ms: where the tail comes from.
        "slowest_ms": [[round(t * 1000, 1), round(p * 1000, 1), round(g * 1000, 1)]
                       for t, p, g in sorted(zip(totals, posts, gets), reverse=True)[:5]],
        "post_p50_ms": percentile([x * 1000 for x in posts], 50),
        "get_p50_ms": percentile([x * 1000 for x in gets], 50),
        # CPU per answer (ms): gunicorn processes; PostgreSQL backends; the load generator.
        "server_cpu_ms": per_answer(cpu.get("server")),
        "db_cpu_ms": per_answer(cpu.get("db")),
        "client_cpu_ms": per_answer(cpu.get("client")),
    }


# --------------------------------------------------------------------------- #
# one database leg
# --------------------------------------------------------------------------- #

def _median(xs: list[float | None]) -> float | None:
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def _spread(xs: list[float | None]) -> dict:
    xs_ = [x for x in xs if x is not None]
    return {"median": _median(xs_), "min": min(xs_) if xs_ else None, "max": max(xs_) if xs_ else None}


def _ratios(app: dict, base: dict) -> dict:
    """App over baseline. An app answer is two requests (POST + GET), a baseline answer
    one, so the per-request throughput ratio is twice the per-answer one and the
    per-request CPU ratio half."""
    thr = ratio(app["answers_per_s"], base["answers_per_s"])
    cpu = ratio(app["server_cpu_ms"], base["server_cpu_ms"])
    return {
        "throughput_app_over_baseline": thr,
        "requests_app_over_baseline": None if thr is None else 2 * thr,
        "p50_app_over_baseline": ratio(app["p50_ms"], base["p50_ms"]),
        "p95_app_over_baseline": ratio(app["p95_ms"], base["p95_ms"]),
        "server_cpu_app_over_baseline": cpu,
        "server_cpu_per_request_app_over_baseline": None if cpu is None else cpu / 2,
    }


def _aggregate(phases: list[dict]) -> dict:
    """Totals over rounds; medians (and the range of throughput) of per-round figures."""
    details = [d for ph in phases for d in ph["error_details"]][:MAX_ERROR_DETAILS]
    maxes = [ph["max_ms"] for ph in phases if ph["max_ms"] is not None]
    return {
        "answers": sum(ph["answers"] for ph in phases),
        "expected": sum(ph["expected"] for ph in phases),
        "errors": sum(ph["errors"] for ph in phases),
        "error_details": details,
        "answers_per_s": _median([ph["answers_per_s"] for ph in phases]),
        "answers_per_s_range": [_spread([ph["answers_per_s"] for ph in phases])[k] for k in ("min", "max")],
        "p50_ms": _median([ph["p50_ms"] for ph in phases]),
        "p95_ms": _median([ph["p95_ms"] for ph in phases]),
        "max_ms": max(maxes) if maxes else None,
        "over_1s": sum(ph["over_1s"] for ph in phases),
        "post_p50_ms": _median([ph["post_p50_ms"] for ph in phases]),
        "get_p50_ms": _median([ph["get_p50_ms"] for ph in phases]),
        "server_cpu_ms": _median([ph["server_cpu_ms"] for ph in phases]),
        "db_cpu_ms": _median([ph["db_cpu_ms"] for ph in phases]),
        "client_cpu_ms": _median([ph["client_cpu_ms"] for ph in phases]),
    }


def _check_rows(res: dict, stored: int, table: str) -> None:
    res["rows_in_db"] = stored
    if stored != res["answers"]:
        res["errors"] += 1
        res["error_details"].append(
            f"{res['answers']} answers acknowledged but {stored} answered rows in {table}")


def bench_database(kind: str, args, tmp: Path) -> dict:
    """One database: both servers up, then ``rounds`` x (app phase, baseline phase).

    App and baseline phases alternate, so each app/baseline pair runs seconds
    apart and a burst of background load hits both sides of a ratio alike.
    """
    n, k, rounds = args.candidates, args.items, args.rounds
    db = sqlite_database(tmp) if kind == "sqlite" else postgres_database(args.pg_url)
    result: dict = {"db": kind}
    servers: list[Server] = []
    try:
        upgrade(db.url)
        baseline_app.create_schema(db.url)
        result["server"] = server_version(db.url)

        app_port, base_port = free_port(), free_port()
        app_base, base_base = f"http://{HOST}:{app_port}", f"http://{HOST}:{base_port}"
        links = seed(db.url, app_base, n * rounds)  # fresh candidates for every round
        common = dict(url=db.url, workers=args.workers, threads=args.threads)
        try:
            servers.append(Server("wsgi:app", port=app_port, log_path=tmp / f"{kind}-app.log", **common))
            servers.append(Server("baseline_app:create_app()", port=base_port,
                                  log_path=tmp / f"{kind}-baseline.log",
                                  extra_args=["--pythonpath", str(BENCH_DIR)], **common))
            for s in servers:
                s.wait_ready()
            per_round = []
            for r in range(rounds):
                cands = [SimCandidate(i, app_base, links[r * n + i], seed=args.seed + r * n + i)
                         for i in range(n)]
                a = run_phase(cands, k, adaptive.APP_SETTINGS.min_items, CpuMeter(servers[0], db))
                b = run_phase([BaselineClient(r * n + i, base_base) for i in range(n)], k, None,
                              CpuMeter(servers[1], db))
                per_round.append({"round": r + 1, "app": a, "baseline": b, "ratios": _ratios(a, b)})
                print(f"[{kind}] round {r + 1}/{rounds}: app {fmt(a['answers_per_s'])}/s, "
                      f"baseline {fmt(b['answers_per_s'])}/s", flush=True)
        finally:
            for s in servers:
                s.stop()
        app_res = _aggregate([x["app"] for x in per_round])
        base_res = _aggregate([x["baseline"] for x in per_round])
        app_res["server_log_problems"] = servers[0].problems()[:MAX_ERROR_DETAILS]
        base_res["server_log_problems"] = servers[1].problems()[:MAX_ERROR_DETAILS]
        _check_rows(app_res, count_rows(db.url, sa.select(sa.func.count()).select_from(LogicResponse)
                                        .where(LogicResponse.answered_at.is_not(None))),
                    "logic_response")
        _check_rows(base_res, count_rows(db.url, sa.select(sa.func.count())
                                         .select_from(baseline_app.bench_answer)), "bench_answer")
        result["app"] = app_res
        result["baseline"] = base_res
        result["ratios"] = {key: _spread([x["ratios"][key] for x in per_round])
                            for key in per_round[0]["ratios"]}
        result["rounds"] = per_round
    finally:
        db.close()
    return result


# --------------------------------------------------------------------------- #
# main
# --------------------------------------------------------------------------- #

def machine_info() -> dict:
    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite_library": sqlite3.sqlite_version,
        "sqlalchemy": sa.__version__,
        "gunicorn": _version("gunicorn"),
        # Other processes share the CPUs with the load generator and the servers.
        "loadavg_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }


def _version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def _range(lo: float | None, hi: float | None, spec: str) -> str:
    return f"{fmt(lo, spec)}-{fmt(hi, spec)}"


def print_table(results: list[dict], args) -> None:
    print()
    print(f"N={args.candidates} candidates x K={args.items} answers x {args.rounds} round(s), "
          f"gunicorn -w {args.workers} --threads {args.threads}")
    print("latency per answer: app = POST /test/item + redirected GET of the next item; "
          "baseline = one POST (one INSERT)")
    print("figures are medians over rounds; (min-max over rounds)")
    print("CPU ms per answer: server = gunicorn master + workers; db = PostgreSQL backends; "
          "client = this load generator")
    header = (f"{'database':<11} {'endpoint':<9} {'answers':>7} {'errors':>6} "
              f"{'answers/s':>9} {'(range)':<13} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
              f"{'cpu srv':>7} {'cpu db':>6} {'cpu cli':>7}")
    print(header)
    print("-" * len(header))
    for r in results:
        if "skipped" in r:
            print(f"{r['db']:<11} skipped: {r['skipped']}")
            continue
        for label in ("app", "baseline"):
            x = r[label]
            lo, hi = x["answers_per_s_range"]
            print(f"{r['db']:<11} {label:<9} {x['answers']:>7} {x['errors']:>6} "
                  f"{fmt(x['answers_per_s']):>9} {'(' + _range(lo, hi, '.0f') + ')':<13} "
                  f"{fmt(x['p50_ms']):>7} {fmt(x['p95_ms']):>7} {fmt(x['max_ms']):>7} "
                  f"{fmt(x['server_cpu_ms'], '.2f'):>7} {fmt(x['db_cpu_ms'], '.2f'):>6} "
                  f"{fmt(x['client_cpu_ms'], '.2f'):>7}")
        parts = []
        for key, name in (("throughput_app_over_baseline", "answers/s"),
                          ("requests_app_over_baseline", "requests/s"),
                          ("p50_app_over_baseline", "p50"), ("p95_app_over_baseline", "p95"),
                          ("server_cpu_app_over_baseline", "server CPU/answer"),
                          ("server_cpu_per_request_app_over_baseline", "server CPU/request")):
            q = r["ratios"][key]
            parts.append(f"{name} x{fmt(q['median'], '.2f')} ({_range(q['min'], q['max'], '.2f')})")
        print(f"{r['db']:<11} {'app/base':<9} " + ", ".join(parts[:4]))
        print(f"{'':<11} {'':<9} " + ", ".join(parts[4:]))
        a = r["app"]
        print(f"{'':<11} {'':<9} app p50 split: POST {fmt(a['post_p50_ms'])} ms + "
              f"GET {fmt(a['get_p50_ms'])} ms")
    print()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    p.add_argument("--candidates", type=int, default=16, help="concurrent simulated candidates (N)")
    p.add_argument("--items", type=int, default=10, help="timed answers per candidate (K)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    p.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (1 = sync worker)")
    p.add_argument("--rounds", type=int, default=3,
                   help="alternating app/baseline rounds per database, each with N fresh candidates; "
                        "figures are medians over rounds")
    p.add_argument("--pg-url", default=DEFAULT_PG,
                   help="PostgreSQL server to create the throw-away bench database on "
                        "(env BENCH_DATABASE_URL or TEST_DATABASE_URL)")
    p.add_argument("--seed", type=int, default=20261126, help="seed of the simulated answer choices")
    p.add_argument("--out", type=Path, default=BENCH_DIR / "results", help="directory for the JSON result")
    args = p.parse_args(argv)
    longest = adaptive.APP_SETTINGS.max_items
    if not 1 <= args.items <= longest:
        p.error(f"--items must be between 1 and {longest} (the longest adaptive test)")
    if not 1 <= args.candidates <= 200:
        p.error("--candidates must be between 1 and 200")
    if not 1 <= args.rounds <= 10:
        p.error("--rounds must be between 1 and 10")
    if not 1 <= args.workers <= 16 or not 1 <= args.threads <= 32:
        p.error("--workers must be 1-16 and --threads 1-32")
    if make_url(args.pg_url).host not in (None, "127.0.0.1", "localhost", "::1"):
        print(f"warning: --pg-url points to {make_url(args.pg_url).host}", file=sys.stderr)

    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    results = []
    for kind in kinds:
        tmp = Path(tempfile.mkdtemp(prefix=f"bench-{kind}-"))
        try:
            print(f"[{kind}] running ...", flush=True)
            results.append(bench_database(kind, args, tmp))
        except Exception as exc:  # report and go on with the next database
            reason = f"{type(exc).__name__}: {str(exc).strip()}"
            print(f"[{kind}] not benchmarked: {reason}", file=sys.stderr)
            reason = reason.splitlines()[0]
            results.append({"db": kind, "skipped": reason})
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    elapsed = time.perf_counter() - t0
    print_table(results, args)
    errors = sum(r[x]["errors"] for r in results for x in ("app", "baseline") if x in r)
    for r in results:
        for x in ("app", "baseline"):
            if x in r and (r[x]["error_details"] or r[x]["server_log_problems"]):
                print(f"[{r['db']} {x}] {r[x]['errors']} error(s)")
                for d in r[x]["error_details"][:10]:
                    print(f"    {d}")
                for line in r[x]["server_log_problems"][:10]:
                    print(f"    log: {line}")

    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    doc = {
        "started_at": started.isoformat(),
        "elapsed_s": round(elapsed, 1),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "config": {"db": args.db, "candidates": args.candidates, "items": args.items,
                   "workers": args.workers, "threads": args.threads, "rounds": args.rounds,
                   "seed": args.seed,
                   "pg_url": make_url(args.pg_url).render_as_string(hide_password=True)},
        "machine": {**machine_info(), "loadavg_at_start": load_at_start},
        "results": results,
        "errors": errors,
    }
    out.write_text(json.dumps(doc, indent=2))
    print(f"Total {elapsed:.1f}s; {errors} error(s); JSON: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    if errors:
        return 1
    if any("skipped" in r for r in results):
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())

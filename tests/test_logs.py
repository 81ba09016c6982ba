"""Link tokens (a candidate's invitation, a user's set-password link) never reach a log:
the app's loggers and gunicorn's access log (gunicorn.conf.py, as the README deploys it)."""
from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from portal.logs import RedactTokens, redact

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "WzEsIkhCR1ZqeS1VX1I5dVkxdVBMaVF3VUtVOVFjNWdyQjFvIl0.axTAVQ.WRlZnDpiVQ1O7Xyv9cGVCk4dPBk"


@pytest.mark.parametrize("prefix", ["/i/", "/account/set-password/"])
@pytest.mark.parametrize("template", [
    'GET {prefix}{token} HTTP/1.1',
    "{prefix}{token}?lang=en",
    "https://assess.example.se{prefix}{token}",
    '"GET {prefix}{token} HTTP/1.1" 302 -',
])
def test_redact_removes_the_token_and_keeps_the_rest(prefix, template):
    text = template.format(prefix=prefix, token=TOKEN)
    cleaned = redact(text)
    assert TOKEN not in cleaned and f"{prefix}[redacted]" in cleaned
    assert cleaned.replace(f"{prefix}[redacted]", f"{prefix}{TOKEN}") == text
    assert redact("/test/item?x=1") == "/test/item?x=1"
    assert redact("POST /account/set-password HTTP/1.1") == "POST /account/set-password HTTP/1.1"


def test_the_apps_loggers_redact(app, caplog):
    assert any(isinstance(f, RedactTokens) for f in logging.getLogger("werkzeug").filters)
    with caplog.at_level(logging.INFO):
        logging.getLogger("werkzeug").info('%s - - "%s" %s', "127.0.0.1", f"GET /i/{TOKEN} HTTP/1.1", 302)
        app.logger.warning("link %s opened", f"/i/{TOKEN}")
        logging.getLogger("werkzeug").info('"%s" %s', f"GET /account/set-password/{TOKEN} HTTP/1.1", 302)
    assert TOKEN not in caplog.text and caplog.text.count("/i/[redacted]") == 2
    assert caplog.text.count("/account/set-password/[redacted]") == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_access_log_has_no_token(tmp_path):
    """Start gunicorn with the shipped gunicorn.conf.py, open a candidate link (with the
    link also as Referer), stop it and read its log."""
    port = free_port()
    env = {**os.environ, "SECRET_KEY": "k" * 48, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "COOKIE_SECURE": "0", "PYTHONUNBUFFERED": "1"}
    env.pop("SECOND_OPINION_ENV", None)
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", "1",
                                 "-b", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if requests.get(base + "/healthz", timeout=2).status_code in (200, 503):
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        requests.get(f"{base}/i/{TOKEN}?lang=en", headers={"Referer": f"{base}/i/{TOKEN}"},
                     allow_redirects=False, timeout=10)
        requests.get(f"{base}/account/set-password/{TOKEN}",
                     headers={"Referer": f"{base}/account/set-password/{TOKEN}"},
                     allow_redirects=False, timeout=10)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    text = log.read_text()
    assert "/i/[redacted]" in text  # the requests were logged ...
    assert "/account/set-password/[redacted]" in text
    assert TOKEN not in text and TOKEN[:20] not in text  # ... without the token


def test_custom_access_log_format_is_redacted_too():
    """The shipped logger redacts whichever atoms a format reads, also a header or environ
    atom that the default format does not use."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    atoms = conf.RedactedAtoms({"r": f'GET /i/{TOKEN}"x HTTP/1.1', "{referer}i": f"http://h/i/{TOKEN}",
                                "{raw_uri}e": f"/account/set-password/{TOKEN}?a=1", "s": 302})
    line = '%(r)s %({Referer}i)s %({RAW_URI}e)s %(s)s %(missing)s' % atoms
    assert line == ('GET /i/[redacted]\\"x HTTP/1.1 http://h/i/[redacted] '
                    '/account/set-password/[redacted]?a=1 302 -')


def test_prefixed_secrets_are_redacted():
    """A webhook signing secret or an API key pasted into a message never reaches the log."""
    from portal.logs import redact

    text = redact("key so_key_AbC-12_xyz and secret whsec_QUJDREVGR0g= in a message")
    assert text == "key so_key_[redacted] and secret whsec_[redacted] in a message"

# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app wsgi
PORT   ?= 5000
TRANSLATIONS := portal/translations

.PHONY: run test install install-test lock translations extract-messages bench bench-scale bench-reports bench-synthesis bench-cat bench-leaks bench-calibration bench-verification clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# Exact versions from the lock files (requirements/, made by `make lock`), then the project
# itself without resolving again; pyproject.toml keeps only the lower bounds.
LOCK      := requirements/lock.txt
LOCK_TEST := requirements/lock-test.txt

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml $(LOCK)
	$(PY) -m pip install -q -r $(LOCK)
	$(PY) -m pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed $(LOCK_TEST)
	$(PY) -m pip install -q -r $(LOCK_TEST)
	touch $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

# Refresh the lock files after changing a dependency in pyproject.toml. Pins that still fit
# are kept; `make lock LOCK_ARGS=--upgrade` moves everything to the newest allowed versions
# (`LOCK_ARGS="--upgrade-package NAME"` only one). pip-tools runs in its own venv; the test lock
# is constrained by the runtime one, so both install the same versions of what they share.
LOCK_VENV    := .venv-lock
PIP_COMPILE  := CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile -q --strip-extras \
	--allow-unsafe --no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
$(LOCK_VENV)/bin/pip-compile:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install -q 'pip-tools>=7.4'

lock: $(LOCK_VENV)/bin/pip-compile
	$(PIP_COMPILE) -o $(LOCK) pyproject.toml
	$(PIP_COMPILE) --extra test -c $(LOCK) -o $(LOCK_TEST) pyproject.toml
	$(LOCK_VENV)/bin/python -c "$$LOCK_NOTE" $(LOCK) $(LOCK_TEST)

# The platform note at the top of each lock file (pip-compile resolves markers for the machine).
define LOCK_NOTE
import platform, sys
note = (f"# Resolved for Python {sys.version_info[0]}.{sys.version_info[1]} on "
        f"{platform.system()} {platform.machine()}: packages behind environment markers\n"
        "# (other platforms, other Pythons) are not in it.\n")
for path in sys.argv[1:]:
    text = open(path, encoding="utf-8").read()
    open(path, "w", encoding="utf-8").write(note + text)
endef
export LOCK_NOTE

# Compiled catalogs (.mo) are build output, made from the .po files on every install.
translations: $(VENV)/.installed
	$(VENV)/bin/pybabel -q compile -d $(TRANSLATIONS)

# Developers: collect new strings into the catalogs (then translate them in the .po files).
extract-messages: $(VENV)/.installed
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -o $(TRANSLATIONS)/messages.pot --no-location --sort-output .
	$(VENV)/bin/pybabel -q update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete

run: export COOKIE_SECURE ?= 0
run: export SECOND_OPINION_ENV ?= development
run: export BASE_URL ?= http://127.0.0.1:$(PORT)
# Webhook endpoints on this machine (a local receiver) are allowed in development only.
run: export WEBHOOK_ALLOW_PRIVATE_TARGETS ?= 1
# The mail worker runs in the background beside the server and stops with it (Ctrl-C,
# or the server failing to start); without SMTP_HOST it sends no e-mail (it says so) but
# still delivers webhooks.
run: install
	@mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) mail work & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# axe-core for the accessibility gate (tests/test_browser_a11y.py), pinned by
# tests/a11y/package-lock.json. Without npm the rule does nothing and the gate skips
# (fails under CI=true).
AXE := tests/a11y/node_modules/axe-core/axe.min.js
$(AXE): tests/a11y/package.json tests/a11y/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/a11y --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the accessibility test will be skipped (apt-get install npm)"; fi

test: install-test $(AXE)
	$(PY) -m pytest $(PYTEST_ARGS)

# The answer path under gunicorn, then the consultant and client pages at 200 and 2,000
# candidates (bench/README.md).
bench: install-test
	$(PY) bench/answers.py
	$(PY) bench/scale.py

bench-scale: install-test
	$(PY) bench/scale.py $(BENCH_ARGS)

bench-reports: install-test
	$(PY) bench/reports.py

# Calibration study of the evidence synthesis (docs/synthesis.md, section 6).
bench-synthesis: install-test
	$(PY) bench/synthesis.py $(BENCH_ARGS)

# The CAT benchmark compares with catsim and mirt, installed only in their own venv
# (item_banks needs only numpy; bench/cat.py imports it from the working tree).
# Flags: make bench-cat BENCH_ARGS="--peer-simulees 200".
bench/.venv-cat/bin/python:
	$(PYTHON) -m venv bench/.venv-cat

bench/.venv-cat/.installed: bench/.venv-cat/bin/python bench/cat_requirements.txt
	bench/.venv-cat/bin/pip install -q -r bench/cat_requirements.txt
	touch $@

bench-cat: bench/.venv-cat/.installed
	bench/.venv-cat/bin/python bench/cat.py $(BENCH_ARGS)

# Leak monitoring (item_banks.leaks) on data simulated through the production CAT: false
# alarms per item over 1,000 responses, detection of planted leaks (numpy only, the project's
# venv). Flags: make bench-leaks BENCH_ARGS="--quick".
bench-leaks: install-test
	$(PY) bench/leaks.py $(BENCH_ARGS)
# False alarms and power of the verification verdict (docs/technical-manual.md, "Verification
# test"); numpy only. Flags: make bench-verification BENCH_ARGS="--quick".
bench-verification: install-test
	$(PY) bench/verification.py $(BENCH_ARGS)

# Item calibration, item fit and DIF on simulated adaptive data, beside girth's MML, which is
# installed only in its own venv (item_banks needs only numpy; bench/calibration.py imports it
# from the working tree). Flags: make bench-calibration BENCH_ARGS="--quick".
bench/.venv-calibration/bin/python:
	$(PYTHON) -m venv bench/.venv-calibration

bench/.venv-calibration/.installed: bench/.venv-calibration/bin/python bench/calibration_requirements.txt
	bench/.venv-calibration/bin/pip install -q -r bench/calibration_requirements.txt
	touch $@

bench-calibration: bench/.venv-calibration/.installed
	bench/.venv-calibration/bin/python bench/calibration.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(LOCK_VENV) build *.egg-info

"""``flask --app wsgi banks ...``: generate, validate and show item banks."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app, render_template
from flask.cli import AppGroup

from item_banks import BankError, load_inventory, load_logic_bank, validate_file

banks_cli = AppGroup("banks", help="Item banks: generate, validate, show.")

#: The question line the candidate page adds under a series (see candidate/_item_body.html).
SERIES_PROMPTS = {
    "number_series": {"sv": "Vilket tal kommer härnäst i serien?",
                      "en": "Which number comes next in the series?"},
    "letter_series": {"sv": "Vilken bokstav kommer härnäst i serien?",
                      "en": "Which letter comes next in the series?"},
}


def _shipped_files() -> list[Path]:
    cfg = current_app.config
    return [Path(load_logic_bank(cfg.get("LOGIC_BANK_PATH")).path),
            Path(load_inventory(cfg.get("INVENTORY_PATH")).path)]


@banks_cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--report", is_flag=True, help="Also print the distribution of b of each logic bank.")
def validate(paths: tuple[Path, ...], report: bool) -> None:
    """Check bank files (default: the banks in use). Exits 1 if any problem is found."""
    if not paths:
        try:
            paths = tuple(_shipped_files())
        except BankError as exc:
            for problem in exc.problems:
                click.echo(problem, err=True)
            sys.exit(1)
    failed = False
    for path in paths:
        problems = validate_file(path)
        if problems:
            failed = True
            for problem in problems:
                click.echo(f"{path}: {problem}" if not problem.startswith(path.name) else
                           f"{path.parent / problem}", err=True)
            click.echo(f"{path}: {len(problems)} problem(s)", err=True)
        else:
            click.echo(f"{path}: OK")
        if report and not problems:
            _print_difficulty_report(path)
    if failed:
        sys.exit(1)


def _print_difficulty_report(path: Path) -> None:
    from item_banks.checks import difficulty_report, format_difficulty_report
    from item_banks.schema import LOGIC_FORMAT, read_json

    data, _ = read_json(path)
    if isinstance(data, dict) and data.get("format") == LOGIC_FORMAT and data.get("format_version", 1) >= 2:
        click.echo(format_difficulty_report(difficulty_report(data)))


@banks_cli.command("generate")
@click.option("--seed", type=int, default=None, help="Generator seed (default: the shipped bank's).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the bank (default: standard output).")
def generate(seed: int | None, output: Path | None) -> None:
    """Generate the logic bank; with the default seed it reproduces the shipped file bit for bit."""
    from item_banks.generate import GENERATOR_SEED, dumps, generate_bank

    text = dumps(generate_bank(GENERATOR_SEED if seed is None else seed))
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    problems = validate_file(output)
    click.echo(f"Wrote {output} ({len(text.encode('utf-8'))} bytes).", err=True)
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        sys.exit(1)


@banks_cli.command("show")
@click.argument("item_id")
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv")
@click.option("--bank", "bank_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Bank file (default: the bank in use).")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the item as a self-contained HTML page (needed for figure items).")
def show(item_id: str, lang: str, bank_path: Path | None, html_path: Path | None) -> None:
    """Show one item as a candidate would see it (for review)."""
    try:
        bank = load_logic_bank(bank_path or current_app.config.get("LOGIC_BANK_PATH"))
    except BankError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        item = bank.get(item_id)
    except KeyError as exc:
        raise click.ClickException(f"No item {item_id} in {bank.bank_id} {bank.version}.") from exc
    letters = "ABCDEFGH"
    click.echo(f"{item.id} ({item.type}{', practice' if item.practice else ''}) — {bank.bank_id} {bank.version}")
    click.echo("")
    click.echo(item.stem_text(lang))
    prompt = SERIES_PROMPTS.get(item.type)
    if prompt:
        click.echo(prompt[lang])
    figure = bool(getattr(item, "figure", None))
    if figure:
        click.echo("[figure: a 3x3 matrix; use --html FILE to see it]")
    click.echo("")
    for i, option in enumerate(item.options):
        text = "[figure]" if "svg" in option else option[lang]
        click.echo(f"  {letters[i]}) {text}")
    click.echo("")
    click.echo(f"Key: {letters[item.key]}")
    irt = getattr(item, "irt", None)
    if irt:
        click.echo(f"3PL (a priori): a={irt['a']:.2f} b={irt['b']:.2f} c={irt['c']:.3f}")
    if item.explanation:
        click.echo(f"Explanation: {item.explanation[lang]}")
    if html_path is not None:
        with current_app.test_request_context(headers={"Accept-Language": lang}):
            css = (Path(current_app.static_folder) / "site.css").read_text(encoding="utf-8")
            html = render_template("candidate/item_review.html", item=item, lang=lang, css=css,
                                   options=[(str(i), i) for i in range(len(item.options))])
        html_path.write_text(html, encoding="utf-8")
        click.echo(f"Wrote {html_path}")


@banks_cli.command("simulate")
@click.option("--candidates", "-n", type=click.IntRange(2, 100_000), default=2000, show_default=True,
              help="Number of simulated candidates.")
@click.option("--seed", type=int, default=20261205, show_default=True,
              help="Seed of abilities, attempts and answers (the same seed prints the same figures).")
@click.option("--theta-dist", type=click.Choice(["normal", "uniform"]), default="normal", show_default=True,
              help="True abilities: N(0, 1), or uniform on [-3, 3] for figures across the range.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (keys: docs/technical-manual.md).")
@click.option("--no-compare", is_flag=True,
              help="Skip the comparison run with pure maximum-information selection (faster).")
def simulate(candidates: int, seed: int, theta_dist: str, as_json: bool, no_compare: bool) -> None:
    """Run simulated candidates through the production adaptive test and print its figures.

    Uses the bank in use (LOGIC_BANK_PATH) with the portal's settings and the same functions
    a candidate's attempt calls (item_banks.adaptive), so the figures are what candidates get.
    """
    import json as json_module

    from item_banks import adaptive, simulation

    try:
        bank = load_logic_bank(current_app.config.get("LOGIC_BANK_PATH"))
        ab = adaptive.adaptive_bank(bank)
    except (BankError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if ab.settings.exposure != adaptive.APP_SETTINGS.exposure:
        click.echo(f"Note: no exposure parameters calibrated for {bank.bank_id} {bank.version} and these "
                   f"settings; running with {ab.settings.exposure} selection, as the portal would.", err=True)
    with click.progressbar(length=candidates, label="Simulated candidates", file=sys.stderr) as bar:
        done = [0]

        def progress(k: int) -> None:
            bar.update(k - done[0])
            done[0] = k

        doc = simulation.simulate(ab, candidates, seed, theta_distribution=theta_dist,
                                  compare=not no_compare, progress=progress)
    doc["command"] = (f"flask --app wsgi banks simulate --candidates {candidates} --seed {seed} "
                      f"--theta-dist {theta_dist}" + (" --no-compare" if no_compare else ""))
    if as_json:
        click.echo(json_module.dumps(doc, indent=1, sort_keys=True))
    else:
        click.echo(simulation.format_report(doc))


@banks_cli.command("calibrate-exposure")
def calibrate_exposure() -> None:
    """Calibrate Sympson-Hetter exposure parameters for the bank in use and the portal's
    settings by simulation, and store them beside the bank (<bank>.exposure.json)."""
    from item_banks import adaptive

    try:
        bank = load_logic_bank(current_app.config.get("LOGIC_BANK_PATH"))
    except BankError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Calibrating {bank.bank_id} {bank.version} (a minute or two) ...", err=True)
    out, doc = adaptive.write_calibration(bank)
    click.echo(f"Wrote {out}: max exposure by iteration {doc['max_exposure_by_iteration']}")


@banks_cli.command("simulate-inventory")
@click.option("--n", "n", type=click.IntRange(2, 1_000_000), default=10_000, show_default=True,
              help="Simulated protocols per responder type.")
@click.option("--seed", type=int, default=20261111, show_default=True,
              help="Seed of the simulation (the same seed prints the same figures).")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object (keys: item_banks/INVENTORY.md, 'Validity flags by simulation').")
def simulate_inventory(n: int, seed: int, as_json: bool) -> None:
    """Power of the inventory's validity flags: simulated honest and careless responders.

    Uses the inventory in use (INVENTORY_PATH) and computes every validity indicator as
    the portal does when it scores an attempt (item_banks.inventory_sim); prints the share
    of protocols raising each flag per responder type. Same table as bench/validity.py.
    """
    import json as json_module

    from item_banks import inventory_sim

    try:
        inventory = load_inventory(current_app.config.get("INVENTORY_PATH"))
    except BankError as exc:
        raise click.ClickException(str(exc)) from exc
    report = inventory_sim.run(inventory, n=n, seed=seed)
    if as_json:
        click.echo(json_module.dumps(report, indent=1, ensure_ascii=False))
    else:
        click.echo(inventory_sim.format_report(report))


# ----------------------------------------------------------------------------- versions
# Bank versions live in the database (portal/services/bank_versions.py); these commands
# list them, calibrate a new one from stored responses, and activate one.

def _utc_day(value):
    from datetime import timezone

    return value.replace(tzinfo=timezone.utc) if value is not None else None


def _num(x, fmt="{:.2f}") -> str:
    return "-" if x is None else fmt.format(x)


@banks_cli.command("versions")
def versions() -> None:
    """List the logic bank's versions (newest first) and which one is active."""
    from . import resources as res
    from .db import get_session
    from .services import bank_versions

    for v in bank_versions.list_versions(get_session(), res.shipped_logic_bank()):
        summary = ", ".join(f"{k} {n}" for k, n in v.summary.items() if n) or "-"
        click.echo(f"{'*' if v.active else ' '} {v.bank_id} {v.version:<10} {v.source:<10} "
                   f"parent {v.parent_version or '-':<8} {summary}")


@banks_cli.command("calibrate")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), required=True,
              help="Use responses answered on or after this date (YYYY-MM-DD, UTC).")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="... and before this date (default: now).")
@click.option("--min-n", type=click.IntRange(1, None), default=None,
              help="Responses an item needs to be estimated (default: item_banks.calibration.DEFAULT_MIN_N, 200).")
@click.option("--no-exposure", is_flag=True,
              help="Do not calibrate exposure control for the new version (it then runs with randomesque selection).")
@click.option("--all-items", is_flag=True, help="List every estimated item, not only the changes.")
def calibrate_version(since, until, min_n: int | None, no_exposure: bool, all_items: bool) -> None:
    """Estimate item parameters from stored responses and write a NEW bank version.

    Calibrates the active version's operational and pretest items on the logic responses
    stored since --since (adaptive data; anonymised candidates included), links them to
    the active version's scale, checks item fit, and stores the result as a new version
    with a diff (changed, retired for misfit, promoted from pretest). The new version is
    not active: review it on the Item banks page (or `banks versions`) and activate it
    with `banks activate VERSION`.
    """
    from item_banks import calibration, recalibration

    from . import resources as res
    from .db import get_session
    from .services import bank_versions

    session = get_session()
    min_n = min_n or calibration.DEFAULT_MIN_N
    started = res.now()
    try:
        row, result = bank_versions.calibrate(
            session, res.shipped_logic_bank(), since=_utc_day(since), until=_utc_day(until), min_n=min_n,
            now=started, exposure=not no_exposure, progress=lambda msg: click.echo(msg, err=True),
            cache=res._version_cache())
    except recalibration.RecalibrationError as exc:
        session.rollback()
        raise click.ClickException(f"No new version: {exc}") from exc
    except BankError as exc:
        session.rollback()
        raise click.ClickException("The calibrated bank is not valid: " + "; ".join(exc.problems[:10])) from exc
    session.commit()
    meta = result.metadata
    link = meta["linking"]
    click.echo(f"New version {row.bank_id} {row.version} (parent {row.parent_version}), not active.")
    click.echo(f"Data: {meta['n_persons']} attempts, {meta['n_responses']} responses, "
               f"{meta['since'][:10]} to {meta['until'][:10]}; min-n {meta['min_n']}.")
    click.echo(f"Linking: {link['method']}, {link['n_items']} items, b* = {link['slope']:.3f} b "
               f"{link['intercept']:+.3f}; candidates' ability mean {meta['population']['mean']:+.2f}, "
               f"SD {meta['population']['sd']:.2f} on the bank's scale.")
    click.echo(f"Fit: {meta['fit']['statistic']}; misfit when p < {meta['fit']['threshold']:.2g} "
               f"({meta['fit']['alpha']} over {meta['fit']['assessed']} items).")
    click.echo("Summary: " + ", ".join(f"{k} {n}" for k, n in result.summary.items()))
    shown = [c for c in result.changes
             if all_items and c.action not in ("insufficient_data", "pretest") or c.action in ("changed", "retired", "promoted")]
    if shown:
        click.echo(f"{'item':<12} {'action':<10} {'n':>5} {'a old':>6} {'a new':>6} {'SE':>5} "
                   f"{'b old':>6} {'b new':>6} {'SE':>5} {'fit z':>6}")
        for c in shown:
            d = c.as_dict()
            click.echo(f"{c.item_id:<12} {c.action:<10} {c.n:>5} {_num(d['old_a']):>6} {_num(d['new_a']):>6} "
                       f"{_num(d['se_a']):>5} {_num(d['old_b']):>6} {_num(d['new_b']):>6} {_num(d['se_b']):>5} "
                       f"{_num(d['fit_z']):>6}{' (clipped)' if c.clipped else ''}")
    click.echo(f"Review it, then: flask --app wsgi banks activate {row.version}")


@banks_cli.command("activate")
@click.argument("version")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def activate_version(version: str, yes: bool) -> None:
    """Make VERSION the logic bank version new attempts get (running attempts keep theirs)."""
    from . import resources as res
    from .db import get_session
    from .services import bank_versions

    session = get_session()
    shipped = res.shipped_logic_bank()
    if bank_versions.get_version(session, shipped, version) is None:
        raise click.ClickException(f"No version {version} of {shipped.bank_id} (see `banks versions`).")
    if not yes:
        click.confirm(f"Activate {shipped.bank_id} {version} for new attempts?", abort=True)
    try:
        changed = bank_versions.activate(session, shipped, version, user_id=None, now=res.now(),
                                         cache=res._version_cache())
    except BankError as exc:
        session.rollback()
        raise click.ClickException(f"Version {version} does not load: {'; '.join(exc.problems[:5])}") from exc
    session.commit()
    click.echo(f"{shipped.bank_id} {version} is now active for new attempts." if changed
               else f"{shipped.bank_id} {version} was already active.")

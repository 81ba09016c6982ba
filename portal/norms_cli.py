"""``flask --app wsgi norms build``: a local norm table from the consultancy's own data."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from . import resources as res
from .db import get_session
from .services.norm_data import collect

norms_cli = AppGroup("norms", help="Norm tables.")


@norms_cli.command("build")
@click.option("--group", required=True, help="Norm group name, e.g. general or managers (a-z, 0-9, _).")
@click.option("--assignment", "assignments", type=int, multiple=True,
              help="Only candidates of this assignment (repeatable). Default: all completed attempts.")
@click.option("--label-sv", required=True, help="Swedish name of the group.")
@click.option("--label-en", required=True, help="English name of the group.")
@click.option("--description-sv", default="", help="Who the group is and how it was collected (sv).")
@click.option("--description-en", default="", help="Who the group is and how it was collected (en).")
@click.option("--include-timeouts", is_flag=True, help="Also use logic tests ended by the time limit.")
@click.option("--min-n", type=click.IntRange(2), default=None, help="Warn below this N (default: norms.MIN_N).")
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the table (default: the norms package's data folder).")
def build(group, assignments, label_sv, label_en, description_sv, description_en,
          include_timeouts, min_n, output_dir):
    """Build the next version of a norm table from stored results, with N, date and method."""
    from norms import MIN_N, NormError, build_norm_table, load_norm_table, next_version, write_table

    data = collect(get_session(), inventory=res.inventory(), assignment_ids=list(assignments) or None,
                   include_timeouts=include_timeouts)
    scores, dropped = {}, []
    for scale, values in sorted(data.scores.items()):
        if len(values) >= 2 and max(values) - min(values) > 1e-9:
            scores[scale] = values
        else:
            dropped.append(scale)
    for scale in dropped:
        click.echo(f"Warning: {scale} left out: fewer than 2 scores or no spread.", err=True)
    if not scores:
        raise click.ClickException("No completed results to build from (at least 2 per scale are needed).")
    try:
        base = load_norm_table(group, directory=output_dir)
    except NormError:
        base = None
    version = next_version(group, output_dir)
    where = (f"assignments {', '.join(map(str, assignments))}" if assignments else "all assignments")
    method = {
        "sv": (description_sv or f"Lokal norm från {data.candidates} kandidater ({where}).")
        + (f" {data.skipped_timeouts} logiktest som avbröts av tidsgränsen är inte med." if data.skipped_timeouts else ""),
        "en": (description_en or f"Local norm from {data.candidates} candidates ({where}).")
        + (f" {data.skipped_timeouts} logic tests ended by the time limit are left out." if data.skipped_timeouts else ""),
    }
    try:
        document, warnings = build_norm_table(
            group, version=version, label={"sv": label_sv, "en": label_en}, scores=scores,
            latent_se={s: v for s, v in data.latent_se.items() if s in scores and len(v) == len(scores[s])},
            latent_estimator={s: v for s, v in data.latent_estimator.items()
                              if s in scores and len(v) == len(scores[s])},
            reliability={s: a for s, a in data.reliability.items() if s in scores},
            method=method, source=f"Second Opinion results database ({where}), built {res.now().date().isoformat()}",
            built_on=res.now().date(), base=base, min_n=min_n or MIN_N,
        )
        path = write_table(document, output_dir)
    except (ValueError, FileExistsError) as exc:
        raise click.ClickException(str(exc)) from exc
    for warning in warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"Wrote {path}: {group} v{version}, {data.candidates} candidates, {len(scores)} scales.")
    current_app.logger.info("norm table %s v%s written", group, version)

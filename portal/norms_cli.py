"""``flask --app wsgi norms build``: a norm table from the consultancy's own data, through
the documented quality gates (``norms.quality``), optionally local to one client or one
role family. See docs/technical-manual.md, "Norms building"."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from . import resources as res
from .db import get_session
from .models import Client
from .models.assignments import ROLE_FAMILIES
from .services import audit
from .services.norm_data import alphas, protocols

norms_cli = AppGroup("norms", help="Norm tables.")

GATE_NAMES = {
    "incomplete": "incomplete (not finished, or logic test ended by the time limit)",
    "duplicate": "duplicate (a later protocol of a person already counted)",
    "rapid_guessing": "rapid-guess-dominated (more than {max_rapid_share:.0%} rapid guesses)",
    "validity_flagged": "validity-flagged (any inventory validity flag)",
}


@norms_cli.command("build")
@click.option("--group", required=True, help="Norm group name, e.g. general or client_acme (a-z, 0-9, _).")
@click.option("--assignment", "assignments", type=int, multiple=True,
              help="Only candidates of this assignment (repeatable). Default: every assignment.")
@click.option("--client", "client_id", type=int, default=None,
              help="Local norm: only candidates of this client's assignments (client id).")
@click.option("--role-family", type=click.Choice(ROLE_FAMILIES), default=None,
              help="Local norm: only candidates of assignments of this role family.")
@click.option("--label-sv", required=True, help="Swedish name of the group.")
@click.option("--label-en", required=True, help="English name of the group.")
@click.option("--description-sv", default="", help="Who the group is and how it was collected (sv).")
@click.option("--description-en", default="", help="Who the group is and how it was collected (en).")
@click.option("--include-timeouts", is_flag=True, help="Also use logic tests ended by the time limit.")
@click.option("--max-rapid-share", type=click.FloatRange(0, 1), default=None,
              help="Largest share of rapid guesses a logic test may have (default 0.10).")
@click.option("--include-flagged", is_flag=True, help="Also use inventory protocols with validity flags.")
@click.option("--min-n", type=click.IntRange(2), default=None,
              help="Below this N the table is provisional (default: norms.MIN_N = 200).")
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the table (default: the norms package's data folder).")
def build(group, assignments, client_id, role_family, label_sv, label_en, description_sv, description_en,
          include_timeouts, max_rapid_share, include_flagged, min_n, output_dir):
    """Build the next version of a norm table from stored results, through the quality gates.

    The table records its population, which gate removed how many protocols and the gate
    settings; with fewer than --min-n people on any scale it is written provisional.
    """
    from norms import MIN_N, NormError, build_norm_table, load_norm_table, next_version, write_table
    from norms.quality import GATES, MAX_RAPID_SHARE, apply_gates

    session = get_session()
    if client_id is not None and role_family is not None:
        raise click.ClickException("Choose --client or --role-family, not both.")
    client = None
    if client_id is not None:
        client = session.get(Client, client_id)
        if client is None:
            raise click.ClickException(f"There is no client with id {client_id}.")
    min_n = min_n or MIN_N
    max_rapid_share = MAX_RAPID_SHARE if max_rapid_share is None else max_rapid_share
    found, population = protocols(session, secret_key=current_app.config["SECRET_KEY"],
                                  assignment_ids=list(assignments) or None, client_id=client_id,
                                  role_family=role_family)
    if client is not None:
        population.client = client.name
    sample = apply_gates(found, max_rapid_share=max_rapid_share, include_timeouts=include_timeouts,
                         exclude_flagged=not include_flagged, min_n=min_n)
    scores, dropped = {}, []
    for scale, values in sorted(sample.scores.items()):
        if len(values) >= 2 and max(values) - min(values) > 1e-9:
            scores[scale] = values
        else:
            dropped.append(scale)
    for scale in dropped:
        click.echo(f"Warning: {scale} left out: fewer than 2 scores or no spread.", err=True)
    click.echo(f"Protocols found: {len(found)} ({population.superseded} replaced by a technical reset not counted).")
    for gate in GATES:
        name = GATE_NAMES[gate].format(max_rapid_share=max_rapid_share)
        click.echo(f"  removed by {name}: {sample.removed[gate]}")
    if not scores:
        raise click.ClickException("No completed results to build from after the quality gates "
                                   "(at least 2 per scale are needed). Nothing was written.")

    n = min(len(v) for v in scores.values())
    provisional = n < min_n
    quality = {**sample.record(), "n": n, "provisional": provisional,
               "without_person_key": population.without_person_key}
    kept = [p for p in sample.kept if any(s in scores for s in p.scores)]
    days = sorted(p.finished_at.date() for p in kept)
    population_record = population.record(days[0] if days else None, days[-1] if days else None)
    if output_dir is not None:
        output_dir.mkdir(parents=True, exist_ok=True)
    try:
        base = load_norm_table(group, directory=output_dir)
    except NormError:
        base = None
    version = next_version(group, output_dir)
    where_en, where_sv = _where(population)
    removed_en = ", ".join(f"{gate.replace('_', ' ')} {sample.removed[gate]}" for gate in GATES)
    removed_sv = ", ".join(f"{sv} {sample.removed[gate]}" for gate, sv in zip(GATES, (
        "ofullständiga", "dubbletter", "dominerade av snabbgissningar", "validitetsflaggade")))
    status_en = (f" Provisional: N = {n} is below {min_n}." if provisional else "")
    status_sv = (f" Preliminär: N = {n} är under {min_n}." if provisional else "")
    method = {
        "sv": (description_sv or f"Norm från {sample.persons} kandidater ({where_sv}).")
        + f" Kvalitetsregler: borttagna protokoll: {removed_sv}.{status_sv}",
        "en": (description_en or f"Norm from {sample.persons} candidates ({where_en}).")
        + f" Quality gates: protocols removed: {removed_en}.{status_en}",
    }
    reliability = alphas(session, res.inventory(), [p.ref for p in kept if p.test == "personality"])
    try:
        document, warnings = build_norm_table(
            group, version=version, label={"sv": label_sv, "en": label_en}, scores=scores,
            latent_se={s: v for s, v in sample.latent_se.items() if s in scores and len(v) == len(scores[s])},
            latent_estimator={s: v for s, v in sample.latent_estimator.items()
                              if s in scores and len(v) == len(scores[s])},
            reliability={s: a for s, a in reliability.items() if s in scores},
            method=method, source=f"Second Opinion results database ({where_en}), built {res.now().date().isoformat()}",
            built_on=res.now().date(), base=base, min_n=min_n, population=population_record, quality=quality,
        )
        path = write_table(document, output_dir)
    except (ValueError, FileExistsError) as exc:
        raise click.ClickException(str(exc)) from exc
    for warning in warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"Wrote {path}: {group} v{version}, {sample.persons} persons, N = {n}, {len(scores)} scales.")
    if provisional:
        click.echo(f"PROVISIONAL: N = {n} is below {min_n}; the table is marked provisional and every page "
                   f"that shows it says so.")
    else:
        click.echo(f"Not provisional: N = {n} >= {min_n}.")
    audit.record(session, user_id=None, action="norm_build", object_type="norm_table",
                 detail={"ref": f"{group}.v{version}", "n": n, "provisional": provisional,
                         "removed": dict(sample.removed), "population": population_record["scope"]},
                 now=res.now())
    session.commit()
    current_app.logger.info("norm table %s v%s written", group, version)


def _where(population) -> tuple[str, str]:
    if population.scope == "client":
        return (f"client {population.client} (id {population.client_id})",
                f"kunden {population.client} (id {population.client_id})")
    if population.scope == "role_family":
        return f"role family {population.role_family}", f"rollfamiljen {population.role_family}"
    if population.scope == "assignments":
        ids = ", ".join(map(str, population.assignment_ids))
        return f"assignments {ids}", f"uppdrag {ids}"
    return "all assignments", "alla uppdrag"

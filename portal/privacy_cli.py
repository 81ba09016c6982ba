"""``flask --app wsgi privacy purge``: remove what has passed its retention period (cron)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from . import resources as res
from .db import get_session
from .services import retention

privacy_cli = AppGroup("privacy", help="Retention and erasure.")


def _period(months: int | None) -> str:
    return "kept until erased by hand" if months is None else f"{months} months"


@privacy_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="List what would be removed; change nothing.")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=100, show_default=True,
              help="Items per transaction.")
def purge(dry_run: bool, batch_size: int) -> None:
    """Erase or anonymise everything past its retention period (run daily from cron).

    Candidates and assignments on legal hold are left alone; open assignments are never
    purged. Safe to rerun: what is gone is not selected again, and a run stopped halfway
    goes on where it stopped. On PostgreSQL run it as the owner role (the one that runs
    `db upgrade`): only the owner may delete old audit events.
    """
    session = get_session()
    now = res.now()
    if dry_run:
        click.echo(f"Dry run at {now.isoformat(timespec='seconds')}: nothing is changed.")
        for due in retention.plan(session, current_app.config, now=now):
            line = f"{due.data_class:<12} {_period(due.months):<26} {len(due.ids):>6} due"
            if due.ids and due.data_class in ("assessment", "contact"):
                shown = ", ".join(f"#{i}" for i in due.ids[:20])
                line += f" (candidates {shown}{', ...' if len(due.ids) > 20 else ''})"
            click.echo(line)
        session.rollback()
        return

    def progress(data_class: str, total: int) -> None:
        click.echo(f"  {data_class}: {total} removed so far")

    counts = retention.purge(session, current_app.config, now=now, storage_dir=res.attachment_dir(),
                             batch_size=batch_size, commit=session.commit, progress=progress)
    click.echo("Purged: " + ", ".join(f"{name} {n}" for name, n in counts.items()) + ".")

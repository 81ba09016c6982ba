"""Command-line interface: ``flask --app wsgi <command>``."""
from __future__ import annotations

import sys
from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from . import resources as res
from .db import get_session
from .models import Assignment, Role
from .services import demo as demo_service
from .services import journey
from .services.invitations import InvitationError, invitation_url, invite_candidate
from .web import renderer

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")
attempts_cli = AppGroup("attempts", help="Test attempts.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Create or migrate the schema to REVISION (default: head)."""
    from .migrate import upgrade

    upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database at revision {revision}.")


@db_cli.command("grant-app-role")
@click.argument("role")
def db_grant_app_role(role: str) -> None:
    """PostgreSQL: grant the app's login ROLE its rights (run as the owner, after upgrade).

    ROLE may read and write every table but only read and insert into the audit log.
    See docs/deployment.md.
    """
    from .migrate import grant_app_role

    try:
        statements = grant_app_role(current_app.config["DATABASE_URL"], role)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Granted {role!r} its rights on {len(statements) - 3} tables.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Autogenerate a migration from the models (developers)."""
    from .migrate import revision

    revision(current_app.config["DATABASE_URL"], message)


@attempts_cli.command("close-expired")
def close_expired() -> None:
    """Finish timed attempts left open past their deadline (run from cron)."""
    session = get_session()
    closed = journey.close_expired(
        session, now=res.now(), bank_for=res.logic_bank_for,
        norms_for=res.norm_table, timing=res.timing(),
    )
    session.commit()
    click.echo(f"Closed {closed} expired attempt(s).")


mail_cli = AppGroup("mail", help="The worker: sends the e-mail outbox and delivers webhooks.")


def _work(once: bool, interval: float, batch: int) -> None:
    """The worker's loop (see ``mail work``): e-mail outbox and webhook deliveries."""
    import signal
    import threading

    import sqlalchemy as sa

    from .services.mail import MailSettings, WorkResult, send_due
    from .services.webhooks import DeliveryResult, WebhookSettings, deliver_due

    settings = MailSettings.from_config(current_app.config)
    hook_settings = WebhookSettings.from_config(current_app.config)
    max_age = timedelta(hours=float(current_app.config.get("MAIL_MAX_AGE_HOURS") or 48))
    stop = threading.Event()
    previous = {}
    if not once:
        # SIGTERM (systemd, make run) and Ctrl-C finish the message in hand, then exit.
        # A signal the parent told us to ignore (SIGINT of a background job) stays ignored.
        for signum in (signal.SIGTERM, signal.SIGINT):
            if signal.getsignal(signum) is not signal.SIG_IGN:
                previous[signum] = signal.signal(signum, lambda *_: stop.set())
    try:
        if not settings.configured:
            click.echo("No SMTP_HOST: messages stay in the development outbox; nothing is sent.")
        if not once:
            what = "sending due messages and webhooks" if settings.configured else "delivering webhooks"
            click.echo(f"Mail worker: {what} every {interval:g} s (SIGTERM or Ctrl-C stops it).")
        total, hooks_total = WorkResult(), DeliveryResult()
        while not stop.is_set():
            session = get_session()
            try:
                result = send_due(session, settings, clock=res.now, max_age=max_age, limit=batch,
                                  stop=stop.is_set) if settings.configured else WorkResult()
                hooks = deliver_due(session, hook_settings, clock=res.now, limit=batch, stop=stop.is_set)
            except sa.exc.OperationalError as exc:
                # The database is briefly away: wait and try again (cron reruns --once).
                session.rollback()
                if once:
                    raise
                click.echo(f"Database not reachable ({type(exc.orig).__name__}); trying again.", err=True)
                stop.wait(interval)
                continue
            total += result
            hooks_total += hooks
            if result.processed and not once:
                click.echo(str(result))
            if (hooks.processed or hooks.expired_noticed) and not once:
                click.echo(str(hooks))
            if result.processed < batch and hooks.processed < batch:  # nothing more is due now
                if once:
                    break
                stop.wait(interval)
        if once:
            if settings.configured:
                click.echo(str(total))
            click.echo(str(hooks_total))
        else:
            click.echo("Mail worker stopped.")
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@mail_cli.command("work")
@click.option("--once", is_flag=True, help="Send what is due now, then exit (cron, tests).")
@click.option("--interval", type=click.FloatRange(0.1, 3600), default=5.0, show_default=True,
              help="Seconds between two looks at the outbox.")
@click.option("--batch", type=click.IntRange(1, 1000), default=50, show_default=True,
              help="Messages per batch (one line of output per batch).")
def mail_work(once: bool, interval: float, batch: int) -> None:
    """Send queued e-mails and webhooks after the requests that wrote them committed.

    Runs until SIGTERM or Ctrl-C, looking at the outbox every INTERVAL seconds; failed
    messages are retried with backoff for a day, then given up. Webhook deliveries
    (docs/webhooks.md) are retried the same way for at least a day, then marked dead;
    each round also notices invitations that expired and queues invitation.expired.
    Prints one line per batch, with counts only (no addresses, no links). Without
    SMTP_HOST no e-mail is sent, but webhooks are still delivered.
    """
    _work(once, interval, batch)


@mail_cli.command("retry")
def mail_retry() -> None:
    """Same as 'mail work --once' (kept for existing cron lines)."""
    _work(True, 5.0, 50)


@click.command("invite")
@with_appcontext
@click.option("--assignment", "assignment_id", type=int, required=True, help="Assignment id.")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--lang", type=click.Choice(["sv", "en"]), default=None,
              help="Language of the invitation (default: the assignment's).")
@click.option("--extra-time", "extra_time", type=click.IntRange(0, 300), default=0,
              help="Extra time on timed tests, in percent.")
def invite(assignment_id: int, name: str, email: str, lang: str | None, extra_time: int) -> None:
    """Invite a candidate; prints the invitation URL as the last line."""
    session = get_session()
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        raise click.ClickException(f"No assignment with id {assignment_id}.")
    settings = res.invitation_settings()
    try:
        candidate, invitation = invite_candidate(
            session, assignment, name=name, email=email, language=lang,
            extra_time_pct=extra_time, now=res.now(), settings=settings,
        )
    except InvitationError as exc:
        raise click.ClickException(str(exc)) from exc
    session.commit()
    click.echo(f"Invited {candidate.name} (candidate {candidate.id}) to {assignment.title}.")
    click.echo(invitation_url(invitation, settings))


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default="consultant")
@click.option("--name", default="")
@click.option("--client", "client_id", type=int, default=None, help="Client organisation id (client users).")
@click.password_option(help="Prompted for (hidden) when not given.")
def create_user(email: str, role: str, name: str, client_id: int | None, password: str) -> None:
    """Create an admin, consultant or client user."""
    from .services.users import UserError
    from .services.users import create_user as create

    session = get_session()
    try:
        user = create(session, email=email, password=password, role=Role(role), name=name, client_id=client_id)
    except UserError as exc:
        raise click.ClickException(str(exc)) from exc
    session.commit()
    click.echo(f"Created {role} {user.email}.")


@click.command("demo")
@with_appcontext
@click.option("--base-url", default=None, help="Base URL for the printed links.")
def demo(base_url: str | None) -> None:
    """Seed demo data if the database is empty (idempotent); print logins and links."""
    session = get_session()
    settings = res.invitation_settings()
    if base_url:
        settings = type(settings)(settings.secret_key, settings.max_age_days, base_url)
    seeded = demo_service.seed(session, now=res.now(), settings=settings,
                               bank=res.logic_bank(), inventory=res.inventory(),
                               norms_for=res.norm_table,
                               instance_path=current_app.instance_path, renderer=renderer)
    session.commit()
    info = demo_service.describe(session, now=res.now(), settings=settings, instance_path=current_app.instance_path)
    click.echo("Demo data created." if seeded else "Demo data already present.")
    click.echo(f"Consultant login: {settings.base_url.rstrip('/')}/admin/login")
    click.echo(f"  e-mail:   {info.email}")
    click.echo(f"  password: {info.password}")
    click.echo(f"Client login (same page and password): {info.client_email}")
    for name, status, url in info.links:
        click.echo(f"Candidate {name} ({status}): {url}")
    sys.stdout.flush()


def register_cli(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(attempts_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(invite)
    app.cli.add_command(create_user)
    app.cli.add_command(demo)
    from .banks_cli import banks_cli

    app.cli.add_command(banks_cli)
    from .norms_cli import norms_cli

    app.cli.add_command(norms_cli)
    from .privacy_cli import privacy_cli

    app.cli.add_command(privacy_cli)

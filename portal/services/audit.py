"""The append-only audit log.

Entries record who did what to which object (by id), never personal data. The log
cannot be changed through the application: the ORM refuses updates and deletes of
``AuditEvent`` (below), no view offers it, and the database itself refuses (triggers
created by migration 0004). The one exception is ``purge_events``, the retention purge
of events past their period, which the database allows only to the owner role.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from ..models import AuditEvent


class AuditLogIsAppendOnly(RuntimeError):
    pass


def record(session: Session, *, user_id: int | None, action: str, object_type: str,
           object_id: int | None = None, detail: dict | None = None, now: datetime) -> None:
    session.add(AuditEvent(user_id=user_id, action=action, object_type=object_type,
                           object_id=object_id, detail=detail or {}, at=now))
    session.flush()


@event.listens_for(AuditEvent, "before_update")
def _no_update(_mapper, _connection, _target):
    raise AuditLogIsAppendOnly("audit events cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _no_delete(_mapper, _connection, _target):
    raise AuditLogIsAppendOnly("audit events cannot be deleted")


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_change(state: ORMExecuteState):
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ is AuditEvent:
        raise AuditLogIsAppendOnly("audit events cannot be changed or deleted")


def purge_events(session: Session, ids: list[int]) -> int:
    """Delete these events (the retention purge, ``services.retention``); returns how many.

    On PostgreSQL the trigger lets a transaction that sets ``second_opinion.purge``
    delete (migration 0010); the app role has no DELETE right on the table at all, so
    this needs the owner role. On SQLite the trigger is lifted inside this transaction
    only. A plain connection statement, past the ORM guard above."""
    table = AuditEvent.__table__
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT set_config('second_opinion.purge', 'on', true)"))
        deleted = connection.execute(table.delete().where(table.c.id.in_(ids))).rowcount
        connection.execute(sa.text("SELECT set_config('second_opinion.purge', 'off', true)"))
        return deleted
    connection.execute(sa.text("DROP TRIGGER audit_event_no_delete"))
    deleted = connection.execute(table.delete().where(table.c.id.in_(ids))).rowcount
    connection.execute(sa.text("CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
                               "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"))
    return deleted


def recent(session: Session, *, limit: int = 200, offset: int = 0, action: str | None = None,
           user_id: int | None = None) -> list[AuditEvent]:
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
    if action:
        query = query.where(AuditEvent.action == action)
    if user_id:
        query = query.where(AuditEvent.user_id == user_id)
    return list(session.scalars(query))

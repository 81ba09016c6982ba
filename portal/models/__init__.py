"""All models, imported here so the metadata is complete for Alembic."""
from .accounts import Role, User
from .assignments import Assignment, AssignmentStatus, Client
from .attempts import (
    Attempt,
    FinishReason,
    InventoryResponse,
    LogicResponse,
    Result,
    TestKind,
)
from .base import Base, utcnow
from .candidates import STAGE_ORDER, Candidate, Invitation, Stage

__all__ = [
    "Assignment", "AssignmentStatus", "Attempt", "Base", "Candidate", "Client",
    "FinishReason", "Invitation", "InventoryResponse", "LogicResponse", "Result",
    "Role", "STAGE_ORDER", "Stage", "TestKind", "User", "utcnow",
]

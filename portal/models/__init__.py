"""All models, imported here so the metadata is complete for Alembic."""
from .accounts import Role, User
from .api import ApiIdempotencyKey, ApiKey
from .assignments import Assignment, AssignmentStatus, Client, ClientContact, assignment_consultant
from .audit import AuditEvent
from .attempts import (
    Attempt,
    FinishReason,
    InventoryResponse,
    LogicResponse,
    Result,
    TestKind,
)
from .banks import BankActivation, BankVersion
from .branding import Branding, ClientMailTemplate
from .base import Base, utcnow
from .candidates import STAGE_ORDER, Candidate, Invitation, Stage
from .equality import EqualityResponse
from .integrity import IntegritySignal
from .evidence import (
    BackgroundCheck,
    CheckStatus,
    FirstOpinion,
    InterviewRating,
    ReferenceCheck,
    Synthesis,
)
from .mail import OutboxMessage
from .profiles import Competency, ProfileCompetency, RequirementProfile
from .reports import CandidateComment, Report, ReportKind
from .retention import RetentionPeriod
from .verification import VerificationOrder, VerificationStatus
from .sso import SsoLink, SsoRule, SsoRuleKind
from .webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApiIdempotencyKey", "ApiKey",
    "Assignment", "AssignmentStatus", "Attempt", "AuditEvent", "Base", "Candidate", "Client",
    "ClientContact", "Competency", "OutboxMessage", "ProfileCompetency", "RequirementProfile",
    "assignment_consultant", "BackgroundCheck", "EqualityResponse", "CheckStatus", "FirstOpinion", "InterviewRating",
    "ReferenceCheck", "Synthesis", "CandidateComment", "Report", "ReportKind", "RetentionPeriod",
    "FinishReason", "Invitation", "InventoryResponse", "LogicResponse", "Result",
    "Role", "STAGE_ORDER", "Stage", "TestKind", "User", "utcnow",
    "SsoLink", "SsoRule", "SsoRuleKind",
    "BankActivation", "BankVersion", "VerificationOrder", "VerificationStatus",
    "IntegritySignal",
    "Branding", "ClientMailTemplate",
    "DeliveryStatus", "WebhookDelivery", "WebhookEndpoint",
]

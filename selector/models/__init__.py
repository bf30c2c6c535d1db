"""SQLAlchemy 2 typed models, one module per aggregate. Importing this package
registers every table on `Base.metadata` (what Alembic compares against)."""

from sqlalchemy import event
from sqlalchemy.orm import Session

from selector.models.account import Account, ApiToken, LoginAttempt, LoginSession, PasswordLink
from selector.models.audit import AuditEntry
from selector.models.base import Base
from selector.models.invitation import Invitation
from selector.models.report import FinalReport
from selector.models.scoring import Attachment, Consensus, Score, Verdict
from selector.models.selection import (
    Allocation,
    Assignment,
    Category,
    FinalWeight,
    Membership,
    PairwiseJudgement,
    Requirement,
    Selection,
    SponsorDecision,
)
from selector.models.upload import UploadAttempt
from selector.models.vendor import Sheet, Vendor
from selector.models.vendor_portal import (
    AnswerDocument,
    PortalLink,
    VendorAnswer,
    VendorQuestion,
    VerdictProposal,
)

__all__ = [
    "Account",
    "Allocation",
    "AnswerDocument",
    "ApiToken",
    "Assignment",
    "Attachment",
    "AuditEntry",
    "Base",
    "Category",
    "Consensus",
    "FinalReport",
    "FinalWeight",
    "Invitation",
    "LoginAttempt",
    "LoginSession",
    "Membership",
    "PairwiseJudgement",
    "PasswordLink",
    "PortalLink",
    "Requirement",
    "Score",
    "Selection",
    "Sheet",
    "SponsorDecision",
    "UploadAttempt",
    "Vendor",
    "VendorAnswer",
    "VendorQuestion",
    "Verdict",
    "VerdictProposal",
]


@event.listens_for(Session, "before_flush")
def _audit_is_append_only(session, _context, _instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise RuntimeError("the audit trail is append-only")

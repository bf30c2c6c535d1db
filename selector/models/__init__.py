"""SQLAlchemy 2 typed models, one module per aggregate. Importing this package
registers every table on `Base.metadata` (what Alembic compares against)."""

from sqlalchemy import event
from sqlalchemy.orm import Session

from selector.models.account import Account
from selector.models.account import ApiToken
from selector.models.account import LoginAttempt
from selector.models.account import LoginSession
from selector.models.account import PasswordLink
from selector.models.audit import AuditEntry
from selector.models.base import Base
from selector.models.invitation import Invitation
from selector.models.report import FinalReport
from selector.models.scoring import Attachment
from selector.models.scoring import Consensus
from selector.models.scoring import Score
from selector.models.scoring import Verdict
from selector.models.selection import Allocation
from selector.models.selection import Assignment
from selector.models.selection import Category
from selector.models.selection import FinalWeight
from selector.models.selection import Membership
from selector.models.selection import PairwiseJudgement
from selector.models.selection import Requirement
from selector.models.selection import Selection
from selector.models.selection import SponsorDecision
from selector.models.upload import UploadAttempt
from selector.models.vendor import Sheet
from selector.models.vendor import Vendor
from selector.models.vendor_portal import AnswerDocument
from selector.models.vendor_portal import PortalLink
from selector.models.vendor_portal import VendorAnswer
from selector.models.vendor_portal import VendorQuestion
from selector.models.vendor_portal import VerdictProposal

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

"""Knock-out verdicts and their evidence.

For every knock-out the owner group's members (or the facilitator) record per vendor
whether it passed or failed, with evidence: a text, and optionally a document. A failed
verdict on an active knock-out excludes the vendor (method.md section 6). Verdicts are
recorded in the scoring and decision phases (decisions.md), audited, and guarded by the
same optimistic version check as scores.

Documents (security assumptions, written down beside the code that relies on them):

* Only PDF, PNG and JPEG are accepted, decided by the file's first bytes, never by its
  name or the browser's content type: a ".pdf" holding an executable is refused.
* At most `MAX_ATTACHMENT` bytes; the web layer reads at most one byte more. One
  account's documents hold at most `MAX_ACCOUNT_ATTACHMENTS` bytes together (a disk
  cannot be filled from one account), and a file whose transaction rolls back is
  deleted at once.
* The file is stored outside the web root, under the instance folder, named by the
  attachment's id only: no user-chosen name ever becomes a path.
* It is served only to members of its selection, as a download (Content-Disposition:
  attachment) with the stored type and `nosniff`, so a browser never runs it as a page.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from selector import paths
from selector.domain import limits
from selector.domain.vocabulary import AuditAction
from selector.domain.vocabulary import AuditEntity
from selector.i18n import _l
from selector.models import Account
from selector.models import Attachment
from selector.models import Membership
from selector.models import Requirement
from selector.models import Selection
from selector.models import Verdict
from selector.models.base import utcnow
from selector.models.vendor_portal import AnswerDocument
from selector.services import audit
from selector.services.errors import Conflict
from selector.services.errors import NotFound
from selector.services.errors import ServiceError
from selector.services.item_decisions import insert_decision
from selector.services.item_decisions import update_decision
from selector.services.vendors.reads import get_vendor
from selector.services.written import written_text

MAX_ATTACHMENT = 10 * 1024 * 1024
MAX_ACCOUNT_ATTACHMENTS = 250 * 1024 * 1024  # what one account's documents may hold
MAX_EVIDENCE = limits.max_length("knockout", "evidence")  # as for `selector import`

# The first bytes of each accepted type (PDF: "%PDF-", PNG: its 8-byte signature, JPEG:
# SOI then a marker).
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
NAMED_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg",
               ".jpeg": "image/jpeg", ".jpe": "image/jpeg"}


def attachment_dir() -> Path:
    """Where documents live: `<instance>/attachments`, outside the web root."""
    return paths.private_dir(paths.instance_dir() / "attachments")  # 0700


def sniff(content: bytes) -> str | None:
    """The content type of `content` judged by its first bytes, or None."""
    for signature, content_type in SIGNATURES:
        if content.startswith(signature):
            return content_type
    return None


def safe_filename(name: str, content_type: str) -> str:
    """A display name without path parts or control characters, with the extension
    of the real type."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable() and c not in '"<>|:*?').strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem[:200] or "evidence"
    return stem + EXTENSIONS[content_type]


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


def may_record(membership: Membership, requirement: Requirement) -> bool:
    """The facilitator, or a member of the knock-out's owner group."""
    return membership.role == "facilitator" or membership.role == requirement.owner_group


def _knockout(session: Session, selection: Selection, requirement_id: int) -> Requirement:
    requirement = session.scalar(
        select(Requirement).where(Requirement.id == requirement_id,
                                  Requirement.selection_id == selection.id)
    )
    if requirement is None:
        raise NotFound(_l("There is no such requirement in this selection."))
    if not requirement.knockout:
        raise ServiceError(_l("Verdicts are recorded on knock-outs only; this requirement is "
                              "not a knock-out."), "passed")
    return requirement


def check_upload(upload: Upload) -> str:
    """The content type of an acceptable document; ServiceError naming `document`."""
    if len(upload.content) > MAX_ATTACHMENT:
        raise ServiceError(
            _l("The document is larger than %(size)d MB.", size=MAX_ATTACHMENT // (1024 * 1024)),
            "document")
    if not upload.content:
        raise ServiceError(_l("The document is empty."), "document")
    content_type = sniff(upload.content)
    if content_type is None:
        raise ServiceError(_l("Only PDF, PNG and JPEG documents are accepted, and this file "
                              "is none of them."), "document")
    # The content decides; a name that claims another type (a PNG or a program named
    # ".pdf") is refused too, so nobody is misled by the name later.
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    extension = ("." + name.rsplit(".", 1)[1].lower()) if "." in name.strip(".") else ""
    if extension and NAMED_TYPES.get(extension) != content_type:
        raise ServiceError(_l("The file's name does not match its content. Only PDF, PNG and "
                              "JPEG documents are accepted."), "document")
    return content_type


def store_attachment(session: Session, selection: Selection, actor: Account | None,
                     verdict_id: int | None, upload: Upload, content_type: str) -> Attachment:
    """Store a checked document (`check_upload`): its row, and its bytes under the
    instance folder, deleted again should the transaction not commit. `actor` None: a
    vendor's evidence, uploaded through its portal link."""
    attachment = Attachment(
        selection_id=selection.id, verdict_id=verdict_id,
        filename=safe_filename(upload.filename, content_type), content_type=content_type,
        size=len(upload.content), sha256=hashlib.sha256(upload.content).hexdigest(),
        uploaded_by_id=actor.id if actor is not None else None,
    )
    session.add(attachment)
    session.flush()
    # Written to a temporary name, then renamed: a reader never sees half a file. Should
    # the transaction roll back after this, the file goes with it (`_delete_unless_kept`).
    target = attachment_dir() / str(attachment.id)
    paths.write_private(target, upload.content)  # 0600
    _delete_unless_kept(session, target)
    return attachment


_WRITTEN = "verdicts.written_files"


def _delete_unless_kept(session: Session, path: Path) -> None:
    """Delete `path` when the session's transaction ends without a commit (a refused or
    failed request rolls back): no file stays on disk that no row names."""
    written = session.info.setdefault(_WRITTEN, [])
    written.append(path)
    if not event.contains(session, "after_commit", _kept):
        event.listen(session, "after_commit", _kept)
        event.listen(session, "after_transaction_end", _ended)


def _kept(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


def _ended(session: Session, transaction: Any) -> None:
    if transaction.parent is not None:  # a savepoint: the outer transaction decides
        return
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)


def _check_quota(session: Session, actor: Account, size: int) -> None:
    """An account's documents together hold at most `MAX_ACCOUNT_ATTACHMENTS` bytes."""
    held = session.scalar(select(func.coalesce(func.sum(Attachment.size), 0)).where(
        Attachment.uploaded_by_id == actor.id)) or 0
    if held + size > MAX_ACCOUNT_ATTACHMENTS:
        raise ServiceError(_l(
            "Your documents would take more than %(limit)d MB together, the most one account "
            "may keep. This one was not stored.",
            limit=MAX_ACCOUNT_ATTACHMENTS // (1024 * 1024)), "document")


@dataclass(frozen=True)
class SavedVerdict:
    verdict: Verdict
    attachment: Attachment | None
    changed: bool


def record_verdict(
    session: Session,
    selection: Selection,
    membership: Membership,
    actor: Account,
    *,
    vendor_id: int,
    requirement_id: int,
    passed: Any,
    evidence: str,
    version: int | None,
    upload: Upload | None = None,
) -> SavedVerdict:
    """Record (or change) the verdict on one knock-out for one vendor."""
    if not selection.scoring_started:  # scoring and decision phases (decisions.md)
        raise ServiceError(_l("Knock-out verdicts are recorded during scoring and the "
                              "decision."), "passed")
    vendor = get_vendor(session, selection, vendor_id)
    if vendor.withdrawn:
        raise ServiceError(_l("This vendor has been withdrawn: it is no longer scored."))
    requirement = _knockout(session, selection, requirement_id)
    if not may_record(membership, requirement):
        raise ServiceError(_l("Only the facilitator and the members of the knock-out's owner "
                              "group record its verdicts."), "passed")
    if not isinstance(passed, bool):
        raise ServiceError(_l("Choose passed or failed."), "passed")
    evidence = written_text(evidence, "evidence", MAX_EVIDENCE,
                            required=_l("Describe the evidence for this verdict."))
    content_type = check_upload(upload) if upload is not None else None
    if upload is not None:
        _check_quota(session, actor, len(upload.content))

    stale = Conflict(_l("Someone else recorded a verdict on this knock-out for this vendor "
                        "first. Reload the page to see it, then decide again."), "passed")
    stored = session.execute(
        select(Verdict.id, Verdict.passed, Verdict.evidence, Verdict.version)
        .where(Verdict.vendor_id == vendor.id, Verdict.requirement_id == requirement.id)
        .with_for_update()
    ).first()
    key = f"{vendor.key} · {requirement.code}"
    now = utcnow()
    changed = True
    if stored is None:
        if version is not None:
            raise stale
        verdict_id = insert_decision(session, Verdict, selection, vendor, requirement, actor,
                                     now, {"passed": passed, "evidence": evidence})
        if verdict_id is None:
            raise stale
        old = None
    else:
        if version != stored.version:
            raise stale
        verdict_id = stored.id
        old = {"passed": stored.passed, "evidence": stored.evidence}
        if stored.passed == passed and stored.evidence == evidence and upload is None:
            changed = False
        else:
            if not update_decision(session, Verdict, stored, actor, now,
                                   {"passed": passed, "evidence": evidence}):
                raise stale
    attachment = None
    if upload is not None and content_type is not None:
        attachment = store_attachment(session, selection, actor, verdict_id, upload,
                                      content_type)
    if changed:
        new: dict[str, Any] = {"passed": passed, "evidence": evidence}
        if attachment is not None:
            new["document"] = {"filename": attachment.filename, "sha256": attachment.sha256,
                               "size": attachment.size}
        audit.record(
            session, selection_id=selection.id, actor=actor,
            action=AuditAction.CREATE if old is None else AuditAction.UPDATE,
            entity=AuditEntity.VERDICT, entity_key=key,
            old=old, new=new,
        )
    verdict = session.get(Verdict, verdict_id, populate_existing=True)
    assert verdict is not None
    return SavedVerdict(verdict, attachment, changed)


def get_attachment(session: Session, selection: Selection, attachment_id: int, *,
                   answer_evidence: bool = False) -> tuple[Attachment, Path]:
    """A document of this selection and where its bytes are; anything else is not found.
    A vendor's evidence for an answer is served only through the scoring area, which keeps
    it hidden until the deadline when the selection says so (`answer_evidence=True`):
    through the verdicts' route it is not found."""
    is_evidence = exists().where(AnswerDocument.attachment_id == Attachment.id)
    attachment = session.scalar(
        select(Attachment).where(Attachment.id == attachment_id,
                                 Attachment.selection_id == selection.id,
                                 is_evidence if answer_evidence else ~is_evidence)
    )
    if attachment is None:
        raise NotFound(_l("There is no such document in this selection."))
    path = attachment_dir() / str(attachment.id)
    if not path.is_file():
        raise NotFound(_l("There is no such document in this selection."))
    return attachment, path

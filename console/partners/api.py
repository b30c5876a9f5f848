"""The partners domain's writes: validate, change, flush (the caller commits).

Every change of status is a conditional UPDATE (``... WHERE status = <the status read>``): of two users
acting at the same moment, exactly one moves the partner, the other gets a Conflict.
"""
from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from sqlalchemy import Connection, event, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from console import labels
from console.audit import api as audit
from console.config import ROLE_CORRESPONDENT, ROLE_OPERATOR
from console.errors import N_, Conflict, DomainError, Forbidden, ValidationFailed
from console.mail import queue_mail
from console.partners import rules as workflow
from console.partners import validators
from console.partners.models import (
    OPEN_STATUSES, AffiliationTransition, BankAccount, CguVersion, Partner, PartnerChange, PartnerStatus,
    RejectionReason, RibChangeRequest, RibChangeStatus, StoredDocument, TransitionAction,
)
from console.tenants.models import Collectivite, ConsoleUser, utcnow
from console.tenants.scoping import get_scoped

REQUIRED = ("name", "siret", "email", "address", "postcode", "city")
RULES = {
    "siret": validators.validate_siret,
    "email": validators.validate_email,
    "postcode": validators.validate_postcode,
}
#: « Mes informations »: the administrative fields a correspondent may edit, each change kept.
EDITABLE = ("name", "siret", "email", "phone", "address", "postcode", "city")
RIB_FIELDS = ("holder", "iban", "bic")
MAX_LENGTHS = {"name": 200, "address": 250, "city": 100, "phone": 20, "holder": 200}
DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}
EDITORS = {ROLE_CORRESPONDENT, ROLE_OPERATOR}


def clean_fields(data: dict[str, Any], required: tuple = REQUIRED, rules: dict = RULES) -> dict[str, Any]:
    """Normalise every field with its rule, collecting all the errors field by field."""
    cleaned, errors = dict(data), {}
    for field in dict.fromkeys((*required, *rules)):
        value = data.get(field)
        try:
            if field in required:
                value = validators.validate_required(value, field)
            if field in rules and value not in (None, ""):
                value = rules[field](value)
        except DomainError as error:
            error.field = error.field or field
            errors[field] = error
        else:
            cleaned[field] = value
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def next_identifier(connection: Connection, collectivite_id: int) -> str:
    """A new platform-unique identifier PN-<code>-000123 (atomic counter per collectivité)."""
    statement = (
        update(Collectivite)
        .where(Collectivite.id == collectivite_id)
        .values(partner_seq=Collectivite.partner_seq + 1)
        .returning(Collectivite.partner_seq, Collectivite.code)
    )
    number, code = connection.execute(statement).one()
    return f"PN-{code}-{number:06d}"


@event.listens_for(Partner, "before_insert")
def _assign_identifier(mapper: Any, connection: Connection, partner: Partner) -> None:
    # At this point the tenancy hook has stamped the collectivité, whatever the caller gave.
    if not partner.identifier:
        partner.identifier = next_identifier(connection, partner.collectivite_id)


def current_bank_account(session: Session, partner: Partner | int) -> BankAccount | None:
    """The partner's RIB in force now (None if it has none); its id is what a validated reimbursement freezes."""
    partner_id = partner if isinstance(partner, int) else partner.id
    return session.scalar(
        select(BankAccount).where(BankAccount.partner_id == partner_id, BankAccount.replaced_at.is_(None))
    )


def is_approved(partner: Partner) -> bool:
    """DESIGN: « a partner accepts cheques only while approved »."""
    return partner.status is PartnerStatus.approved


# --- intake ---------------------------------------------------------------------------------------

def clean_rib(data: dict[str, Any]) -> dict[str, str]:
    """Holder, IBAN (mod-97, length, French RIB key) and BIC (format, country of the IBAN), field by field."""
    cleaned: dict[str, str] = {}
    errors: dict[str, DomainError] = {}
    checks = {
        "holder": lambda value: _short(validators.validate_required(value, "holder"), "holder"),
        "iban": validators.validate_iban,
        "bic": lambda value: validators.validate_bic(value, cleaned.get("iban")),
    }
    for field, check in checks.items():
        try:
            cleaned[field] = check(data.get(field))
        except DomainError as error:
            errors[field] = error
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def clean_request(session: Session, data: dict[str, Any], actor: ConsoleUser) -> tuple[dict, dict | None, int]:
    """An affiliation request's partner fields, RIB (optional, all or nothing) and collectivité, or every
    error field by field."""
    errors: dict[str, DomainError] = {}
    known = {field: data.get(field) for field in EDITABLE}
    fields: dict[str, Any] = {}
    try:
        fields = clean_fields(known)
        for name in ("name", "address", "city", "phone"):
            fields[name] = _short(fields.get(name), name)
    except ValidationFailed as failed:
        errors.update(failed.errors)
    except DomainError as error:
        errors[error.field] = error
    rib = None
    if any(data.get(field) not in (None, "") for field in RIB_FIELDS):
        try:
            rib = clean_rib(data)
        except ValidationFailed as failed:
            errors.update(failed.errors)
    try:
        collectivite_id = _collectivite_of(session, data.get("collectivite"), actor)
    except DomainError as error:
        errors["collectivite"] = error
    if errors:
        raise ValidationFailed(errors)
    return fields, rib, collectivite_id


def submit(session: Session, data: dict[str, Any], actor: ConsoleUser) -> Partner:
    """An affiliation request from the partner extranet (REST) or a correspondent's form."""
    fields, rib, collectivite_id = clean_request(session, data, actor)
    partner = Partner(collectivite_id=collectivite_id, **fields)
    register_submission(session, partner, actor)
    if rib:
        add_bank_account(session, partner, **rib)
    session.flush()
    return partner


def register_submission(session: Session, partner: Partner, actor: ConsoleUser | None) -> Partner:
    """Submit a new partner: one open request per SIRET, CGU in force linked, identifier assigned and
    e-mailed, the first step of the timeline recorded."""
    collectivite_id = _owner_id(partner, actor)
    _refuse_open_duplicate(session, collectivite_id, partner.siret)
    partner.collectivite_id = collectivite_id
    partner.status = PartnerStatus.submitted
    partner.check_passed = None
    partner.cgu_version = cgu_in_force(session, collectivite_id, utcnow().date())
    session.add(partner)
    try:
        session.flush()  # assigns the identifier
    except IntegrityError as error:
        # Another request for the same SIRET won the race: nothing of this one is kept.
        session.rollback()
        raise Conflict(N_("The SIRET %(siret)s already has an open affiliation request with this collectivité."),
                       rule="duplicate_request", field="siret", siret=partner.siret) from error
    _record(session, partner, TransitionAction.submit, None, PartnerStatus.submitted, actor)
    audit.record(session, "partner.submit", partner, {"identifier": partner.identifier, "siret": partner.siret,
                                                      "name": partner.name})
    collectivite = session.get(Collectivite, collectivite_id)
    queue_mail(session, partner.email, "partner_identifier", collectivite_id=collectivite_id,
               partner=partner, collectivite=collectivite)
    return partner


def _refuse_open_duplicate(session: Session, collectivite_id: int, siret: str, exclude_id: int | None = None) -> None:
    statement = select(Partner.identifier).where(
        Partner.collectivite_id == collectivite_id, Partner.siret == siret,
        Partner.status.in_([PartnerStatus(status) for status in OPEN_STATUSES]),
    )
    if exclude_id is not None:
        statement = statement.where(Partner.id != exclude_id)
    with session.no_autoflush:  # the row being edited may already hold the duplicate: it must not be flushed
        existing = session.scalars(statement.limit(1)).first()
    if existing:
        raise DomainError(N_("The SIRET %(siret)s already has an open affiliation request with this collectivité "
                             "(%(identifier)s)."), rule="duplicate_request", field="siret", siret=siret,
                          identifier=existing)


def _collectivite_of(session: Session, code: Any, actor: ConsoleUser) -> int:
    """The collectivité named by its code; a collectivité's user always files for their own."""
    if actor.collectivite_id is not None and ROLE_OPERATOR not in actor.role_names:
        own = session.get(Collectivite, actor.collectivite_id)
        if code not in (None, "") and (own is None or str(code).strip().upper() != own.code):
            raise _unknown_collectivite(code)
        return actor.collectivite_id
    if code in (None, ""):
        raise DomainError(N_("This field is required."), rule="required", field="collectivite")
    found = session.scalar(select(Collectivite.id).where(Collectivite.code == str(code).strip().upper(),
                                                         Collectivite.active.is_(True)))
    if found is None:
        raise _unknown_collectivite(code)
    return found


def _unknown_collectivite(code: Any) -> DomainError:
    return DomainError(N_("No collectivité has the code %(code)s."), rule="collectivite", field="collectivite",
                       code=str(code))


def _owner_id(row: Any, actor: ConsoleUser | None) -> int:
    """The collectivité of a row being created: the user's own, or the one an operator chose."""
    if actor is not None and actor.collectivite_id is not None and ROLE_OPERATOR not in actor.role_names:
        return actor.collectivite_id
    owner = row.collectivite.id if getattr(row, "collectivite", None) is not None else row.collectivite_id
    if owner is None:
        raise DomainError(N_("This field is required."), rule="required", field="collectivite")
    return owner


def _short(value: str | None, field: str) -> str | None:
    """A text within its column's length."""
    if value is not None and len(value) > MAX_LENGTHS[field]:
        raise DomainError(N_("At most %(max)s characters."), rule="length", field=field, max=MAX_LENGTHS[field])
    return value


# --- affiliation workflow -------------------------------------------------------------------------

def get_partner(session: Session, partner_id: Any) -> Partner:
    """A partner of the user's scope (another collectivité's is indistinguishable from a missing one)."""
    return get_scoped(session, Partner, partner_id, N_("No such partner."))


def move(session: Session, partner_id: Any, action: TransitionAction, actor: ConsoleUser,
         reason_code: RejectionReason | str | None = None, reason: str | None = None) -> AffiliationTransition:
    """Check, approve, reject, suspend or reinstate a partner; refused with a message when illegal."""
    partner = get_partner(session, partner_id)
    if isinstance(reason_code, str):
        reason_code = _reason_code(reason_code)
    reason = (reason or "").strip() or None
    old = partner.status
    step = check_move(session, partner, action, actor, reason_code, reason)
    values: dict[str, Any] = {"status": step.target}
    if action is TransitionAction.approve:
        values["approved_at"] = utcnow()
    if action in (TransitionAction.check_pass, TransitionAction.check_fail):
        values["check_passed"] = action is TransitionAction.check_pass
    moved = session.execute(
        update(Partner).where(Partner.id == partner.id, Partner.status == old).values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise Conflict(N_("%(identifier)s was changed by someone else meanwhile: reload the page."),
                       rule="affiliation_race", identifier=partner.identifier)
    session.expire(partner)
    transition = _record(session, partner, action, old, step.target, actor, reason_code, reason)
    audit.record(session, f"partner.{action.value}", partner, {"from": old, "to": step.target,
                                                                "reason_code": reason_code, "reason": reason})
    _notify(session, partner, transition)
    return transition


def check_move(session: Session, partner: Partner, action: TransitionAction, actor: ConsoleUser,
               reason_code: RejectionReason | None = None, reason: str | None = None) -> workflow.Step:
    """Why this step could not be taken now (the workflow's rules; approval also needs a passed check and a
    valid RIB), else the step. Writes nothing: the bulk confirmation page asks it before anything is done."""
    step = workflow.check_transition(action, partner.status, partner.identifier, actor.role_names, reason,
                                     reason_code)
    if action is TransitionAction.approve:
        workflow.check_approvable(partner.identifier, partner.check_passed, _has_valid_rib(session, partner))
    return step


def _reason_code(value: str) -> RejectionReason:
    try:
        return RejectionReason(value)
    except ValueError:
        raise DomainError(N_("Choose the reason of the rejection."), rule="reason", field="reason_code") from None


def _has_valid_rib(session: Session, partner: Partner) -> bool:
    account = current_bank_account(session, partner)
    if account is None:
        return False
    try:
        clean_rib({"holder": account.holder, "iban": account.iban, "bic": account.bic})
    except DomainError:
        return False
    return True


def _record(session: Session, partner: Partner, action: TransitionAction, old: PartnerStatus | None,
            new: PartnerStatus, actor: ConsoleUser | None, reason_code: RejectionReason | None = None,
            reason: str | None = None) -> AffiliationTransition:
    transition = AffiliationTransition(
        partner=partner, collectivite_id=partner.collectivite_id, action=action, from_status=old, to_status=new,
        reason_code=reason_code, reason=reason, user_id=actor.id if actor is not None else None,
    )
    session.add(transition)
    session.flush()
    return transition


NOTIFIED = {TransitionAction.approve: "partner_approved", TransitionAction.reject: "partner_rejected"}


def _notify(session: Session, partner: Partner, transition: AffiliationTransition) -> None:
    template = NOTIFIED.get(transition.action)
    if template is None:
        return
    reason_label = labels.label(transition.reason_code) if transition.reason_code else None
    queue_mail(session, partner.email, template, collectivite_id=partner.collectivite_id, partner=partner,
               collectivite=partner.collectivite, reason_label=reason_label, reason=transition.reason)


def timeline(session: Session, partner: Partner) -> list[AffiliationTransition]:
    """The partner's affiliation steps, oldest first."""
    return list(session.scalars(select(AffiliationTransition).where(AffiliationTransition.partner_id == partner.id)
                                .order_by(AffiliationTransition.at, AffiliationTransition.id)))


# --- « Mes informations » -------------------------------------------------------------------------

def record_changes(session: Session, partner: Partner, actor: ConsoleUser) -> list[PartnerChange]:
    """Keep every edited administrative field as a history entry (old value, new value, who, when)."""
    if not EDITORS & actor.role_names:
        raise Forbidden(N_("Only a correspondent may change a partner's information."), rule="edit_role")
    state = inspect(partner)
    changes = []
    for field in EDITABLE:
        history = state.attrs[field].history
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if not history.added or old == new:
            continue
        if field == "siret":
            _refuse_open_duplicate(session, partner.collectivite_id, new, exclude_id=partner.id)
        changes.append(PartnerChange(partner=partner, collectivite_id=partner.collectivite_id, field=field,
                                     old_value=old, new_value=new, changed_by_id=actor.id))
    session.add_all(changes)
    if changes:
        audit.record(session, "partner.update", partner,
                     {"changes": {change.field: [change.old_value, change.new_value] for change in changes}})
    return changes


def update_information(session: Session, partner_id: Any, data: dict[str, Any], actor: ConsoleUser) -> list:
    """Change a partner's administrative fields from a JSON body, validated field by field, history kept."""
    partner = get_partner(session, partner_id)
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValidationFailed({name: DomainError(N_("This field cannot be changed here."), rule="field",
                                                  field=name) for name in sorted(unknown)})
    current = {field: getattr(partner, field) for field in EDITABLE}
    cleaned = clean_fields({**current, **data})
    for field in data:
        setattr(partner, field, _short(cleaned[field], field) if field in MAX_LENGTHS else cleaned[field])
    changes = record_changes(session, partner, actor)
    session.flush()
    return changes


def history(session: Session, partner: Partner) -> list[PartnerChange]:
    """Edits of the partner's information, newest first."""
    return list(session.scalars(select(PartnerChange).where(PartnerChange.partner_id == partner.id)
                                .order_by(PartnerChange.changed_at.desc(), PartnerChange.id.desc())))


# --- documents, RIB and four-eyes RIB change -------------------------------------------------------

def store_document(session: Session, filename: str, data: bytes, accepted: str, collectivite_id: int,
                   actor: ConsoleUser | None, max_bytes: int = DOCUMENT_MAX_BYTES) -> StoredDocument:
    """Check an upload by its content and keep it; ``accepted`` is "pdf" (CGU) or "rib" (PDF or image)."""
    check = validators.check_pdf_upload if accepted == "pdf" else validators.check_rib_document
    safe_name = check(filename or "document", data, max_bytes)
    document = StoredDocument(
        collectivite_id=collectivite_id, filename=safe_name, content_type=CONTENT_TYPES[safe_name.rsplit(".", 1)[1]],
        size=len(data), sha256=hashlib.sha256(data).hexdigest(), content=data,
        uploaded_by_id=actor.id if actor is not None else None,
    )
    session.add(document)
    return document


def add_bank_account(session: Session, partner: Partner, holder: str, iban: str, bic: str,
                     document: StoredDocument | None = None,
                     change_request: RibChangeRequest | None = None) -> BankAccount:
    """Make a RIB the partner's current one; the previous one is kept in the history."""
    session.execute(
        update(BankAccount).where(BankAccount.partner_id == partner.id, BankAccount.replaced_at.is_(None))
        .values(replaced_at=utcnow()).execution_options(synchronize_session="fetch")
    )
    account = BankAccount(partner=partner, collectivite_id=partner.collectivite_id, holder=holder, iban=iban,
                          bic=bic, document=document,
                          change_request_id=change_request.id if change_request is not None else None)
    session.add(account)
    session.flush()
    return account


def bank_accounts(session: Session, partner: Partner) -> list[BankAccount]:
    """The current RIB first, then the previous ones, newest first."""
    return list(session.scalars(select(BankAccount).where(BankAccount.partner_id == partner.id)
                                .order_by(BankAccount.replaced_at.is_not(None), BankAccount.created_at.desc(),
                                          BankAccount.id.desc())))


def request_rib_change(session: Session, partner_id: Any, data: dict[str, Any], actor: ConsoleUser,
                       upload: tuple[str, bytes] | None = None) -> RibChangeRequest:
    """Record a new RIB; it becomes current only once a second user confirms it. The partner is told."""
    if not EDITORS & actor.role_names:
        raise Forbidden(N_("Only a correspondent may record a RIB change."), rule="rib_role")
    partner = get_partner(session, partner_id)
    errors: dict[str, DomainError] = {}
    rib: dict[str, str] = {}
    try:
        rib = clean_rib(data)
    except ValidationFailed as failed:
        errors.update(failed.errors)
    document = None
    if upload is not None:
        try:
            document = store_document(session, upload[0], upload[1], "rib", partner.collectivite_id, actor)
        except DomainError as error:
            errors["file"] = error
    if errors:
        if document is not None:
            session.expunge(document)
        raise ValidationFailed(errors)
    change = RibChangeRequest(partner=partner, collectivite_id=partner.collectivite_id, document=document,
                              requested_by_id=actor.id, **rib)
    session.add(change)
    session.flush()
    audit.record(session, "rib.request", partner, {"rib_change": change.id,
                                                  "iban": validators.mask_iban(change.iban), "bic": change.bic})
    queue_mail(session, partner.email, "partner_rib_change_requested", collectivite_id=partner.collectivite_id,
               partner=partner, collectivite=partner.collectivite, masked_iban=validators.mask_iban(change.iban))
    return change


def _pending_change(session: Session, change_id: Any) -> RibChangeRequest:
    change = get_scoped(session, RibChangeRequest, change_id, N_("No such RIB change."))
    if change.status is not RibChangeStatus.pending:
        raise DomainError(N_("This RIB change was already decided."), rule="rib_decided")
    return change


def _decide(session: Session, change: RibChangeRequest, status: RibChangeStatus, actor: ConsoleUser) -> None:
    """Close a pending change; of two users deciding at once, one wins, the other gets a Conflict."""
    decided = session.execute(
        update(RibChangeRequest).where(RibChangeRequest.id == change.id,
                                       RibChangeRequest.status == RibChangeStatus.pending)
        .values(status=status, decided_at=utcnow(), decided_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if decided != 1:
        raise Conflict(N_("This RIB change was already decided."), rule="rib_decided")
    session.expire(change)


def confirm_rib_change(session: Session, change_id: Any, actor: ConsoleUser) -> BankAccount:
    """The second pair of eyes: the new RIB becomes current, the old one goes to history, the partner is told."""
    change = _pending_change(session, change_id)
    workflow.check_rib_confirmer(change.requested_by_id, actor.id, actor.role_names, actor.collectivite_id,
                                 change.collectivite_id)
    _decide(session, change, RibChangeStatus.confirmed, actor)
    partner = change.partner
    account = add_bank_account(session, partner, change.holder, change.iban, change.bic, change.document, change)
    audit.record(session, "rib.confirm", partner, {"rib_change": change.id, "bank_account": account.id,
                                                  "iban": validators.mask_iban(account.iban)})
    queue_mail(session, partner.email, "partner_rib_changed", collectivite_id=partner.collectivite_id,
               partner=partner, collectivite=partner.collectivite, masked_iban=validators.mask_iban(account.iban))
    return account


def cancel_rib_change(session: Session, change_id: Any, actor: ConsoleUser) -> RibChangeRequest:
    """Drop a pending RIB change (kept, as cancelled)."""
    if not EDITORS & actor.role_names:
        raise Forbidden(N_("Only a correspondent may record a RIB change."), rule="rib_role")
    change = _pending_change(session, change_id)
    _decide(session, change, RibChangeStatus.cancelled, actor)
    audit.record(session, "rib.cancel", change.partner, {"rib_change": change.id})
    return change


def pending_rib_changes(session: Session, partner: Partner) -> list[RibChangeRequest]:
    """RIB changes waiting for their second pair of eyes."""
    return list(session.scalars(select(RibChangeRequest).where(
        RibChangeRequest.partner_id == partner.id, RibChangeRequest.status == RibChangeStatus.pending
    ).order_by(RibChangeRequest.requested_at)))


# --- CGU ------------------------------------------------------------------------------------------

def publish_cgu(session: Session, label: str, effective_on: date | None, filename: str, data: bytes,
                actor: ConsoleUser) -> CguVersion:
    """Publish a new CGU version of the user's collectivité (a real PDF); published versions never change."""
    if ROLE_CORRESPONDENT not in actor.role_names or actor.collectivite_id is None:
        raise Forbidden(N_("Only a correspondent of the collectivité publishes its CGU."), rule="cgu_role")
    errors: dict[str, DomainError] = {}
    try:
        label = validators.validate_required(label, "label")
        if len(label) > 40:
            raise DomainError(N_("At most %(max)s characters."), rule="length", field="label", max=40)
        if session.scalar(select(CguVersion.id).where(CguVersion.collectivite_id == actor.collectivite_id,
                                                      CguVersion.label == label)):
            raise DomainError(N_("A CGU version is already labelled %(label)s."), rule="cgu_label",
                              field="label", label=label)
    except DomainError as error:
        errors["label"] = error
    if effective_on is None:
        errors["effective_on"] = DomainError(N_("This field is required."), rule="required", field="effective_on")
    try:
        validators.check_pdf_upload(filename or "document", data, DOCUMENT_MAX_BYTES)
    except DomainError as error:
        errors["file"] = error
    if errors:
        raise ValidationFailed(errors)
    document = store_document(session, filename, data, "pdf", actor.collectivite_id, actor)
    version = CguVersion(collectivite_id=actor.collectivite_id, label=label, effective_on=effective_on,
                         document=document, published_by_id=actor.id)
    session.add(version)
    session.flush()
    audit.record(session, "cgu.publish", version, {"label": label, "effective_on": effective_on,
                                                   "sha256": document.sha256})
    return version


def cgu_in_force(session: Session, collectivite_id: int, on: date) -> CguVersion | None:
    """DESIGN « the version in force when a partner applied is kept with that partner »: the latest version
    effective on that day."""
    return session.scalars(select(CguVersion).where(
        CguVersion.collectivite_id == collectivite_id, CguVersion.effective_on <= on
    ).order_by(CguVersion.effective_on.desc(), CguVersion.id.desc()).limit(1)).first()

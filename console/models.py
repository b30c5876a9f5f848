"""Imports every model so that the metadata (and Alembic) sees all tables."""
from console.accounts.models import PasswordLink, RecoveryCode, UserSession  # noqa: F401
import console.accounts.sessions  # noqa: F401,E402  (session versions follow credential changes)
from console.audit.models import AuditChain, AuditCheckpoint, AuditEvent  # noqa: F401
from console.complaints.models import Complaint, ComplaintEvent  # noqa: F401
from console.leases import Lease  # noqa: F401
from console.mail import OutboxMessage  # noqa: F401
from console.money.imports.models import ChequierImport  # noqa: F401
from console.money.models import (  # noqa: F401
    Cheque, Chequier, FeeSchedule, PartnerBlock, PaymentBatch, ReimbursementLine, ReimbursementRequest,
)
from console.partners.models import (  # noqa: F401
    AffiliationTransition, BankAccount, CguVersion, Partner, PartnerChange, RibChangeRequest,
    StoredDocument,
)
from console.reports.aggregates import AggregateRefresh, DailyFigure, DailyTotal  # noqa: F401
from console.queues.models import DailyDigest, DigestSetting  # noqa: F401
from console.reports.models import Export, ReportSubscription  # noqa: F401
from console.tenants.models import Collectivite, ConsoleUser  # noqa: F401
import console.partners.api  # noqa: F401,E402  (identifier assignment on insert)
import console.audit.jobs  # noqa: F401,E402  (the daily checkpoint is a periodic job)

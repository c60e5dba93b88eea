"""Table models and data functions. Importing this package never imports Textual."""

from supervise.models.accounts import (
    Account,
    AccountBase,
    AccountRole,
    Role,
    Supervision,
    SupervisionKind,
)
from supervise.models.audit import AuditEvent, AuditHead, Outcome
from supervise.models.clinical import (
    Client,
    ConsentForm,
    ConsentStatus,
    Grant,
    HoursEntry,
    Recording,
    RecordingState,
    RetentionRule,
    Review,
    ReviewComment,
)
from supervise.models.program import Program

__all__ = [
    "Account",
    "AccountBase",
    "AccountRole",
    "AuditEvent",
    "AuditHead",
    "Client",
    "ConsentForm",
    "ConsentStatus",
    "Grant",
    "HoursEntry",
    "Outcome",
    "Program",
    "Recording",
    "RecordingState",
    "RetentionRule",
    "Review",
    "ReviewComment",
    "Role",
    "Supervision",
    "SupervisionKind",
]

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
    ConsentParticipant,
    ConsentStatus,
    Grant,
    HoursEntry,
    Recording,
    RecordingConsent,
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
    "ConsentParticipant",
    "ConsentStatus",
    "Grant",
    "HoursEntry",
    "Outcome",
    "Program",
    "Recording",
    "RecordingConsent",
    "RecordingState",
    "RetentionRule",
    "Review",
    "ReviewComment",
    "Role",
    "Supervision",
    "SupervisionKind",
]

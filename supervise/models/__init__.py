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
    RubricItem,
)
from supervise.models.program import Program
from supervise.models.remote import PendingUpload, SshKey, UploadState

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
    "PendingUpload",
    "Program",
    "Recording",
    "RecordingConsent",
    "RecordingState",
    "RetentionRule",
    "Review",
    "ReviewComment",
    "Role",
    "RubricItem",
    "SshKey",
    "Supervision",
    "SupervisionKind",
    "UploadState",
]

"""The audit trail's hash chain, row MACs and signed checkpoints.

entry_hash = SHA-256("supervise-audit/v1" || prev_hash || canonical(row)),
mac = HMAC-SHA-256(audit key, entry_hash). The canonical form is sorted-key
JSON of the row's fields (strings, integers and nulls only), so that any
column changed by hand changes the hash or breaks the MAC.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping

GENESIS = "0" * 64
"""The `prev_hash` of the first row."""

HASHED_FIELDS = (
    "seq",
    "ts",
    "actor_id",
    "actor_role",
    "session_id",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "reason",
)


def canonical(row: Mapping[str, object]) -> bytes:
    """The row's hashed fields as sorted-key, compact JSON in UTF-8."""
    body = {name: row[name] for name in HASHED_FIELDS}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def entry_hash(prev_hash: str, row: Mapping[str, object]) -> str:
    """The chained hash of a row, as hex."""
    digest = hashlib.sha256(b"supervise-audit/v1")
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical(row))
    return digest.hexdigest()


def row_mac(key: bytes, entry: str) -> str:
    """The row's MAC under the host audit key, as hex."""
    return hmac.new(key, b"row|" + entry.encode("ascii"), hashlib.sha256).hexdigest()


def head_mac(key: bytes, seq: int, entry: str) -> str:
    """The MAC of the chain head (count and last hash), as hex."""
    message = f"head|{seq}|{entry}".encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def macs_equal(a: str, b: str) -> bool:
    """Constant-time comparison of two hex MACs."""
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))


def checkpoint_body(origin: str, size: int, head: str) -> bytes:
    """The signed note body: origin, tree size, base64 head hash."""
    encoded = base64.b64encode(bytes.fromhex(head)).decode("ascii")
    return f"{origin}\n{size}\n{encoded}\n".encode()

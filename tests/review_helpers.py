"""Recording rows for queue tests, made straight in the database.

The review queue reads rows only, so these recordings carry a placeholder
header and grant secret instead of real encryption: they are listed, never
opened.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlmodel import Session, select

from supervise.models.clinical import (
    Client,
    Grant,
    GrantVia,
    Recording,
    RecordingState,
)
from supervise.services.context import ProgramContext

PLACEHOLDER = b"placeholder: never opened"


def client_id(ctx: ProgramContext, case_code: str) -> int:
    """The id of a demo client."""
    with Session(ctx.engine) as session:
        found = session.exec(select(Client).where(Client.case_code == case_code)).one()
        assert found.id is not None
        return found.id


def fake_recordings(
    ctx: ProgramContext,
    case_code: str,
    grantees: dict[int, GrantVia],
    count: int,
    first: datetime,
    *,
    step: timedelta = timedelta(hours=1),
    state: RecordingState = RecordingState.ACTIVE,
    expires_at: datetime | None = None,
) -> list[int]:
    """`count` recordings of a demo client, imported `step` apart from
    `first`, each granted to `grantees` (account id: via); their ids."""
    with Session(ctx.engine) as session:
        client = session.exec(select(Client).where(Client.case_code == case_code)).one()
        assert client.id is not None
        made = []
        for number in range(count):
            recording = Recording(
                uid=str(uuid.uuid4()),
                client_id=client.id,
                trainee_id=client.trainee_id,
                session_date=first.date(),
                purpose="supervision",
                media_type="audio/wav",
                duration_seconds=60.0 * (number + 1),
                state=state,
                age_header=PLACEHOLDER,
                blob_name=f"fake-{uuid.uuid4().hex}",
                created_at=first + step * number,
            )
            session.add(recording)
            session.flush()
            assert recording.id is not None
            for grantee, via in grantees.items():
                session.add(
                    Grant(
                        object_type="recording",
                        object_id=recording.id,
                        grantee_id=grantee,
                        via=via,
                        wrapped_secret=PLACEHOLDER,
                        expires_at=expires_at if via == GrantVia.SHARE else None,
                    )
                )
            made.append(recording.id)
        session.commit()
        return made

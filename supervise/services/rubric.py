"""The program's rubric: the competencies a supervisor rates in a review.

Every logged-in account may read the rubric; admins edit it (`rubric.edit`).
An item is retired rather than deleted, so that reviews rated under it keep
their meaning (a review's sealed ratings also carry the label it was rated
under); a retired item can be restored. Codes are short, lower-case and
never change: reviews name items by code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from supervise.models.clinical import RubricItem
from supervise.models.database import session_scope
from supervise.services import audit
from supervise.services.accounts import UserSession, authorize
from supervise.services.context import ProgramContext
from supervise.services.errors import Conflict, InvalidInput, NotFound
from supervise.services.policy import Action

SCORES = (1, 2, 3, 4, 5)
"""The scores an item can get; None means "not observed"."""
MAX_LABEL = 120
MAX_DESCRIPTION = 400
_CODE = re.compile(r"[a-z][a-z0-9_]{0,31}")


@dataclass(frozen=True)
class RubricEntry:
    """A rubric item as lists show it."""

    id: int
    code: str
    label: str
    description: str
    position: int
    retired: bool

    def as_json(self) -> dict[str, object]:
        """A JSON-ready form for `--json` listings."""
        return {
            "id": self.id,
            "code": self.code,
            "label": self.label,
            "description": self.description,
            "position": self.position,
            "retired": self.retired,
        }


def check_code(code: str) -> str:
    """A rubric code, or refuse it.

    Raises:
        InvalidInput: Not 1 to 32 of a-z, 0-9 or '_', starting with a letter.
    """
    value = code.strip()
    if _CODE.fullmatch(value) is None:
        raise InvalidInput(
            "a rubric code is 1 to 32 lower-case letters, digits or '_', "
            "starting with a letter (like 'empathy')"
        )
    return value


def _clean(text: str, what: str, limit: int, *, required: bool) -> str:
    value = " ".join(text.split())
    if required and not value:
        raise InvalidInput(f"the {what} is required")
    if len(value) > limit or not value.isprintable():
        raise InvalidInput(f"the {what} is at most {limit} printable characters")
    return value


def _entry(item: RubricItem) -> RubricEntry:
    assert item.id is not None
    return RubricEntry(
        item.id,
        item.code,
        item.label,
        item.description,
        item.position,
        item.retired_at is not None,
    )


def _ordered() -> SelectOfScalar[RubricItem]:
    return select(RubricItem).order_by(col(RubricItem.position), col(RubricItem.id))


def current_items(session: Session) -> list[RubricItem]:
    """The items in use (not retired), in their order."""
    return list(session.exec(_ordered().where(col(RubricItem.retired_at).is_(None))))


def items_by_code(session: Session) -> dict[str, RubricItem]:
    """Every item, retired or not, by its code."""
    return {item.code: item for item in session.exec(select(RubricItem))}


def list_rubric(
    ctx: ProgramContext, user: UserSession, *, include_retired: bool = False
) -> list[RubricEntry]:
    """The rubric in order (any logged-in account); retired items on request."""
    with session_scope(ctx.engine) as session:
        query = _ordered()
        if not include_retired:
            query = query.where(col(RubricItem.retired_at).is_(None))
        return [_entry(item) for item in session.exec(query)]


def _find(session: Session, code: str) -> RubricItem:
    item = session.exec(
        select(RubricItem).where(RubricItem.code == code.strip())
    ).first()
    if item is None:
        raise NotFound(f"the rubric has no item {code.strip()!r}")
    return item


def _audit(
    session: Session,
    ctx: ProgramContext,
    user: UserSession,
    item: RubricItem,
    what: str,
) -> None:
    audit.record(
        session,
        ctx,
        user.who,
        str(Action.RUBRIC_EDIT),
        object_type="rubric_item",
        object_id=item.id,
        reason=what,
    )


def add_item(
    ctx: ProgramContext,
    user: UserSession,
    code: str,
    label: str,
    description: str = "",
) -> RubricEntry:
    """Add an item at the end of the rubric (admins).

    Raises:
        PermissionDenied (audited), InvalidInput, Conflict (the code exists,
        perhaps retired: restore it instead).
    """
    with session_scope(ctx.engine) as session:
        authorize(session, ctx, user, Action.RUBRIC_EDIT, object_type="rubric_item")
        value = check_code(code)
        item = RubricItem(
            code=value,
            label=_clean(label, "label", MAX_LABEL, required=True),
            description=_clean(
                description, "description", MAX_DESCRIPTION, required=False
            ),
        )
        existing = items_by_code(session)
        if value in existing:
            retired = existing[value].retired_at is not None
            hint = f": restore it with 'rubric restore {value}'" if retired else ""
            raise Conflict(f"the rubric already has an item {value!r}{hint}")
        item.position = 1 + max((i.position for i in existing.values()), default=0)
        session.add(item)
        try:
            session.flush()
        except IntegrityError:  # the same code added at the same moment
            raise Conflict(f"the rubric already has an item {value!r}") from None
        _audit(session, ctx, user, item, "add")
        return _entry(item)


def edit_item(
    ctx: ProgramContext,
    user: UserSession,
    code: str,
    *,
    label: str | None = None,
    description: str | None = None,
    position: int | None = None,
) -> RubricEntry:
    """Change an item's label, description or place (admins).

    `position` counts from 1 among all items; the others close up around it.

    Raises:
        PermissionDenied (audited), NotFound, InvalidInput.
    """
    with session_scope(ctx.engine) as session:
        authorize(session, ctx, user, Action.RUBRIC_EDIT, object_type="rubric_item")
        item = _find(session, code)
        if label is not None:
            item.label = _clean(label, "label", MAX_LABEL, required=True)
        if description is not None:
            item.description = _clean(
                description, "description", MAX_DESCRIPTION, required=False
            )
        if position is not None:
            _move(session, item, position)
        session.add(item)
        session.flush()
        _audit(session, ctx, user, item, "edit")
        return _entry(item)


def _move(session: Session, item: RubricItem, position: int) -> None:
    others = [i for i in session.exec(_ordered()) if i.id != item.id]
    if not 1 <= position <= len(others) + 1:
        raise InvalidInput(f"the position is between 1 and {len(others) + 1}")
    others.insert(position - 1, item)
    for number, each in enumerate(others, start=1):
        each.position = number
        session.add(each)


def _set_retired(
    ctx: ProgramContext, user: UserSession, code: str, *, retired: bool
) -> RubricEntry:
    with session_scope(ctx.engine) as session:
        authorize(session, ctx, user, Action.RUBRIC_EDIT, object_type="rubric_item")
        item = _find(session, code)
        if (item.retired_at is not None) == retired:
            state = "retired" if retired else "in use"
            raise Conflict(f"the rubric item {item.code!r} is already {state}")
        item.retired_at = ctx.now() if retired else None
        session.add(item)
        session.flush()
        _audit(session, ctx, user, item, "retire" if retired else "restore")
        return _entry(item)


def retire_item(ctx: ProgramContext, user: UserSession, code: str) -> RubricEntry:
    """Take an item out of new reviews; reviews already rated keep it (admins).

    Raises:
        PermissionDenied (audited), NotFound, Conflict (already retired).
    """
    return _set_retired(ctx, user, code, retired=True)


def restore_item(ctx: ProgramContext, user: UserSession, code: str) -> RubricEntry:
    """Put a retired item back into use (admins).

    Raises:
        PermissionDenied (audited), NotFound, Conflict (not retired).
    """
    return _set_retired(ctx, user, code, retired=False)

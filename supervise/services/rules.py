"""The state table: each jurisdiction's recording-consent and retention rules.

The program ships a default row for every state and DC (`data/state_rules.csv`)
and copies it into the database when a program is created or migrated. From
then on the rows are the admin's to edit: the defaults are a starting point
written without legal advice, and every row names its source so that counsel
can check it. A minor's records are kept until the later of `adult_years`
after the session and `minor_years` after the age of majority.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, fields
from importlib import resources

from sqlmodel import Session, col, select

from supervise.models.clinical import RetentionRule
from supervise.models.database import session_scope
from supervise.services import audit
from supervise.services.accounts import UserSession, authorize
from supervise.services.context import ProgramContext
from supervise.services.errors import InvalidInput, NotFound
from supervise.services.policy import Action

DATA_FILE = "data/state_rules.csv"
ADULT_YEARS = range(1, 101)
MINOR_YEARS = range(0, 51)
AGES_OF_MAJORITY = range(16, 22)
TEXT_LIMITS = {"name": 40, "minor_rule": 200, "statute": 400, "source": 400}
"""The longest text each column holds (as the table model declares)."""
EDITABLE = {
    "all_party_consent": "consent",
    "adult_years": "adult",
    "minor_years": "minor",
    "age_of_majority": "majority",
    "minor_rule": "rule",
    "statute": "statute",
    "source": "source",
}
"""The columns an admin edits, each with the short code the audit row names."""


@dataclass(frozen=True)
class RuleView:
    """One jurisdiction's row, as screens and commands show it."""

    jurisdiction: str
    name: str
    all_party_consent: bool
    adult_years: int
    minor_years: int
    age_of_majority: int
    minor_rule: str
    statute: str
    source: str

    @property
    def has_statute(self) -> bool:
        """Whether a confidentiality statute stricter than HIPAA is named."""
        return bool(self.statute)

    def as_json(self) -> dict[str, object]:
        """A JSON-ready form for `--json` listings."""
        return {item.name: getattr(self, item.name) for item in fields(self)}


COLUMNS = tuple(item.name for item in fields(RuleView))
"""The CSV's header, in order."""


def _view(rule: RetentionRule) -> RuleView:
    return RuleView(**{name: getattr(rule, name) for name in COLUMNS})


# --- checking values -------------------------------------------------------


def _check_number(value: int, allowed: range, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        raise InvalidInput(
            f"{what} must be a whole number from {allowed.start} to {allowed.stop - 1}"
        )
    return value


def _check_text(value: str, column: str, what: str, *, required: bool) -> str:
    text = value.strip()
    limit = TEXT_LIMITS[column]
    if len(text) > limit:
        raise InvalidInput(f"{what} is {len(text)} characters; the most is {limit}")
    if not text.isprintable():
        raise InvalidInput(f"{what} must be one line of printable characters")
    if required and not text:
        raise InvalidInput(f"{what} cannot be empty")
    return text


def _checked(view: RuleView) -> RuleView:
    """`view` with its texts trimmed, or InvalidInput naming the first bad value."""
    code = view.jurisdiction
    if not (len(code) == 2 and code.isascii() and code.isalpha() and code.isupper()):
        raise InvalidInput("the jurisdiction is a two-letter state code, like CA")
    return RuleView(
        jurisdiction=code,
        name=_check_text(view.name, "name", "The name", required=True),
        all_party_consent=bool(view.all_party_consent),
        adult_years=_check_number(view.adult_years, ADULT_YEARS, "Adult years"),
        minor_years=_check_number(view.minor_years, MINOR_YEARS, "Minor years"),
        age_of_majority=_check_number(
            view.age_of_majority, AGES_OF_MAJORITY, "The age of majority"
        ),
        minor_rule=_check_text(
            view.minor_rule, "minor_rule", "The minors' rule", required=False
        ),
        statute=_check_text(view.statute, "statute", "The statute", required=False),
        source=_check_text(view.source, "source", "The source note", required=True),
    )


# --- the defaults ----------------------------------------------------------


def _parse_row(row: dict[str, str]) -> RuleView:
    flag = row["all_party_consent"]
    if flag not in ("true", "false"):
        raise InvalidInput(f"all_party_consent is {flag!r}, not true or false")
    try:
        view = RuleView(
            jurisdiction=row["jurisdiction"],
            name=row["name"],
            all_party_consent=flag == "true",
            adult_years=int(row["adult_years"]),
            minor_years=int(row["minor_years"]),
            age_of_majority=int(row["age_of_majority"]),
            minor_rule=row["minor_rule"],
            statute=row["statute"],
            source=row["source"],
        )
    except (TypeError, ValueError) as exc:  # a missing cell, or not a number
        raise InvalidInput(str(exc)) from None
    return _checked(view)


def default_rules() -> list[RuleView]:
    """The rows the program ships with, read from its package data.

    Raises:
        ValueError: The shipped file is malformed (a packaging bug).
    """
    text = resources.files("supervise").joinpath(DATA_FILE).read_text("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValueError(f"{DATA_FILE}: the header must be {','.join(COLUMNS)}")
    views: dict[str, RuleView] = {}
    for row in reader:
        try:
            view = _parse_row(row)
        except InvalidInput as exc:
            raise ValueError(f"{DATA_FILE} line {reader.line_num}: {exc}") from None
        if view.jurisdiction in views:
            raise ValueError(f"{DATA_FILE}: {view.jurisdiction} is listed twice")
        views[view.jurisdiction] = view
    return list(views.values())


def seed_rules(session: Session) -> int:
    """Add every default row the table lacks; rows already there stay as edited.

    A row from before schema 0003 has no name yet: it gets the default's name
    (which admins do not edit), and keeps every other value.

    Returns:
        How many rows were added.
    """
    present = {rule.jurisdiction: rule for rule in session.exec(select(RetentionRule))}
    added = 0
    for view in default_rules():
        rule = present.get(view.jurisdiction)
        if rule is None:
            values = {name: getattr(view, name) for name in COLUMNS}
            session.add(RetentionRule(**values))
            added += 1
        elif not rule.name:
            rule.name = view.name
            session.add(rule)
    session.flush()
    return added


# --- reading and editing ----------------------------------------------------


def get_rule(session: Session, jurisdiction: str) -> RetentionRule | None:
    """The row of `jurisdiction` (a two-letter code), if there is one."""
    return session.get(RetentionRule, jurisdiction.strip().upper())


def list_rules(ctx: ProgramContext, user: UserSession) -> list[RuleView]:
    """Every row, by jurisdiction code; any logged-in account may read them."""
    with session_scope(ctx.engine) as session:
        query = select(RetentionRule).order_by(col(RetentionRule.jurisdiction))
        return [_view(rule) for rule in session.exec(query)]


def update_rule(
    ctx: ProgramContext,
    user: UserSession,
    jurisdiction: str,
    *,
    all_party_consent: bool,
    adult_years: int,
    minor_years: int,
    age_of_majority: int,
    minor_rule: str,
    statute: str,
    source: str,
) -> RuleView:
    """Replace the editable values of one jurisdiction's row (admins).

    Raises:
        PermissionDenied, NotFound, InvalidInput: Nothing changes.
    """
    code = jurisdiction.strip().upper()
    with session_scope(ctx.engine) as session:
        authorize(
            session,
            ctx,
            user,
            Action.SETTINGS_EDIT,
            object_type="retention_rule",
            object_id=code,
        )
        rule = get_rule(session, code)
        if rule is None:
            raise NotFound(f"the state table has no row for {code!r}")
        wanted = _checked(
            RuleView(
                code,
                rule.name,
                all_party_consent,
                adult_years,
                minor_years,
                age_of_majority,
                minor_rule,
                statute,
                source,
            )
        )
        changed = [n for n in EDITABLE if getattr(rule, n) != getattr(wanted, n)]
        for name in changed:
            setattr(rule, name, getattr(wanted, name))
        session.add(rule)
        audit.record(
            session,
            ctx,
            user.who,
            "rules.edit",
            object_type="retention_rule",
            object_id=code,
            reason=",".join(EDITABLE[name] for name in changed),
        )
        return wanted

"""Password policy and Argon2id login hashes.

Login hashes are argon2-cffi PHC strings, which carry their own parameters and
salt. A hash made with weaker parameters than the program's is upgraded after a
successful login.
"""

from __future__ import annotations

import re
import secrets
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from supervise.crypto.keys import Argon2Params

ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
"""Letters and digits that cannot be misread for each other when read aloud."""


class PasswordPolicyError(ValueError):
    """A proposed password is not acceptable; the message says why."""


def hasher(params: Argon2Params) -> PasswordHasher:
    """An Argon2id hasher with the program's parameters."""
    return PasswordHasher(
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
    )


def hash_password(password: str, params: Argon2Params) -> str:
    """The PHC string to store for a password."""
    return hasher(params).hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Whether `password` matches the stored PHC string (constant time)."""
    try:
        return PasswordHasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def hash_params(stored: str) -> Argon2Params:
    """The parameters a stored hash was made with."""
    from argon2 import extract_parameters

    found = extract_parameters(stored)
    return Argon2Params(found.time_cost, found.memory_cost, found.parallelism)


def should_upgrade(current: Argon2Params, program: Argon2Params) -> bool:
    """Whether the program's parameters are stronger than those in use.

    argon2-cffi's `check_needs_rehash` is true for any difference, including a
    weaker program setting; we upgrade only towards more work.
    """
    return program != current and program.at_least(current)


@cache
def _common_stems() -> frozenset[str]:
    text = resources.files("supervise").joinpath("data/common-passwords.txt")
    lines = text.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip() for line in lines if line.strip() and not line.startswith("#")
    )


def _stem(password: str) -> str:
    return re.sub(r"[\W\d_]+$", "", password.casefold())


def check_password_policy(password: str, username: str, min_length: int) -> None:
    """Refuse a password that is short, common, or built on the username.

    Raises:
        PasswordPolicyError: With a message a person can act on.
    """
    if len(password) < min_length:
        raise PasswordPolicyError(
            f"the password must be at least {min_length} characters long"
        )
    if password != password.strip():
        raise PasswordPolicyError("the password must not start or end with spaces")
    folded = password.casefold()
    stems = _common_stems()
    if folded in stems or _stem(password) in stems or len(set(folded)) < 5:
        raise PasswordPolicyError(
            "that password is too common or too easy to guess; choose another"
        )
    if username and username.casefold() in folded:
        raise PasswordPolicyError("the password must not contain the username")


def one_time_password() -> str:
    """A random one-time password, 4 groups of 4, easy to read out."""
    groups = (
        "".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(4)) for _ in range(4)
    )
    return "-".join(groups)

"""Errors that carry a message fit to show a person as it is."""

from __future__ import annotations


class ServiceError(Exception):
    """A request could not be done; `str(error)` says why, without secrets."""


class NotFound(ServiceError):
    """The named thing does not exist (or is not visible to the caller)."""


class InvalidInput(ServiceError):
    """The request's values are not acceptable."""


class Conflict(ServiceError):
    """The request clashes with stored data (a duplicate, a stale state)."""


class PermissionDenied(ServiceError):
    """The policy refused the request; the refusal has been audited."""


class Unavailable(ServiceError):
    """Something the request needs is not installed on this server; the
    message says what to install."""


class LoginFailed(ServiceError):
    """Wrong username or password (deliberately not saying which)."""


class AccountLocked(ServiceError):
    """Too many failed logins: the account is locked for a while."""


class AccountDisabled(ServiceError):
    """The account is disabled."""


class NotConsented(PermissionDenied):
    """No active consent covers what was asked; the message says what is
    missing, and the refusal has been audited."""

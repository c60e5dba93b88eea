"""Program settings: one object built from `supervise.toml` and `SUPERVISE_` variables.

The settings are read once, by the command line, and passed to everything that
needs them. Precedence, lowest first: built-in defaults, the `supervise.toml`
file in the home folder, then `SUPERVISE_<FIELD>` environment variables.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SETTINGS_FILE = "supervise.toml"
ENV_PREFIX = "SUPERVISE_"


class SettingsError(ValueError):
    """The settings file or an environment variable holds a value we cannot use."""


def default_home() -> Path:
    """The platform's per-user data folder for supervise."""
    import platformdirs

    return Path(platformdirs.user_data_dir("supervise", appauthor=False))


@dataclass(frozen=True)
class Settings:
    """Everything configurable about one program's installation."""

    home: Path
    """The data folder: database, blob store, host secrets, SSH host key."""

    database_url: str = ""
    """SQLAlchemy URL; empty means the SQLite file `supervise.db` in the home."""

    secrets_file: str = ""
    """Host secrets file; empty means `host-secrets.json` in the home."""

    idle_timeout_seconds: int = 600
    """Idle time after which a TUI session is logged off and its keys dropped."""

    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    """Argon2id parameters for new password hashes and key-encryption keys
    (RFC 9106, second recommended option, by default)."""

    lockout_threshold: int = 5
    """Consecutive failed logins after which the account locks."""

    lockout_base_seconds: int = 30
    """First lockout length; each further failure doubles it."""

    lockout_max_seconds: int = 3600
    """Longest lockout, however many failures follow."""

    min_password_length: int = 12
    page_size: str = "letter"
    """Paper for printed documents (consent forms, receipts, chart notes):
    "letter" or "a4"."""

    blob_store: str = ""
    """Folder of encrypted recording payloads; empty means `blobs` in the home.
    Several app hosts on one PostgreSQL database share one such folder."""

    keystore_file: str = ""
    """The keystore database (the retained half of every object's key);
    empty means `keystore/keystore.db` in the home. Back it up on its own
    schedule: a shred is final once older keystore backups have expired."""

    storage_location: str = ""
    """Where recordings are kept, as consent forms state it (system and
    server); empty means `supervise on <this host's name>, encrypted`."""

    retention_years: int = 7
    """Years after the session date before a recording is destroyed, where the
    program's retention rules have no row for the client's jurisdiction."""

    ssh_host: str = "127.0.0.1"
    """Address `supervise serve` listens on; `0.0.0.0` or `::` for every
    interface (put a firewall in front: see the README's SSH section)."""

    ssh_port: int = 2222
    """Port `supervise serve` listens on."""

    ssh_host_key: str = ""
    """The SSH server's private host key; empty means `ssh_host_ed25519_key`
    in the home, generated (mode 0600) on the first `supervise serve`."""

    ssh_password_login: bool = True
    """Whether `supervise serve` accepts the account's password as well as
    registered keys (the same lockout as the TUI applies)."""

    ssh_max_sessions: int = 50
    """Concurrent SSH sessions the server accepts in all."""

    ssh_max_sessions_per_user: int = 3
    """Concurrent SSH sessions one account may hold."""

    ssh_login_timeout_seconds: int = 30
    """Time a connection has to authenticate before it is dropped."""

    ssh_idle_seconds: int = 900
    """Transport backstop: an SSH session with no input for this long is
    closed, whatever the app's own idle logoff is doing."""

    ssh_failed_auth_limit: int = 10
    """Failed authentications from one address before it is refused."""

    ssh_failed_auth_window_seconds: int = 600
    """How long a failed authentication counts against its address, and how
    long an address stays refused once it reaches the limit."""

    dropbox_keep_days: int = 7
    """Days an upload may wait in a trainee's SSH inbox before `purge`
    shreds it unattached."""

    extra: Mapping[str, Any] = field(default_factory=dict)
    """Keys of the settings file that this version does not know (kept, unused)."""

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to the SQLite file in the home."""
        return self.database_url or f"sqlite:///{self.home / 'supervise.db'}"

    @property
    def resolved_secrets_file(self) -> Path:
        """The host secrets file path."""
        return (
            Path(self.secrets_file)
            if self.secrets_file
            else self.home / ("host-secrets.json")
        )

    @property
    def resolved_blob_store(self) -> Path:
        """The blob store folder."""
        return Path(self.blob_store) if self.blob_store else self.home / "blobs"

    @property
    def resolved_keystore_file(self) -> Path:
        """The keystore database file."""
        if self.keystore_file:
            return Path(self.keystore_file)
        return self.home / "keystore" / "keystore.db"

    @property
    def resolved_ssh_host_key(self) -> Path:
        """The SSH server's host key file."""
        if self.ssh_host_key:
            return Path(self.ssh_host_key)
        return self.home / "ssh_host_ed25519_key"

    @property
    def resolved_storage_location(self) -> str:
        """The storage location consent forms name."""
        if self.storage_location:
            return self.storage_location
        import socket

        return (
            f"the supervise system on the program's server {socket.gethostname()}, "
            "encrypted at rest"
        )

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite database file, or None for a database server."""
        url = self.resolved_database_url
        if not url.startswith("sqlite"):
            return None
        return Path(url.split("///", 1)[-1])

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is a SQLite file (not a server)."""
        return self.resolved_database_url.startswith("sqlite")


_FIELDS = {f.name: f for f in dataclasses.fields(Settings) if f.name != "extra"}


def _coerce(name: str, raw: object) -> object:
    """Turn a raw file or environment value into the field's type."""
    kind = _FIELDS[name].type
    try:
        if kind == "int":
            if isinstance(raw, bool):
                raise ValueError(raw)
            value = int(str(raw).strip())
            if value < 0:
                raise ValueError(raw)
            return value
        if kind == "bool":
            return _boolean(raw)
        if kind == "Path":
            return Path(str(raw)).expanduser()
    except ValueError:
        if kind == "bool":
            raise SettingsError(f"setting {name!r} must be true or false") from None
        raise SettingsError(f"setting {name!r} must be a whole number") from None
    return str(raw)


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _boolean(raw: object) -> bool:
    """A TOML boolean, or an environment value such as `true` or `0`."""
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError(raw)


def load_settings(
    home: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build the settings for one run.

    Args:
        home: The `--home` folder, if one was given on the command line.
        environ: The environment to read; `os.environ` by default.

    Raises:
        SettingsError: The settings file or a variable holds an unusable value.
    """
    env = os.environ if environ is None else environ
    home_path = Path(home or env.get(ENV_PREFIX + "HOME") or default_home())
    values: dict[str, object] = {"home": home_path.expanduser().absolute()}
    extra: dict[str, Any] = {}
    settings_path = values["home"] / SETTINGS_FILE  # type: ignore[operator]
    if settings_path.is_file():
        try:
            file_values = tomllib.loads(settings_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{settings_path}: {exc}") from None
        for key, raw in file_values.items():
            if key in _FIELDS and key != "home":
                values[key] = _coerce(key, raw)
            else:
                extra[key] = raw
    for name in _FIELDS:
        if name == "home":
            continue
        raw_env = env.get(ENV_PREFIX + name.upper())
        if raw_env is not None:
            values[name] = _coerce(name, raw_env)
    settings = Settings(**values, extra=extra)  # type: ignore[arg-type]
    if settings.page_size not in ("letter", "a4"):
        raise SettingsError("setting 'page_size' must be 'letter' or 'a4'")
    if settings.idle_timeout_seconds < 30:
        raise SettingsError("setting 'idle_timeout_seconds' must be at least 30")
    if not 1 <= settings.ssh_port <= 65535:
        raise SettingsError("setting 'ssh_port' must be between 1 and 65535")
    if settings.ssh_max_sessions < 1 or settings.ssh_max_sessions_per_user < 1:
        raise SettingsError("the SSH session caps must be at least 1")
    if settings.ssh_login_timeout_seconds < 1 or settings.ssh_idle_seconds < 1:
        raise SettingsError("the SSH time limits must be at least 1 second")
    return settings

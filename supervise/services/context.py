"""The opened program: settings, database engine, host secrets and a clock.

One `ProgramContext` is built per process (by the command line or a test) and
passed to every service call.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from supervise.crypto.hostsecrets import HostSecrets, read_host_secrets
from supervise.crypto.keys import Argon2Params
from supervise.crypto.keystore import Keystore, KeystoreError
from supervise.models.base import utcnow
from supervise.models.database import check_schema, make_engine
from supervise.services.blobs import BlobStore
from supervise.services.errors import ServiceError
from supervise.settings import Settings

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware. Tests pass a controllable one."""


@dataclass
class ProgramContext:
    """Everything a service call needs to reach the program's data."""

    settings: Settings
    engine: Engine
    secrets: HostSecrets
    clock: Clock = field(default=utcnow)
    _keystore: Keystore | None = field(default=None, init=False, repr=False)
    _blobs: BlobStore | None = field(default=None, init=False, repr=False)

    @property
    def keystore(self) -> Keystore:
        """The keystore database (opened, and created if new, on first use).

        Raises:
            ServiceError: The keystore's folder or file is open to others.
        """
        if self._keystore is None:
            try:
                self._keystore = Keystore(self.settings.resolved_keystore_file)
            except KeystoreError as exc:
                raise ServiceError(f"the keystore cannot be used: {exc}") from None
        return self._keystore

    @property
    def blobs(self) -> BlobStore:
        """The blob store of recording payloads."""
        if self._blobs is None:
            self._blobs = BlobStore(self.settings.resolved_blob_store)
        return self._blobs

    @property
    def argon2(self) -> Argon2Params:
        """The program's Argon2id parameters for new hashes and KEKs."""
        s = self.settings
        return Argon2Params(
            s.argon2_time_cost, s.argon2_memory_kib, s.argon2_parallelism
        )

    def now(self) -> datetime:
        """The current time by this context's clock."""
        return self.clock()


def prepare_home(settings: Settings) -> None:
    """Create the home folder private (0700) and make new files private too."""
    os.umask(0o077)
    settings.home.mkdir(mode=0o700, parents=True, exist_ok=True)


def open_program(settings: Settings, clock: Clock = utcnow) -> ProgramContext:
    """Open an initialised program, refusing a schema this code does not fit.

    Raises:
        ServiceError: No program, wrong schema, or unreadable host secrets.
    """
    from supervise.crypto.hostsecrets import HostSecretsError
    from supervise.models.database import SchemaError

    os.umask(0o077)
    database_file = settings.sqlite_path
    if database_file is not None and not database_file.is_file():
        raise ServiceError(
            f"no supervise program in {settings.home}: run `supervise init` "
            "first, or pass --home with the folder of an existing program"
        )
    engine = make_engine(settings.resolved_database_url)
    try:
        check_schema(engine)
        secrets = read_host_secrets(settings.resolved_secrets_file)
    except (SchemaError, HostSecretsError) as exc:
        engine.dispose()
        raise ServiceError(str(exc)) from None
    ctx = ProgramContext(settings, engine, secrets, clock)
    from supervise.services.recordings import recover_interrupted

    recover_interrupted(ctx)
    return ctx

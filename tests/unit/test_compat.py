"""The private library details `supervise._compat` relies on are still there."""

from __future__ import annotations

import inspect

import asyncssh.channel

from supervise._compat import RECEIVE_STATE_ATTRIBUTE


def test_asyncssh_channels_still_keep_their_receive_state() -> None:
    # The SSH inbox tells a client's close from a session's end by it; an
    # asyncssh upgrade that drops it must fail here, not lose uploads quietly.
    source = inspect.getsource(asyncssh.channel.SSHChannel)
    assert f"self.{RECEIVE_STATE_ATTRIBUTE} = 'open'" in source
    assert f"self.{RECEIVE_STATE_ATTRIBUTE} = 'eof'" in source

"""The stanza that binds a recording's age header to the recording's uid.

Besides its X25519 stanza, every recording header carries one stanza of a
type only this program writes: `-> supervise/bind <uid> v1` with an empty
body. age implementations skip stanza types they do not know, so
`header + payload` stays an ordinary age file, but the header MAC covers the
stanza: a header copied to another recording's row fails `check_binding`, and
editing the uid breaks the MAC.
"""

from __future__ import annotations

from supervise.crypto.age import Header, HeaderError, Stanza
from supervise.crypto.sealing import check_uid

BIND_TYPE = "supervise/bind"
BIND_VERSION = "v1"


class BindingError(HeaderError):
    """A header lacks its binding stanza, or is bound to another object."""


def binding_stanza(uid: str) -> Stanza:
    """The binding stanza naming `uid`.

    Raises:
        ValueError: The uid is malformed.
    """
    return Stanza(BIND_TYPE, (check_uid(uid), BIND_VERSION))


def check_binding(header: Header, uid: str) -> None:
    """Require exactly one well-formed binding stanza, naming `uid`.

    This checks the stanza only; the MAC that makes it trustworthy is checked
    when the file key is unwrapped.

    Raises:
        BindingError: No binding stanza, several, a malformed one, or another
            uid.
    """
    bindings = [stanza for stanza in header.stanzas if stanza.type == BIND_TYPE]
    if len(bindings) != 1:
        raise BindingError("The header must carry exactly one binding stanza.")
    stanza = bindings[0]
    if len(stanza.args) != 2 or stanza.args[1] != BIND_VERSION or stanza.body:
        raise BindingError("The header's binding stanza is malformed.")
    if stanza.args[0] != uid:
        raise BindingError("The header belongs to another object.")

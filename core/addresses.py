"""One mailbox, one key: how apps compare email addresses (rate limits, lookups)."""

import contextlib
import re

# An unquoted local part (RFC 5322 dot-atom): quoting such a local part changes nothing.
DOT_ATOM_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


def normalise_email(address: str) -> str:
    """Key an address so that one mailbox is one subscriber, one requester and one count.

    Case-insensitive; the domain in its ASCII form (IDNA: "bücher.example" and
    "xn--bcher-kva.example" are one domain); a quoted local part unquoted when the quotes
    change nothing ('"ada"@…' is 'ada@…'). Not a valid IDN: keyed as written.
    """
    address = address.strip()
    local, at, domain = address.rpartition("@")
    if not at:
        return address.casefold()
    if len(local) >= 2 and local[0] == local[-1] == '"':
        inner = re.sub(r"\\(.)", r"\1", local[1:-1])
        if DOT_ATOM_RE.match(inner):
            local = inner
    with contextlib.suppress(UnicodeError):
        domain = domain.encode("idna").decode("ascii")
    return f"{local.casefold()}@{domain.casefold()}"

"""Networks of networks without loops: the path of a request, carried in HTTP ``Via``.

A network that asks its members adds itself to the request's ``Via`` header (RFC 9110 §7.6.3:
``1.1 <beaconId>``, after whatever the request already carried), so a member that is itself a
network sees every network the request went through. A network never asks a member whose
beaconId is on that path (or is its own): the member already has the question, or is this
network. A request that reaches a network already on its own path is a loop, refused with 508.
Pure functions over the header text.
"""

from __future__ import annotations

import re

#: What may stand for a beaconId in ``Via`` (its received-by part is a token).
_UNSAFE = re.compile(r"[^A-Za-z0-9!#$%&'*+.^_`|~:-]")
#: A longer ``Via`` is refused as a loop: no real path goes through so many networks.
MAX_VIA = 2048


def name_of(beacon_id: str) -> str:
    """A beaconId as a ``Via`` received-by token."""
    return _UNSAFE.sub("-", beacon_id.strip()) or "-"


def path_of(header: str | None) -> frozenset[str]:
    """The received-by names of a ``Via`` header (``1.1 a, HTTP/1.1 b (comment)`` -> a, b)."""
    names = set()
    for hop in (header or "").split(","):
        parts = hop.split()
        if len(parts) >= 2:
            names.add(parts[1])
    return frozenset(names)


def forwarded(header: str | None, own_id: str) -> str:
    """The ``Via`` a network sends its members: the request's own, then this network."""
    own = f"1.1 {name_of(own_id)}"
    given = (header or "").strip()
    return f"{given}, {own}" if given else own


def on_path(beacon_id: str, path: frozenset[str]) -> bool:
    return name_of(beacon_id) in path

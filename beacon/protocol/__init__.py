"""The Beacon v2 vocabulary shared by the node and the aggregator: pure, no I/O.

Nothing in this package imports aiohttp or pymongo.
"""

from beacon.protocol.entry_types import ENTRY_TYPES, EntryType
from beacon.protocol.errors import BadRequest, BeaconError, NotFound
from beacon.protocol.granularity import Granularity
from beacon.protocol.request import BeaconRequest, Route, parse_get, parse_post

__all__ = [
    "ENTRY_TYPES",
    "BadRequest",
    "BeaconError",
    "BeaconRequest",
    "EntryType",
    "Granularity",
    "NotFound",
    "Route",
    "parse_get",
    "parse_post",
]

"""Settings for the node, the ingest CLI and the aggregator: declared once, loaded once.

``declare`` is the machinery (a setting, its environment variable, its help), ``sections`` the
TOML tables of the three programs, ``load`` how one program reads them and checks them.
"""

from beacon.config.declare import ConfigError, Secret, SettingInfo, describe, redacted
from beacon.config.load import (
    CONFIG_ENV,
    PROGRAM_DEFAULTS,
    Program,
    check_credentials,
    load_settings,
    public_base_url,
    secure_url,
)
from beacon.config.sections import (
    ASYMMETRIC_ALGORITHMS,
    BONA_FIDE,
    GRANULARITY_ORDER,
    LEVELS,
    AccessSettings,
    AggregatorSettings,
    DatasetPolicy,
    EntryTypeCaps,
    IngestSettings,
    IssuerSettings,
    LogFormat,
    MongoSettings,
    NetworkSettings,
    NodeEntry,
    NodeSettings,
    OrganizationSettings,
    ServerSettings,
    Settings,
)

__all__ = [
    "ASYMMETRIC_ALGORITHMS",
    "BONA_FIDE",
    "CONFIG_ENV",
    "GRANULARITY_ORDER",
    "LEVELS",
    "PROGRAM_DEFAULTS",
    "AccessSettings",
    "AggregatorSettings",
    "ConfigError",
    "DatasetPolicy",
    "EntryTypeCaps",
    "IngestSettings",
    "IssuerSettings",
    "LogFormat",
    "MongoSettings",
    "NetworkSettings",
    "NodeEntry",
    "NodeSettings",
    "OrganizationSettings",
    "Program",
    "Secret",
    "ServerSettings",
    "SettingInfo",
    "Settings",
    "check_credentials",
    "describe",
    "load_settings",
    "public_base_url",
    "redacted",
    "secure_url",
]

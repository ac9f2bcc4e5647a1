"""Settings for the node, the ingest CLI and the aggregator: declared once, loaded once.

Every setting is a dataclass field declared with :func:`setting`, which carries its default,
the environment variable that overrides it and a line of help. The same declarations drive
loading (environment beats the TOML file beats the default), validation, the redacted view
printed by ``beacon check`` and the configuration table in the README.
"""

from __future__ import annotations

import dataclasses
import enum
import os
import re
import tomllib
import types
import typing
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONFIG_ENV = "BEACON_CONFIG"


class ConfigError(ValueError):
    """A setting is missing, unknown or has a value of the wrong type."""


@dataclass(frozen=True)
class Secret:
    """A value that must never be printed: its repr and str are masked."""

    value: str = field(repr=False)

    def reveal(self) -> str:
        return self.value

    def __str__(self) -> str:
        return "**********"


def setting(default: Any, *, help: str, env: str | None = None) -> Any:
    """Declare one setting: its default, its help line and its environment variable."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("setting defaults must be immutable")
    return field(default=default, metadata={"help": help, "env": env})


def section(cls: type[Any], *, help: str) -> Any:
    """Declare a nested TOML table of settings."""
    return field(default_factory=cls, metadata={"help": help, "section": True})


GranularityName = typing.Literal["boolean", "count", "record"]
LogFormat = typing.Literal["json", "text"]
GRANULARITY_ORDER: tuple[str, ...] = ("boolean", "count", "record")


@dataclass(frozen=True)
class MongoSettings:
    uri: Secret | None = setting(
        None,
        env="MONGODB_URI",
        help="MongoDB connection string; when unset the embedded engine is started and used",
    )
    db: str = setting("beacon", env="MONGODB_DB", help="database name")
    engine_dir: str = setting(
        ".beacon-data/engine",
        env="BEACON_ENGINE_DIR",
        help="data directory of the embedded engine (used only when MONGODB_URI is unset)",
    )
    server_timeout_ms: int = setting(
        5000,
        env="BEACON_DB_TIMEOUT_MS",
        help="how long to wait for the database server before reporting it unavailable",
    )
    query_timeout_ms: int = setting(
        10000, env="BEACON_QUERY_TIMEOUT_MS", help="maxTimeMS applied to every database query"
    )
    slow_query_ms: int = setting(
        1000,
        env="BEACON_SLOW_QUERY_MS",
        help="database operations slower than this are logged with their filter's shape "
        "(0 = never)",
    )


@dataclass(frozen=True)
class OrganizationSettings:
    id: str = setting("org.example", env="BEACON_ORG_ID", help="organization id in /info")
    name: str = setting(
        "Example Organization", env="BEACON_ORG_NAME", help="organization name in /info"
    )
    description: str = setting("", env="BEACON_ORG_DESCRIPTION", help="organization description")
    address: str = setting("", env="BEACON_ORG_ADDRESS", help="postal address")
    welcome_url: str = setting("", env="BEACON_ORG_WELCOME_URL", help="organization home page")
    contact_url: str = setting(
        "", env="BEACON_ORG_CONTACT_URL", help="contact page or mailto: address"
    )
    logo_url: str = setting("", env="BEACON_ORG_LOGO_URL", help="URL of the organization's logo")


@dataclass(frozen=True)
class NodeSettings:
    id: str = setting(
        "org.example.beacon",
        env="BEACON_ID",
        help="beaconId: unique in a network, reverse-DNS recommended",
    )
    name: str = setting("Example Beacon", env="BEACON_NAME", help="human-readable beacon name")
    description: str = setting(
        "A GA4GH Beacon v2 node.", env="BEACON_DESCRIPTION", help="what this beacon holds"
    )
    version: str = setting("", env="BEACON_VERSION", help="deployment version (default: package)")
    environment: str = setting(
        "dev", env="BEACON_ENVIRONMENT", help="one of prod, test, dev, staging"
    )
    welcome_url: str = setting("", env="BEACON_WELCOME_URL", help="landing page for humans")
    alternative_url: str = setting(
        "", env="BEACON_ALTERNATIVE_URL", help="alternative landing page, e.g. a query UI"
    )
    documentation_url: str = setting(
        "", env="BEACON_DOCUMENTATION_URL", help="documentation link in /service-info"
    )
    create_date_time: str = setting(
        "2026-01-01T00:00:00Z", env="BEACON_CREATED", help="when this beacon was first deployed"
    )
    update_date_time: str = setting(
        "", env="BEACON_UPDATED", help="when this beacon was last updated (default: start time)"
    )
    host: str = setting("127.0.0.1", env="BEACON_HOST", help="address to listen on")
    port: int = setting(5050, env="BEACON_PORT", help="port to listen on")
    base_url: str = setting(
        "",
        env="BEACON_BASE_URL",
        help="public URL of the API root used in /map (default: http://HOST:PORT/api)",
    )
    default_granularity: GranularityName = setting(
        "record",
        env="BEACON_DEFAULT_GRANULARITY",
        help="granularity returned when the request names none",
    )
    max_granularity: GranularityName = setting(
        "record",
        env="BEACON_MAX_GRANULARITY",
        help="the most detail this node returns to anyone",
    )
    default_limit: int = setting(10, env="BEACON_DEFAULT_LIMIT", help="page size when none given")
    max_limit: int = setting(
        1000, env="BEACON_MAX_LIMIT", help="largest page served; limit=0 means this many"
    )
    cors_origins: tuple[str, ...] = setting(
        ("*",), env="BEACON_CORS_ORIGINS", help="origins allowed to call the API from a browser"
    )
    catalog_ttl_s: float = setting(
        1.0,
        env="BEACON_CATALOG_TTL",
        help="seconds the node caches the list of loaded datasets",
    )
    max_body_bytes: int = setting(
        1_048_576, env="BEACON_MAX_BODY_BYTES", help="largest accepted POST body"
    )
    log_format: LogFormat = setting(
        "json", env="BEACON_LOG_FORMAT", help="json (one object per line) or text"
    )
    organization: OrganizationSettings = section(
        OrganizationSettings, help="the organization running this beacon"
    )


@dataclass(frozen=True)
class IngestSettings:
    batch_size: int = setting(2000, env="BEACON_INGEST_BATCH_SIZE", help="documents per bulk write")
    swap_grace_s: float = setting(
        5.0,
        env="BEACON_INGEST_SWAP_GRACE",
        help="seconds a replaced dataset load is kept so running queries can finish",
    )


CredentialsPolicy = typing.Literal["none", "forward", "service"]


@dataclass(frozen=True)
class NodeEntry:
    """One member of the network: a ``[[aggregator.nodes]]`` table (or ``[[nodes]]`` in the
    registry file)."""

    id: str = setting(
        "", help="node id (letters, digits, '.', '_', '-'); prefixes the node's result set ids"
    )
    url: str = setting("", help="the node's API root, e.g. https://beacon.example.org/api")
    country: str = setting("", help="ISO 3166-1 alpha-2 code of the node's country")
    credentials: CredentialsPolicy = setting(
        "none",
        help="what the node is sent as Authorization: none; forward (the caller's bearer "
        "token); service (the token in the variable named by token_env)",
    )
    token_env: str = setting(
        "", help="environment variable holding the node's service token (credentials = service)"
    )
    method: typing.Literal["POST", "GET"] = setting(
        "POST", help="how queries reach the node: POST bodies, or GET with comma lists"
    )
    parameters: typing.Literal["nested", "flat"] = setting(
        "nested",
        help="POST requestParameters nested under g_variant (the schema) or flat (older nodes)",
    )
    skip: typing.Literal["pages", "records"] = setting(
        "pages", help="what the node's skip counts: pages (the spec) or records"
    )
    timeout_s: float = setting(0.0, help="this node's timeout; 0 = aggregator.node_timeout_s")


@dataclass(frozen=True)
class AggregatorSettings:
    id: str = setting(
        "org.example.network", env="AGGREGATOR_ID", help="beaconId of the network (reverse-DNS)"
    )
    name: str = setting("Example Beacon Network", env="AGGREGATOR_NAME", help="network name")
    description: str = setting(
        "A GA4GH Beacon v2 network: one query, every country's answer, merged.",
        env="AGGREGATOR_DESCRIPTION",
        help="what the network covers",
    )
    environment: str = setting(
        "dev", env="AGGREGATOR_ENVIRONMENT", help="one of prod, test, dev, staging"
    )
    organization_id: str = setting(
        "org.example", env="AGGREGATOR_ORG_ID", help="id of the organization running the network"
    )
    organization_name: str = setting(
        "Example Organization", env="AGGREGATOR_ORG_NAME", help="its name"
    )
    contact_url: str = setting(
        "", env="AGGREGATOR_CONTACT_URL", help="contact page or mailto: address"
    )
    host: str = setting("127.0.0.1", env="AGGREGATOR_HOST", help="address to listen on")
    port: int = setting(5060, env="AGGREGATOR_PORT", help="port to listen on")
    base_url: str = setting(
        "",
        env="AGGREGATOR_BASE_URL",
        help="public URL of the API root used in /map (default: http://HOST:PORT/api)",
    )
    default_granularity: GranularityName = setting(
        "record",
        env="AGGREGATOR_DEFAULT_GRANULARITY",
        help="granularity asked of the nodes when the request names none",
    )
    default_limit: int = setting(10, env="AGGREGATOR_DEFAULT_LIMIT", help="page size per node")
    max_limit: int = setting(
        100, env="AGGREGATOR_MAX_LIMIT", help="largest page asked of each node; limit=0 = this"
    )
    node_timeout_s: float = setting(
        5.0, env="AGGREGATOR_NODE_TIMEOUT", help="seconds one node may take to answer"
    )
    connect_timeout_s: float = setting(
        2.0, env="AGGREGATOR_CONNECT_TIMEOUT", help="seconds to open a connection to a node"
    )
    deadline_s: float = setting(
        8.0,
        env="AGGREGATOR_DEADLINE",
        help="seconds after which the merged answer is sent with whatever nodes have answered",
    )
    retries: int = setting(
        1,
        env="AGGREGATOR_RETRIES",
        help="retries of a node request that failed before the node could have seen it",
    )
    max_connections: int = setting(
        200, env="AGGREGATOR_MAX_CONNECTIONS", help="open connections to all nodes together"
    )
    max_connections_per_node: int = setting(
        20, env="AGGREGATOR_MAX_CONNECTIONS_PER_NODE", help="open connections to one node"
    )
    max_response_bytes: int = setting(
        16_777_216,
        env="AGGREGATOR_MAX_RESPONSE_BYTES",
        help="largest node response read; a bigger one is reported invalid",
    )
    metadata_ttl_s: float = setting(
        300.0,
        env="AGGREGATOR_METADATA_TTL",
        help="seconds a node's /info, /map, /configuration and /filtering_terms are reused; "
        "they are refreshed in the background",
    )
    breaker_failures: int = setting(
        3,
        env="AGGREGATOR_BREAKER_FAILURES",
        help="consecutive failures after which a node is skipped (circuit open)",
    )
    breaker_cooldown_s: float = setting(
        30.0,
        env="AGGREGATOR_BREAKER_COOLDOWN",
        help="seconds a node stays skipped before one probe request is let through",
    )
    cache_ttl_s: float = setting(
        30.0, env="AGGREGATOR_CACHE_TTL", help="seconds a merged answer is reused; 0 = no cache"
    )
    cache_entries: int = setting(
        1000, env="AGGREGATOR_CACHE_ENTRIES", help="merged answers kept in the cache"
    )
    cors_origins: tuple[str, ...] = setting(
        ("*",), env="AGGREGATOR_CORS_ORIGINS", help="origins allowed to call the API"
    )
    log_format: LogFormat = setting(
        "json", env="AGGREGATOR_LOG_FORMAT", help="json (one object per line) or text"
    )
    registry: str = setting(
        "",
        env="AGGREGATOR_REGISTRY",
        help="TOML file of [[nodes]] tables, added to aggregator.nodes",
    )
    nodes: tuple[NodeEntry, ...] = setting(
        (), help="the network's members as [[aggregator.nodes]] tables (fields below)"
    )


Level = typing.Literal["PUBLIC", "REGISTERED", "CONTROLLED"]
LEVELS: tuple[str, ...] = ("PUBLIC", "REGISTERED", "CONTROLLED")
TierGranularity = typing.Literal["", "none", "boolean", "count", "record"]
CapName = typing.Literal["", "boolean", "count", "record"]
#: The bona fide researcher terms and status of the GA4GH Passport specification (the ELIXIR
#: and GDI value of both visas).
BONA_FIDE = "https://doi.org/10.1038/s41431-018-0219-y"
#: JWT algorithms this node can be configured to accept: asymmetric only. HS* would turn a
#: published public key into a shared secret; "none" would need no key at all.
ASYMMETRIC_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)


@dataclass(frozen=True)
class EntryTypeCaps:
    """The most detail one dataset's entry types are answered at, for every tier."""

    g_variants: CapName = setting("", help="genomic variants ('' = no cap)")
    individuals: CapName = setting("", help="individuals")
    biosamples: CapName = setting("", help="biosamples")
    runs: CapName = setting("", help="runs")
    analyses: CapName = setting("", help="analyses")
    cohorts: CapName = setting("", help="the dataset's cohorts")
    datasets: CapName = setting("", help="the dataset's own record")


@dataclass(frozen=True)
class DatasetPolicy:
    """One ``[[access.datasets]]`` table: who sees a dataset, at what detail, and how its counts
    are protected."""

    id: str = setting("", help="the dataset id, as loaded")
    security_level: Level = setting(
        "CONTROLLED",
        help="who the dataset is for: PUBLIC (anyone), REGISTERED (bona fide researchers), "
        "CONTROLLED (holders of a ControlledAccessGrants visa in visa_values)",
    )
    public: TierGranularity = setting(
        "",
        help="the most detail anonymous callers see: none (the dataset is invisible), boolean, "
        "count or record; '' = record if the level is PUBLIC, else none",
    )
    registered: TierGranularity = setting(
        "",
        help="the most detail bona fide researchers without a grant see; "
        "'' = record if the level is PUBLIC or REGISTERED, else the public value",
    )
    controlled: TierGranularity = setting(
        "", help="the most detail holders of a grant for this dataset see; '' = record"
    )
    visa_values: tuple[str, ...] = setting(
        (), help="ControlledAccessGrants visa values that grant this dataset (exact match)"
    )
    entry_types: EntryTypeCaps = section(
        EntryTypeCaps, help="per entry type caps, e.g. entry_types = { individuals = 'count' }"
    )
    min_count: int = setting(
        0,
        help="smallest non-zero count ever reported; smaller ones are handled as small_counts "
        "says, and their records are never shown (0 = off)",
    )
    small_counts: typing.Literal["zero", "range"] = setting(
        "zero",
        help="a count under min_count is reported as zero (exists false) or as a range "
        "(exists true, count = min_count, info.countPrecision = imprecise)",
    )
    round_to: int = setting(
        0, help="counts answered below record level are rounded up to a multiple of this"
    )

    def tier_cap(self, tier: str) -> str:
        """The granularity name (or "none") for tier PUBLIC, REGISTERED or CONTROLLED."""
        level = LEVELS.index(self.security_level)
        public = self.public or ("record" if level == 0 else "none")
        if tier == "PUBLIC":
            return public
        registered = self.registered or ("record" if level <= 1 else public)
        if tier == "REGISTERED":
            return registered
        return self.controlled or "record"


@dataclass(frozen=True)
class IssuerSettings:
    """One ``[[access.issuers]]`` table: an issuer this node trusts, and where its keys are."""

    iss: str = setting("", help="the issuer exactly as in the tokens' iss claim")
    jwks_uri: str = setting(
        "", help="where its signing keys are published (https; the only key source used)"
    )
    audiences: tuple[str, ...] = setting(
        (), help="accepted aud values of its access tokens (empty = aud not checked)"
    )
    access_tokens: bool = setting(True, help="trusted to sign access tokens / passports")
    visas: bool = setting(True, help="trusted to sign GA4GH visas")
    login_is_registered: bool = setting(
        False, help="any valid access token of this issuer makes its holder a registered user"
    )


@dataclass(frozen=True)
class AccessSettings:
    undeclared_datasets: typing.Literal["hidden", "public"] = setting(
        "hidden",
        env="BEACON_UNDECLARED_DATASETS",
        help="datasets without an [[access.datasets]] table: hidden (controlled, no grant "
        "reaches them) or public (record level for anyone; demos and open beacons)",
    )
    datasets: tuple[DatasetPolicy, ...] = setting(
        (), help="per-dataset policies as [[access.datasets]] tables (fields below)"
    )
    issuers: tuple[IssuerSettings, ...] = setting(
        (), help="trusted token and visa issuers as [[access.issuers]] tables (fields below)"
    )
    algorithms: tuple[str, ...] = setting(
        ASYMMETRIC_ALGORITHMS,
        env="BEACON_JWT_ALGORITHMS",
        help="JWT signature algorithms accepted (asymmetric only)",
    )
    leeway_s: int = setting(
        30, env="BEACON_JWT_LEEWAY", help="clock skew tolerated on exp, nbf and iat"
    )
    jwks_ttl_s: float = setting(
        3600.0, env="BEACON_JWKS_TTL", help="seconds an issuer's key set is reused"
    )
    jwks_min_refresh_s: float = setting(
        60.0,
        env="BEACON_JWKS_MIN_REFRESH",
        help="least seconds between two fetches of one key set (an unknown kid refetches)",
    )
    jwks_timeout_s: float = setting(5.0, env="BEACON_JWKS_TIMEOUT", help="key set fetch timeout")
    bona_fide_terms: tuple[str, ...] = setting(
        (BONA_FIDE,),
        help="AcceptedTermsAndPolicies visa values that count towards bona fide (empty = any)",
    )
    bona_fide_statuses: tuple[str, ...] = setting(
        (BONA_FIDE,), help="ResearcherStatus visa values that count towards bona fide (empty = any)"
    )
    visa_subject_must_match: bool = setting(
        True, help="ignore visas whose sub differs from the passport's sub"
    )
    budget_window_s: float = setting(
        60.0, env="BEACON_BUDGET_WINDOW", help="the window of the query budgets, in seconds"
    )
    budget_per_identity: int = setting(
        600,
        env="BEACON_BUDGET_IDENTITY",
        help="data queries one authenticated caller may make per window (0 = unlimited)",
    )
    budget_per_ip: int = setting(
        120,
        env="BEACON_BUDGET_ANONYMOUS",
        help="data queries one anonymous client address may make per window (0 = unlimited)",
    )
    budget_exempt: tuple[str, ...] = setting(
        (),
        env="BEACON_BUDGET_EXEMPT",
        help="client addresses without a query budget, e.g. the network's aggregator",
    )
    client_ip_header: str = setting(
        "",
        env="BEACON_CLIENT_IP_HEADER",
        help="header naming the client address behind a reverse proxy, e.g. X-Forwarded-For "
        "(its last entry is used); empty = the connection's peer",
    )


@dataclass(frozen=True)
class Settings:
    mongodb: MongoSettings = section(MongoSettings, help="the database")
    beacon: NodeSettings = section(NodeSettings, help="the node")
    ingest: IngestSettings = section(IngestSettings, help="the ingest CLI")
    aggregator: AggregatorSettings = section(AggregatorSettings, help="the network aggregator")
    access: AccessSettings = section(
        AccessSettings, help="access control: datasets, tiers, token issuers, privacy"
    )


@dataclass(frozen=True)
class SettingInfo:
    """One declared setting, as the docs and ``beacon check`` present it."""

    key: str
    env: str | None
    default: Any
    help: str


def _hints(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def describe(cls: type[Any] = Settings, prefix: str = "") -> Iterator[SettingInfo]:
    """Every setting of ``cls`` (recursively), in declaration order."""
    for f in dataclasses.fields(cls):
        key = f"{prefix}{f.name}"
        if f.metadata.get("section"):
            yield from describe(_hints(cls)[f.name], key + ".")
        else:
            yield SettingInfo(key, f.metadata.get("env"), f.default, f.metadata["help"])
            table = _table_type(_hints(cls)[f.name])
            if table is not None:  # an array of tables: document the fields of one table
                yield from describe(table, key + "[].")


def _table_type(hint: Any) -> type[Any] | None:
    """The dataclass of a ``tuple[SomeTable, ...]`` setting (a TOML array of tables)."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple and args and dataclasses.is_dataclass(args[0]):
        return typing.cast(type[Any], args[0])
    return None


def build_tables(cls: type[Any], raw: Any, key: str) -> tuple[Any, ...]:
    """An array of TOML tables as ``cls`` values; errors name ``key[i].field``."""
    if not isinstance(raw, list):
        raise ConfigError(f"setting {key}: expected an array of tables ([[{key}]])")
    built = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise ConfigError(f"setting {key}[{i}]: expected a table")
        built.append(_build(cls, item, {}, f"{key}[{i}]."))
    return tuple(built)


def _convert(raw: Any, hint: Any, key: str) -> Any:
    """Cast a TOML or environment value to the declared type of setting ``key``."""
    args = typing.get_args(hint)
    table = _table_type(hint)
    if table is not None:
        return build_tables(table, raw, key)
    if typing.get_origin(hint) is typing.Literal:
        if raw not in args:
            raise ConfigError(f"setting {key}: {raw!r} is not one of {', '.join(map(str, args))}")
        return raw
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        if raw is None or raw == "":
            return None
        inner = [a for a in args if a is not type(None)]
        return _convert(raw, inner[0], key)
    if hint is Secret:
        return raw if isinstance(raw, Secret) else Secret(str(raw))
    if typing.get_origin(hint) is tuple:
        items = [s.strip() for s in raw.split(",") if s.strip()] if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple):
            raise ConfigError(f"setting {key}: expected a list, got {raw!r}")
        return tuple(str(i) for i in items)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(raw)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in hint)
            raise ConfigError(f"setting {key}: {raw!r} is not one of {allowed}") from None
    if hint is bool:
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() in ("1", "true", "yes", "on"):
            return True
        if str(raw).lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"setting {key}: expected true or false, got {raw!r}")
    if hint in (int, float):
        if isinstance(raw, bool):
            raise ConfigError(f"setting {key}: expected a number, got {raw!r}")
        try:
            return hint(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"setting {key}: expected a number, got {raw!r}") from None
    if hint is str:
        if not isinstance(raw, str | int | float):
            raise ConfigError(f"setting {key}: expected a string, got {raw!r}")
        return str(raw)
    raise ConfigError(f"setting {key}: unsupported type {hint!r}")


def _build(
    cls: type[Any], table: Mapping[str, Any], environ: Mapping[str, str], prefix: str
) -> Any:
    hints = _hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(
            f"unknown setting {prefix}{unknown[0]}; known in [{prefix.rstrip('.') or 'top'}]: "
            + ", ".join(sorted(known))
        )
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        key = f"{prefix}{f.name}"
        if f.metadata.get("section"):
            sub = table.get(f.name, {})
            if not isinstance(sub, Mapping):
                raise ConfigError(f"setting {key}: expected a table")
            values[f.name] = _build(hints[f.name], sub, environ, key + ".")
            continue
        env = f.metadata.get("env")
        if env and environ.get(env) not in (None, ""):
            values[f.name] = _convert(environ[env], hints[f.name], f"{key} (${env})")
        elif f.name in table:
            values[f.name] = _convert(table[f.name], hints[f.name], key)
    return cls(**values)


def load_settings(
    path: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read settings once: environment beats the TOML file beats the defaults."""
    env = os.environ if environ is None else environ
    source = path or env.get(CONFIG_ENV) or None
    table: dict[str, Any] = {}
    if source:
        try:
            with open(source, "rb") as fh:
                table = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(f"config file {source} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {source} is not valid TOML: {exc}") from None
    settings: Settings = _build(Settings, table, env, "")
    settings = _with_registry(settings)
    _check(settings)
    _check_aggregator(settings.aggregator)
    _check_access(settings.access)
    return settings


def _with_registry(settings: Settings) -> Settings:
    """Add the nodes of the registry file named by ``aggregator.registry``."""
    path = settings.aggregator.registry
    if not path:
        return settings
    try:
        with open(path, "rb") as fh:
            table = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"setting aggregator.registry: {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"registry file {path} is not valid TOML: {exc}") from None
    unknown = sorted(set(table) - {"nodes"})
    if unknown:
        raise ConfigError(f"registry file {path}: unknown key {unknown[0]}; expected [[nodes]]")
    nodes = build_tables(NodeEntry, table.get("nodes", []), f"{path}: nodes")
    aggregator = dataclasses.replace(settings.aggregator, nodes=settings.aggregator.nodes + nodes)
    return dataclasses.replace(settings, aggregator=aggregator)


_NODE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _check_aggregator(agg: AggregatorSettings) -> None:
    if agg.environment not in ("prod", "test", "dev", "staging"):
        raise ConfigError(
            f"setting aggregator.environment: {agg.environment!r} is not one of "
            "prod, test, dev, staging"
        )
    if not 0 < agg.port < 65536:
        raise ConfigError(f"setting aggregator.port: {agg.port} is not a valid port")
    if agg.default_limit < 1 or agg.max_limit < agg.default_limit:
        raise ConfigError("settings aggregator.default_limit/max_limit: need 1 <= default <= max")
    for name in ("node_timeout_s", "connect_timeout_s", "deadline_s"):
        if getattr(agg, name) <= 0:
            raise ConfigError(f"setting aggregator.{name}: must be more than 0")
    for name in ("max_connections", "max_connections_per_node", "breaker_failures"):
        if getattr(agg, name) < 1:
            raise ConfigError(f"setting aggregator.{name}: must be at least 1")
    if agg.retries < 0 or agg.cache_ttl_s < 0 or agg.max_response_bytes < 1024:
        raise ConfigError(
            "settings aggregator.retries/cache_ttl_s must be >= 0 and "
            "aggregator.max_response_bytes >= 1024"
        )
    seen: set[str] = set()
    for i, node in enumerate(agg.nodes):
        key = f"aggregator.nodes[{i}]"
        if not _NODE_ID.match(node.id):
            raise ConfigError(
                f"setting {key}.id: {node.id!r} must be 1-64 letters, digits, '.', '_' or '-'"
            )
        if node.id in seen:
            raise ConfigError(f"setting {key}.id: {node.id!r} is declared twice")
        seen.add(node.id)
        if not node.url.startswith(("http://", "https://")):
            raise ConfigError(f"setting {key}.url: {node.url!r} is not an http(s) URL")
        if node.credentials == "service" and not node.token_env:
            raise ConfigError(f"setting {key}.token_env: required when credentials = service")
        if node.timeout_s < 0:
            raise ConfigError(f"setting {key}.timeout_s: must be 0 (default) or more")


def _check_access(access: AccessSettings) -> None:
    for alg in access.algorithms or ("(none)",):
        if alg not in ASYMMETRIC_ALGORITHMS:
            raise ConfigError(
                f"setting access.algorithms: {alg!r} is not accepted; choose among "
                + ", ".join(ASYMMETRIC_ALGORITHMS)
            )
    for name in ("jwks_ttl_s", "jwks_timeout_s", "budget_window_s"):
        if getattr(access, name) <= 0:
            raise ConfigError(f"setting access.{name}: must be more than 0")
    for name in ("leeway_s", "jwks_min_refresh_s", "budget_per_identity", "budget_per_ip"):
        if getattr(access, name) < 0:
            raise ConfigError(f"setting access.{name}: must be 0 or more")
    issuers: set[str] = set()
    for i, issuer in enumerate(access.issuers):
        key = f"access.issuers[{i}]"
        if not issuer.iss or issuer.iss in issuers:
            raise ConfigError(f"setting {key}.iss: {issuer.iss!r} is empty or declared twice")
        issuers.add(issuer.iss)
        url = urllib.parse.urlsplit(issuer.jwks_uri)
        local = url.scheme == "http" and url.hostname in ("localhost", "127.0.0.1", "::1")
        if not (url.scheme == "https" and url.hostname) and not local:
            raise ConfigError(
                f"setting {key}.jwks_uri: {issuer.jwks_uri!r} is not an https URL "
                "(plain http is accepted for localhost only)"
            )
        if not (issuer.access_tokens or issuer.visas):
            raise ConfigError(f"setting {key}: trusted for neither access_tokens nor visas")
    datasets: set[str] = set()
    ranks = ("none", *GRANULARITY_ORDER)
    for i, policy in enumerate(access.datasets):
        key = f"access.datasets[{i}]"
        if not policy.id or policy.id in datasets:
            raise ConfigError(f"setting {key}.id: {policy.id!r} is empty or declared twice")
        datasets.add(policy.id)
        caps = [policy.tier_cap(tier) for tier in LEVELS]
        level = LEVELS.index(policy.security_level)
        described = ", ".join(f"{t.lower()} = {c}" for t, c in zip(LEVELS, caps, strict=True))
        if [ranks.index(c) for c in caps] != sorted(ranks.index(c) for c in caps):
            raise ConfigError(
                f"settings {key} ({policy.id}): a tier sees less than the one below ({described})"
            )
        if caps[level] == "none" or "record" in caps[:level]:
            raise ConfigError(
                f"settings {key} ({policy.id}): a {policy.security_level} dataset must be visible "
                f"to that tier, and below it at most at count ({described})"
            )
        if policy.security_level == "CONTROLLED" and not policy.visa_values:
            raise ConfigError(
                f"setting {key}.visa_values: {policy.id} is CONTROLLED; list the "
                "ControlledAccessGrants visa values that grant it"
            )
        if policy.min_count < 0 or policy.round_to < 0:
            raise ConfigError(f"settings {key}.min_count/round_to: must be 0 or more")


def _check(settings: Settings) -> None:
    node = settings.beacon
    if node.environment not in ("prod", "test", "dev", "staging"):
        raise ConfigError(
            f"setting beacon.environment: {node.environment!r} is not one of "
            "prod, test, dev, staging"
        )
    if not 0 < node.port < 65536:
        raise ConfigError(f"setting beacon.port: {node.port} is not a valid port")
    if node.default_limit < 1 or node.max_limit < node.default_limit:
        raise ConfigError("settings beacon.default_limit/max_limit: need 1 <= default <= max")
    order = GRANULARITY_ORDER
    if order.index(node.default_granularity) > order.index(node.max_granularity):
        raise ConfigError("setting beacon.default_granularity is above beacon.max_granularity")


def redacted(obj: Any) -> Any:
    """A plain, printable view of settings with every secret masked."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        if isinstance(obj, Secret):
            return str(obj)
        return {f.name: redacted(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, tuple):
        return [redacted(v) for v in obj]
    return obj


def public_base_url(node: NodeSettings) -> str:
    """The absolute URL of the API root, as clients must use it (for /map and links)."""
    if node.base_url:
        return node.base_url.rstrip("/")
    return f"http://{node.host}:{node.port}/api"

"""The settings of the three programs, section by section (TOML tables).

``[server]`` is what node and aggregator both are: a Beacon with an identity (/info), an
address, request limits, CORS and a log format; each program reads it from its own file.
``[node]`` and ``[aggregator]`` hold what only one of them has, ``[mongodb]`` and ``[ingest]``
what the node and ``beacon-ingest`` share, ``[access]`` the node's access control.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass

from beacon.config.declare import Secret, section, setting

GranularityName = typing.Literal["boolean", "count", "record"]
LogFormat = typing.Literal["json", "text"]
GRANULARITY_ORDER: tuple[str, ...] = ("boolean", "count", "record")


@dataclass(frozen=True)
class MongoSettings:
    """Where the data is: node and ``beacon-ingest`` read the same section."""

    uri: Secret | None = setting(
        None,
        env="MONGODB_URI",
        help="MongoDB connection string; when unset the embedded engine is started and used",
    )
    db: str = setting("beacon", env="MONGODB_DB", help="database name")
    embedded: bool = setting(
        True,
        env="BEACON_EMBEDDED_ENGINE",
        help="without MONGODB_URI, start the embedded engine; false: refuse to run without "
        "MONGODB_URI (production, and tests that must not touch a database)",
    )
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
    """The organization running a beacon or network, as /info describes it."""

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
class SignInSettings:
    """The query page's sign-in: an OpenID Connect issuer (LS Login in GDI) and the public
    client registered there for the page (authorization code with PKCE, no client secret)."""

    issuer: str = setting(
        "",
        env="BEACON_SIGN_IN_ISSUER",
        help="OIDC issuer URL, exactly as its discovery document names it ('' = no sign-in "
        "button); its endpoints must be on its origin, the only one the page may call",
    )
    client_id: str = setting(
        "",
        env="BEACON_SIGN_IN_CLIENT_ID",
        help="the page's client id at the issuer; register the page's URL as its redirect URI",
    )
    scopes: tuple[str, ...] = setting(
        ("openid", "profile", "email"),
        env="BEACON_SIGN_IN_SCOPES",
        help="scopes asked for (LS Login: add ga4gh_passport_v1 for visas)",
    )


@dataclass(frozen=True)
class ServerSettings:
    """A Beacon served over HTTP (node or network): who it is, where it listens, its limits.

    Defaults are the node's; the aggregator's differ where :data:`PROGRAM_DEFAULTS` says.
    """

    id: str = setting(
        "org.example.beacon",
        env="BEACON_ID",
        help="beaconId: unique in a network, reverse-DNS recommended",
    )
    name: str = setting("Example Beacon", env="BEACON_NAME", help="human-readable name")
    description: str = setting(
        "A GA4GH Beacon v2 node.", env="BEACON_DESCRIPTION", help="what this beacon holds"
    )
    version: str = setting("", env="BEACON_VERSION", help="deployment version (default: package)")
    environment: typing.Literal["prod", "test", "dev", "staging"] = setting(
        "dev", env="BEACON_ENVIRONMENT", help="one of prod, test, dev, staging"
    )
    welcome_url: str = setting(
        "", env="BEACON_WELCOME_URL", help="landing page for humans (default: the query page)"
    )
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
        "",
        env="BEACON_UPDATED",
        help="when this beacon was last updated (default: its data's version, else start time)",
    )
    host: str = setting("127.0.0.1", env="BEACON_HOST", help="address to listen on")
    port: int = setting(5050, env="BEACON_PORT", help="port to listen on")
    workers: int = setting(
        1,
        env="BEACON_WORKERS",
        help="processes serving the port (SO_REUSEPORT), each with its own event loop; one "
        "that dies stops the server with an error",
    )
    base_url: str = setting(
        "",
        env="BEACON_BASE_URL",
        help="public URL of the API root used in /map (default: http://HOST:PORT/api, PORT "
        "being the one the request arrived on)",
    )
    default_granularity: GranularityName = setting(
        "record",
        env="BEACON_DEFAULT_GRANULARITY",
        help="granularity answered (a network: asked of its nodes) when the request names none",
    )
    default_limit: int = setting(10, env="BEACON_DEFAULT_LIMIT", help="page size when none given")
    max_limit: int = setting(
        1000, env="BEACON_MAX_LIMIT", help="largest page served; limit=0 means this many"
    )
    cors_origins: tuple[str, ...] = setting(
        ("*",), env="BEACON_CORS_ORIGINS", help="origins allowed to call the API from a browser"
    )
    max_offset: int = setting(
        1_000_000,
        env="BEACON_MAX_OFFSET",
        help="deepest record a page may start at (skip x limit); deeper is a 400",
    )
    max_filters: int = setting(50, env="BEACON_MAX_FILTERS", help="filters one request may carry")
    max_filter_chars: int = setting(
        512, env="BEACON_MAX_FILTER_CHARS", help="characters of a filter's id, scope or value"
    )
    max_wildcards: int = setting(
        4,
        env="BEACON_MAX_WILDCARDS",
        help="% wildcards in one filter value (runs of % count as one)",
    )
    max_bases: int = setting(
        10_000, env="BEACON_MAX_BASES", help="bases of referenceBases or alternateBases"
    )
    max_body_bytes: int = setting(
        1_048_576, env="BEACON_MAX_BODY_BYTES", help="largest accepted POST body"
    )
    max_header_bytes: int = setting(
        65_536,
        env="BEACON_MAX_HEADER_BYTES",
        help="largest accepted request header: a GA4GH Passport with many visas is tens of KB",
    )
    max_line_bytes: int = setting(
        8190, env="BEACON_MAX_LINE_BYTES", help="largest accepted request line (method, URL)"
    )
    log_format: LogFormat = setting(
        "json", env="BEACON_LOG_FORMAT", help="json (one object per line) or text"
    )
    organization: OrganizationSettings = section(
        OrganizationSettings, help="the organization running this beacon"
    )
    sign_in: SignInSettings = section(
        SignInSettings, help="the query page's sign-in (OIDC authorization code with PKCE)"
    )


@dataclass(frozen=True)
class NodeSettings:
    """What only a node has."""

    max_granularity: GranularityName = setting(
        "record",
        env="BEACON_MAX_GRANULARITY",
        help="the most detail this node returns to anyone",
    )
    catalog_ttl_s: float = setting(
        1.0,
        env="BEACON_CATALOG_TTL",
        help="seconds the node caches the list of loaded datasets",
    )
    reference_grch37: str = setting(
        "",
        env="BEACON_REFERENCE_GRCH37",
        help="indexed FASTA of GRCh37 (.fa/.fa.gz with .fai): sequence queries are left-aligned "
        "against it, as beacon-ingest vcf --reference aligns the alleles it stores ('' = trimmed "
        "only)",
    )
    reference_grch38: str = setting(
        "",
        env="BEACON_REFERENCE_GRCH38",
        help="indexed FASTA of GRCh38, as reference_grch37",
    )


@dataclass(frozen=True)
class IngestSettings:
    """How ``beacon-ingest`` writes."""

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
        "",
        help="node id (letters, digits, '.', '_', '-'); <id>:<datasetId> addresses the node's "
        "datasets and records through the network",
    )
    url: str = setting("", help="the node's API root, e.g. https://beacon.example.org/api")
    country: str = setting("", help="ISO 3166-1 alpha-2 code of the node's country")
    credentials: CredentialsPolicy = setting(
        "none",
        help="the caller's bearer token goes to the node (forward) or not (none); service is "
        "refused: it sent the network's token as every caller's, raising anonymous callers to "
        "the network's tier (identify the network with token_env instead)",
    )
    token_env: str = setting(
        "",
        help="environment variable holding the token this network identifies itself with to "
        "the node (sent as X-Beacon-Network: for the node's budget and audit, never a tier)",
    )
    method: typing.Literal["auto", "POST", "GET"] = setting(
        "auto",
        help="how queries reach the node: POST bodies, or GET with comma lists; auto = learnt "
        "from the node (its /info and a probe), POST when it cannot be told",
    )
    parameters: typing.Literal["auto", "nested", "flat"] = setting(
        "auto",
        help="POST requestParameters nested under g_variant (the schema) or flat (older nodes); "
        "auto = learnt from a probe, nested when it cannot be told",
    )
    skip: typing.Literal["auto", "pages", "records"] = setting(
        "auto",
        help="what the node's skip counts: pages (the spec) or records; auto = learnt from "
        "its /filtering_terms, pages when it cannot be told",
    )
    timeout_s: float = setting(0.0, help="this node's timeout; 0 = aggregator.node_timeout_s")


@dataclass(frozen=True)
class AggregatorSettings:
    """What only a network has: its members and how they are asked."""

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
        help="consecutive connection failures (refused, reset, unreachable) after which a node "
        "is down and skipped until its /health answers",
    )
    health_probe_s: float = setting(
        1.0,
        env="AGGREGATOR_HEALTH_PROBE",
        help="seconds between /health probes of a node that is suspect or down",
    )
    max_in_flight: int = setting(
        256,
        env="AGGREGATOR_MAX_IN_FLIGHT",
        help="network queries answered at once; more wait for a slot (queue_wait_s)",
    )
    queue_wait_s: float = setting(
        2.0,
        env="AGGREGATOR_QUEUE_WAIT",
        help="seconds a query waits for a slot before it is a 503 with Retry-After",
    )
    max_node_count: int = setting(
        1_000_000_000_000,
        env="AGGREGATOR_MAX_NODE_COUNT",
        help="largest count a node's answer may give; larger is reported invalid, not summed",
    )
    cache_ttl_s: float = setting(
        30.0, env="AGGREGATOR_CACHE_TTL", help="seconds a merged answer is reused; 0 = no cache"
    )
    cache_entries: int = setting(
        1000, env="AGGREGATOR_CACHE_ENTRIES", help="merged answers kept in the cache"
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
        "CONTROLLED (holders of a ControlledAccessGrants visa in visa_values from visa_issuers)",
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
    visa_issuers: tuple[str, ...] = setting(
        (),
        help="the visa issuers (iss, each an [[access.issuers]] entry trusted for visas) whose "
        "ControlledAccessGrants count for this dataset: its DAC; required with visa_values",
    )
    visa_sources: tuple[str, ...] = setting(
        (),
        help="if set, only grants whose source (the DAC within the issuer) is listed count",
    )
    entry_types: EntryTypeCaps = section(
        EntryTypeCaps, help="per entry type caps, e.g. entry_types = { individuals = 'count' }"
    )
    min_count: int = setting(
        0,
        help="smallest non-zero count of people (individuals, biosamples, runs, analyses) ever "
        "reported; smaller ones are handled as small_counts says, their records never shown, "
        "and for callers who may not see records counts are multiples of it (0 = off)",
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


OpaqueTokens = typing.Literal["refuse", "userinfo", "introspect"]


@dataclass(frozen=True)
class IssuerSettings:
    """One ``[[access.issuers]]`` table: an issuer this node trusts, and where its keys are."""

    iss: str = setting("", help="the issuer exactly as in the tokens' iss claim")
    discover: bool = setting(
        False,
        help="read jwks_uri, userinfo_endpoint and introspection_endpoint (those not set "
        "here) from the issuer's {iss}/.well-known/openid-configuration",
    )
    jwks_uri: str = setting(
        "",
        help="where its signing keys are published (https; the only key source used; "
        "required unless discover = true)",
    )
    userinfo_endpoint: str = setting(
        "",
        help="where the GA4GH passport of an access token that carries none is fetched "
        "(https; '' = found by discover, else passports come only as the bearer token)",
    )
    introspection_endpoint: str = setting(
        "", help="RFC 7662 token introspection (https; '' = found by discover)"
    )
    opaque_tokens: OpaqueTokens = setting(
        "refuse",
        help="bearer tokens that are not JWTs: refuse; userinfo (the userinfo endpoint "
        "vouches for them: their aud and exp cannot be checked); introspect (introspection "
        "checks active, exp and aud, then userinfo gives the passport). One issuer at most",
    )
    client_id: str = setting("", help="this node's client id at the issuer (introspection)")
    client_secret_env: str = setting(
        "", help="environment variable holding the client secret for introspection"
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
class NetworkSettings:
    """One ``[[access.networks]]`` table: a network (aggregator) that identifies itself."""

    id: str = setting("", help="the network's name in the audit log")
    token_sha256: str = setting(
        "",
        help="hex SHA-256 of the token the network sends as X-Beacon-Network (the token "
        "itself stays with the network)",
    )
    budget_exempt: bool = setting(
        True,
        help="anonymous callers reaching the node through this network share its address: "
        "do not budget them by address (each authenticated caller keeps their own budget)",
    )


@dataclass(frozen=True)
class AccessSettings:
    """The node's access control: dataset policies, trusted issuers, budgets."""

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
    jwks_timeout_s: float = setting(
        5.0,
        env="BEACON_JWKS_TIMEOUT",
        help="timeout of every request to an issuer: key sets, OpenID configuration, userinfo, "
        "introspection",
    )
    userinfo_cache_s: float = setting(
        300.0,
        env="BEACON_USERINFO_CACHE",
        help="longest a passport fetched from userinfo is reused for its token (never past the "
        "token's exp or the exp of a visa that counts)",
    )
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
    rare_allele_count: int = setting(
        20,
        env="BEACON_RARE_ALLELE_COUNT",
        help="public and registered callers who may not see a dataset's records find its "
        "alleles carried fewer than this many times (allele count) as absent (0 = off)",
    )
    risk_budget_bits: float = setting(
        16.0,
        env="BEACON_RISK_BUDGET",
        help="evidence of membership (bits) the 'yes' answers to single-allele queries may give "
        "one public or registered caller per risk window, then 429 (0 = off)",
    )
    risk_window_s: float = setting(
        86400.0, env="BEACON_RISK_WINDOW", help="the window of the risk budget, in seconds"
    )
    budget_exempt: tuple[str, ...] = setting(
        (),
        env="BEACON_BUDGET_EXEMPT",
        help="client addresses without a query budget (prefer [[access.networks]] for a "
        "network's aggregator)",
    )
    client_ip_header: str = setting(
        "",
        env="BEACON_CLIENT_IP_HEADER",
        help="header naming the client address behind a reverse proxy, e.g. X-Forwarded-For "
        "(its last entry is used); empty = the connection's peer",
    )
    trusted_proxies: tuple[str, ...] = setting(
        (),
        env="BEACON_TRUSTED_PROXIES",
        help="addresses or networks (CIDR) of the reverse proxies whose client_ip_header is "
        "believed; empty = any peer's (safe only when nothing else can reach the node)",
    )
    networks: tuple[NetworkSettings, ...] = setting(
        (), help="networks that identify themselves, as [[access.networks]] tables (fields below)"
    )

    def declared(self, dataset_id: str) -> DatasetPolicy | None:
        """The ``[[access.datasets]]`` table of a dataset, if it has one."""
        return next((p for p in self.datasets if p.id == dataset_id), None)

    def hides(self, dataset_id: str, test: bool = False) -> bool:
        """Whether the node hides the dataset: undeclared, not test data, and undeclared
        datasets hidden (the default)."""
        if test or self.undeclared_datasets == "public":
            return False
        return self.declared(dataset_id) is None


@dataclass(frozen=True)
class Settings:
    """Everything one program reads from its file and environment."""

    mongodb: MongoSettings = section(MongoSettings, help="the database")
    server: ServerSettings = section(
        ServerSettings, help="the Beacon served (node or network): identity, address, limits"
    )
    node: NodeSettings = section(NodeSettings, help="what only a node has")
    ingest: IngestSettings = section(IngestSettings, help="the ingest CLI")
    aggregator: AggregatorSettings = section(AggregatorSettings, help="the network aggregator")
    access: AccessSettings = section(
        AccessSettings, help="access control: datasets, tiers, token issuers, privacy"
    )

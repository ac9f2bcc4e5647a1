"""Beacon requests: GET query strings and POST bodies parsed into one ``BeaconRequest``.

Every parameter is declared once, in :data:`PARAMETERS`. GET parsing, POST parsing, the
``receivedRequestSummary`` echo and every 400 message read that table, so the two methods
cannot drift apart. POST bodies arrive in the shapes seen in the wild (docs/design.md §2): request
parameters flat or nested under ``g_variant``; granularity and pagination inside ``query`` or at
the body root. All of them normalise to the same value. Anything unknown is an error naming it,
never silently ignored.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from beacon.protocol.entry_types import SPEC_VERSION, EntryType
from beacon.protocol.errors import BadRequest
from beacon.protocol.filters import AlphanumericFilter, Filter, parse_get_filter, parse_post_filter
from beacon.protocol.granularity import Granularity
from beacon.protocol.variants import VariantParams


class Kind(enum.Enum):
    STRING = "string"
    BASES = "bases"
    INTEGER = "integer"
    INTEGERS = "integers"
    STRINGS = "strings"
    CHOICE = "choice"
    BOOLEAN = "boolean"
    FILTERS = "filters"


class Group(enum.Enum):
    CONTROL = "control"  # how to answer: granularity, pagination, schemas, test mode, filters
    VARIANT = "variant"  # g_variant request parameters
    SCOPE = "scope"  # which datasets


class IncludeResultsets(enum.Enum):
    HIT = "HIT"
    MISS = "MISS"
    ALL = "ALL"
    NONE = "NONE"


@dataclass(frozen=True)
class Param:
    """One request parameter: its wire name, type, bounds, aliases and documentation."""

    name: str
    kind: Kind
    group: Group
    help: str
    field: str = ""  # attribute of VariantParams / BeaconRequest it fills
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    max_items: int | None = None


_BASES = re.compile(r"^[ACGTUNRYSWKMBDHV.\-]*$")
_INT = re.compile(r"^[0-9]{1,19}$")
#: Whole numbers are 64-bit (MongoDB's long): positions, lengths, pages.
INT64_MAX = 2**63 - 1
#: Characters of any other string parameter (a chromosome, a gene, an HGVS expression ...).
MAX_TEXT = 1000
#: Values of a list parameter (``datasetIds``).
MAX_ITEMS = 1000

PARAMETERS: tuple[Param, ...] = (
    Param(
        "requestedSchema",
        Kind.STRING,
        Group.CONTROL,
        "schema id or URL of the records to return (GET; POST uses meta.requestedSchemas)",
    ),
    Param(
        "requestedGranularity",
        Kind.CHOICE,
        Group.CONTROL,
        "boolean, count or record; the beacon may return less and says so",
        choices=tuple(g.value for g in Granularity),
    ),
    Param(
        "includeResultsetResponses",
        Kind.CHOICE,
        Group.CONTROL,
        "which per-dataset result sets to list: HIT (default), MISS, ALL or NONE",
        choices=tuple(i.value for i in IncludeResultsets),
    ),
    Param("skip", Kind.INTEGER, Group.CONTROL, "pages to skip (not records)", minimum=0),
    Param("limit", Kind.INTEGER, Group.CONTROL, "page size; 0 = the beacon's maximum", minimum=0),
    Param("testMode", Kind.BOOLEAN, Group.CONTROL, "answer from test data only, without login"),
    Param("filters", Kind.FILTERS, Group.CONTROL, "filter ids, comma-separated (GET)"),
    Param(
        "datasetIds",
        Kind.STRINGS,
        Group.SCOPE,
        "restrict the query to these datasets",
        field="dataset_ids",
    ),
    Param(
        "referenceName",
        Kind.STRING,
        Group.VARIANT,
        "chromosome: 1-22, X, Y, MT, chrN, NC_... or refseq:NC_...",
        field="reference_name",
    ),
    Param(
        "start",
        Kind.INTEGERS,
        Group.VARIANT,
        "0-based start (one value) or bracket (two values)",
        field="start",
        minimum=0,
        max_items=2,
    ),
    Param(
        "end",
        Kind.INTEGERS,
        Group.VARIANT,
        "0-based exclusive end (one value) or bracket (two values)",
        field="end",
        minimum=1,
        max_items=2,
    ),
    Param(
        "referenceBases",
        Kind.BASES,
        Group.VARIANT,
        "reference allele (IUPAC; N = any one base)",
        field="reference_bases",
    ),
    Param(
        "alternateBases",
        Kind.BASES,
        Group.VARIANT,
        "alternate allele (IUPAC; N = any one base; empty for a trimmed deletion)",
        field="alternate_bases",
    ),
    Param(
        "variantType",
        Kind.STRING,
        Group.VARIANT,
        "SNP, MNP, INS, DEL, DUP, CNV, INV, BND ... or an SO/EFO term",
        field="variant_type",
    ),
    Param(
        "variantMinLength",
        Kind.INTEGER,
        Group.VARIANT,
        "smallest variant length",
        field="variant_min_length",
        minimum=0,
    ),
    Param(
        "variantMaxLength",
        Kind.INTEGER,
        Group.VARIANT,
        "largest variant length",
        field="variant_max_length",
        minimum=1,
    ),
    Param(
        "geneId",
        Kind.STRING,
        Group.VARIANT,
        "HGNC gene symbol",
        field="gene_id",
        aliases=("geneid",),
    ),
    Param(
        "aminoacidChange",
        Kind.STRING,
        Group.VARIANT,
        "protein change, e.g. V600E",
        field="aminoacid_change",
    ),
    Param(
        "genomicAlleleShortForm",
        Kind.STRING,
        Group.VARIANT,
        "HGVS genomic allele, e.g. NC_000017.11:g.7577121G>A",
        field="genomic_allele_short_form",
        aliases=("allele",),
    ),
    Param(
        "assemblyId",
        Kind.STRING,
        Group.VARIANT,
        "GRCh37 or GRCh38 (hg19, hg38, patches and GCF accessions accepted)",
        field="assembly_id",
    ),
    Param(
        "mateName",
        Kind.STRING,
        Group.VARIANT,
        "partner chromosome of a breakend or fusion",
        field="mate_name",
    ),
)

BY_NAME: dict[str, Param] = {p.name: p for p in PARAMETERS}
_LOOKUP: dict[str, Param] = {
    **{a: p for p in PARAMETERS for a in p.aliases},
    **BY_NAME,
}
#: Keys under which POST bodies nest the variant parameters.
VARIANT_NESTING = (
    "g_variant",
    "g_variants",
    "genomicVariant",
    "genomicVariation",
    "genomicVariations",
)


@dataclass(frozen=True)
class SchemaRef:
    entity_type: str
    schema: str


@dataclass(frozen=True)
class Route:
    """What the URL asks for: entries of ``entry``, one of them, or those related to another."""

    entry: EntryType
    record_id: str | None = None
    source: EntryType | None = None
    source_id: str | None = None


@dataclass(frozen=True)
class RequestLimits:
    """How much one request may ask for (the ``[server]`` settings of the same names)."""

    default: int = 10  # default_limit
    maximum: int = 1000  # max_limit
    max_offset: int = 1_000_000
    max_filters: int = 50
    max_filter_chars: int = 512
    max_wildcards: int = 4
    max_bases: int = 10_000


@dataclass(frozen=True)
class BeaconRequest:
    """A request as understood: every value typed, defaults applied, nothing left raw."""

    route: Route
    api_version: str = SPEC_VERSION
    requested_schemas: tuple[SchemaRef, ...] = ()
    requested_granularity: Granularity | None = None
    include: IncludeResultsets = IncludeResultsets.HIT
    skip: int = 0
    limit: int = 10
    limit_requested: int | None = None
    test_mode: bool = False
    filters: tuple[Filter, ...] = ()
    variant: VariantParams = field(default_factory=VariantParams)
    dataset_ids: tuple[str, ...] | None = None

    @property
    def offset(self) -> int:
        """Records to skip: ``skip`` counts pages (docs/design.md §2)."""
        return self.skip * self.limit


def _bad(param: str, message: str) -> BadRequest:
    return BadRequest(f"parameter '{param}': {message}", parameter=param)


def _one_int(param: Param, text: str) -> int:
    value = text.strip()
    if not _INT.match(value):
        if value.isdigit():
            raise _bad(param.name, f"must be at most {INT64_MAX}")
        raise _bad(param.name, f"expected a whole number, got {_show(text)}")
    number = int(value)
    if param.minimum is not None and number < param.minimum:
        raise _bad(param.name, f"must be at least {param.minimum}, got {number}")
    if number > INT64_MAX:
        raise _bad(param.name, f"must be at most {INT64_MAX}")
    return number


def _show(value: object) -> str:
    """A value as an error message may quote it: short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _coerce(param: Param, value: Any) -> Any:
    """Check and convert one parameter value (a string from GET or a JSON value from POST)."""
    kind = param.kind
    if kind in (Kind.INTEGER, Kind.INTEGERS):
        items = value if isinstance(value, list) else [value]
        if kind is Kind.INTEGER and len(items) != 1:
            raise _bad(param.name, "expected one whole number")
        numbers = []
        for item in items:
            if isinstance(item, bool):
                raise _bad(param.name, f"expected a whole number, got {_show(item)}")
            if isinstance(item, int):
                numbers.append(_one_int(param, str(item)) if item >= 0 else _neg(param, item))
            elif isinstance(item, str):
                numbers.extend(_one_int(param, part) for part in item.split(","))
            else:
                raise _bad(param.name, f"expected a whole number, got {_show(item)}")
        if kind is Kind.INTEGER:
            if len(numbers) != 1:
                raise _bad(param.name, "expected one whole number")
            return numbers[0]
        if not numbers or (param.max_items and len(numbers) > param.max_items):
            raise _bad(param.name, f"expected 1 to {param.max_items} whole numbers")
        return tuple(numbers)
    if kind is Kind.BOOLEAN:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _bad(param.name, f"expected true or false, got {_show(value)}")
    if kind is Kind.STRINGS:
        items = value if isinstance(value, list) else [value]
        out: list[str] = []
        for item in items:
            if not isinstance(item, str):
                raise _bad(param.name, f"expected strings, got {_show(item)}")
            out.extend(_text(param, part) for part in item.split(",") if part.strip())
        if not out:
            raise _bad(param.name, "expected at least one value")
        if len(out) > MAX_ITEMS:
            raise _bad(param.name, f"at most {MAX_ITEMS} values")
        return tuple(dict.fromkeys(out))
    if isinstance(value, list):
        if len(value) != 1:
            raise _bad(param.name, "expected a single value, got a list")
        value = value[0]
    if not isinstance(value, str):
        raise _bad(param.name, f"expected a string, got {_show(value)}")
    if kind is Kind.CHOICE:
        if value not in param.choices:
            raise _bad(param.name, f"{_show(value)} is not one of " + ", ".join(param.choices))
        return value
    if kind is Kind.BASES:
        bases = value.strip().upper()
        if not _BASES.match(bases):
            raise _bad(param.name, f"{_show(value)} is not a sequence of IUPAC bases (ACGTN...)")
        return bases
    if not value.strip():
        raise _bad(param.name, "empty value")
    return _text(param, value)


def _text(param: Param, value: str) -> str:
    text = value.strip()
    if len(text) > MAX_TEXT:
        raise _bad(param.name, f"at most {MAX_TEXT} characters")
    return text


def _neg(param: Param, number: int) -> int:
    raise _bad(param.name, f"must be at least {param.minimum or 0}, got {number}")


def _resolve_name(name: str, where: str) -> Param:
    param = _LOOKUP.get(name)
    if param is None:
        raise BadRequest(
            f"unknown parameter '{name}'{where}; accepted: " + ", ".join(BY_NAME),
            parameter=name,
        )
    return param


def _build(
    route: Route,
    values: Mapping[str, Any],
    filters: tuple[Filter, ...],
    api_version: str,
    schemas: tuple[SchemaRef, ...],
    limits: RequestLimits,
) -> BeaconRequest:
    variant_values = {
        BY_NAME[name].field: value
        for name, value in values.items()
        if BY_NAME[name].group is Group.VARIANT
    }
    limit_requested = values.get("limit")
    limit = limits.default if limit_requested is None else limit_requested
    if limit == 0 or limit > limits.maximum:
        limit = limits.maximum
    skip = values.get("skip", 0)
    if skip * limit > limits.max_offset:
        raise _bad(
            "skip",
            f"{skip} pages of {limit} start past record {limits.max_offset:,}, the deepest this "
            "beacon pages (setting server.max_offset): narrow the query instead",
        )
    for name in ("referenceBases", "alternateBases"):
        if len(values.get(name) or "") > limits.max_bases:
            raise _bad(name, f"at most {limits.max_bases} bases (setting server.max_bases)")
    filters = check_filters(filters, limits)
    granularity = values.get("requestedGranularity")
    request = BeaconRequest(
        route=route,
        api_version=api_version,
        requested_schemas=schemas,
        requested_granularity=Granularity(granularity) if granularity else None,
        include=IncludeResultsets(values.get("includeResultsetResponses", "HIT")),
        skip=skip,
        limit=limit,
        limit_requested=limit_requested,
        test_mode=values.get("testMode", False),
        filters=filters,
        variant=VariantParams(**variant_values),
        dataset_ids=values.get("datasetIds"),
    )
    _check_schemas(request)
    return request


_WILDCARDS = re.compile(r"%{2,}")


def check_filters(filters: tuple[Filter, ...], limits: RequestLimits) -> tuple[Filter, ...]:
    """Filters within the limits, runs of ``%`` collapsed (``a%%%b`` is ``a%b``)."""
    if len(filters) > limits.max_filters:
        raise BadRequest(
            f"parameter 'filters': at most {limits.max_filters} filters (setting "
            "server.max_filters)",
            parameter="filters",
        )
    out: list[Filter] = []
    for i, flt in enumerate(filters):
        texts = [flt.id, flt.scope or ""]
        if isinstance(flt, AlphanumericFilter):
            flt = replace(flt, value=_WILDCARDS.sub("%", flt.value))
            texts.append(flt.value)
            if flt.value.count("%") > limits.max_wildcards:
                raise BadRequest(
                    f"parameter 'filters[{i}]': at most {limits.max_wildcards} % wildcards in a "
                    "value (setting server.max_wildcards)",
                    parameter="filters",
                )
        if any(len(t) > limits.max_filter_chars for t in texts):
            raise BadRequest(
                f"parameter 'filters[{i}]': ids and values are at most {limits.max_filter_chars} "
                "characters (setting server.max_filter_chars)",
                parameter="filters",
            )
        out.append(flt)
    return tuple(out)


def _check_schemas(request: BeaconRequest) -> None:
    entry = request.route.entry
    for ref in request.requested_schemas:
        if ref.entity_type and ref.entity_type not in (entry.id, entry.path, entry.name):
            continue  # a schema for another entity type: not what this endpoint returns
        if ref.schema not in (entry.schema_id, entry.schema_url) and not ref.schema.endswith(
            f"/{entry.schema_id}"
        ):
            raise BadRequest(
                f"parameter 'requestedSchemas': {ref.schema!r} is not served for {entry.path}; "
                f"this beacon returns {entry.schema_id} ({entry.schema_url})",
                parameter="requestedSchemas",
            )


def parse_get(
    route: Route, query: Iterable[tuple[str, str]], limits: RequestLimits = RequestLimits()
) -> BeaconRequest:
    """Parse a GET query string. Lists may be comma-separated or repeated keys."""
    grouped: dict[str, list[str]] = {}
    for name, value in query:
        param = _resolve_name(name, "")
        grouped.setdefault(param.name, []).append(value)
    values: dict[str, Any] = {}
    filters: tuple[Filter, ...] = ()
    schemas: tuple[SchemaRef, ...] = ()
    for name, raw in grouped.items():
        param = BY_NAME[name]
        if len(raw) > 1 and param.kind not in (Kind.INTEGERS, Kind.STRINGS, Kind.FILTERS):
            raise _bad(name, "given more than once")
        if param.kind is Kind.FILTERS:
            filters = tuple(
                parse_get_filter(part) for item in raw for part in item.split(",") if part.strip()
            )
            if not filters:
                raise _bad(name, "expected at least one filter id")
        elif name == "requestedSchema":
            schemas = (SchemaRef(route.entry.id, _coerce(param, raw[0])),)
        elif param.kind is Kind.BASES:
            values[name] = _coerce(param, raw[0])
        else:
            values[name] = _coerce(param, raw if len(raw) > 1 else raw[0])
    return _build(route, values, filters, SPEC_VERSION, schemas, limits)


_ROOT_KEYS = ("$schema", "meta", "query")
# Keys the docs' own examples put at the body root or in meta instead of inside ``query``.
_MISPLACED = (
    "requestedGranularity",
    "pagination",
    "includeResultsetResponses",
    "testMode",
    "filters",
)
_QUERY_KEYS = ("requestParameters", *_MISPLACED)
_META_KEYS = (
    "$schema",
    "apiVersion",
    "requestedSchemas",
    "beaconId",
    "returnedSchemas",
    "requestedGranularity",
)


def _given(holder: dict[str, Any]) -> dict[str, Any]:
    """The keys of a body object that carry a value: clients generated from the OpenAPI send
    optional members as ``null`` when they have none."""
    return {k: v for k, v in holder.items() if v is not None}


def _flatten_parameters(raw: Any) -> dict[str, Any]:
    """``requestParameters``: flat, nested per entity, or a one-element list of either (an
    empty list, as generated clients send, is none)."""
    if raw == []:
        return {}
    if isinstance(raw, list):
        if len(raw) != 1:
            raise BadRequest(
                "parameter 'requestParameters': a list of several variant queries (OR) is not "
                "supported; send one query per request",
                parameter="requestParameters",
            )
        raw = raw[0]
    if not isinstance(raw, dict):
        raise BadRequest(
            "parameter 'requestParameters': expected an object", parameter="requestParameters"
        )
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        if key in VARIANT_NESTING or key in ("datasets", "dataset"):
            if not isinstance(value, dict):
                raise BadRequest(
                    f"parameter 'requestParameters.{key}': expected an object",
                    parameter="requestParameters",
                )
            for inner, inner_value in value.items():
                _add_parameter(flat, inner, inner_value, f" in requestParameters.{key}")
        else:
            _add_parameter(flat, key, value, " in requestParameters")
    return flat


def _add_parameter(flat: dict[str, Any], name: str, value: Any, where: str) -> None:
    param = _resolve_name(name, where)
    if param.group is Group.CONTROL:
        raise BadRequest(
            f"parameter '{name}' belongs in 'query', not in requestParameters", parameter=name
        )
    if param.name in flat and flat[param.name] != value:
        raise _bad(param.name, "given twice with different values")
    flat[param.name] = value


def parse_post(route: Route, body: Any, limits: RequestLimits = RequestLimits()) -> BeaconRequest:
    """Parse a POST body (``beaconRequestBody``) in any of the shapes clients send.

    ``meta`` may be left out (ai4gh sends none), and so may its ``apiVersion``: the request is
    then read as this beacon's own version. Optional members given as ``null`` count as absent.
    """
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object", parameter="body")
    body = _given(body)
    unknown = sorted(set(body) - set(_ROOT_KEYS) - set(_MISPLACED))
    if unknown:
        raise BadRequest(
            f"unknown key '{unknown[0]}' at the body root; expected meta and query",
            parameter=unknown[0],
        )
    meta = body.get("meta", {})
    if not isinstance(meta, dict):
        raise BadRequest(
            'parameter \'meta\': expected an object, e.g. {"apiVersion": "v2.0.0"}',
            parameter="meta",
        )
    meta = _given(meta)
    unknown = sorted(set(meta) - set(_META_KEYS))
    if unknown:
        raise BadRequest(
            f"unknown key 'meta.{unknown[0]}'; meta accepts " + ", ".join(_META_KEYS),
            parameter=f"meta.{unknown[0]}",
        )
    api_version = meta.get("apiVersion", SPEC_VERSION)
    if not isinstance(api_version, str) or not api_version.strip():
        raise BadRequest(
            "parameter 'meta.apiVersion': a version string, e.g. \"v2.0.0\"",
            parameter="meta.apiVersion",
        )
    schemas = _parse_schemas(meta.get("requestedSchemas", []))
    query = body.get("query", {})
    if not isinstance(query, dict):
        raise BadRequest("parameter 'query': expected an object", parameter="query")
    query = _given(query)
    unknown = sorted(set(query) - set(_QUERY_KEYS))
    if unknown:
        raise BadRequest(
            f"unknown key 'query.{unknown[0]}'; query accepts " + ", ".join(_QUERY_KEYS),
            parameter=f"query.{unknown[0]}",
        )
    # Prefer query.*, fall back to the body root and meta, where the docs' examples put them.
    merged: dict[str, Any] = {}
    for key in _MISPLACED:
        for holder in (query, body, meta):
            if key in holder:
                merged[key] = holder[key]
                break
    values: dict[str, Any] = {}
    for name, value in _flatten_parameters(query.get("requestParameters", {})).items():
        param = BY_NAME[name]
        if param.kind is Kind.BASES and value == "":
            values[name] = ""
        else:
            values[name] = _coerce(param, value)
    for name in ("requestedGranularity", "includeResultsetResponses", "testMode"):
        if name in merged:
            values[name] = _coerce(BY_NAME[name], merged[name])
    pagination = merged.get("pagination", {})
    if not isinstance(pagination, dict):
        raise BadRequest("parameter 'pagination': expected an object", parameter="pagination")
    pagination = _given(pagination)
    for name in ("skip", "limit"):
        if name in pagination:
            values[name] = _coerce(BY_NAME[name], pagination[name])
    raw_filters = merged.get("filters", [])
    if not isinstance(raw_filters, list):
        raise BadRequest("parameter 'filters': expected a list of filters", parameter="filters")
    filters = tuple(parse_post_filter(item, i) for i, item in enumerate(raw_filters))
    return _build(route, values, filters, api_version.strip(), schemas, limits)


def _parse_schemas(raw: Any) -> tuple[SchemaRef, ...]:
    if not isinstance(raw, list):
        raise BadRequest(
            "parameter 'meta.requestedSchemas': expected a list of {entityType, schema}",
            parameter="meta.requestedSchemas",
        )
    refs = []
    for i, item in enumerate(raw):
        if isinstance(item, str):  # some clients send bare schema ids
            refs.append(SchemaRef("", item))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("schema"), str):
            raise BadRequest(
                f"parameter 'meta.requestedSchemas[{i}]': expected {{entityType, schema}}",
                parameter="meta.requestedSchemas",
            )
        entity = item.get("entityType", "")
        refs.append(SchemaRef(entity if isinstance(entity, str) else "", item["schema"]))
    return tuple(refs)

"""The pure core of access control, table by table: tiers, granularity, counts, budgets, bodies.

No database, no HTTP: these are the rules the HTTP tests then see applied.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from beacon.config import ConfigError, DatasetPolicy, EntryTypeCaps, Settings, load_settings
from beacon.node import respond
from beacon.node import tiers as access
from beacon.node.privacy import report
from beacon.node.tiers import Identity, Tier
from beacon.node.visas import Grant
from beacon.protocol import entry_types as et
from beacon.protocol.granularity import Granularity
from beacon.protocol.request import RequestLimits, Route, parse_get
from beacon.store.catalog import DatasetEntry

B, C, R = Granularity.BOOLEAN, Granularity.COUNT, Granularity.RECORD
DAC = "https://dac.test"
GRANT = "https://dac.test/datasets/ctrl"
#: the grant for ctrl, given by its own DAC
BY_DAC = Grant(GRANT, DAC, DAC)


def settings(toml: str = "", tmp_path: Path | None = None, **env: str) -> Settings:
    if not toml:
        return load_settings(None, env)
    assert tmp_path is not None
    path = tmp_path / "access.toml"
    path.write_text(toml)
    return load_settings(path, env)


# -- configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "public", "registered", "controlled", "expected"),
    [
        ("PUBLIC", "", "", "", ("record", "record", "record")),
        ("REGISTERED", "", "", "", ("none", "record", "record")),
        ("CONTROLLED", "", "", "", ("none", "none", "record")),
        ("CONTROLLED", "boolean", "", "", ("boolean", "boolean", "record")),
        ("CONTROLLED", "boolean", "count", "", ("boolean", "count", "record")),
        ("REGISTERED", "count", "", "", ("count", "record", "record")),
        ("PUBLIC", "count", "", "", ("count", "record", "record")),
        ("CONTROLLED", "", "", "count", ("none", "none", "count")),
    ],
)
def test_tier_caps_resolve_from_the_security_level(
    level: Any, public: Any, registered: Any, controlled: Any, expected: tuple[str, ...]
) -> None:
    policy = DatasetPolicy("x", level, public, registered, controlled)
    assert tuple(policy.tier_cap(t) for t in ("PUBLIC", "REGISTERED", "CONTROLLED")) == expected


ISSUER = '[[access.issuers]]\niss = "https://idp.test"\njwks_uri = "https://idp.test/jwks"\n'
DAC_ISSUER = f'[[access.issuers]]\niss = "{DAC}"\njwks_uri = "{DAC}/jwks"\naccess_tokens = false\n'
CTRL = (
    DAC_ISSUER
    + f'[[access.datasets]]\nid = "ctrl"\nvisa_values = ["{GRANT}"]\nvisa_issuers = ["{DAC}"]\n'
)
CTRL_TABLE = CTRL.split("[[access.datasets]]", 1)[1]
OPAQUE = ISSUER + 'opaque_tokens = "userinfo"\nuserinfo_endpoint = "https://idp.test/userinfo"\n'


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[access]\nalgorithms = ["HS256"]\n', "access.algorithms: 'HS256' is not accepted"),
        ('[access]\nalgorithms = ["none"]\n', "access.algorithms: 'none' is not accepted"),
        ("[access]\nalgorithms = []\n", "access.algorithms"),
        ("[access]\nleeway_s = -1\n", "access.leeway_s"),
        (ISSUER.replace("https://idp.test/jwks", "http://idp.test/jwks"), "not an https URL"),
        (ISSUER + ISSUER, "access.issuers[1].iss: 'https://idp.test' is empty or declared twice"),
        (ISSUER + "access_tokens = false\nvisas = false\n", "trusted for neither"),
        (ISSUER + "audience = ['x']\n", "unknown setting access.issuers[0].audience"),
        (
            '[[access.datasets]]\nid = "ctrl"\n',
            "access.datasets[0].visa_values: ctrl is CONTROLLED",
        ),
        (CTRL + "[[access.datasets]]" + CTRL_TABLE, "access.datasets[1].id: 'ctrl' is empty"),
        (
            f'[[access.datasets]]\nid = "c"\nvisa_values = ["{GRANT}"]\n',
            "access.datasets[0].visa_issuers: name the visa issuers (its DAC)",
        ),
        (
            ISSUER.replace("https://idp.test/jwks", "") + "audiences = ['x']\n",
            "access.issuers[0].jwks_uri: required unless discover = true",
        ),
        (
            '[[access.issuers]]\niss = "http://idp.test/"\ndiscover = true\n',
            "access.issuers[0].iss: 'http://idp.test/' is not an https URL",
        ),
        (ISSUER + 'userinfo_endpoint = "http://idp.test/u"\n', "userinfo_endpoint: 'http"),
        (
            OPAQUE + OPAQUE.replace("idp.test", "idp2.test"),
            "an opaque token does not say who issued it",
        ),
        (ISSUER + 'opaque_tokens = "introspect"\n', "introspection_endpoint: required"),
        (
            ISSUER + 'opaque_tokens = "introspect"\nintrospection_endpoint = "https://i.test/"\n',
            "introspection needs this node's client credentials",
        ),
        ('[[access.networks]]\nid = "n"\ntoken_sha256 = "abc"\n', "64 lowercase hex digits"),
        (
            f'[[access.networks]]\nid = "n"\ntoken_sha256 = "{"a" * 64}"\n'
            f'[[access.networks]]\nid = "n"\ntoken_sha256 = "{"b" * 64}"\n',
            "access.networks[1].id: 'n' is empty or declared twice",
        ),
        ('[access]\ntrusted_proxies = ["10.0.0.0/33"]\n', "trusted_proxies[0]: '10.0.0.0/33'"),
        (CTRL + 'public = "record"\n', "below it at most at count"),
        (CTRL + 'public = "count"\nregistered = "boolean"\n', "a tier sees less"),
        (CTRL + 'controlled = "none"\n', "must be visible to that tier"),
        (CTRL + 'security_level = "SECRET"\n', "security_level: 'SECRET' is not one of"),
        (CTRL + "min_count = -1\n", "min_count/round_to"),
        (CTRL + 'small_counts = "hide"\n', "small_counts: 'hide' is not one of zero, range"),
        (
            CTRL + 'entry_types = { individual = "count" }\n',
            "unknown setting access.datasets[0].entry_types.individual",
        ),
        (CTRL + 'entry_types = { individuals = "none" }\n', "entry_types.individuals"),
    ],
)
def test_bad_access_settings_name_the_setting(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings(toml, tmp_path)
    assert message in str(caught.value)


def test_localhost_key_sets_may_use_plain_http(tmp_path: Path) -> None:
    toml = ISSUER.replace("https://idp.test/jwks", "http://127.0.0.1:8080/jwks")
    assert settings(toml, tmp_path).access.issuers[0].jwks_uri.startswith("http://127.0.0.1")


# -- tiers and granularity -------------------------------------------------------------------


ANON = access.ANONYMOUS
BONA_FIDE = Identity("u", "https://idp.test", registered=True)
GRANTED = Identity("u", "https://idp.test", grants=frozenset({BY_DAC}))


def granted(*grants: Grant, registered: bool = True) -> Identity:
    return Identity("u", "https://idp.test", registered=registered, grants=frozenset(grants))


@pytest.mark.parametrize(
    ("identity", "tier"),
    [
        (ANON, Tier.PUBLIC),
        (BONA_FIDE, Tier.REGISTERED),
        (GRANTED, Tier.CONTROLLED),
        pytest.param(granted(Grant(GRANT + "x", DAC, DAC)), Tier.REGISTERED, id="other-value"),
        pytest.param(
            granted(Grant(GRANT, "https://dac2.test", DAC)),
            Tier.REGISTERED,
            id="another-dac-signs-the-same-value",
        ),
        pytest.param(
            granted(Grant(GRANT, DAC, "https://dac.test/committees/other")),
            Tier.REGISTERED,
            id="a-source-the-dataset-does-not-list",
        ),
        pytest.param(
            granted(Grant(GRANT, DAC, f"{DAC}/committees/cancer"), registered=False),
            Tier.CONTROLLED,
            id="its-own-source",
        ),
    ],
)
def test_tier_of(identity: Identity, tier: Tier) -> None:
    policy = DatasetPolicy(
        "ctrl",
        "CONTROLLED",
        visa_values=(GRANT,),
        visa_issuers=(DAC,),
        visa_sources=(f"{DAC}/committees/cancer", DAC),
    )
    assert access.tier_of(identity, policy) is tier


POLICIES = (
    f"""
[[access.datasets]]
id = "open"
security_level = "PUBLIC"
public = "count"

[[access.datasets]]
id = "reg"
security_level = "REGISTERED"
public = "boolean"
entry_types = {{ individuals = "count" }}

[[access.datasets]]
id = "ctrl"
visa_values = ["{GRANT}"]
visa_issuers = ["{DAC}"]
"""
    + DAC_ISSUER
)
CATALOG = {
    name: DatasetEntry(name, test=name == "synthetic")
    for name in ("open", "reg", "ctrl", "other", "synthetic")
}


S = "synthetic"  # an undeclared test dataset: open, and kept to test mode by scope.select
MAX_COUNT = {"BEACON_MAX_GRANULARITY": "count", "BEACON_DEFAULT_GRANULARITY": "count"}
CAPPED = {"open": C, "reg": B, "ctrl": C, S: C}
OPEN = {"open": C, "reg": B, "other": R, S: R}
TEST_MODE = {"open": R, "reg": R, "ctrl": R, "other": B, S: R}


@pytest.mark.parametrize(
    ("identity", "entry", "requested", "env", "test_mode", "expected"),
    [
        (ANON, et.G_VARIANTS, R, {}, False, {"open": C, "reg": B, S: R}),
        (ANON, et.G_VARIANTS, B, {}, False, {"open": B, "reg": B, S: B}),
        (BONA_FIDE, et.G_VARIANTS, R, {}, False, {"open": R, "reg": R, S: R}),
        (BONA_FIDE, et.INDIVIDUALS, R, {}, False, {"open": R, "reg": C, S: R}),
        (GRANTED, et.G_VARIANTS, R, {}, False, {"open": C, "reg": B, "ctrl": R, S: R}),
        (GRANTED, et.G_VARIANTS, R, MAX_COUNT, False, CAPPED),
        (ANON, et.G_VARIANTS, R, {"BEACON_UNDECLARED_DATASETS": "public"}, False, OPEN),
        (ANON, et.G_VARIANTS, R, {}, True, TEST_MODE),
    ],
)
def test_decide(
    tmp_path: Path,
    identity: Identity,
    entry: et.EntryType,
    requested: Granularity,
    env: dict[str, str],
    test_mode: bool,
    expected: dict[str, Granularity],
) -> None:
    node = settings(POLICIES, tmp_path, **env)
    decided = access.decide(node, CATALOG, identity, entry, requested, test_mode)
    assert {k: d.granularity for k, d in decided.items()} == expected


def test_returned_granularity_is_the_most_any_dataset_gets(tmp_path: Path) -> None:
    node = settings(POLICIES, tmp_path)
    decided = access.decide(node, CATALOG, GRANTED, et.G_VARIANTS, R, False)
    assert access.returned_granularity(node, R, list(decided.values())) is R
    assert access.returned_granularity(node, R, [decided["open"], decided["reg"]]) is C
    capped = settings(POLICIES, tmp_path, **MAX_COUNT)
    assert access.returned_granularity(capped, R, []) is C


@pytest.mark.parametrize(
    ("toml", "env", "levels"),
    [
        ("", {}, ["CONTROLLED"]),
        ("", {"BEACON_UNDECLARED_DATASETS": "public"}, ["PUBLIC"]),
        (POLICIES, {}, ["PUBLIC", "REGISTERED", "CONTROLLED"]),
    ],
)
def test_security_attributes_come_from_the_policies(
    tmp_path: Path, toml: str, env: dict[str, str], levels: list[str]
) -> None:
    node = settings(toml, tmp_path, **env)
    assert access.security_attributes(node) == {
        "defaultGranularity": "record",
        "securityLevels": levels,
    }


def test_entry_type_caps_cover_every_entry_type() -> None:
    assert {e.path for e in et.ENTRY_TYPES} == set(EntryTypeCaps.__dataclass_fields__)


# -- counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "min_count", "small", "round_to", "granularity", "expected"),
    [
        (0, 5, "zero", 0, C, (False, 0, True, {})),
        (3, 5, "zero", 0, C, (False, 0, False, {})),
        (3, 5, "zero", 0, R, (False, 0, False, {})),
        (3, 5, "zero", 0, B, (False, 0, False, {})),
        (3, 5, "range", 0, C, (True, 5, False, {"countPrecision": "imprecise"})),
        (3, 5, "range", 0, R, (True, 5, False, {"countPrecision": "imprecise"})),
        # Below record level, a threshold rounds down to a multiple of it: every answer, and
        # so every difference of two answers, is a multiple of the threshold.
        (5, 5, "zero", 0, C, (True, 5, False, {"countPrecision": "rounded"})),
        (9, 5, "zero", 0, C, (True, 5, False, {"countPrecision": "rounded"})),
        (12, 5, "range", 0, C, (True, 10, False, {"countPrecision": "rounded"})),
        (9, 5, "zero", 0, R, (True, 9, True, {})),
        (7, 0, "zero", 10, C, (True, 10, False, {"countPrecision": "rounded"})),
        (20, 0, "zero", 10, C, (True, 20, False, {"countPrecision": "rounded"})),
        (21, 5, "zero", 10, B, (True, 20, False, {"countPrecision": "rounded"})),
        (7, 5, "zero", 10, C, (True, 5, False, {"countPrecision": "rounded"})),
        (29, 5, "zero", 7, C, (True, 20, False, {"countPrecision": "rounded"})),
        (7, 0, "zero", 10, R, (True, 7, True, {})),
        (7, 0, "zero", 1, C, (True, 7, True, {})),
    ],
)
def test_report(
    count: int,
    min_count: int,
    small: Any,
    round_to: int,
    granularity: Granularity,
    expected: tuple[bool, int, bool, dict[str, str]],
) -> None:
    policy = DatasetPolicy("x", min_count=min_count, small_counts=small, round_to=round_to)
    shown = report(count, policy, granularity, capped=granularity is not R)
    precision = {k: v for k, v in shown.info.items() if k == "countPrecision"}
    assert (shown.exists, shown.count, shown.records_allowed, precision) == expected


# -- response bodies with datasets at different levels --------------------------------------


def body(returned: Granularity, *answers: respond.DatasetAnswer) -> dict[str, Any]:
    request = parse_get(
        Route(et.INDIVIDUALS), [("includeResultsetResponses", "ALL")], RequestLimits(10, 100)
    )
    return respond.entries("b", request, list(answers), returned, R)


ROUNDED = {"countPrecision": "rounded"}
MIXED = (
    respond.DatasetAnswer("rec", "dataset", True, 2, [{"id": "i1"}, {"id": "i2"}], R),
    respond.DatasetAnswer(
        "cnt", "dataset", True, 5, [{"id": "leak"}], C, {"countPrecision": "rounded"}
    ),
    respond.DatasetAnswer("bool", "dataset", True, 9, [{"id": "leak"}], B),
)


def test_each_dataset_contributes_no_more_than_its_level() -> None:
    record = body(R, *MIXED)
    assert record["responseSummary"] == {"exists": True, "numTotalResults": 7}
    sets = {s["id"]: s for s in record["response"]["resultSets"]}
    assert set(sets) == {"rec", "cnt"}
    assert [r["id"] for r in sets["rec"]["results"]] == ["i1", "i2"]
    assert "info" not in sets["rec"]
    assert sets["cnt"]["results"] == []
    assert sets["cnt"]["info"] == {"countPrecision": "rounded", "returnedGranularity": "count"}
    assert "leak" not in str(record)
    count = body(C, MIXED[1], MIXED[2])
    assert count == {**count, "responseSummary": {"exists": True, "numTotalResults": 5}}
    assert "response" not in count
    only_boolean = body(R, MIXED[2])
    assert only_boolean["responseSummary"] == {"exists": True, "numTotalResults": 0}
    assert only_boolean["response"]["resultSets"] == []


def test_the_documented_example_means_what_its_table_says(tmp_path: Path) -> None:
    page = (Path(__file__).parents[2] / "docs" / "access-control.md").read_text()
    section = page.split("## A worked example", 1)[1].split("\n## ", 1)[0]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    node = settings(example, tmp_path)
    catalog = {d.id: DatasetEntry(d.id) for d in node.access.datasets}
    value = "https://dac.example.org/datasets/NGC-cancer"
    callers = {
        "anonymous": ANON,
        "bona fide researcher": BONA_FIDE,
        "with the NGC-cancer grant, not bona fide": granted(
            Grant(value, "https://dac.example.org/", value), registered=False
        ),
        "with a grant of the same value signed by another committee": granted(
            Grant(value, "https://other-committee.example.org/", value), registered=False
        ),
    }
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells[0] in callers:
            rows[cells[0]] = (cells[1], cells[2], *cells[3].split(" / "))
    assert set(rows) == set(callers)
    for name, identity in callers.items():
        found = []
        for dataset, entry in [
            ("1000G-demo", et.G_VARIANTS),
            ("NGC-rare", et.G_VARIANTS),
            ("NGC-cancer", et.G_VARIANTS),
            ("NGC-cancer", et.INDIVIDUALS),
        ]:
            decided = access.decide(node, catalog, identity, entry, R, False)
            found.append(decided[dataset].granularity.value)
        assert tuple(found) == rows[name], name

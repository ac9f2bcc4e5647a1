"""The registry: declared in TOML with errors naming the key; breakers; credentials policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.cache import Directives, ResponseCache, cache_key, directives, storable
from aggregator.health import NodeHealth, State
from aggregator.outcome import NODE_DOWN, NodeAnswer, NodeOutcome, Status, skipped
from aggregator.registry import Registry
from beacon.config import ConfigError, load_settings
from beacon.protocol import entry_types as et
from beacon.protocol.granularity import Granularity
from beacon.protocol.request import Route, parse_get, parse_post

NODES = """
[aggregator]
deadline_s = 3.0

[[aggregator.nodes]]
id = "se"
url = "https://se.example.org/api/"
country = "SE"
credentials = "forward"

[[aggregator.nodes]]
id = "fi"
url = "http://fi.example.org/api"
method = "GET"
skip = "records"
token_env = "FI_TOKEN"
"""


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_nodes_from_toml_and_a_registry_file(tmp_path: Path) -> None:
    extra = tmp_path / "nodes.toml"
    extra.write_text('[[nodes]]\nid = "dk"\nurl = "http://dk.example.org/api"\n')
    config = tmp_path / "network.toml"
    config.write_text(NODES.replace("deadline_s = 3.0", f'deadline_s = 3.0\nregistry = "{extra}"'))
    settings = load_settings(config, {}).aggregator
    assert [n.id for n in settings.nodes] == ["se", "fi", "dk"]
    registry = Registry.from_settings(settings, {"FI_TOKEN": "s3cret"})
    se, fi, _dk = registry.nodes
    assert se.url == "https://se.example.org/api"
    assert (fi.dialect.method, fi.dialect.skip_pages, fi.dialect.nested) == ("GET", False, True)
    assert fi.timeout_s == settings.node_timeout_s
    assert "s3cret" not in repr(fi)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[aggregator.nodes]]\nid = "a b"\nurl = "http://x/api"\n', "aggregator.nodes[0].id"),
        ('[[aggregator.nodes]]\nid = "a"\nurl = "ftp://x"\n', "aggregator.nodes[0].url"),
        ('[[aggregator.nodes]]\nid = "a"\nurl = "http://x"\nmethod = "PUT"\n', "nodes[0].method"),
        ('[[aggregator.nodes]]\nid = "a"\nurl = "http://x"\ncolour = 1\n', "nodes[0].colour"),
        (
            '[[aggregator.nodes]]\nid = "a"\nurl = "http://x"\ncredentials = "service"\n',
            "nodes[0].credentials: 'service' would send the network's own token to node a as "
            "every caller's, so anonymous callers of the network would get the network's tier",
        ),
        (
            '[[aggregator.nodes]]\nid = "a"\nurl = "http://x"\n'
            '[[aggregator.nodes]]\nid = "a"\nurl = "http://y"\n',
            "declared twice",
        ),
        ("[aggregator]\nnodes = 3\n", "expected an array of tables"),
        ("[aggregator]\ndeadline_s = 0\n", "aggregator.deadline_s"),
        ('[aggregator]\nregistry = "/nonexistent.toml"\n', "aggregator.registry"),
    ],
)
def test_bad_registries_name_the_key(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, {})
    assert message in str(caught.value)


def test_a_missing_service_token_stops_startup(tmp_path: Path) -> None:
    path = tmp_path / "n.toml"
    path.write_text(NODES)
    settings = load_settings(path, {}).aggregator
    with pytest.raises(ConfigError, match=r"\$FI_TOKEN"):
        Registry.from_settings(settings, {})


def test_credentials_policy(tmp_path: Path) -> None:
    path = tmp_path / "n.toml"
    path.write_text(NODES + '[[aggregator.nodes]]\nid = "no"\nurl = "http://no.example/api"\n')
    registry = Registry.from_settings(load_settings(path, {}).aggregator, {"FI_TOKEN": "svc"})
    se, fi, no = registry.nodes
    assert se.authorization("user-token") == "Bearer user-token"
    assert se.authorization(None) is None
    # The network's own token never stands in for the caller's.
    assert fi.authorization("user-token") is None
    assert fi.authorization(None) is None
    assert fi.network_token is not None
    assert fi.network_token.reveal() == "svc"
    assert no.authorization("user-token") is None
    assert no.network_token is None


def state_of(health: NodeHealth) -> State:
    return health.state


def test_health_moves_on_connection_failures_and_probes_only() -> None:
    clock = Clock()
    health = NodeHealth("n", failures=2, clock=clock)
    failed = NodeOutcome("n", Status.ERROR, "HTTP 503", http_status=503)
    refused = NodeOutcome("n", Status.ERROR, "cannot reach the node", unreachable=True)
    health.report(NodeOutcome("n", Status.ERROR, "HTTP 400: no", http_status=400))
    health.report(NodeOutcome("n", Status.ERROR, "HTTP 429: busy", http_status=429))
    assert state_of(health) is State.UP  # about the request, not the node
    for _ in range(5):
        health.report(failed)
    assert state_of(health) is State.SUSPECT  # still asked; its /health decides
    assert state_of(health) is not State.DOWN
    health.probed(True)
    assert state_of(health) is State.UP
    health.report(refused)
    assert state_of(health) is not State.DOWN
    health.report(refused)
    assert state_of(health) is State.DOWN
    assert "cannot reach" in health.reason
    health.report(NodeOutcome("n", Status.OK))  # an answer in flight does not revive it
    assert state_of(health) is State.DOWN
    health.probed(False, "HTTP 503")
    assert health.reason == "/health: HTTP 503"
    health.probed(True)
    assert state_of(health) is State.UP
    assert health.connection_failures == 0


def test_registry_feeds_health_but_not_with_skips_or_4xx(tmp_path: Path) -> None:
    path = tmp_path / "n.toml"
    path.write_text(NODES)
    settings = load_settings(path, {"AGGREGATOR_BREAKER_FAILURES": "1"}).aggregator
    registry = Registry.from_settings(settings, {"FI_TOKEN": "x"})
    registry.record(skipped("se", "unsupported filter X"))
    registry.record(NodeOutcome("se", Status.ERROR, "HTTP 400: no", http_status=400))
    assert state_of(registry.health["se"]) is State.UP
    registry.record(NodeOutcome("se", Status.ERROR, "HTTP 503", http_status=503))
    assert state_of(registry.health["se"]) is State.SUSPECT
    registry.record(NodeOutcome("se", Status.ERROR, "refused", unreachable=True))
    assert state_of(registry.health["se"]) is State.DOWN
    assert registry.counters["se"] == {"skipped": 1, "error": 3}


def test_split_id(tmp_path: Path) -> None:
    path = tmp_path / "n.toml"
    path.write_text(NODES)
    registry = Registry.from_settings(load_settings(path, {}).aggregator, {"FI_TOKEN": "x"})
    node, local = registry.split_id("se:ds1")
    assert node is not None
    assert (node.id, local) == ("se", "ds1")
    assert registry.split_id("NCIT:C1") == (None, "NCIT:C1")
    assert registry.split_id("se:") == (None, "se:")


# -- the response cache ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, Directives(True, True)),
        ("max-age=60", Directives(True, True)),
        ("no-cache", Directives(False, True)),
        ("max-age=0", Directives(False, True)),
        ("No-Store, no-cache", Directives(False, False)),
    ],
)
def test_cache_control(header: str | None, expected: Directives) -> None:
    assert directives(header) == expected


def test_get_and_post_share_a_key_and_versions_split_it() -> None:
    route = Route(et.INDIVIDUALS)
    got = parse_get(route, [("requestedGranularity", "count"), ("skip", "1")])
    posted = parse_post(
        route,
        {
            "meta": {"apiVersion": "v2.0"},
            "query": {"requestedGranularity": "count", "pagination": {"skip": 1}},
        },
    )
    versions = (("se", "2026-01-01|1"),)
    assert cache_key(got, versions) == cache_key(posted, versions)
    assert cache_key(got, versions) != cache_key(got, (("se", "2026-02-01|1"),))


def test_cache_ttl_and_size() -> None:
    clock = Clock()
    cache = ResponseCache(ttl_s=5, max_entries=2, clock=clock)
    outcome = NodeOutcome("se", Status.OK, answer=NodeAnswer("b", Granularity.COUNT, True, 1))
    cache.put("a", [outcome])
    clock.now += 4
    assert cache.get("a") == ((outcome,), 4)
    clock.now += 1
    assert cache.get("a") is None
    for key in ("x", "y", "z"):
        cache.put(key, [outcome])
    assert len(cache) == 2
    assert cache.get("x") is None


def test_only_complete_public_answers_are_stored() -> None:
    good = NodeOutcome("se", Status.OK, answer=NodeAnswer("b", Granularity.COUNT, True, 1))
    private = NodeOutcome(
        "se", Status.OK, answer=NodeAnswer("b", Granularity.COUNT, True, 1, cacheable=False)
    )
    assert storable([good, skipped("fi", "unsupported filter X")])
    assert not storable([good, skipped("fi", NODE_DOWN)])
    assert not storable([good, NodeOutcome("fi", Status.TIMEOUT, "slow")])
    assert not storable([private])

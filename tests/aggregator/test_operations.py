"""Operations on the aggregator: the query page, and /metrics per node and per fan-out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from beacon.web import ui
from tests.aggregator.conftest import get_json
from tests.conftest import Client, metric_samples


async def test_the_aggregator_serves_the_query_page(
    real_node: Callable[..., Awaitable[str]], network: Callable[..., Awaitable[Client]]
) -> None:
    client = await network([("se", await real_node("se"))])
    page = await client.get("/")
    assert page.status == 200
    assert "static/app.js" in await page.text()
    script = await client.get("/static/app.js")
    assert script.content_type == "text/javascript"
    assert await script.read() == ui.read("app.js")  # the node's page, one copy


async def test_metrics_count_each_node_outcome_and_fan_out(
    real_node: Callable[..., Awaitable[str]],
    network: Callable[..., Awaitable[Client]],
    down_url: str,
) -> None:
    client = await network(
        [("se", await real_node("se")), ("fi", await real_node("fi")), ("down", down_url)]
    )
    for _ in range(2):
        await get_json(client, "/api/individuals?requestedGranularity=count")
    text = await (await client.get("/metrics")).text()
    latency = metric_samples(text, "aggregator_node_request_duration_seconds_count")
    assert latency['{node="se",status="ok"}'] == 2
    assert latency['{node="fi",status="ok"}'] == 2
    outcomes = metric_samples(text, "aggregator_node_outcomes_total")
    errors = metric_samples(text, "aggregator_node_errors_total")
    down = {k: v for k, v in outcomes.items() if 'node="down"' in k}
    assert sum(down.values()) == 2
    assert sum(v for k, v in errors.items() if 'node="down"' in k) == 2
    assert not [k for k in errors if 'node="se"' in k]
    assert metric_samples(text, "aggregator_fanouts_total") == {'{entry_type="individuals"}': 2}
    http = metric_samples(text, "aggregator_http_request_duration_seconds_count")
    assert http['{endpoint="/api/individuals",method="GET",status="200"}'] == 2

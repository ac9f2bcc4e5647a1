"""Operations on the node: the query page and its files, /metrics, JSON logs, the slow-query log."""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import pytest

from beacon.node import execute
from beacon.store.client import Database
from beacon.web import logs
from tests.conftest import Client, metric_samples


async def test_the_query_page_and_its_files_are_served(api: Client) -> None:
    page = await api.get("/")
    assert page.status == 200
    assert page.content_type == "text/html"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    html = await page.text()
    for name, kind in (
        ("app.js", "text/javascript"),
        ("style.css", "text/css"),
        ("logo.svg", "image/svg+xml"),
    ):
        assert f"static/{name}" in html
        response = await api.get(f"/static/{name}")
        assert response.status == 200, name
        assert response.content_type == kind
        assert len(await response.read()) > 100


async def test_only_the_page_files_are_served(api: Client) -> None:
    for path in ("/static/__init__.py", "/static/..%2F..%2Fconfig.py", "/static/"):
        response = await api.get(path)
        assert response.status == 404, path
        assert (await response.json())["error"]["errorCode"] == 404


async def test_the_logo_in_info_is_served(api: Client) -> None:
    info = await (await api.get("/api/info")).json()
    logo = urlsplit(info["response"]["organization"]["logoUrl"])
    assert logo.path == "/static/logo.svg"
    assert (await api.get(logo.path)).status == 200


async def test_metrics_count_requests_per_endpoint_and_database_time(api: Client) -> None:
    for _ in range(2):
        assert (await api.get("/api/individuals?requestedGranularity=count")).status == 200
    assert (await api.get("/api/individuals/nobody-here")).status == 200
    assert (await api.get("/api/no-such-endpoint")).status == 404
    response = await api.get("/metrics")
    assert response.status == 200
    assert response.content_type == "text/plain"
    text = await response.text()
    latency = metric_samples(text, "beacon_http_request_duration_seconds_count")
    assert latency['{endpoint="/api/individuals",method="GET",status="200"}'] == 2
    assert latency['{endpoint="/api/individuals/{id}",method="GET",status="200"}'] == 1
    errors = metric_samples(text, "beacon_http_errors_total")
    assert errors == {'{endpoint="unmatched",status="404"}': 1}
    database = metric_samples(text, "beacon_db_operation_duration_seconds_count")
    assert database['{operation="count"}'] >= 2


@pytest.fixture
def slow_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every operation seems to take 1.5 s or more: the slow-query log fires deterministically."""
    ticks = itertools.count(step=1.5)
    monkeypatch.setattr(time, "perf_counter", lambda: float(next(ticks)))


async def test_slow_queries_are_logged_with_the_filter_shape_and_request_id(
    checklist: Database,
    node: Callable[..., Awaitable[Client]],
    caplog: pytest.LogCaptureFixture,
    slow_clock: None,
) -> None:
    client = await node(BEACON_SLOW_QUERY_MS="1000")
    caplog.handler.addFilter(logs.RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="beacon.slow_query"):
        response = await client.get(
            "/api/g_variants?geneId=SECRETGENE&requestedGranularity=count",
            headers={"X-Request-Id": "req-42"},
        )
    assert response.status == 200
    slow = [r for r in caplog.records if r.name == "beacon.slow_query"]
    assert {r.operation for r in slow} >= {"catalog", "count"}  # type: ignore[attr-defined]
    record = next(r for r in slow if r.operation == "count")  # type: ignore[attr-defined]
    assert record.request_id == "req-42"  # type: ignore[attr-defined]
    assert record.operation == "count"  # type: ignore[attr-defined]
    assert record.ms >= 1500.0  # type: ignore[attr-defined]
    assert "SECRETGENE" not in json.dumps(record.filter)  # type: ignore[attr-defined]
    metrics = await (await client.get("/metrics")).text()
    assert metric_samples(metrics, "beacon_db_slow_operations_total")['{operation="count"}'] >= 1


@pytest.mark.parametrize(
    ("flt", "shape"),
    [
        ({"geneIds": "BRCA2"}, {"geneIds": "<str>"}),
        ({"_start": {"$gte": 5, "$lt": 9}}, {"_start": {"$gte": "<int>", "$lt": "<int>"}}),
        (
            {"$and": [{"a": 1}, {"b": {"$in": ["x", "y"]}}]},
            {"$and": [{"a": "<int>"}, {"b": {"$in": "<2 values>"}}]},
        ),
    ],
)
def test_a_filter_shape_keeps_fields_and_operators_only(flt: object, shape: object) -> None:
    assert execute.shape(flt) == shape


def test_json_log_lines_carry_the_request_id() -> None:
    record = logging.LogRecord("beacon.http", logging.INFO, __file__, 1, "GET %s", ("/x",), None)
    record.status = 200
    token = logs.REQUEST_ID.set("rid-1")
    try:
        assert logs.RequestIdFilter().filter(record)
    finally:
        logs.REQUEST_ID.reset(token)
    line = json.loads(logs.formatter("json").format(record))
    assert line["message"] == "GET /x"
    assert line["request_id"] == "rid-1"
    assert line["status"] == 200
    assert line["level"] == "INFO"
    assert line["logger"] == "beacon.http"
    assert line["time"].endswith("Z")
    assert logs.formatter("text").format(record).endswith("GET /x [rid-1]")

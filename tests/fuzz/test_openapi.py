"""Schemathesis over the official Beacon v2 OpenAPI documents: zero 5xx, node and network.

Every operation of the default model's endpoint documents (``../shared/beacon-v2``) is called
with requests generated from its parameter and request-body schemas, including what the schemas
allow but no client sends, against a node over the checklist datasets and a network over it.
Every answer must be below 500, and every 4xx the Beacon error envelope with that code.
Generation is derandomised (the same examples on every run), and bounded so that CI stays
quick; ``FUZZ_EXAMPLES`` raises the number of examples per operation for a longer search.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests import official
from tests.fuzz.conftest import Served
from tests.fuzz.openapi import bundle, documents

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

if not official.available():
    pytest.skip(
        "the official Beacon OpenAPI documents (../shared/beacon-v2) are not here",
        allow_module_level=True,
    )


def check(response: Any, where: str) -> None:
    assert response.status_code < 500, (where, response.status_code, response.text[:500])
    if response.status_code >= 400:
        body = response.json()
        assert body["error"]["errorCode"] == response.status_code, (where, body)
        assert isinstance(body["error"]["errorMessage"], str)


SCHEMAS = [schemathesis.openapi.from_dict(bundle(path)) for path in documents()]


def _test(schema: Any, target: str) -> Any:
    @schema.parametrize()  # type: ignore[untyped-decorator]
    @SETTINGS
    def test(case: Any, served: Served) -> None:
        base = served.node if target == "node" else served.network
        response = case.call(base_url=base.removesuffix("/api") + "/api", timeout=30)
        check(response, f"{case.method} {case.formatted_path} {case.query} {case.body!r}")

    return test


for _i, _schema in enumerate(SCHEMAS):
    name = documents()[_i].split("/")[-2]
    globals()[f"test_{name}_node_never_answers_5xx"] = _test(_schema, "node")
    globals()[f"test_{name}_network_never_answers_5xx"] = _test(_schema, "network")

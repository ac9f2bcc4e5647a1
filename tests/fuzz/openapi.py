"""The official Beacon v2 OpenAPI documents, bundled offline for schemathesis.

Each model's ``endpoints.json`` refers to request schemas in other files, by GitHub URL or
relative path. ``bundle`` inlines every such reference from ``../shared/beacon-v2`` (never
online), keeps the document's own ``#/components`` references, and keeps of the responses only
their status codes: what the node answers is validated against the official response schemas
by the conformance tests; here what matters is the requests the specification allows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.official import MODEL, RAW, ROOT

#: The entry types whose endpoint documents are fuzzed (the framework's own is informational).
ENTRY_TYPES = ("individuals", "biosamples", "runs", "analyses", "cohorts", "datasets")
VARIANTS = "genomicVariations"


def _target(ref: str, base: Path) -> tuple[Path, str]:
    address, _, fragment = ref.partition("#")
    if not address:
        return base, fragment
    if address.startswith(RAW):
        return ROOT / address[len(RAW) :], fragment
    path = (base.parent / address).resolve()
    if not path.exists() and path.name == "info.json":  # absent upstream; the framework's
        path = ROOT / "framework/json/common/info.json"
    return path, fragment


def _load(path: Path, cache: dict[Path, Any]) -> Any:
    if path not in cache:
        cache[path] = json.loads(path.read_text())
    return cache[path]


#: Upstream documents point at ``#/definitions/...`` of files that hold ``$defs`` (and back).
_SPELLINGS = {"definitions": "$defs", "$defs": "definitions"}


def _at(document: Any, fragment: str) -> Any:
    node = document
    for part in [p for p in fragment.split("/") if p]:
        key = part.replace("~1", "/").replace("~0", "~")
        node = node[key] if key in node else node[_SPELLINGS[key]]
    return node


def _resolve(
    node: Any, base: Path, root: Path, seen: frozenset[tuple[Path, str]], cache: dict[Path, Any]
) -> Any:
    if isinstance(node, list):
        return [_resolve(item, base, root, seen, cache) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        path, fragment = _target(ref, base)
        if path == root and fragment.startswith("/components"):
            return {"$ref": f"#{fragment}"}
        key = (path, fragment)
        if key in seen:
            return {}  # a recursive schema: any value at this depth
        content = _at(_load(path, cache), fragment)
        return _resolve(content, path, root, seen | {key}, cache)
    return {
        k: _resolve(v, base, root, seen, cache)
        for k, v in node.items()
        if k not in ("$schema", "$id", "$comment")
    }


def bundle(relative: str) -> dict[str, Any]:
    """The OpenAPI document at ``relative`` (under ../shared/beacon-v2), self-contained."""
    root = (ROOT / relative).resolve()
    document = json.loads(root.read_text())
    document.get("components", {}).pop("responses", None)
    for operations in document["paths"].values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"] = {"default": {"description": "any Beacon response"}}
    bundled: dict[str, Any] = _resolve(document, root, root, frozenset(), {})
    bundled["servers"] = [{"url": "/api"}]
    return bundled


def documents() -> list[str]:
    return [f"{MODEL}/{name}/endpoints.json" for name in (*ENTRY_TYPES, VARIANTS)]

"""Every record ``beacon-ingest metadata`` accepts is valid against the official Beacon v2 schemas.

The project's schemas (``schemas/``) may be stricter than the default model, never laxer. Checked
three ways: every fixture ingest accepts (the checklist and filter fixtures, the simulator's
records, the CINECA BFF files when ``../shared/data`` is here) is officially valid; every
mutation of the richest fixture records (each field set to values of the wrong type or shape,
or removed) that ingest accepts is officially valid; and so is every record with a field the
official schemas name — at any depth, whether a fixture has it or not — set to such values.
"""

from __future__ import annotations

import copy
import functools
import gzip
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ingest.schemas import problems
from ingest.simulate import people
from tests import official

pytestmark = pytest.mark.skipif(
    not official.available(), reason=f"the official schemas ({official.ROOT}) are not here"
)
HERE = Path(__file__).parents[1] / "data"
FOLDERS = [HERE / "checklist" / "ds1", HERE / "checklist" / "ds2", HERE / "filters"]
CINECA = official.DATA / "bff" / "cineca_uk1"
#: BFF file (ingest's entity name) -> the official entity schema.
ENTITIES = {
    "individuals": "individual",
    "biosamples": "biosample",
    "runs": "run",
    "analyses": "analysis",
    "datasets": "dataset",
    "cohorts": "cohort",
}
#: Values of the wrong type or shape for most fields (and a few right ones for some).
WRONG: list[Any] = [
    "nonsense",
    12,
    -1.5,
    True,
    None,
    {},
    [],
    [{}],
    {"id": "nonsense"},
    {"id": "X:1", "iso8601duration": "P1Y"},
    {"value": 1},
    {"start": "x", "end": "y"},
    "P1Y",
]
Path_ = tuple[str | int, ...]


def _read(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".gz":
        with gzip.open(path) as handle:
            text = handle.read()
    else:
        text = path.read_bytes()
    records: list[dict[str, Any]] = json.loads(text)
    return records


@functools.cache
def fixtures() -> list[tuple[str, str, dict[str, Any]]]:
    """(entity, where, record) of every metadata record the tests and the demo load (of the
    2,504-people CINECA files, every 50th: ingest checks them all when the tests load them)."""
    found = []
    folders = [*FOLDERS, CINECA] if CINECA.is_dir() else FOLDERS
    for folder in folders:
        for entity in ENTITIES:
            for suffix in (".json", ".json.gz"):
                path = folder / f"{entity}{suffix}"
                if path.exists():
                    every = 50 if folder == CINECA else 1
                    for i, record in enumerate(_read(path)[::every]):
                        where = f"{path.relative_to(path.parents[1])}[{i * every}]"
                        found.append((entity, where, record))
    rng = np.random.default_rng(1)
    persons = people.people("FI", 4, rng)
    finland = {"id": "GAZ:00002937", "label": "Finland"}
    simulated = people.metadata("FI", "Finland", finland, "synthetic-fi", persons, rng, "pipe")
    for entity, records in simulated.items():
        found += [(entity, f"simulate {entity}[{i}]", r) for i, r in enumerate(records)]
    return found


def officially(entity: str, record: Any) -> list[str]:
    validator = official.validator(official.ENTITY_SCHEMAS[ENTITIES[entity]])
    return [e.message[:160] for e in validator.iter_errors(record)]


def test_every_accepted_fixture_is_officially_valid() -> None:
    found = list(fixtures())
    assert {e for e, _, _ in found} == set(ENTITIES)
    for entity, where, record in found:
        assert problems(entity, record) == [], where
        assert officially(entity, record) == [], where


def _paths(value: Any, base: Path_ = ()) -> Iterator[Path_]:
    if base:
        yield base
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*base, key))
    elif isinstance(value, list) and value:
        yield from _paths(value[0], (*base, 0))


def _set(record: dict[str, Any], path: Path_, value: Any, remove: bool = False) -> Any:
    """A copy of ``record`` with ``path`` set (made where missing), or removed."""
    out = copy.deepcopy(record)
    here: Any = out
    for step, after in itertools.pairwise(path):
        if isinstance(step, int):
            if not isinstance(here, list):
                return None
            if not here:
                here.append([] if isinstance(after, int) else {})
            here = here[0]
        else:
            if not isinstance(here, dict):
                return None
            if not isinstance(here.get(step), dict | list):
                here[step] = [] if isinstance(after, int) else {}
            here = here[step]
    last = path[-1]
    if isinstance(last, int) != isinstance(here, list) or isinstance(here, str):
        return None
    if remove:
        here.pop(last)
    elif isinstance(here, list):
        here[:1] = [value]
    else:
        here[last] = value
    return out


def _official_paths(schema: Any, resolver: Any, depth: int, base: Path_ = ()) -> Iterator[Path_]:
    """Every property path the official schema names, following references, to ``depth``."""
    if depth == 0 or not isinstance(schema, dict):
        return
    if "$ref" in schema:
        found = resolver.lookup(schema["$ref"])
        yield from _official_paths(found.contents, found.resolver, depth, base)
    for key in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(key, []):
            yield from _official_paths(part, resolver, depth, base)
    if "items" in schema:
        yield from _official_paths(schema["items"], resolver, depth, (*base, 0))
    for name, part in (schema.get("properties") or {}).items():
        yield (*base, name)
        yield from _official_paths(part, resolver, depth - 1, (*base, name))


def _richest(entity: str) -> list[dict[str, Any]]:
    """Per fixture source, its accepted record of ``entity`` with the most fields."""
    best: dict[str, dict[str, Any]] = {}
    for name, where, record in fixtures():
        source = where.split("[")[0]
        if name == entity and len(list(_paths(record))) > len(list(_paths(best.get(source)))):
            best[source] = record
    return list(best.values())


@pytest.mark.parametrize("entity", list(ENTITIES))
def test_what_ingest_accepts_the_official_schemas_accept(entity: str) -> None:
    relative = official.ENTITY_SCHEMAS[ENTITIES[entity]]
    schema = official.validator(relative).schema
    named = set(_official_paths(schema, official.resolver(relative), depth=4))
    laxer: dict[Path_, str] = {}
    tried = 0
    done: set[Path_] = set()
    for n, base in enumerate(_richest(entity)):
        fields = [p for p in _paths(base) if p not in done]
        done.update(fields)
        changes = [(p, v, False) for p in fields for v in WRONG]
        changes += [(p, None, True) for p in fields]
        if n == 0:  # fields the official schemas name, made where a fixture lacks them
            changes += [(p, v, False) for p in sorted(named - done, key=str) for v in WRONG]
        for path, value, remove in changes:
            record = _set(base, path, value, remove)
            if record is None or path in laxer or problems(entity, record):
                continue
            tried += 1
            errors = officially(entity, record)
            if errors:
                laxer[path] = f"{value!r} ({'removed' if remove else 'set'}): {errors[0]}"
    assert tried > 20
    assert laxer == {}


def test_data_use_conditions_need_duo_terms_with_a_version() -> None:
    base = {"id": "ds", "name": "ds"}
    duo = {"id": "DUO:0000042", "label": "general research use"}
    wrong: list[Any] = ["nonsense", [], [duo]]  # not a list, an empty one, DUO without version
    for conditions in ({"duoDataUse": value} for value in wrong):
        record = {**base, "dataUseConditions": conditions}
        assert problems("datasets", record), conditions
        assert officially("datasets", record), conditions
    versioned = {**base, "dataUseConditions": {"duoDataUse": [{**duo, "version": "2021-02-23"}]}}
    assert problems("datasets", versioned) == []

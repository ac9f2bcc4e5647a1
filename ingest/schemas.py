"""The project's own JSON Schemas of the entity documents ingest accepts, loaded once, applied.

The files are the top-level ``schemas/`` folder of the checkout; an installed wheel carries them
as ``ingest/entity_schemas``. Every record is checked before anything is written, with errors
that name the record and the JSON path.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

BASE = "https://schemas.beacon-gdi.org/v1/"
#: Entity (BFF file name) -> schema file.
ENTITY_SCHEMAS = {
    "individuals": "individual.json",
    "biosamples": "biosample.json",
    "runs": "run.json",
    "analyses": "analysis.json",
    "datasets": "dataset.json",
    "cohorts": "cohort.json",
}


@dataclass(frozen=True)
class Problem:
    """One reason a record is refused: where in the record, and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def schema_dir() -> Path:
    """Where the schema files are: inside the installed package, else in the checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "entity_schemas"
    return installed if installed.is_dir() else here.parent / "schemas"


@functools.cache
def registry() -> Registry[Any]:
    found: list[tuple[str, Resource[Any]]] = []
    for path in sorted(schema_dir().glob("*.json")):
        contents = json.loads(path.read_text())
        found.append((BASE + path.name, Resource.from_contents(contents, DRAFT202012)))
    return Registry().with_resources(found)


@functools.cache
def validator(schema_file: str) -> Draft202012Validator:
    schema = registry().contents(BASE + schema_file)
    return Draft202012Validator(schema, registry=registry())


def problems(entity: str, record: Any, limit: int = 5) -> list[Problem]:
    """Why ``record`` is not an acceptable ``entity`` document (empty when it is)."""
    found = sorted(
        validator(ENTITY_SCHEMAS[entity]).iter_errors(record),
        key=lambda e: [str(p) for p in e.absolute_path],
    )
    out = []
    for error in found[:limit]:
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        out.append(Problem(path.lstrip(".") or "(record)", error.message[:200]))
    return out

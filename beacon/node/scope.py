"""Which datasets a request is answered from: pure selection over the catalog.

Test datasets answer test-mode requests only (and only they answer them); ``datasetIds`` and
``/datasets/{id}/...`` narrow the scope; a variant query skips datasets on another assembly.
"""

from __future__ import annotations

from collections.abc import Mapping

from beacon.protocol import entry_types as et
from beacon.protocol.errors import BadRequest, UpstreamUnavailable
from beacon.protocol.request import BeaconRequest
from beacon.protocol.variants import VariantQuery
from beacon.store.catalog import DatasetEntry
from beacon.store.collections import LAYOUTS


def select(
    catalog: Mapping[str, DatasetEntry],
    request: BeaconRequest,
    variant: VariantQuery | None,
) -> list[DatasetEntry]:
    """The datasets in scope, in id order."""
    visible = {k: d for k, d in catalog.items() if d.test == request.test_mode}
    chosen = dict(visible)
    if request.dataset_ids is not None:
        unknown = [d for d in request.dataset_ids if d not in visible]
        if unknown:
            raise BadRequest(
                f"parameter 'datasetIds': unknown dataset {unknown[0]!r}; see /datasets for the "
                "datasets of this beacon",
                parameter="datasetIds",
            )
        chosen = {k: visible[k] for k in request.dataset_ids}
    route = request.route
    if route.source is et.DATASETS and route.source_id is not None:
        chosen = {k: d for k, d in chosen.items() if k == route.source_id}
    if variant is not None:
        chosen = {
            k: d
            for k, d in chosen.items()
            if d.assembly is not None and d.assembly in variant.assemblies
        }
    selected = [chosen[k] for k in sorted(chosen)]
    if route.entry not in (et.DATASETS, et.COHORTS):  # records of their own, in no load
        for dataset in selected:
            if problem := stale_load(dataset):
                raise UpstreamUnavailable(problem)
    return selected


def stale_load(dataset: DatasetEntry) -> str | None:
    """Why the dataset's published loads cannot be read by this node, if they cannot: one
    written in another layout of the store is never read as if it were of this one."""
    stale = dataset.stale()
    if not stale:
        return None
    group, layout = next(iter(sorted(stale.items())))
    command = "vcf" if group == "variants" else "metadata"
    return (
        f"dataset {dataset.id!r}: its {group} were loaded in store layout {layout}, and this "
        f"node reads layout {LAYOUTS[group]}; reload them (beacon-ingest {command} ... "
        f"--dataset {dataset.id})"
    )

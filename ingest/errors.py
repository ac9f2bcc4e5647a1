"""The ingest error family: one root, so the command line refuses input by catching exactly it.

Every refusal of an input (a file, a record, a header, a setting of the load) is an
``IngestError`` whose message says what is wrong and what to change; ``beacon-ingest`` prints
it, says that nothing was changed, and exits 1. Anything else that escapes is a bug, and is
reported as one (a traceback), never as refused input.
"""

from __future__ import annotations


class IngestError(Exception):
    """An input the pipeline refuses; the message says what to change."""


class DatasetError(IngestError):
    """A dataset id or dataset record that cannot be loaded."""


class PlanError(IngestError):
    """Arguments of ``simulate`` that do not describe a cohort."""

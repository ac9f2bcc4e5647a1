"""A Beacon v2 network over many nodes: fan-out, merge, and itself a compliant Beacon."""

from beacon import __version__

__all__ = ["__version__"]

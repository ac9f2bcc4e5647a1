"""A Beacon v2 network over many nodes: fan-out, merge, and itself a compliant Beacon."""

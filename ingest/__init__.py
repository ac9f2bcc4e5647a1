"""VCF and Beacon-Friendly-Format metadata -> a node's MongoDB.

The pipeline is a chain of generators (read -> normalise -> documents) ending in batched bulk
writes into a new load that is published atomically. Ingest never imports aiohttp.
"""

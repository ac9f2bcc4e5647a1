"""A GA4GH Beacon v2 node over MongoDB, and the rooms it shares with ingest and the aggregator.

Importing ``beacon`` pulls in neither aiohttp nor pymongo.
"""

__version__ = "0.1.0"

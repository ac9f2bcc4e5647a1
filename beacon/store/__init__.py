"""The MongoDB contract shared by the node and the ingest pipeline."""

"""Synthetic cohorts (msprime genomes plus metadata) for the demo, tests and benchmarks."""

"""Developer tools: documentation generated from the code's own declarations."""

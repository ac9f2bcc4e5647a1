"""The project's own JSON Schemas (see README.md in this folder), shipped inside the wheel."""

"""The Beacon node: the program ``beacon`` serves (app, handlers, planning, access)."""

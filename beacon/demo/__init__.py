"""``make demo``: a three-country network run as processes on one machine (not shipped)."""

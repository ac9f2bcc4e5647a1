"""``python -m beacon`` runs the node's command line."""

from beacon.cli import main

main()

"""``python -m beacon`` runs the node's command line."""

from beacon.node.cli import main

main()

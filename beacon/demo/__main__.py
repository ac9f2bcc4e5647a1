"""``python -m beacon.demo`` runs the demo (``make demo``)."""

from beacon.demo.supervise import main

main()

"""``python -m sim`` is the ``giftsim`` command."""

import sys

from sim.cli import main

sys.exit(main())

"""``python -m sim`` is the ``giftsim`` command."""

import sys

from sim.cli.main import main

sys.exit(main())

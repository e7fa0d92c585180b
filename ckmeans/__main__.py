"""``python -m ckmeans``: the command line (see ckmeans.cli)."""

import sys

from ckmeans.cli import main

sys.exit(main())

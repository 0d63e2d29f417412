"""``python -m quakebench.cli`` (as ``torchrun -m quakebench.cli train ...`` launches it)."""

import sys

from quakebench.cli import main

sys.exit(main())

"""`python -m llmcost`."""

import sys

from llmcost.cli import main

sys.exit(main())

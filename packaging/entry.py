"""The frozen app's entry point: the same `main` as the installed `ssmclient` command."""

import sys

from ssmclient.__main__ import main

sys.exit(main())

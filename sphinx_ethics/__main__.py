"""``python -m sphinx_ethics``: the same command as ``sphinx-ethics``."""

import sys

from sphinx_ethics.cli import main

if __name__ == "__main__":
    sys.exit(main())

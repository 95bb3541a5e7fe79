"""``python -m dashlib``: the same command line as the installed ``dashlib`` script."""

import sys

from dashlib.cli import main

if __name__ == "__main__":
    sys.exit(main())

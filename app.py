"""The command line from a clone: `python3 app.py --help`. The same program as the installed
`netlify-bandwidth` command (checker/cli.py), which needs nothing but Python 3.11+."""

import sys

from checker.cli import main

if __name__ == "__main__":
    sys.exit(main(prog="app.py"))

"""python3 <this folder> RUN_DIR, or python3 -m plot RUN_DIR with its parent on the path."""

import os
import sys

# The modules import each other by name: put this folder first on the path, however the
# package was started.
sys.dont_write_bytecode = True  # no __pycache__ in the source tree or the install prefix
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], os.environ.get("LOCKSTEP_PLOT_PROG", "plot")))

"""``python -m lenet5.evaluate``: evaluate the committed serving model. The command line stays here;
the code is in :mod:`lenet5.eval.evaluate`."""

import sys

from lenet5.eval.evaluate import main

if __name__ == "__main__":
    sys.exit(main())

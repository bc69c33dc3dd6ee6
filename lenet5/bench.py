"""``python -m lenet5.bench``: benchmark serving. The command line stays here;
the code is in :mod:`lenet5.eval.bench`."""

import sys

from lenet5.eval.bench import main

if __name__ == "__main__":
    sys.exit(main())

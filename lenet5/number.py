"""``python -m lenet5.number``: measure how well whole numbers are read. The command line
stays here; the code is in :mod:`lenet5.eval.whole_numbers`."""

import sys

from lenet5.eval.whole_numbers import main

if __name__ == "__main__":
    sys.exit(main())

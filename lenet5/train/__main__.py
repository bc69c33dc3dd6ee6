"""``python -m lenet5.train``: train a net and write every artifact the app needs
(:mod:`lenet5.train.fit`)."""

from lenet5.train.fit import main

main()

"""``python -m lenet5.train``: train a net and write every artifact the app needs
(:mod:`lenet5.train.fit`)."""

from lenet5.train import recipe

# The flags first: --help and a wrong flag answer at once, without loading TensorFlow (seconds).
args = recipe.parser().parse_args()

from lenet5.train import fit  # noqa: E402

fit.run(args)

"""The values ``--precision`` and ``--strategy`` accept, importable without Keras (for fast
``--help``); :mod:`framepred_tf.training.runtime` documents what each does."""

# "auto": mixed_bfloat16 where the host computes bfloat16 natively, else float32.
PRECISIONS = ("auto", "float32", "mixed_bfloat16", "mixed_float16")
STRATEGIES = ("none", "mirrored", "multiworker")

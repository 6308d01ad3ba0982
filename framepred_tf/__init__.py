"""framepred-tf: video frame prediction, its evaluation, and VQA baselines in Keras 3.

``import framepred_tf`` is cheap: it does not import Keras or TensorFlow, so the command
line answers ``--help`` and argument errors at once. :mod:`framepred_tf.layers` and
:mod:`framepred_tf.models` load on first use (``framepred_tf.models`` as an attribute or
an import, PEP 562).

Saved models name their classes ``framepred_tf>ClassName``; Keras finds them once
``framepred_tf.models`` is imported, which registers every custom layer and model::

    import framepred_tf.models
    model = keras.saving.load_model("runs/convlstm-.../best.keras")

When Keras is already loaded, ``import framepred_tf`` imports ``framepred_tf.models`` itself
(there is nothing left to save by waiting), so ``import keras; import framepred_tf`` works too.
"""
import importlib
import sys

from framepred_tf.errors import FramepredError

__version__ = "0.1.0"
__all__ = ["FramepredError", "__version__", "layers", "models"]

_LAZY_SUBPACKAGES = ("layers", "models")


def __getattr__(name):
    if name in _LAZY_SUBPACKAGES:
        return importlib.import_module(f"framepred_tf.{name}")
    raise AttributeError(f"module 'framepred_tf' has no attribute {name!r}")


if "keras" in sys.modules:
    from framepred_tf import layers, models  # noqa: E402,F401  (register the serialisable classes)

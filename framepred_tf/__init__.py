"""framepred-tf: video frame prediction, its evaluation, and VQA baselines in Keras 3.

Importing the package registers every custom layer and model with Keras, so
``keras.saving.load_model("best.keras")`` works after ``import framepred_tf``.
"""
__version__ = "0.1.0"

from framepred_tf import layers  # noqa: E402,F401  (registers serializable layers)
from framepred_tf import models  # noqa: E402,F401  (registers serializable models)
from framepred_tf.errors import FramepredError  # noqa: E402,F401

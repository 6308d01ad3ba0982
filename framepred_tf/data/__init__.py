"""Data: digit sources, the Moving MNIST generator, named test sets, batch pipelines, image folders.

TensorFlow and tensorflow-datasets are imported only inside the functions that need them
(``moving_mnist_tf_dataset``, tfds downloads), so the NumPy/PyDataset path runs on any
Keras backend without loading TensorFlow.
"""
import importlib

from framepred_tf.data.digits import load_digits
from framepred_tf.data.moving_mnist import moving_mnist
from framepred_tf.data.test_sets import list_test_sets, test_set

# The Keras-backed pieces (``PyDataset`` subclasses) load on first use (PEP 562), so the
# test-set names (``framepred-tf --help``) cost NumPy only.
_LAZY = {
    "FrameFolderSequence": "frames", "index_frames": "frames", "render_moving_mnist_clips": "frames",
    "ArraySequence": "pipelines", "MovingMnistSequence": "pipelines", "from_patches": "pipelines",
    "moving_mnist_tf_dataset": "pipelines", "split_frames": "pipelines", "to_patches": "pipelines",
}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f"framepred_tf.data.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'framepred_tf.data' has no attribute {name!r}")


__all__ = [
    "load_digits", "moving_mnist", "test_set", "list_test_sets", "index_frames", "split_frames",
    "MovingMnistSequence", "ArraySequence", "moving_mnist_tf_dataset", "FrameFolderSequence",
    "render_moving_mnist_clips", "to_patches", "from_patches",
]

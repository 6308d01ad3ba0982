"""Data: digit sources, the Moving MNIST generator, named test sets, batch pipelines, image folders.

TensorFlow and tensorflow-datasets are imported only inside the functions that need them
(``moving_mnist_tf_dataset``, tfds downloads), so the NumPy/PyDataset path runs on any
Keras backend without loading TensorFlow.
"""
from framepred_tf.data.digits import load_digits
from framepred_tf.data.frames import FrameFolderSequence, index_frames, render_moving_mnist_clips
from framepred_tf.data.moving_mnist import moving_mnist
from framepred_tf.data.pipelines import (
    ArraySequence,
    MovingMnistSequence,
    from_patches,
    moving_mnist_tf_dataset,
    split_frames,
    to_patches,
)
from framepred_tf.data.test_sets import list_test_sets, test_set

__all__ = [
    "load_digits", "moving_mnist", "test_set", "list_test_sets", "index_frames", "split_frames",
    "MovingMnistSequence", "ArraySequence", "moving_mnist_tf_dataset", "FrameFolderSequence",
    "render_moving_mnist_clips", "to_patches", "from_patches",
]

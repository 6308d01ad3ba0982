"""Batches for training and evaluation: Keras ``PyDataset`` s, a ``tf.data`` pipeline, patching.

The training stream is a pure function of ``(seed, global_step)``: batch ``g`` is drawn with
``numpy.random.default_rng([seed, g])``. A run that stops after ``g`` steps resumes at the
same position with ``start_step=g`` (or ``set_epoch``), in any process, with any number of
workers. Nothing here imports TensorFlow at module level; only
:func:`moving_mnist_tf_dataset` does, when called.

Patching (``patch_size=p``) is space-to-depth: ``(..., H, W, C)`` becomes
``(..., H/p, W/p, p*p*C)`` with channel index ``(dy * p + dx) * C + c`` for the pixel at
``(y*p + dy, x*p + dx)`` — the order of ``tf.nn.space_to_depth``.
"""
import math
import os

import numpy as np
from keras.utils import PyDataset

from framepred_tf.data.moving_mnist import CANVAS_SIZE, MAX_DIGITS, check_count, digit_split, generate
from framepred_tf.errors import FramepredError


def split_frames(sequences, input_frames=10):
    """``(N, T, H, W[, C])`` → float32 ``(inputs (N, I, H, W, C), targets (N, T - I, H, W, C))``.

    ``I = input_frames``; a missing channel axis is added.
    """
    sequences = np.asarray(sequences)
    if sequences.ndim == 4:
        sequences = sequences[..., None]
    if sequences.ndim != 5:
        raise FramepredError(f"sequences must be (N, T, H, W) or (N, T, H, W, C), got shape {sequences.shape}")
    if not 0 < input_frames < sequences.shape[1]:
        raise FramepredError(f"input_frames must be between 1 and {sequences.shape[1] - 1} for "
                             f"{sequences.shape[1]}-frame sequences, got {input_frames}")
    sequences = sequences.astype(np.float32, copy=False)
    return sequences[:, :input_frames], sequences[:, input_frames:]


def to_patches(x, p):
    """Space-to-depth: ``(..., H, W, C)`` → ``(..., H/p, W/p, p*p*C)`` (channel order in the module doc)."""
    x = np.asarray(x)
    height, width, channels = x.shape[-3:]
    if p < 1 or height % p or width % p:
        raise FramepredError(f"patch_size {p} must divide the frame size {height}x{width}")
    lead = x.shape[:-3]
    blocks = x.reshape(*lead, height // p, p, width // p, p, channels)
    blocks = np.moveaxis(blocks, -4, -3)  # (..., H/p, W/p, p(dy), p(dx), C)
    return blocks.reshape(*lead, height // p, width // p, p * p * channels)


def from_patches(x, p):
    """Inverse of :func:`to_patches`: ``(..., H/p, W/p, p*p*C)`` → ``(..., H, W, C)``."""
    x = np.asarray(x)
    rows, cols, depth = x.shape[-3:]
    if p < 1 or depth % (p * p):
        raise FramepredError(f"patch_size {p}: channel count {depth} is not a multiple of {p * p}")
    lead = x.shape[:-3]
    blocks = x.reshape(*lead, rows, cols, p, p, depth // (p * p))
    blocks = np.moveaxis(blocks, -3, -4)  # (..., H/p, p(dy), W/p, p(dx), C)
    return blocks.reshape(*lead, rows * p, cols * p, depth // (p * p))


class _BatchMaker:
    """The pure batch function ``step → (inputs, targets)`` shared by every pipeline."""

    def __init__(self, batch_size, *, num_digits, digits, split, seed, input_frames, seq_len, patch_size, npz=None):
        check_count("batch_size", batch_size, minimum=1)
        check_count("num_digits", num_digits, minimum=1, maximum=MAX_DIGITS)
        check_count("input_frames", input_frames, minimum=1, maximum=seq_len - 1)
        if patch_size is not None and (patch_size < 1 or CANVAS_SIZE % patch_size):
            raise FramepredError(f"patch_size must divide {CANVAS_SIZE}, got {patch_size}")
        check_count("seed", seed, minimum=0)
        # Loaded once here, so worker threads never race to load the source.
        self.images, self.labels = digit_split(digits, split, npz=npz)
        self.batch_size, self.num_digits, self.seed = batch_size, num_digits, seed
        self.input_frames, self.seq_len, self.patch_size = input_frames, seq_len, patch_size

    def __call__(self, step):
        """Batch number ``step``: ``(inputs (B, I, 64, 64, 1), targets (B, T - I, 64, 64, 1))`` float32."""
        rng = np.random.default_rng([self.seed, int(step)])
        frames = generate(self.batch_size, self.images, self.labels, rng, num_digits=self.num_digits,
                             seq_len=self.seq_len)
        inputs, targets = split_frames(frames, self.input_frames)
        if self.patch_size:
            inputs, targets = to_patches(inputs, self.patch_size), to_patches(targets, self.patch_size)
        return inputs, targets

    def shapes(self):
        size, channels = CANVAS_SIZE, 1
        if self.patch_size:
            size, channels = size // self.patch_size, self.patch_size ** 2
        frame = (size, size, channels)
        return ((self.batch_size, self.input_frames, *frame),
                (self.batch_size, self.seq_len - self.input_frames, *frame))


class EpochCounter:
    """Completed-epoch counter for a ``PyDataset``, robust to how ``Model.fit`` notifies epochs.

    ``fit`` brackets each epoch with ``on_epoch_begin``/``on_epoch_end`` but also calls
    ``on_epoch_end`` once before the first epoch, so once ``on_epoch_begin`` has been seen
    only an ``on_epoch_end`` that follows it counts; a loop that calls only ``on_epoch_end``
    advances on each call. :meth:`set_epoch` sets the count directly.
    """

    _base_epoch = _ends = _paired_ends = _begins = 0
    _open = False

    @property
    def epoch(self):
        return self._base_epoch + (self._paired_ends if self._begins else self._ends)

    def on_epoch_begin(self):
        self._begins += 1
        self._open = True

    def on_epoch_end(self):
        self._ends += 1
        self._paired_ends += self._open
        self._open = False

    def set_epoch(self, epoch):
        """Make the following batches those of epoch ``epoch``."""
        check_count("epoch", epoch, minimum=0)
        self._base_epoch = epoch
        self._ends = self._paired_ends = 0
        self._open = False


class MovingMnistSequence(EpochCounter, PyDataset):
    """Endless Moving MNIST as a Keras ``PyDataset`` of ``steps_per_epoch`` batches per epoch.

    Index ``i`` of epoch ``e`` is global step ``start_step + e * steps_per_epoch + i``, and
    its batch ``(inputs (B, I, 64, 64, 1), targets (B, 20 - I, 64, 64, 1))`` float32 depends
    on ``(seed, global step)`` only (:meth:`batch_at`). With ``patch_size=p`` frames are
    ``(64/p, 64/p, p*p)``.

    The epoch counts completed epochs (see :class:`EpochCounter`); to resume at epoch ``e``
    call ``set_epoch(e)`` and ``fit(initial_epoch=e)``, or pass ``start_step``.
    """

    def __init__(self, batch_size, steps_per_epoch, *, num_digits=2, digits="mnist5k", split="train", seed=0,
                 input_frames=10, seq_len=20, patch_size=None, start_step=0, npz=None, **pydataset_kwargs):
        super().__init__(**pydataset_kwargs)
        check_count("steps_per_epoch", steps_per_epoch, minimum=1)
        check_count("start_step", start_step, minimum=0)
        self._make = _BatchMaker(batch_size, num_digits=num_digits, digits=digits, split=split, seed=seed,
                                 input_frames=input_frames, seq_len=seq_len, patch_size=patch_size, npz=npz)
        self.steps_per_epoch = steps_per_epoch
        self.start_step = start_step

    def __len__(self):
        return self.steps_per_epoch

    def global_step(self, index):
        return self.start_step + self.epoch * self.steps_per_epoch + index

    def batch_at(self, global_step):
        """The batch of ``global_step``, whatever the epoch counter says."""
        return self._make(global_step)

    def __getitem__(self, index):
        if not 0 <= index < self.steps_per_epoch:
            raise IndexError(f"batch index {index} outside 0..{self.steps_per_epoch - 1}")
        return self._make(self.global_step(index))


class ArraySequence(PyDataset):
    """Fixed arrays in order, ``batch_size`` at a time (the last batch may be smaller).

    ``ArraySequence(x, y, batch_size)`` yields ``(x[b], y[b])``; with ``y=None`` it yields
    ``x[b]`` alone. With ``input_frames=I`` and no ``y``, ``x`` holds whole sequences
    ``(N, T, H, W[, C])`` that are split per batch into ``(inputs, targets)`` (see
    :func:`split_frames`), so a large test set is never copied whole; ``patch_size``
    patches both.
    """

    def __init__(self, x, y=None, batch_size=32, *, input_frames=None, patch_size=None, **pydataset_kwargs):
        super().__init__(**pydataset_kwargs)
        check_count("batch_size", batch_size, minimum=1)
        if y is not None and len(y) != len(x):
            raise FramepredError(f"x and y must have the same length, got {len(x)} and {len(y)}")
        if y is not None and input_frames is not None:
            raise FramepredError("pass either y or input_frames to ArraySequence, not both")
        self.x, self.y, self.batch_size = x, y, batch_size
        self.input_frames, self.patch_size = input_frames, patch_size

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"batch index {index} outside 0..{len(self) - 1}")
        part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        if self.input_frames is not None:
            batch = split_frames(self.x[part], self.input_frames)
        elif self.y is None:
            batch = (np.asarray(self.x[part]),)
        else:
            batch = (np.asarray(self.x[part]), np.asarray(self.y[part]))
        if self.patch_size:
            batch = tuple(to_patches(_with_channels(a), self.patch_size) for a in batch)
        return batch if len(batch) > 1 else batch[0]


def _with_channels(array):
    return array[..., None] if array.ndim == 4 else array


def moving_mnist_tf_dataset(batch_size, *, steps=None, num_digits=2, digits="mnist5k", split="train", seed=0,
                            input_frames=10, seq_len=20, patch_size=None, start_step=0, npz=None):
    """``tf.data.Dataset`` of the batches of :class:`MovingMnistSequence` for global steps
    ``start_step, start_step + 1, ...`` (``steps`` of them, or endless when ``None``).

    Batches are made in parallel but delivered in order, and prefetched (AUTOTUNE).
    """
    if steps is not None:
        check_count("steps", steps, minimum=0)
    check_count("start_step", start_step, minimum=0)
    make = _BatchMaker(batch_size, num_digits=num_digits, digits=digits, split=split, seed=seed,
                       input_frames=input_frames, seq_len=seq_len, patch_size=patch_size, npz=npz)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        import tensorflow as tf
    except ImportError:
        raise FramepredError("moving_mnist_tf_dataset needs TensorFlow (pip install tensorflow-cpu); "
                             "use MovingMnistSequence on other backends") from None
    input_shape, target_shape = make.shapes()
    if steps is None:
        dataset = tf.data.Dataset.counter(start_step)
    else:
        dataset = tf.data.Dataset.range(start_step, start_step + steps)

    def batch(step):
        inputs, targets = tf.numpy_function(make, [step], [tf.float32, tf.float32], stateful=False)
        inputs.set_shape(input_shape)
        targets.set_shape(target_shape)
        return inputs, targets

    dataset = dataset.map(batch, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.prefetch(tf.data.AUTOTUNE)

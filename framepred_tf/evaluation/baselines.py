"""Trivial predictors that every model must beat, evaluated exactly like the models.

A baseline maps input frames ``(B, 10, H, W, 1)`` to predictions ``(B, 10, H, W, 1)``:

* ``copy_last_frame`` -- repeat the last input frame (no motion model at all);
* ``zeros`` -- an empty frame (only the clipping keeps its cross-entropy finite);
* ``mean_training_frame`` -- the per-pixel mean of Moving MNIST training frames;
* ``mean_pixel`` -- a constant frame at the mean training pixel value.

Under summed binary cross-entropy the best constant prediction is the mean intensity, so
the "blur everything" ``mean_pixel`` frame is far ahead of copy-last-frame, whose sharp
digits in the wrong places cost ``-log(1e-7)`` per pixel (two-digit research set, 1,000
sequences, full MNIST: about 802 vs 3,290 nats/frame). The per-pixel mean frame is the best
prediction that ignores the inputs altogether and does better still (about 661), because
digits bouncing inside the canvas cover its centre more often than its border.
"""
import dataclasses
import functools

import numpy as np

TRAINING_SEQUENCES = 1000  # enough for a stable per-pixel mean (20,000 frames)
TRAINING_SEED = 2021  # fixed: the mean frames must not change between report runs
_CHUNK = 100  # sequences generated at a time, to bound memory

BASELINE_NAMES = ("copy_last_frame", "mean_pixel", "mean_training_frame", "zeros")
BASELINE_LABELS = {
    "copy_last_frame": "copy last input frame",
    "mean_pixel": "constant mean-pixel frame",
    "mean_training_frame": "mean training frame",
    "zeros": "all-zeros frame",
}


@dataclasses.dataclass(frozen=True)
class TrainingStatistics:
    """Per-pixel mean training frame ``(H, W, 1)`` and its overall mean pixel value."""

    mean_frame: np.ndarray
    mean_pixel: float
    num_sequences: int
    digits: str
    seed: int


@dataclasses.dataclass(frozen=True)
class Baseline:
    """A named predictor; ``frame`` is the constant prediction ``(H, W, 1)`` or ``None``."""

    name: str
    frame: np.ndarray = None
    identity: str = ""  # what the prediction depends on, for evaluation caches

    @property
    def label(self):
        return BASELINE_LABELS[self.name]

    def predict(self, inputs, horizon=10):
        """``(B, T_in, H, W, 1)`` inputs -> ``(B, horizon, H, W, 1)`` float32 predictions."""
        inputs = np.asarray(inputs, dtype=np.float32)
        if self.frame is None:
            return copy_last_frame(inputs, horizon)
        return constant_frames(self.frame, len(inputs), horizon)


def copy_last_frame(inputs, horizon=10):
    """Repeat ``inputs[:, -1]`` ``horizon`` times: ``(B, T, H, W, C) -> (B, horizon, H, W, C)``."""
    inputs = np.asarray(inputs)
    return np.repeat(inputs[:, -1:], horizon, axis=1)


def constant_frames(frame, batch, horizon=10):
    """Broadcast one ``(H, W, C)`` frame to ``(batch, horizon, H, W, C)`` float32."""
    frame = np.asarray(frame, dtype=np.float32)
    return np.broadcast_to(frame, (batch, horizon) + frame.shape).copy()


def training_statistics(digits, num_sequences=TRAINING_SEQUENCES, seed=TRAINING_SEED, generator=None):
    """Mean frame and mean pixel over all 20 frames of ``num_sequences`` training sequences.

    ``generator(n, seed=...)`` returns ``(n, 20, H, W)`` sequences; it defaults to two-digit
    :func:`framepred_tf.data.moving_mnist` on the training split of ``digits``.
    """
    if generator is None:
        return _default_statistics(digits, num_sequences, seed)
    return _accumulate(generator, digits, num_sequences, seed)


@functools.lru_cache(maxsize=4)
def _default_statistics(digits, num_sequences, seed):
    from framepred_tf.data import moving_mnist

    def generator(n, seed):
        return moving_mnist(n, num_digits=2, seq_len=20, digits=digits, split="train", seed=seed)

    return _accumulate(generator, digits, num_sequences, seed)


def _accumulate(generator, digits, num_sequences, seed):
    total = None
    frames = 0
    for chunk_index, start in enumerate(range(0, num_sequences, _CHUNK)):
        n = min(_CHUNK, num_sequences - start)
        # A distinct, fixed seed per chunk keeps the result independent of memory limits.
        sequences = np.asarray(generator(n, seed=seed + chunk_index), dtype=np.float64)
        sequences = sequences.reshape((-1,) + sequences.shape[2:4])
        chunk_sum = sequences.sum(axis=0)
        total = chunk_sum if total is None else total + chunk_sum
        frames += len(sequences)
    mean_frame = (total / frames)[..., np.newaxis]
    return TrainingStatistics(mean_frame, float(mean_frame.mean()), num_sequences, digits, seed)


def make_baselines(stats):
    """The four baselines, the mean ones built from ``stats`` (:class:`TrainingStatistics`)."""
    source = f"{stats.digits}-n{stats.num_sequences}-seed{stats.seed}"
    return [
        Baseline("copy_last_frame", None, "copy-last"),
        Baseline("mean_pixel", np.full_like(stats.mean_frame, stats.mean_pixel), f"mean-pixel-{source}"),
        Baseline("mean_training_frame", stats.mean_frame, f"mean-frame-{source}"),
        Baseline("zeros", np.zeros_like(stats.mean_frame), "zeros"),
    ]

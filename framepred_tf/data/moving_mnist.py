"""Moving MNIST generator, after Srivastava, Mansimov & Salakhutdinov (ICML 2015).

Every sequence shows ``num_digits`` 28x28 shapes on a 64x64 black canvas. Each shape starts
at a uniformly random top-left corner in ``[0, 36]^2`` (continuous, then rounded to whole
pixels for drawing) and moves in a uniformly random direction at a constant
**3.6 pixels per frame**: Srivastava's generator advances a position normalised to
``[0, 1]`` by ``step_length = 0.1`` per frame and scales it by the 36-pixel range. At a
border the shape bounces elastically: the position is mirrored back into ``[0, 36]`` and
that velocity component flips sign (Srivastava clamps to the wall instead, which shortens
the bouncing step; mirroring keeps the path piecewise linear with constant speed). Shapes
overlap by pixel-wise maximum, and frame 0 shows the start position.

Randomness: ``numpy.random.default_rng(seed).random((N, K, 4))`` gives, per sequence and
shape, the digit index, the start row and column, and the direction angle. Row ``n`` of that
block does not depend on ``N``, so ``moving_mnist(10, seed=s)[:5] == moving_mnist(5, seed=s)``;
the drawing kernel is thread-count independent. Bump :data:`GENERATOR_VERSION` whenever the
output for a given seed changes, so cached test sets are regenerated.
"""
import functools

import numpy as np

from framepred_tf.data.digits import load_digits
from framepred_tf.errors import FramepredError

GENERATOR_VERSION = 1
CANVAS_SIZE = 64
DIGIT_SIZE = 28
TRAVEL = CANVAS_SIZE - DIGIT_SIZE  # 36: the top-left corner stays in [0, TRAVEL]
STEP_LENGTH = 0.1 * TRAVEL  # 3.6 px/frame, Srivastava's step_length 0.1 on the [0, 1] range
MAX_DIGITS = 4
SPLITS = ("train", "test")


def moving_mnist(num_sequences, *, num_digits=2, seq_len=20, digits="mnist5k", split="train", seed=0,
                 npz=None, dtype="float32", return_info=False):
    """Generate Moving MNIST sequences ``(N, seq_len, 64, 64)``.

    ``dtype="float32"`` gives values ``v / 255`` in ``[0, 1]``; ``dtype="uint8"`` the raw
    ``0..255`` intensities (exactly the float values times 255). ``digits`` names a
    :func:`~framepred_tf.data.digits.load_digits` source (``npz`` is passed on to it) and
    ``split`` ("train" or "test") which of its splits the shapes come from.

    With ``return_info=True`` returns ``(sequences, info)``; ``info`` holds ``indices``
    ``(N, K)`` into that split, their ``labels`` ``(N, K)``, ``positions`` ``(N, T, K, 2)``
    integer (row, col) top-left corners, the continuous ``starts`` ``(N, K, 2)`` and initial
    ``velocities`` ``(N, K, 2)`` (px/frame) they come from, and ``source``/``split``.
    """
    check_count("num_sequences", num_sequences, minimum=0)
    images, labels = digit_split(digits, split, npz=npz)
    rng = make_rng(seed)
    return generate(num_sequences, images, labels, rng, num_digits=num_digits, seq_len=seq_len, dtype=dtype,
                    return_info=return_info, source=digits, split=split)


def digit_split(digits, split, *, npz=None):
    """``(images (M, 28, 28) uint8, labels (M,))`` of one split of a digit source."""
    if split not in SPLITS:
        raise FramepredError(f"split must be 'train' or 'test', got {split!r}")
    x_train, y_train, x_test, y_test = load_digits(digits, npz=npz)
    return (x_train, y_train) if split == "train" else (x_test, y_test)


def make_rng(seed):
    """``numpy.random.Generator`` from a non-negative int seed or a sequence of them."""
    try:
        return np.random.default_rng(seed)
    except (TypeError, ValueError) as error:
        raise FramepredError(f"seed must be a non-negative integer, got {seed!r} ({error})") from None


def generate(num_sequences, images, labels, rng, *, num_digits=2, seq_len=20, dtype="float32", return_info=False,
             source=None, split=None):
    """Draw ``num_sequences`` sequences from ``images (M, 28, 28) uint8`` with ``rng``."""
    check_count("num_digits", num_digits, minimum=1, maximum=MAX_DIGITS)
    check_count("seq_len", seq_len, minimum=1)
    indices, starts, velocities = draw_motion(rng, num_sequences, num_digits, len(images))
    positions = trajectories(starts, velocities, seq_len)
    frames = render(images, indices, positions, dtype=dtype)
    if not return_info:
        return frames
    info = {"indices": indices, "labels": np.asarray(labels)[indices], "positions": positions, "starts": starts,
            "velocities": velocities, "source": source, "split": split}
    return frames, info


def draw_motion(rng, num_sequences, num_digits, num_images):
    """Random digits and motions: ``indices (N, K) int64``, ``starts (N, K, 2)`` (row, col of
    the top-left corner in ``[0, 36]``) and ``velocities (N, K, 2)`` in px/frame, float64."""
    draws = rng.random((num_sequences, num_digits, 4))
    indices = np.minimum((draws[..., 0] * num_images).astype(np.int64), num_images - 1)
    starts = draws[..., 1:3] * TRAVEL
    angle = draws[..., 3] * (2 * np.pi)
    velocities = STEP_LENGTH * np.stack([np.sin(angle), np.cos(angle)], axis=-1)
    return indices, starts, velocities


def trajectories(starts, velocities, seq_len):
    """Bouncing paths ``(N, T, K, 2) int64``: whole-pixel top-left corners in ``[0, 36]``."""
    time = np.arange(seq_len, dtype=np.float64)[None, :, None, None]
    unfolded = starts[:, None] + velocities[:, None] * time
    return np.rint(reflect(unfolded, TRAVEL)).astype(np.int64)


def reflect(unfolded, limit):
    """Fold free-flight coordinates into ``[0, limit]`` as elastic bounces off both walls do."""
    phase = np.mod(unfolded, 2 * limit)
    return np.where(phase > limit, 2 * limit - phase, phase)


def render(images, indices, positions, *, dtype="float32"):
    """Composite ``indices (N, K)`` of ``images`` at ``positions (N, T, K, 2)`` → ``(N, T, 64, 64)``."""
    from framepred_tf.data._composite import composite

    lut = _lut(np.dtype(dtype).name)
    num, length = positions.shape[:2]
    out = np.empty((num, length, CANVAS_SIZE, CANVAS_SIZE), lut.dtype)
    if num:
        rows = np.ascontiguousarray(positions[..., 0])
        cols = np.ascontiguousarray(positions[..., 1])
        composite(np.ascontiguousarray(images), np.ascontiguousarray(indices), rows, cols, lut, out)
    return out


@functools.lru_cache(maxsize=None)
def _lut(dtype):
    if dtype == "uint8":
        return np.arange(256, dtype=np.uint8)
    if dtype == "float32":
        # Elementwise float32 division, the same operation as uint8_array.astype(float32) / 255.
        return np.arange(256, dtype=np.float32) / np.float32(255)
    raise FramepredError(f"dtype must be 'float32' or 'uint8', got {dtype!r}")


def check_count(name, value, *, minimum, maximum=None):
    valid = isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= minimum
    if valid and (maximum is None or value <= maximum):
        return
    bounds = f"between {minimum} and {maximum}" if maximum is not None else f"an integer >= {minimum}"
    raise FramepredError(f"{name} must be {bounds}, got {value!r}")

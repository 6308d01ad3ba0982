"""Fold the time axis into the batch so per-frame layers run as one large batched op."""
from keras import ops


def fold_time(x):
    """``(B, T, *S)`` → ``(B·T, *S)``; the static frame shape ``S`` must be known."""
    return ops.reshape(x, (-1, *x.shape[2:]))


def unfold_time(x, steps):
    """``(B·T, *S)`` → ``(B, T, *S)``."""
    return ops.reshape(x, (-1, steps, *x.shape[1:]))


def apply_per_frame(layer, x):
    """Apply a 4-D (image) layer to every frame of ``(B, T, H, W, C)`` at once."""
    return unfold_time(layer(fold_time(x)), x.shape[1])

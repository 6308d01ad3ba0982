"""Training losses shared by the frame-prediction models (``keras.ops`` only)."""
from keras import ops

EPSILON = 1e-7


def frame_cross_entropy(y_true, y_pred):
    """Binary cross-entropy summed over each frame's pixels, averaged over frames and batch.

    The thesis's metric (footnote 1; Shi et al. 2015):
    ``-sum_{i,j,k} T log P + (1 - T) log(1 - P)`` per frame, with predictions clipped to
    ``[1e-7, 1 - 1e-7]``. Shapes: ``(B, T, H, W, C)`` or ``(B, H, W, C)``; computed in
    float32 whatever the compute dtype.
    """
    y_true = ops.cast(y_true, "float32")
    y_pred = ops.clip(ops.cast(y_pred, "float32"), EPSILON, 1.0 - EPSILON)
    per_pixel = -(y_true * ops.log(y_pred) + (1.0 - y_true) * ops.log(1.0 - y_pred))
    return ops.mean(ops.sum(per_pixel, axis=(-3, -2, -1)))


def frame_squared_error(y_true, y_pred):
    """Squared L2 error ``||T - P||^2`` summed over each frame, averaged over frames and batch."""
    diff = ops.cast(y_true, "float32") - ops.cast(y_pred, "float32")
    return ops.mean(ops.sum(ops.square(diff), axis=(-3, -2, -1)))

"""Huber smoothness penalty on a flow field (Patraucean et al. 2016; thesis eq. 3.7-3.8)."""
from keras import ops

# Eq. 3.8 as cross-correlation taps (row = y, column = x): central differences
# d/dx: U[i, j+1] - U[i, j-1] and d/dy: U[i+1, j] - U[i-1, j].
_STENCIL_X = [[0.0, 0.0, 0.0], [-1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]
_STENCIL_Y = [[0.0, -1.0, 0.0], [0.0, 0.0, 0.0], [0.0, 1.0, 0.0]]


def flow_smoothness_penalty(flow, delta=1e-3):
    """Huber loss of the local flow gradients, summed over pixels and maps, batch mean.

    ``flow (B, H, W, 2)`` -> scalar float32. The fixed, non-trainable 2x3x3 five-point
    stencil of eq. 3.8 (zero bias) is applied to each of the 2 flow channels, giving 4
    gradient maps ``a``, which go through the Huber function of eq. 3.7::

        H_δ(a) = a² / 2             if |a| <= δ
                 δ (|a| - δ / 2)    otherwise

    Borders replicate the edge pixel before the 'valid' convolution, so the penalty
    measures only variation inside the field: any constant flow (a global translation,
    the motion of a single bouncing digit) costs exactly nothing, where zero padding would
    charge it along the border. The weight ``w_H = 1e-2`` of eq. 3.9 is applied by the
    caller.
    """
    if not delta > 0:
        raise ValueError(f"delta must be positive, got {delta!r}")
    flow = ops.cast(flow, "float32")
    stencils = ops.convert_to_tensor([_STENCIL_X, _STENCIL_Y], dtype="float32")  # (2, 3, 3)
    # Depthwise kernel (3, 3, 2 channels, 2 stencils): output map 2c + s = stencil s on channel c.
    kernel = ops.broadcast_to(ops.transpose(stencils, (1, 2, 0))[:, :, None, :], (3, 3, 2, 2))
    gradients = ops.depthwise_conv(_replicate_edges(flow), kernel, padding="valid")
    magnitude = ops.abs(gradients)
    huber = ops.where(magnitude <= delta, 0.5 * ops.square(gradients), delta * (magnitude - 0.5 * delta))
    return ops.mean(ops.sum(huber, axis=(1, 2, 3)))


def _replicate_edges(x):
    """Pad ``(B, H, W, C)`` by one pixel on each side with copies of the edge pixels."""
    x = ops.concatenate([x[:, :1], x, x[:, -1:]], axis=1)
    return ops.concatenate([x[:, :, :1], x, x[:, :, -1:]], axis=2)

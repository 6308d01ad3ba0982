"""Independent NumPy/SciPy references for the layer tests (shared with the JAX subprocess)."""
import numpy as np
from scipy import ndimage


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def conv_same(x, kernel):
    """'same' zero-padded 2-D cross-correlation, ``x (B, H, W, C)``, ``kernel (kh, kw, C, F)``."""
    kh, kw = kernel.shape[:2]
    ph, pw = kh // 2, kw // 2
    padded = np.pad(x, ((0, 0), (ph, kh - 1 - ph), (pw, kw - 1 - pw), (0, 0)))
    height, width = x.shape[1:3]
    out = np.zeros(x.shape[:3] + (kernel.shape[-1],))
    for dy in range(kh):
        for dx in range(kw):
            out += padded[:, dy:dy + height, dx:dx + width, :] @ kernel[dy, dx]
    return out


def conv_lstm_numpy(x, kernel, recurrent_kernel, bias, peepholes=None, state=None):
    """Eq. 3.1 step by step, gates split per gate (i, f, c, o) to mirror the paper.

    ``peepholes``: None or ``(w_ci, w_cf, w_co)`` broadcastable to ``(B, H, W, F)``.
    Returns ``(outputs (B, T, H, W, F), h, c)``.
    """
    x = np.asarray(x, np.float64)
    batch, steps, height, width, _ = x.shape
    units = recurrent_kernel.shape[2]
    if state is None:
        h = np.zeros((batch, height, width, units))
        c = np.zeros((batch, height, width, units))
    else:
        h, c = (np.asarray(s, np.float64) for s in state)
    w_ci, w_cf, w_co = (0.0, 0.0, 0.0) if peepholes is None else peepholes
    gates = [slice(g * units, (g + 1) * units) for g in range(4)]
    outputs = []
    for t in range(steps):
        pre = [conv_same(x[:, t], kernel[..., s]) + conv_same(h, recurrent_kernel[..., s]) + bias[s] for s in gates]
        i = sigmoid(pre[0] + w_ci * c)
        f = sigmoid(pre[1] + w_cf * c)
        c = f * c + i * np.tanh(pre[2])
        o = sigmoid(pre[3] + w_co * c)
        h = o * np.tanh(c)
        outputs.append(h)
    return np.stack(outputs, axis=1), h, c


def warp_scipy(features, flow):
    """Bilinear warp via ``scipy.ndimage.map_coordinates`` (order 1, zero padding).

    The normalised flow is converted to pixel coordinates independently of the layer:
    sampling point = grid ``G`` (linspace(-1, 1)) + flow, mapped back to pixel indices.
    ``mode="grid-constant"`` is SciPy's zero padding *with* interpolation across the
    border, i.e. eq. 3.5 where out-of-range neighbours contribute 0. (``mode="constant"``
    instead returns cval for any point beyond the last pixel centre, e.g. x = W - 0.9,
    which is not eq. 3.5; the two agree on points inside the pixel-centre hull.)
    """
    batch, height, width, channels = features.shape
    gx, gy = np.meshgrid(np.linspace(-1.0, 1.0, width), np.linspace(-1.0, 1.0, height))
    out = np.zeros(features.shape)
    for b in range(batch):
        xs = (gx + flow[b, ..., 0] + 1.0) * (width - 1) / 2.0
        ys = (gy + flow[b, ..., 1] + 1.0) * (height - 1) / 2.0
        for ch in range(channels):
            out[b, ..., ch] = ndimage.map_coordinates(
                features[b, ..., ch].astype(np.float64), [ys, xs], order=1, mode="grid-constant", cval=0.0
            )
    return out


def smoothness_numpy(flow, delta):
    """Edge-replicating np.pad + explicit central differences + Huber, summed per sample, batch mean."""
    flow = np.asarray(flow, np.float64)
    padded = np.pad(flow, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge")
    dx = padded[:, 1:-1, 2:, :] - padded[:, 1:-1, :-2, :]
    dy = padded[:, 2:, 1:-1, :] - padded[:, :-2, 1:-1, :]
    a = np.concatenate([dx, dy], axis=-1)
    huber = np.where(np.abs(a) <= delta, 0.5 * a ** 2, delta * (np.abs(a) - 0.5 * delta))
    return huber.sum(axis=(1, 2, 3)).mean()


def raster_future_mask(height, width, i, j, include_self):
    """Boolean ``(H, W)``: pixels after ``(i, j)`` in raster order (and ``(i, j)`` if asked)."""
    order = np.arange(height * width).reshape(height, width)
    here = i * width + j
    return order >= here if include_self else order > here

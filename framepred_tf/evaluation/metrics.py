"""Per-sample, per-frame error metrics in NumPy.

Every function takes ``y_true`` and ``y_pred`` of shape ``(N, T, H, W)`` or
``(N, T, H, W, C)`` with values in ``[0, 1]`` and returns a float64 array ``(N, T)``: one
number per sequence and predicted frame. Summaries (10-frame average, first frame, last
frame) are taken afterwards, so per-sample distributions (box plots, rank correlations)
come from the same arrays as the averages.

Conventions
-----------
* ``cross_entropy``: binary cross-entropy *summed* over the frame's pixels, in nats, with
  predictions clipped to ``[1e-7, 1 - 1e-7]`` -- the thesis's metric (Shi et al. 2015).
  It matches :func:`framepred_tf.models.losses.frame_cross_entropy` before its averaging.
* ``mse`` / ``mae``: squared / absolute error *summed* over the frame's pixels -- the
  OpenSTL convention for Moving MNIST (so MSE is per frame, not per pixel).
* ``ssim``: Wang et al. (2004) SSIM with an 11x11 Gaussian window (sigma 1.5, truncated at
  3.5 sigma), K1 = 0.01, K2 = 0.03, population covariances, data range 1, reflected
  borders, averaged over the pixels at least 5 pixels from the border -- the same
  numbers as ``skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5,
  use_sample_covariance=False, data_range=1)``. Channels are averaged.
* ``psnr``: ``10 log10(1 / per-pixel MSE)`` in dB. A perfect frame has infinite PSNR; it is
  capped at :data:`PSNR_CAP_DB` (100 dB) so that averages stay finite.
"""
import numpy as np
from scipy import ndimage

EPSILON = 1e-7
PSNR_CAP_DB = 100.0
SSIM_SIGMA = 1.5
SSIM_TRUNCATE = 3.5  # radius int(3.5 * 1.5 + 0.5) = 5 -> an 11x11 window
SSIM_K1 = 0.01
SSIM_K2 = 0.03

METRIC_NAMES = ("cross_entropy", "mse", "mae", "ssim", "psnr")
HIGHER_IS_BETTER = {"cross_entropy": False, "mse": False, "mae": False, "ssim": True, "psnr": True}


def frame_metrics(y_true, y_pred):
    """All of :data:`METRIC_NAMES` as a dict of ``(N, T)`` float64 arrays."""
    y_true, y_pred = _pair(y_true, y_pred)
    return {
        "cross_entropy": cross_entropy(y_true, y_pred),
        "mse": mse(y_true, y_pred),
        "mae": mae(y_true, y_pred),
        "ssim": ssim(y_true, y_pred),
        "psnr": psnr(y_true, y_pred),
    }


def cross_entropy(y_true, y_pred):
    """Binary cross-entropy summed over each frame's pixels, ``(N, T)`` nats."""
    y_true, y_pred = _pair(y_true, y_pred)
    p = np.clip(y_pred, EPSILON, 1.0 - EPSILON)
    per_pixel = -(y_true * np.log(p) + (1.0 - y_true) * np.log1p(-p))
    return _sum_pixels(per_pixel)


def mse(y_true, y_pred):
    """Squared error summed over each frame's pixels, ``(N, T)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    return _sum_pixels(np.square(y_true - y_pred))


def mae(y_true, y_pred):
    """Absolute error summed over each frame's pixels, ``(N, T)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    return _sum_pixels(np.abs(y_true - y_pred))


def psnr(y_true, y_pred, data_range=1.0):
    """Peak signal-to-noise ratio per frame in dB, ``(N, T)``, capped at :data:`PSNR_CAP_DB`."""
    y_true, y_pred = _pair(y_true, y_pred)
    per_pixel_mse = np.mean(np.square(y_true - y_pred), axis=(2, 3, 4))
    with np.errstate(divide="ignore"):
        value = 10.0 * np.log10(data_range**2 / per_pixel_mse)
    return np.minimum(value, PSNR_CAP_DB)


def ssim(y_true, y_pred, data_range=1.0):
    """Mean structural similarity per frame, ``(N, T)`` (see the module notes)."""
    y_true, y_pred = _pair(y_true, y_pred)
    n, t, h, w, c = y_true.shape
    # One 2-D image per (sample, frame, channel) so the filter only runs over H and W.
    x = np.moveaxis(y_true, -1, 2).reshape(n * t * c, h, w)
    y = np.moveaxis(y_pred, -1, 2).reshape(n * t * c, h, w)
    ssim_map = _ssim_map(x, y, data_range)
    pad = int(SSIM_TRUNCATE * SSIM_SIGMA + 0.5)
    # Border pixels see a reflected window; like skimage, leave them out of the mean.
    interior = ssim_map[:, pad:h - pad, pad:w - pad]
    return interior.mean(axis=(1, 2)).reshape(n, t, c).mean(axis=2)


def _ssim_map(x, y, data_range):
    """Per-pixel SSIM of two ``(M, H, W)`` stacks."""
    mu_x, mu_y = _gaussian(x), _gaussian(y)
    var_x = _gaussian(x * x) - mu_x * mu_x
    var_y = _gaussian(y * y) - mu_y * mu_y
    cov = _gaussian(x * y) - mu_x * mu_y
    c1 = (SSIM_K1 * data_range) ** 2
    c2 = (SSIM_K2 * data_range) ** 2
    numerator = (2.0 * mu_x * mu_y + c1) * (2.0 * cov + c2)
    denominator = (mu_x * mu_x + mu_y * mu_y + c1) * (var_x + var_y + c2)
    return numerator / denominator


def _gaussian(stack):
    # sigma 0 on the stack axis: each image is filtered on its own.
    return ndimage.gaussian_filter(
        stack, sigma=(0.0, SSIM_SIGMA, SSIM_SIGMA), truncate=SSIM_TRUNCATE, mode="reflect"
    )


def _pair(y_true, y_pred):
    """Both arrays as float64 ``(N, T, H, W, C)``; shapes must agree."""
    y_true = _as_frames(y_true)
    y_pred = _as_frames(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"shape mismatch: targets {y_true.shape} vs predictions {y_pred.shape}")
    return y_true, y_pred


def _as_frames(array):
    array = np.asarray(array, dtype=np.float64)
    if array.ndim == 4:
        array = array[..., np.newaxis]
    if array.ndim != 5:
        raise ValueError(f"expected (N, T, H, W) or (N, T, H, W, C) frames, got shape {array.shape}")
    return array


def _sum_pixels(per_pixel):
    return per_pixel.sum(axis=(2, 3, 4))

"""Metric functions against hand-computed values, skimage and the training loss."""
import math

import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from framepred_tf.evaluation import metrics

CLIP = 1e-7


def _bce(t, p):
    """Scalar binary cross-entropy with the thesis clipping, written out by hand."""
    p = min(max(p, CLIP), 1 - CLIP)
    return -(t * math.log(p) + (1 - t) * math.log(1 - p))


def test_cross_entropy_matches_hand_computed_sum_with_clipping():
    truth = np.array([[1.0, 0.0], [0.5, 1.0]])
    pred = np.array([[0.9, 0.2], [0.5, 1.0]])  # 1.0 must be clipped to 1 - 1e-7
    expected = sum(_bce(t, p) for t, p in zip(truth.ravel(), pred.ravel()))
    value = metrics.cross_entropy(truth[None, None], pred[None, None])
    assert value.shape == (1, 1)
    assert value[0, 0] == pytest.approx(expected, rel=1e-12)
    # a 0-prediction under an "on" pixel costs exactly -log(1e-7)
    assert metrics.cross_entropy(np.ones((1, 1, 1, 1)), np.zeros((1, 1, 1, 1)))[0, 0] == pytest.approx(
        -math.log(CLIP), rel=1e-9)


def test_cross_entropy_perfect_binary_prediction_is_the_minimum():
    rng = np.random.default_rng(0)
    truth = (rng.random((2, 3, 8, 8)) > 0.7).astype(np.float32)
    perfect = metrics.cross_entropy(truth, truth)
    # only the clipping contributes: -log(1 - 1e-7) per pixel
    np.testing.assert_allclose(perfect, 64 * -math.log1p(-CLIP), rtol=1e-6)
    for noise in (0.01, 0.1, 0.4):
        noisy = np.clip(truth + noise * rng.standard_normal(truth.shape), 0, 1)
        assert np.all(metrics.cross_entropy(truth, noisy) > perfect)


def test_grey_truth_minimum_is_at_the_truth():
    truth = np.full((1, 1, 4, 4), 0.3)
    best = metrics.cross_entropy(truth, truth)[0, 0]
    assert best == pytest.approx(16 * -(0.3 * math.log(0.3) + 0.7 * math.log(0.7)), rel=1e-12)
    for other in (0.2, 0.29, 0.31, 0.5):
        assert metrics.cross_entropy(truth, np.full_like(truth, other))[0, 0] > best


def test_per_frame_sum_convention_for_mse_and_mae():
    truth = np.zeros((2, 3, 64, 64))
    pred = np.zeros_like(truth)
    pred[0, 1] = 0.5  # a whole frame off by 0.5
    pred[1, 2, :10, :10] = 1.0  # 100 pixels off by 1
    mse = metrics.mse(truth, pred)
    mae = metrics.mae(truth, pred)
    expected_mse = np.zeros((2, 3))
    expected_mse[0, 1] = 4096 * 0.25
    expected_mse[1, 2] = 100.0
    expected_mae = np.zeros((2, 3))
    expected_mae[0, 1] = 4096 * 0.5
    expected_mae[1, 2] = 100.0
    np.testing.assert_allclose(mse, expected_mse)
    np.testing.assert_allclose(mae, expected_mae)


def test_channel_axis_is_optional_and_shapes_must_match():
    rng = np.random.default_rng(1)
    truth, pred = rng.random((2, 2, 3, 16, 16))
    for fn in (metrics.cross_entropy, metrics.mse, metrics.mae, metrics.ssim, metrics.psnr):
        np.testing.assert_allclose(fn(truth, pred), fn(truth[..., None], pred[..., None]))
    with pytest.raises(ValueError, match="shape mismatch"):
        metrics.mse(truth, pred[:, :2])
    with pytest.raises(ValueError, match="expected"):
        metrics.mse(truth[0], pred[0])


def test_ssim_and_psnr_match_skimage_on_random_frames():
    rng = np.random.default_rng(2)
    truth = rng.random((2, 3, 64, 64))
    pred = np.clip(truth * 0.7 + 0.3 * rng.random(truth.shape), 0, 1)
    pred[1, 2] = np.clip(truth[1, 2] + 0.05 * rng.standard_normal((64, 64)), 0, 1)
    ssim = metrics.ssim(truth, pred)
    psnr = metrics.psnr(truth, pred)
    for n in range(2):
        for t in range(3):
            reference = structural_similarity(truth[n, t], pred[n, t], gaussian_weights=True, sigma=1.5,
                                              use_sample_covariance=False, data_range=1)
            assert ssim[n, t] == pytest.approx(reference, abs=1e-10)
            assert psnr[n, t] == pytest.approx(peak_signal_noise_ratio(truth[n, t], pred[n, t], data_range=1),
                                               abs=1e-10)


def test_ssim_multichannel_is_the_channel_mean_like_skimage():
    rng = np.random.default_rng(3)
    truth = rng.random((1, 1, 32, 32, 3))
    pred = np.clip(truth + 0.1 * rng.standard_normal(truth.shape), 0, 1)
    reference = structural_similarity(truth[0, 0], pred[0, 0], gaussian_weights=True, sigma=1.5,
                                      use_sample_covariance=False, data_range=1, channel_axis=-1)
    assert metrics.ssim(truth, pred)[0, 0] == pytest.approx(reference, abs=1e-10)


def test_perfect_frames_ssim_one_and_psnr_capped():
    truth = np.random.default_rng(4).random((1, 2, 64, 64))
    np.testing.assert_allclose(metrics.ssim(truth, truth), 1.0)
    np.testing.assert_array_equal(metrics.psnr(truth, truth), metrics.PSNR_CAP_DB)
    with np.errstate(divide="ignore"):
        assert np.isinf(peak_signal_noise_ratio(truth[0, 0], truth[0, 0], data_range=1))  # why we cap


def test_psnr_hand_computed():
    truth = np.zeros((1, 1, 64, 64))
    pred = np.full_like(truth, 0.1)  # per-pixel MSE 0.01 -> 20 dB
    assert metrics.psnr(truth, pred)[0, 0] == pytest.approx(20.0, abs=1e-9)


def test_frame_metrics_returns_every_metric_and_matches_training_loss():
    from framepred_tf.models.losses import frame_cross_entropy

    rng = np.random.default_rng(5)
    truth = rng.random((2, 3, 16, 16, 1)).astype(np.float32)
    pred = rng.random((2, 3, 16, 16, 1)).astype(np.float32)
    result = metrics.frame_metrics(truth, pred)
    assert set(result) == set(metrics.METRIC_NAMES)
    assert all(v.shape == (2, 3) for v in result.values())
    loss = float(np.asarray(frame_cross_entropy(truth, pred)))
    assert result["cross_entropy"].mean() == pytest.approx(loss, rel=1e-5)

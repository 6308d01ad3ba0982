"""Baselines: predictions, training statistics, and their scores on a hand-built test set."""
import math

import numpy as np
import pytest

from framepred_tf.evaluation import baselines, evaluate

CLIP = 1e-7
ON = -math.log(CLIP)  # cost of a 0 (clipped) prediction under an "on" pixel, and vice versa
OFF = -math.log1p(-CLIP)  # cost of a correct 0/1 prediction


def _square_sequences():
    """One sequence: a 4x4 square moving right by 2 pixels per frame (binary frames)."""
    seq = np.zeros((1, 20, 64, 64), np.float32)
    for t in range(20):
        seq[0, t, 10:14, 2 * t:2 * t + 4] = 1.0
    return seq


def test_copy_last_frame_and_constant_frames():
    inputs = np.arange(2 * 3 * 2 * 2).reshape(2, 3, 2, 2, 1).astype(np.float32)
    copied = baselines.copy_last_frame(inputs, horizon=4)
    assert copied.shape == (2, 4, 2, 2, 1)
    for t in range(4):
        np.testing.assert_array_equal(copied[:, t], inputs[:, -1])
    frame = np.full((2, 2, 1), 0.25)
    constant = baselines.constant_frames(frame, batch=3, horizon=5)
    assert constant.shape == (3, 5, 2, 2, 1) and constant.dtype == np.float32
    assert np.all(constant == 0.25)


def test_training_statistics_is_the_mean_over_all_frames_in_chunks():
    def generator(n, seed):
        rng = np.random.default_rng(seed)
        return rng.random((n, 20, 8, 8)).astype(np.float32)

    stats = baselines.training_statistics("mnist5k", num_sequences=250, seed=7, generator=generator)
    # chunks of 100, 100, 50 with seeds 7, 8, 9
    everything = np.concatenate([generator(100, 7), generator(100, 8), generator(50, 9)]).astype(np.float64)
    np.testing.assert_allclose(stats.mean_frame[..., 0], everything.mean(axis=(0, 1)), rtol=1e-12)
    assert stats.mean_pixel == pytest.approx(everything.mean(), rel=1e-12)
    assert stats.mean_frame.shape == (8, 8, 1)


def test_baseline_cross_entropy_on_a_hand_built_sequence():
    seq = _square_sequences()
    # Mean frame: a made-up constant 0.25 everywhere; mean pixel likewise.
    stats = baselines.TrainingStatistics(np.full((64, 64, 1), 0.25), 0.25, 1, "mnist5k", 0)
    by_name = {b.name: b for b in baselines.make_baselines(stats)}
    assert set(by_name) == set(baselines.BASELINE_NAMES)

    def score(name):
        subject = evaluate.baseline_subject(by_name[name], "unused")
        return evaluate.evaluate_predictor(subject.predict, seq, batch_size=1)["cross_entropy"][0]

    pixels = 64 * 64
    # copy-last: the frame-9 square (16 px) vs the frame 10+k square, shifted by 2(k+1) px.
    expected_copy = []
    for k in range(10):
        overlap = 4 * max(0, 4 - 2 * (k + 1))
        wrong = 2 * (16 - overlap)  # truth-on/pred-off plus truth-off/pred-on
        expected_copy.append(wrong * ON + (pixels - wrong) * OFF)
    np.testing.assert_allclose(score("copy_last_frame"), expected_copy, rtol=1e-9)
    # zeros: every one of the 16 on pixels costs -log(1e-7)
    np.testing.assert_allclose(score("zeros"), 16 * ON + (pixels - 16) * OFF, rtol=1e-9)
    constant = 16 * -math.log(0.25) + (pixels - 16) * -math.log(0.75)
    np.testing.assert_allclose(score("mean_pixel"), constant, rtol=1e-9)
    np.testing.assert_allclose(score("mean_training_frame"), constant, rtol=1e-9)


def test_mean_pixel_is_the_best_constant_prediction():
    seq = _square_sequences()
    mean = float(seq.mean())
    costs = {}
    for value in (mean * 0.5, mean, mean * 2):
        stats = baselines.TrainingStatistics(np.full((64, 64, 1), value), value, 1, "x", 0)
        subject = evaluate.baseline_subject(baselines.make_baselines(stats)[1], "unused")
        costs[value] = evaluate.evaluate_predictor(subject.predict, seq)["cross_entropy"].mean()
    assert min(costs, key=costs.get) == mean

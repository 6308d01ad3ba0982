"""Evaluation against the real data package (tiny ``mnist5k`` sets, always available offline)."""
import io
import os

import numpy as np
import pytest

from framepred_tf.evaluation import baselines, evaluate, metrics


def test_run_eval_on_real_research_set_matches_direct_computation(runs_dir, tmp_path):
    from framepred_tf.data import split_frames, test_set

    run_dir = os.path.join(runs_dir, "stae-20240101-120000")
    results = evaluate.run_eval([run_dir], test_sets=["research"], test_size=4, batch_size=3, digits="mnist5k",
                                out=str(tmp_path), stream=io.StringIO())
    measured = results[("stae-20240101-120000", "research")]
    # the same numbers by hand: the data package's own split, one forward pass
    run = evaluate.load_run(run_dir)
    model = evaluate.load_keras_model(run)
    inputs, targets = split_frames(test_set("research", size=4, digits="mnist5k"), input_frames=10)
    expected = metrics.frame_metrics(targets, np.asarray(model.predict_on_batch(inputs)))
    for name in metrics.METRIC_NAMES:
        np.testing.assert_allclose(measured[name], expected[name], rtol=1e-5, atol=1e-6)


def test_training_statistics_from_the_real_generator():
    stats = baselines.training_statistics("mnist5k", num_sequences=20, seed=3)
    assert stats.mean_frame.shape == (64, 64, 1)
    # two 28x28 digits with about 19 % ink on a 64x64 canvas: mean pixel a few percent
    assert 0.01 < stats.mean_pixel < 0.1
    assert stats.mean_pixel == pytest.approx(stats.mean_frame.mean())

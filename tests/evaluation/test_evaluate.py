"""Streaming evaluation, progress lines, result caching, run loading and ``run_eval``."""
import csv
import io
import os

import numpy as np
import pytest

from framepred_tf.errors import FramepredError
from framepred_tf.evaluation import evaluate, metrics

from .conftest import fake_loader, make_run, moving_squares


def _blur_predict(inputs):
    """A deterministic non-trivial predictor: last frame, smeared over time."""
    last = inputs[:, -1:]
    return np.concatenate([last * (0.9 ** (k + 1)) for k in range(10)], axis=1)


def test_streaming_equals_one_shot():
    sequences = moving_squares(11, seed=3)
    streamed = evaluate.evaluate_predictor(_blur_predict, sequences, batch_size=4)
    whole = evaluate.evaluate_predictor(_blur_predict, sequences, batch_size=11)
    inputs, targets = evaluate.split_sequences(sequences)
    one_shot = metrics.frame_metrics(targets, _blur_predict(inputs))
    for name in metrics.METRIC_NAMES:
        assert streamed[name].shape == (11, 10)
        np.testing.assert_allclose(streamed[name], whole[name], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(streamed[name], one_shot[name], rtol=1e-12, atol=1e-12)


def test_wrong_prediction_shape_is_a_framepred_error():
    with pytest.raises(FramepredError, match="expected"):
        evaluate.evaluate_predictor(lambda x: x[:, :5], moving_squares(2), batch_size=2)


def test_progress_prints_about_ten_lines_without_a_tty():
    stream = io.StringIO()
    progress = evaluate.Progress(50, "test", stream=stream)
    evaluate.evaluate_predictor(_blur_predict, moving_squares(50, seed=1), batch_size=3, progress=progress)
    lines = stream.getvalue().splitlines()
    assert 9 <= len(lines) <= 11
    assert lines[-1].startswith("test: 50/50 (100%)") and "seq/s" in lines[-1] and "ETA" in lines[-1]


def test_cached_evaluation_reuses_matching_results_only(tmp_path):
    sequences = moving_squares(4, seed=2)
    subject = evaluate.Subject("s", "s", "baseline", {"id": 1}, [str(tmp_path)], predict=_blur_predict)
    calls = []

    def load():
        calls.append(1)
        return sequences

    first, cached = evaluate.cached_evaluation(subject, "research", 4, "mnist", load, stream=io.StringIO())
    assert not cached and calls == [1]
    again, cached = evaluate.cached_evaluation(subject, "research", 4, "mnist", load, stream=io.StringIO())
    assert cached and calls == [1]
    for name in metrics.METRIC_NAMES:
        np.testing.assert_array_equal(first[name], again[name])
    subject.identity = {"id": 2}  # e.g. a retrained best.keras
    _, cached = evaluate.cached_evaluation(subject, "research", 4, "mnist", load, stream=io.StringIO())
    assert not cached and calls == [1, 1]


def test_load_run_errors_name_the_missing_path(tmp_path):
    with pytest.raises(FramepredError, match="run directory not found: .*nowhere"):
        evaluate.load_run(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FramepredError, match="config.json not found"):
        evaluate.load_run(tmp_path / "empty")
    run_dir = make_run(str(tmp_path), "stae-1", "stae", with_model=False)
    with pytest.raises(FramepredError, match=r"best\.keras not found"):
        evaluate.load_run(run_dir)


def test_run_eval_writes_npz_and_csv(runs_dir, tmp_path, capsys):
    run_dir = os.path.join(runs_dir, "stae-20240101-120000")
    results = evaluate.run_eval([run_dir], test_sets=["research", "digits-3"], test_size=5, batch_size=2,
                                out=str(tmp_path), loader=fake_loader(), stream=io.StringIO())
    assert set(results) == {("stae-20240101-120000", "research"), ("stae-20240101-120000", "digits-3")}
    out = capsys.readouterr().out
    assert "stae-20240101-120000 on research (n=5): cross-entropy" in out
    # run config records digits mnist5k, so that is the default digits source
    npz = tmp_path / "stae-20240101-120000" / "research-n5-mnist5k.npz"
    with np.load(npz) as stored:
        for name in metrics.METRIC_NAMES:
            assert stored[name].shape == (5, 10)
        measured = results[("stae-20240101-120000", "research")]["cross_entropy"]
        np.testing.assert_allclose(stored["cross_entropy"], measured)
    with open(npz.with_suffix(".csv")) as f:
        rows = list(csv.reader(f))
    assert rows[0][:6] == ["subject", "test_set", "size", "digits", "metric", "average"]
    assert [r[4] for r in rows[1:]] == list(metrics.METRIC_NAMES)
    mean_ce = results[("stae-20240101-120000", "research")]["cross_entropy"].mean()
    assert float(rows[1][5]) == pytest.approx(mean_ce, rel=1e-5)

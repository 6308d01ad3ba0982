"""--time-limit stops a run cleanly; --resume with a longer limit finishes it with the same history."""
import io
import os

import pytest

from framepred_tf.training import train
from framepred_tf.training.callbacks import read_history
from framepred_tf.training.checkpoints import latest_checkpoint
from tests.training.conftest import TINY, run_cli

SETTINGS = dict(epochs=2, steps_per_epoch=3, batch_size=2, val_size=2, checkpoint_every=1, log_every=1,
                precision="float32")


def _train(out, stream=None, **extra):
    return train("convlstm", out=str(out), model_overrides=TINY["convlstm"], stream=stream or io.StringIO(),
                 **{**SETTINGS, **extra})


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    return _train(tmp_path_factory.mktemp("full"))


def _numbers(rows, skip=("stopped",)):
    return [{key: float(value) for key, value in row.items() if key not in skip} for row in rows]


@pytest.mark.slow
def test_time_limit_stops_then_resume_finishes_like_an_uninterrupted_run(uninterrupted, tmp_path):
    console = io.StringIO()
    run = _train(tmp_path, stream=console, time_limit=1e-6)  # the limit is over after the first step
    assert f"continue with --resume {run} --time-limit" in console.getvalue()
    weights, state = latest_checkpoint(os.path.join(run, "checkpoints"))
    assert state["global_step"] == 1 and state["stopped_by"] == "time_limit"
    assert state["epochs_completed"] == 0 and state["train_seconds"] > 0
    assert os.path.isfile(os.path.join(run, "best.keras"))
    assert os.listdir(os.path.join(run, "samples"))
    (row,) = read_history(os.path.join(run, "history.csv"))
    assert (row["epoch"], row["step"], row["stopped"]) == ("1", "1", "time_limit@1")

    assert train("convlstm", resume=run, time_limit=60, stream=io.StringIO()) == run
    assert latest_checkpoint(os.path.join(run, "checkpoints"))[1]["global_step"] == 6
    history = read_history(os.path.join(run, "history.csv"))
    assert [row.get("stopped", "") for row in history] == ["time_limit@1", ""]
    expected = _numbers(read_history(os.path.join(uninterrupted, "history.csv")))
    for ours, theirs in zip(_numbers(history), expected, strict=True):
        assert ours.keys() == theirs.keys()
        for key in ours:
            assert ours[key] == pytest.approx(theirs[key], rel=1e-5), key
    minutes = [float(r["train_minutes"]) for r in read_history(os.path.join(run, "wallclock.csv"))]
    assert len(minutes) == 2 and 0 < minutes[0] <= minutes[1]


@pytest.mark.parametrize("value", ["0", "-3", "nan"])
def test_time_limit_must_be_positive(value, tmp_path):
    status, _, err = run_cli(["train", "convlstm", "--out", str(tmp_path), "--time-limit", value])
    assert status == 2
    assert err.count("\n") == 1 and "--time-limit must be a positive number of minutes" in err

"""A resumed run reaches the same weights as an uninterrupted one."""
import io
import os
import shutil

import keras
import numpy as np
import pytest

from framepred_tf.errors import FramepredError
from framepred_tf.training import read_config, train
from framepred_tf.training.callbacks import read_history
from framepred_tf.training.checkpoints import checkpoint_paths
from framepred_tf.training.trainer import fit_segments, resumed_config


def test_fit_segments():
    assert fit_segments(0, 3, 2) == [(0, 3, 0, 2)]
    assert fit_segments(4, 3, 2) == [(4, 2, 1, 2)]  # finish epoch 2 from its second batch
    assert fit_segments(1, 3, 3) == [(1, 2, 0, 1), (3, 3, 1, 3)]
    assert fit_segments(3, 3, 2) == [(3, 3, 1, 2)]
    assert fit_segments(6, 3, 2) == []


def _variables(path):
    model = keras.saving.load_model(path)
    return model.get_weights() + [keras.ops.convert_to_numpy(v) for v in model.optimizer.variables]


def _crashed_copy(run_dir, after_step, destination):
    """``run_dir`` as a crash right after the checkpoint of ``after_step`` would have left it."""
    shutil.copytree(run_dir, destination)
    checkpoints = os.path.join(destination, "checkpoints")
    for name in os.listdir(checkpoints):
        if int(name.split("-")[1].split(".")[0]) > after_step:
            os.remove(os.path.join(checkpoints, name))
    return str(destination)


@pytest.mark.slow
def test_resume_mid_epoch_matches_uninterrupted_run(tiny_cli_run, tmp_path):
    full, _ = tiny_cli_run("convlstm")  # 2 epochs x 2 steps, a checkpoint per step
    resumed = _crashed_copy(full, 3, tmp_path / "resumed")  # step 3: first batch of epoch 2 done
    assert train("convlstm", resume=resumed, stream=io.StringIO()) == resumed

    final = [checkpoint_paths(os.path.join(run, "checkpoints"), 4)[0] for run in (full, resumed)]
    for expected, actual in zip(*map(_variables, final)):
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-7)
    history = read_history(os.path.join(resumed, "history.csv"))
    assert [row["epoch"] for row in history] == ["1", "2"]
    assert float(history[1]["val_loss"]) == pytest.approx(
        float(read_history(os.path.join(full, "history.csv"))[1]["val_loss"]), rel=1e-5)


@pytest.mark.slow
def test_resume_may_only_extend_the_run(tiny_cli_run, tmp_path):
    run = shutil.copytree(tiny_cli_run("convlstm")[0], tmp_path / "run")
    with pytest.raises(FramepredError, match="cannot change lr"):
        train("convlstm", resume=run, lr=0.1)
    with pytest.raises(FramepredError, match="is a convlstm run, not vpn"):
        train("vpn", resume=run)
    extended = resumed_config(run, "convlstm", {"epochs": 5, "log_every": 3}, None)
    assert (extended["epochs"], extended["log_every"]) == (5, 3)
    assert {k: v for k, v in extended.items() if k not in ("epochs", "log_every")} == \
        {k: v for k, v in read_config(run).items() if k not in ("epochs", "log_every")}

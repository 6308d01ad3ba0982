"""kill -9 of a training run at an arbitrary moment: the resume continues from the newest checkpoint."""
import io
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from framepred_tf.rl.logger import read_progress
from framepred_tf.training import checkpoints
from tests.rl.conftest import TINY_OVERRIDES, requires_ale

REPO = pathlib.Path(__file__).resolve().parents[2]


@requires_ale
@pytest.mark.slow
def test_sigkill_mid_run_loses_at_most_one_checkpoint_interval(tmp_path):
    argv = [sys.executable, "-m", "framepred_tf.cli", "rl", "train", "pong", "--preset", "quick", "--envs", "2",
            "--timesteps", "64000", "--log-every", "64", "--checkpoint-every", "2", "--out", str(tmp_path),
            *TINY_OVERRIDES]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO,
                               env=dict(os.environ, PYTHONPATH=str(REPO)))
    try:
        deadline = time.monotonic() + 240
        while not list(tmp_path.glob("pong-ppo2-*/checkpoints/ckpt-4.json")):
            assert process.poll() is None and time.monotonic() < deadline, "no checkpoint of update 4 in time"
            time.sleep(0.2)
        time.sleep(0.7)  # somewhere in the middle of later updates, logs or saves
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    (run,) = tmp_path.glob("pong-ppo2-*")
    _, state = checkpoints.latest_checkpoint(run / "checkpoints")
    reached = state["updates"]
    assert reached >= 4 and reached % 2 == 0

    from framepred_tf.rl.train import train

    err = io.StringIO()
    # A time limit just above the time already spent: exactly one more update, then a clean stop.
    train(None, resume=str(run), time_limit=state["train_seconds"] / 60 + 1e-4, stdout=io.StringIO(), stderr=err)
    assert f"from update {reached} " in err.getvalue()
    rows = read_progress(run / "progress.csv")
    assert [int(r["timesteps"]) for r in rows] == [64 * (i + 1) for i in range(reached + 1)]
    assert checkpoints.latest_checkpoint(run / "checkpoints")[1]["updates"] == reached + 1
    assert not list((run / "checkpoints").glob(".tmp-*"))

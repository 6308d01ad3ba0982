"""history.csv of a run killed with SIGKILL mid-epoch and resumed equals an uninterrupted run's."""
import io
import os
import pathlib
import signal
import subprocess
import sys
import textwrap

import pytest

from framepred_tf.training import train
from framepred_tf.training.callbacks import read_history
from framepred_tf.training.checkpoints import latest_checkpoint
from tests.training.conftest import TINY

SETTINGS = dict(epochs=2, steps_per_epoch=4, batch_size=2, val_size=2, checkpoint_every=1, log_every=1,
                precision="float32")

# The same training in a subprocess whose save of checkpoint 7 hangs once checkpoint 6
# (the middle of epoch 2) is complete, so the test can kill it there.
KILLED_RUN = textwrap.dedent(f"""
    import io, sys, time
    import keras
    from framepred_tf.training import train
    from tests.training.conftest import TINY

    real_save = keras.Model.save

    def hanging_save(self, path, *args, **kwargs):
        if "ckpt-7" in str(path):
            print("HANGING", flush=True)
            time.sleep(300)
        real_save(self, path, *args, **kwargs)

    keras.Model.save = hanging_save
    train("convlstm", out=sys.argv[1], model_overrides=TINY["convlstm"], stream=io.StringIO(), **{SETTINGS!r})
""")


@pytest.mark.slow
def test_history_after_kill_and_resume_equals_uninterrupted(tmp_path):
    root = pathlib.Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(root), KERAS_BACKEND="tensorflow")
    out = tmp_path / "killed"
    process = subprocess.Popen([sys.executable, "-c", KILLED_RUN, str(out)], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, env=env, cwd=root)
    try:
        line = process.stdout.readline()
        assert line.strip() == "HANGING", f"the training subprocess ended early: {line!r}"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    (name,) = os.listdir(out)
    run = str(out / name)
    assert latest_checkpoint(os.path.join(run, "checkpoints"))[1]["global_step"] == 6

    assert train("convlstm", resume=run, stream=io.StringIO()) == run
    full = train("convlstm", out=str(tmp_path / "full"), model_overrides=TINY["convlstm"], stream=io.StringIO(),
                 **SETTINGS)
    resumed, expected = (read_history(os.path.join(r, "history.csv")) for r in (run, full))
    assert [list(row) for row in resumed] == [list(row) for row in expected]
    for ours, theirs in zip(resumed, expected, strict=True):
        for key in ours:
            assert float(ours[key]) == pytest.approx(float(theirs[key]), rel=1e-5), key

"""kill -9 in the middle of writing a checkpoint leaves the previous one usable."""
import os
import pathlib
import signal
import subprocess
import sys
import textwrap


from framepred_tf.training.checkpoints import latest_checkpoint, remove_temporaries, restore_weights
from tests.training.conftest import plain_model

# Training whose third checkpoint save writes its temporary file and then hangs, so the
# test can kill the process while the write is in progress.
HANGING_SAVE = textwrap.dedent("""
    import io, sys, time
    import keras
    from framepred_tf.training import standard_callbacks
    from tests.training.conftest import plain_data, plain_model

    real_save, calls = keras.Model.save, []

    def slow_save(self, path, *args, **kwargs):
        calls.append(path)
        real_save(self, path, *args, **kwargs)
        if len(calls) == 3:
            print("SAVING", path, flush=True)
            time.sleep(120)

    keras.Model.save = slow_save
    x, y = plain_data()
    model = plain_model()
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0,
              callbacks=standard_callbacks(sys.argv[1], checkpoint_every=2, stream=io.StringIO()))
""")


def test_sigkill_during_save_keeps_previous_checkpoint(tmp_path):
    run_dir = tmp_path / "run"
    env = dict(os.environ, PYTHONPATH=str(pathlib.Path(__file__).resolve().parents[2]))
    process = subprocess.Popen([sys.executable, "-c", HANGING_SAVE, str(run_dir)], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        line = process.stdout.readline()
        assert line.startswith("SAVING"), f"the training subprocess ended early: {line!r}"
        tmp_name = os.path.basename(line.split()[1])
        assert tmp_name.startswith(".tmp-ckpt-6.keras")
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    directory = run_dir / "checkpoints"
    assert (directory / tmp_name).exists() and not (directory / "ckpt-6.keras").exists()
    weights, state = latest_checkpoint(directory)
    assert state["global_step"] == 4
    model = plain_model(seed=3)
    restore_weights(model, weights)
    assert int(model.optimizer.iterations) == 4
    assert remove_temporaries(directory) == [tmp_name]

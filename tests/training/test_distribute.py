"""--strategy mirrored over two logical CPUs gives the single-device losses; TF_CONFIG errors are clear."""
import json
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

from framepred_tf.errors import FramepredError
from framepred_tf.training.runtime import is_chief_task, parse_tf_config
from tests.backend_utils import requires_jax

REPO = pathlib.Path(__file__).resolve().parents[2]

# Logical devices must be configured before TensorFlow initialises, hence a fresh interpreter.
TWO_CPUS = textwrap.dedent("""
    import io, json, os, sys
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from framepred_tf.training import train
    from framepred_tf.training.callbacks import read_history

    losses = {}
    # Without scheduled sampling: its truth/prediction draws come per replica, so with it the
    # two runs agree only in distribution, not value by value.
    tiny = {"filters": (4,), "kernel_size": 3, "teacher_forcing_steps": 0}
    for strategy in ("none", "mirrored"):
        run = train("convlstm", out=sys.argv[1], strategy=strategy, model_overrides=tiny,
                    epochs=1, steps_per_epoch=3, batch_size=4, val_size=4, log_every=100, stream=io.StringIO())
        (row,) = read_history(os.path.join(run, "history.csv"))
        losses[strategy] = [float(row["loss"]), float(row["val_loss"])]
    losses["replicas"] = tf.distribute.MirroredStrategy().num_replicas_in_sync
    print(json.dumps(losses))
""")


@pytest.mark.slow
def test_mirrored_on_two_logical_cpus_matches_single_device(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO), KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run([sys.executable, "-c", TWO_CPUS, str(tmp_path)], capture_output=True, text=True,
                            env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    losses = json.loads(result.stdout.strip().splitlines()[-1])
    assert losses["replicas"] == 2
    assert losses["mirrored"] == pytest.approx(losses["none"], rel=1e-4)


@pytest.mark.parametrize("text,message", [
    (None, "needs the TF_CONFIG environment variable"),
    ("{not json", "malformed TF_CONFIG"),
    ('{"cluster": {"worker": ["a:1"]}}', "malformed TF_CONFIG"),
    ('{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 3}}', "outside the 1 worker"),
])
def test_bad_tf_config(text, message):
    with pytest.raises(FramepredError, match=message):
        parse_tf_config(text)


def test_chief_selection():
    workers = {"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 0}}
    assert is_chief_task(parse_tf_config(json.dumps(workers)))
    workers["task"]["index"] = 1
    assert not is_chief_task(workers)
    with_chief = {"cluster": {"chief": ["c:1"], "worker": ["a:1"]}, "task": {"type": "worker", "index": 0}}
    assert not is_chief_task(with_chief)


def test_multiworker_without_tf_config_is_a_one_line_error(tmp_path, monkeypatch):
    from tests.training.conftest import run_cli

    monkeypatch.delenv("TF_CONFIG", raising=False)
    status, _, err = run_cli(["train", "convlstm", "--strategy", "multiworker", "--out", str(tmp_path)])
    assert status == 2 and err.count("\n") == 1 and "TF_CONFIG" in err
    assert os.listdir(tmp_path) == []


# JAX: --strategy mirrored is keras.distribution.DataParallel over the (here two forced) host devices.
JAX_TWO_DEVICES = textwrap.dedent("""
    import io, json, os, sys
    import jax
    from framepred_tf.training import train
    from framepred_tf.training.callbacks import read_history

    losses = {"devices": len(jax.devices())}
    for strategy in ("none", "mirrored"):
        run = train("convlstm", out=sys.argv[1], strategy=strategy, model_overrides={"filters": (4,), "kernel_size": 3},
                    epochs=1, steps_per_epoch=2, batch_size=4, val_size=4, log_every=100, stream=io.StringIO())
        (row,) = read_history(os.path.join(run, "history.csv"))
        losses[strategy] = [float(row["loss"]), float(row["val_loss"])]
    print(json.dumps(losses))
""")


@pytest.mark.slow
@requires_jax
def test_jax_data_parallel_matches_single_device(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO), KERAS_BACKEND="jax", JAX_PLATFORMS="cpu",
               XLA_FLAGS="--xla_force_host_platform_device_count=2")
    result = subprocess.run([sys.executable, "-c", JAX_TWO_DEVICES, str(tmp_path)], capture_output=True, text=True,
                            env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    losses = json.loads(result.stdout.strip().splitlines()[-1])
    assert losses["devices"] == 2
    assert losses["mirrored"] == pytest.approx(losses["none"], rel=1e-4)

"""``--strategy multiworker`` for real: two ``framepred-tf train`` workers on 127.0.0.1.

Each worker is its own process with its own ``TF_CONFIG`` (loopback addresses only, ports
picked by binding port 0) and trains a tiny ConvLSTM through the command line. The run
must end with the same weights on both workers and the losses of one process at the same
global batch, only the chief may write under ``--out``, and a worker killed mid-run must
stop the other with a one-line error instead of a hang. Every wait is bounded: a stuck
worker fails the test after :data:`PROCESS_TIMEOUT` seconds and is killed.
"""
import contextlib
import csv
import importlib.util
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
import zipfile

import numpy as np
import pytest

from framepred_tf.training.checkpoints import latest_checkpoint

pytestmark = pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None,
                                reason="--strategy multiworker needs tensorflow, which is not installed")

REPO = pathlib.Path(__file__).resolve().parents[2]
# Generous for two TensorFlow processes starting on 2 loaded cores (~5-10 s each, plus
# ~20 s tracing the first step), yet bounded so CI never hangs.
PROCESS_TIMEOUT = 240
# TensorFlow's coordination service declares a peer dead after 10 s without heartbeats.
LOST_WORKER_TIMEOUT = 120
# float32: the check is about the distribution, not the precision a preset may default to;
# no scheduled sampling, whose draws are per replica (they match one process in distribution only).
TINY_RUN = ["train", "convlstm", "--preset", "quick", "--precision", "float32", "--override", "filters=(4,)",
            "--override", "kernel_size=3", "--override", "teacher_forcing_steps=0", "--batch-size", "4",
            "--val-size", "4", "--epochs", "1", "--log-every", "1"]
STEP_LINE = re.compile(r" Step:(\d+) Loss:(-?\d+\.\d+) ")


def loopback_addresses(count):
    """``count`` distinct free ``127.0.0.1:PORT`` addresses (all sockets held open while picking)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [f"127.0.0.1:{sock.getsockname()[1]}" for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


class TrainProcess:
    """One ``framepred-tf train`` process (a multi-worker one with ``tf_config``), its console in files, own TMPDIR."""

    def __init__(self, directory, argv, tf_config=None):
        self.directory = pathlib.Path(directory)
        self.tmp = self.directory / "tmp"
        self.tmp.mkdir(parents=True)
        self.address = tf_config and tf_config["cluster"]["worker"][tf_config["task"]["index"]]
        env = dict(os.environ, PYTHONPATH=str(REPO), KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="2",
                   TMPDIR=str(self.tmp))
        env.pop("TF_CONFIG", None)
        for proxy in ("grpc_proxy", "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
            env.pop(proxy, None)  # gRPC would send even loopback traffic through a proxy
        if tf_config is not None:
            env["TF_CONFIG"] = json.dumps(tf_config)
        with open(self.directory / "stdout", "w") as out, open(self.directory / "stderr", "w") as err:
            self.process = subprocess.Popen([sys.executable, "-m", "framepred_tf.cli", *argv], cwd=REPO, env=env,
                                            stdout=out, stderr=err, stdin=subprocess.DEVNULL)

    def wait(self, deadline):
        try:
            return self.process.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.stop()
            pytest.fail(f"{self.directory.name} was still running at its time limit; killed it.\n"
                        f"{self.stderr()[-3000:]}")

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def stdout(self):
        return (self.directory / "stdout").read_text()

    def stderr(self):
        return (self.directory / "stderr").read_text()

    def run_dir(self):
        (line,) = [line for line in self.stdout().splitlines() if line.startswith("run directory: ")]
        return pathlib.Path(line[len("run directory: "):])

    def step_losses(self):
        return [float(loss) for _, loss in STEP_LINE.findall(self.stdout())]


@contextlib.contextmanager
def launcher():
    """``launch(directory, argv, tf_config=None) -> TrainProcess``; any still running at exit is killed."""
    started = []

    def launch(directory, argv, tf_config=None):
        started.append(TrainProcess(directory, argv, tf_config))
        return started[-1]

    try:
        yield launch
    finally:
        for process in started:
            process.stop()


def start_cluster(launch, directory, argv, workers=2):
    """``workers`` processes of one multi-worker run on loopback addresses; worker 0 is the chief."""
    addresses = loopback_addresses(workers)
    return [launch(pathlib.Path(f"{directory}-worker{index}"), argv,
                   {"cluster": {"worker": addresses}, "task": {"type": "worker", "index": index}})
            for index in range(workers)]


def finish(processes, timeout=PROCESS_TIMEOUT):
    """Wait for ``processes``, which run side by side and so share one deadline; each must succeed."""
    deadline = time.monotonic() + timeout
    for process in processes:
        status = process.wait(deadline)
        assert status == 0, f"{process.directory.name} exited with {status}:\n{process.stderr()[-3000:]}"


@pytest.fixture(scope="module")
def three_steps(tmp_path_factory):
    """Three steps of global batch 4 on two workers, and on one process alongside."""
    tmp_path = tmp_path_factory.mktemp("multiworker")
    out = tmp_path / "runs"
    argv = [*TINY_RUN, "--steps-per-epoch", "3"]
    with launcher() as launch:
        chief, other = start_cluster(launch, tmp_path / "run", [*argv, "--strategy", "multiworker", "--out", str(out)])
        single = launch(tmp_path / "single", [*argv, "--out", str(tmp_path / "single-runs")])
        finish([chief, other, single])
    return {"out": out, "chief": chief, "other": other, "single": single}


def history(run_dir):
    with open(run_dir / "history.csv", newline="") as f:
        (row,) = csv.DictReader(f)
    return [float(row["loss"]), float(row["val_loss"])]


def checkpoint_arrays(path):
    """Every array of a ``.keras`` checkpoint (model and optimizer variables) by its HDF5 path."""
    import h5py

    arrays = {}
    with zipfile.ZipFile(path) as archive, archive.open("model.weights.h5") as raw, h5py.File(raw, "r") as h5:
        h5.visititems(lambda name, item: arrays.update({name: item[()]}) if isinstance(item, h5py.Dataset) else None)
    return arrays


@pytest.mark.slow
def test_both_workers_end_with_identical_weights(three_steps):
    chief_ckpt = latest_checkpoint(three_steps["chief"].run_dir() / "checkpoints")
    other_ckpt = latest_checkpoint(three_steps["other"].run_dir() / "checkpoints")
    assert chief_ckpt[1]["global_step"] == other_ckpt[1]["global_step"] == 3
    chief, other = checkpoint_arrays(chief_ckpt[0]), checkpoint_arrays(other_ckpt[0])
    assert sorted(chief) == sorted(other) and len(chief) >= 4  # kernels, biases and RMSprop slots
    for name in chief:
        np.testing.assert_array_equal(chief[name], other[name], err_msg=name)
    # Three RMSprop steps from the same start land the single process within float noise.
    single = checkpoint_arrays(latest_checkpoint(three_steps["single"].run_dir() / "checkpoints")[0])
    for name in chief:
        np.testing.assert_allclose(chief[name], single[name], rtol=1e-4, atol=1e-6, err_msg=name)


@pytest.mark.slow
def test_losses_equal_one_process_at_the_same_global_batch(three_steps):
    chief, other, single = three_steps["chief"], three_steps["other"], three_steps["single"]
    assert len(single.step_losses()) == 3
    assert chief.step_losses() == pytest.approx(single.step_losses(), rel=1e-5)
    assert other.step_losses() == chief.step_losses()
    assert history(chief.run_dir()) == pytest.approx(history(single.run_dir()), rel=1e-5)
    assert history(other.run_dir()) == history(chief.run_dir())


@pytest.mark.slow
def test_only_the_chief_writes_the_run_directory(three_steps):
    chief_dir, other_dir = three_steps["chief"].run_dir(), three_steps["other"].run_dir()
    assert os.listdir(three_steps["out"]) == [chief_dir.name]
    assert (chief_dir / "config.json").is_file() and (chief_dir / "best.keras").is_file()
    # The other worker saved too (saving may involve collectives), but into its own scratch folder.
    assert other_dir.parent == three_steps["other"].tmp and not (other_dir / "config.json").exists()


@pytest.mark.slow
def test_a_killed_worker_stops_the_other_with_a_one_line_error_and_the_run_resumes(tmp_path):
    out = tmp_path / "runs"
    argv = [*TINY_RUN, "--steps-per-epoch", "30", "--checkpoint-every", "5", "--strategy", "multiworker",
            "--out", str(out)]
    with launcher() as launch:
        chief, other = start_cluster(launch, tmp_path / "killed", argv)
        deadline = time.monotonic() + PROCESS_TIMEOUT
        while len(chief.step_losses()) < 10:
            assert chief.process.poll() is None and other.process.poll() is None, \
                f"a worker exited before step 10:\n{chief.stderr()[-2000:]}\n{other.stderr()[-2000:]}"
            assert time.monotonic() < deadline, f"no step 10 within {PROCESS_TIMEOUT} s:\n{chief.stderr()[-3000:]}"
            time.sleep(0.2)
        other.process.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        status = chief.wait(killed + LOST_WORKER_TIMEOUT)
        print(f"the chief stopped {time.monotonic() - killed:.1f} s after its peer was killed")
    (run_dir,) = out.iterdir()
    last_line = chief.stderr().strip().splitlines()[-1]
    assert status == 2, chief.stderr()[-3000:]
    assert last_line.startswith(f"framepred-tf: error: lost worker 1 ({other.address}) "), last_line
    assert f"--resume {run_dir} " in last_line and "newest checkpoint" in last_line, last_line
    saved = latest_checkpoint(run_dir / "checkpoints")[1]["global_step"]
    assert saved >= 5

    # What the message says to do: both workers again, from the chief's run directory.
    with launcher() as launch:
        chief, other = start_cluster(launch, tmp_path / "resumed", ["train", "--resume", str(run_dir),
                                                                    "--log-every", "1"])
        finish([chief, other])
    assert f"resuming {run_dir} from step {saved} " in chief.stderr()
    assert len(chief.step_losses()) == 30 - saved and other.step_losses() == chief.step_losses()
    assert history(run_dir)[1] > 0 and latest_checkpoint(run_dir / "checkpoints")[1]["global_step"] == 30


# A fit that fails while the prefetch thread is inside the PyDataset's __getitem__ (a slow
# one makes that certain) used to leave a process that printed its error and never exited.
FAILED_FIT_EXITS = textwrap.dedent("""
    import time
    import keras, numpy as np, tensorflow as tf
    from framepred_tf.errors import FramepredError
    from framepred_tf.training.runtime import Distribution

    class SlowBatches(keras.utils.PyDataset):
        def __len__(self):
            return 100

        def __getitem__(self, index):
            time.sleep(0.3)
            return np.zeros((4, 8), "float32"), np.zeros((4, 1), "float32")

    class PeerLostAtStep4(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 3:
                raise tf.errors.UnavailableError(None, None, "Error reported from /job:worker/task:1: unhealthy")

    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    with strategy.scope():
        model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1)])
        model.compile("sgd", "mse")
    cluster = {"cluster": {"worker": ["127.0.0.1:1111", "127.0.0.1:2222"]}, "task": {"type": "worker", "index": 0}}
    try:
        with Distribution("multiworker", 2, True, strategy, cluster).lost_workers_reported("runs/x"):
            model.fit(SlowBatches(), epochs=1, verbose=0, callbacks=[PeerLostAtStep4()])
    except FramepredError as error:
        print(error)
""")


@pytest.mark.slow
def test_a_lost_worker_error_lets_the_process_exit():
    env = dict(os.environ, PYTHONPATH=str(REPO), KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="2")
    try:
        result = subprocess.run([sys.executable, "-c", FAILED_FIT_EXITS], capture_output=True, text=True, env=env,
                                timeout=PROCESS_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the process printed its error but did not exit within {PROCESS_TIMEOUT} s")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("lost worker 1 (127.0.0.1:2222) of the multi-worker run"), result.stdout


def test_lost_worker_message_names_the_peer_and_how_to_resume():
    import tensorflow as tf

    from framepred_tf.training.runtime import lost_worker_message

    cluster = {"cluster": {"worker": ["127.0.0.1:1111", "127.0.0.1:2222"]}, "task": {"type": "worker", "index": 0}}
    # What TensorFlow 2.21 reported when worker 1 was killed (the chief's side) ...
    heartbeats = tf.errors.UnavailableError(None, None, (
        "Collective ops is aborted by: Error reported from /job:worker/task:1: The following tasks are unhealthy "
        "(stopped sending heartbeats):\n/job:worker/replica:0/task:1\nThe tasks have crashed."))
    message = lost_worker_message(heartbeats, cluster, "runs/convlstm-1", is_chief=True)
    assert message.startswith("lost worker 1 (127.0.0.1:2222) of the multi-worker run (UnavailableError")
    assert "--resume runs/convlstm-1 " in message and "\n" not in message
    # ... and when the chief was killed (worker 1's side, which does not know the chief's run directory).
    reset = tf.errors.UnavailableError(None, None, (
        "Collective ops is aborted by: recvmsg:Connection reset by peer\nAdditional GRPC error information from "
        "remote target /job:worker/replica:0/task:0 while calling /tensorflow.WorkerService/CompleteInstance"))
    message = lost_worker_message(reset, dict(cluster, task={"type": "worker", "index": 1}), "/tmp/x", is_chief=False)
    assert message.startswith("lost worker 0 (127.0.0.1:1111) of the multi-worker run")
    assert "--resume CHIEF_RUN_DIR" in message and "/tmp/x" not in message
    assert lost_worker_message(tf.errors.DeadlineExceededError(None, None, "timed out"), cluster, "r", True) \
        .startswith("lost contact with the other workers of the multi-worker run (DeadlineExceededError")

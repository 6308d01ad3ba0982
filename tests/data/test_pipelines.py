"""Batch pipelines: frame splitting, patching, step-addressed PyDatasets and tf.data."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from framepred_tf.data import (
    ArraySequence,
    MovingMnistSequence,
    from_patches,
    moving_mnist_tf_dataset,
    split_frames,
    to_patches,
)
from framepred_tf.errors import FramepredError


def explicit_patches(x, p):
    """Loop version of space-to-depth with channel (dy * p + dx) * C + c."""
    *lead, height, width, channels = x.shape
    out = np.zeros((*lead, height // p, width // p, p * p * channels), x.dtype)
    for y in range(height // p):
        for x_ in range(width // p):
            for dy in range(p):
                for dx in range(p):
                    for c in range(channels):
                        out[..., y, x_, (dy * p + dx) * channels + c] = x[..., y * p + dy, x_ * p + dx, c]
    return out


def test_split_frames():
    sequences = np.random.default_rng(0).random((3, 20, 8, 8))
    inputs, targets = split_frames(sequences)
    assert inputs.shape == (3, 10, 8, 8, 1) and targets.shape == (3, 10, 8, 8, 1) and inputs.dtype == np.float32
    np.testing.assert_array_equal(inputs[:, 4, ..., 0], sequences[:, 4].astype(np.float32))
    np.testing.assert_array_equal(targets[:, 0, ..., 0], sequences[:, 10].astype(np.float32))
    inputs, targets = split_frames(sequences, input_frames=15)
    assert inputs.shape[1] == 15 and targets.shape[1] == 5
    with pytest.raises(FramepredError, match="input_frames"):
        split_frames(sequences, input_frames=20)


def test_patches_match_explicit_loop_and_round_trip():
    x = np.random.default_rng(1).random((2, 3, 8, 12, 2)).astype(np.float32)
    patched = to_patches(x, 4)
    assert patched.shape == (2, 3, 2, 3, 32)
    np.testing.assert_array_equal(patched, explicit_patches(x, 4))
    np.testing.assert_array_equal(from_patches(patched, 4), x)
    with pytest.raises(FramepredError, match="patch_size"):
        to_patches(x, 5)


def test_patch_order_is_tf_space_to_depth():
    import tensorflow as tf

    x = np.random.default_rng(2).random((2, 16, 16, 3)).astype(np.float32)
    np.testing.assert_array_equal(to_patches(x, 4), tf.nn.space_to_depth(x, 4).numpy())


def test_batches_are_a_function_of_global_step():
    steps = 3
    data = MovingMnistSequence(2, steps, seed=4)
    assert len(data) == steps
    inputs, targets = data[1]
    assert inputs.shape == (2, 10, 64, 64, 1) and targets.shape == (2, 10, 64, 64, 1) and inputs.dtype == np.float32
    np.testing.assert_array_equal(data[1][0], inputs)  # same index, same batch
    data.on_epoch_end()
    data.on_epoch_end()
    later = data[2]  # epoch 2, index 2 = global step 8
    resumed = MovingMnistSequence(2, steps, seed=4, start_step=2 * steps + 2)
    for a, b in zip(later, resumed[0]):
        np.testing.assert_array_equal(a, b)
    jumped = MovingMnistSequence(2, steps, seed=4)
    jumped.set_epoch(2)
    np.testing.assert_array_equal(jumped[2][1], later[1])
    assert not np.array_equal(later[0], inputs)
    assert not np.array_equal(MovingMnistSequence(2, steps, seed=5)[1][0], inputs)
    with pytest.raises(IndexError):
        data[steps]


def test_sequence_options_and_sequences_are_moving_mnist():
    data = MovingMnistSequence(3, 2, num_digits=1, split="test", seed=1, input_frames=5, patch_size=4)
    inputs, targets = data[0]
    assert inputs.shape == (3, 5, 16, 16, 16) and targets.shape == (3, 15, 16, 16, 16)
    frames = from_patches(np.concatenate([inputs, targets], axis=1), 4)[..., 0]
    assert frames.max() <= 1.0 and frames.min() == 0.0
    on_pixels = (frames > 0).sum(axis=(2, 3))
    assert on_pixels.min() > 20 and on_pixels.max() <= 28 * 28
    with pytest.raises(FramepredError, match="num_digits"):
        MovingMnistSequence(2, 2, num_digits=7)


def test_tf_dataset_yields_the_pydataset_batches():
    data = MovingMnistSequence(2, 3, seed=6, start_step=4, patch_size=2)
    dataset = moving_mnist_tf_dataset(2, steps=3, seed=6, start_step=4, patch_size=2)
    assert dataset.element_spec[0].shape.as_list() == [2, 10, 32, 32, 4]
    batches = list(dataset.as_numpy_iterator())
    assert len(batches) == 3
    for index, (inputs, targets) in enumerate(batches):
        expected_inputs, expected_targets = data[index]
        np.testing.assert_array_equal(inputs, expected_inputs)
        np.testing.assert_array_equal(targets, expected_targets)
    endless = moving_mnist_tf_dataset(2, seed=6, start_step=5, patch_size=2)
    np.testing.assert_array_equal(next(iter(endless))[1].numpy(), data[1][1])


def test_array_sequence_batches():
    x = np.arange(10 * 4, dtype=np.float32).reshape(10, 4)
    y = -x
    data = ArraySequence(x, y, batch_size=4)
    assert len(data) == 3
    np.testing.assert_array_equal(data[2][0], x[8:])
    np.testing.assert_array_equal(data[1][1], y[4:8])
    alone = ArraySequence(x, batch_size=6)
    np.testing.assert_array_equal(alone[1], x[6:])
    sequences = np.random.default_rng(3).random((5, 20, 8, 8)).astype(np.float32)
    split = ArraySequence(sequences, batch_size=2, input_frames=10, patch_size=4)
    inputs, targets = split[2]
    assert inputs.shape == (1, 10, 2, 2, 16)
    np.testing.assert_array_equal(from_patches(targets, 4)[..., 0], sequences[4:, 10:])
    with pytest.raises(FramepredError, match="same length"):
        ArraySequence(x, y[:3])


def test_pydataset_path_imports_no_tensorflow():
    code = textwrap.dedent("""
        import sys
        import numpy as np
        import framepred_tf.data as data
        inputs, targets = data.MovingMnistSequence(2, 3, seed=1, patch_size=4)[2]
        assert inputs.shape == (2, 10, 16, 16, 16), inputs.shape
        sequences = data.moving_mnist(2, seq_len=12, seed=0)
        batch = data.ArraySequence(sequences, batch_size=2, input_frames=6)[0]
        assert batch[1].shape == (2, 6, 64, 64, 1)
        loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("tensorflow", "tensorflow_datasets"))
        print("LOADED", loaded)
    """)
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env,
                            cwd=root)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "LOADED []" in result.stdout, result.stdout


class RecordingSequence(MovingMnistSequence):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.served = []

    def __getitem__(self, index):
        self.served.append(self.global_step(index))
        return super().__getitem__(index)


def test_keras_fit_walks_global_steps_in_order():
    import keras

    data = RecordingSequence(2, 3, seed=1, patch_size=16)
    model = keras.Sequential([keras.Input((10, 4, 4, 256)), keras.layers.Dense(256)])
    model.compile("sgd", "mse")
    model.fit(data, epochs=2, verbose=0, shuffle=False)
    # TensorFlow's adapter may first read batches 0 and 1 to infer shapes; then epoch by epoch.
    assert data.served[-6:] == [0, 1, 2, 3, 4, 5] and data.epoch == 2, data.served
    resumed = RecordingSequence(2, 3, seed=1, patch_size=16)
    resumed.set_epoch(1)
    model.fit(resumed, epochs=3, initial_epoch=1, verbose=0)  # shuffled within each epoch
    assert sorted(resumed.served[-6:-3]) == [3, 4, 5] and sorted(resumed.served[-3:]) == [6, 7, 8]


def test_manual_epoch_loop_advances_on_each_epoch_end():
    data = MovingMnistSequence(1, 2, seed=2)
    data.on_epoch_end()
    data.on_epoch_end()
    assert data.epoch == 2 and data.global_step(1) == 5
    np.testing.assert_array_equal(data[1][0], data.batch_at(5)[0])

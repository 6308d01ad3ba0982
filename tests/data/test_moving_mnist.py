"""Moving MNIST generator: shapes, determinism, rendering and bouncing motion."""
import numpy as np
import pytest

from framepred_tf.data import load_digits, moving_mnist
from framepred_tf.errors import FramepredError
from tests.data._reference import TRAVEL, reference_path, reference_render

SPEED = 3.6


def test_shape_dtype_range_and_seed_determinism():
    first = moving_mnist(6, seed=3)
    assert first.shape == (6, 20, 64, 64) and first.dtype == np.float32
    assert first.min() == 0.0 and first.max() <= 1.0 and first.max() > 0.9
    np.testing.assert_array_equal(first, moving_mnist(6, seed=3))
    assert not np.array_equal(first, moving_mnist(6, seed=4))
    np.testing.assert_array_equal(first[:2], moving_mnist(2, seed=3))  # independent of how many are drawn


def test_frames_equal_plain_numpy_compositing_of_the_reported_digits():
    frames, info = moving_mnist(5, num_digits=3, seq_len=7, seed=11, return_info=True)
    x_train = load_digits("mnist5k")[0]
    np.testing.assert_array_equal(frames, reference_render(x_train, info["indices"], info["positions"]))
    assert info["positions"].min() >= 0 and info["positions"].max() <= TRAVEL
    raw = moving_mnist(5, num_digits=3, seq_len=7, seed=11, dtype="uint8")
    np.testing.assert_array_equal(raw.astype(np.float32) / np.float32(255), frames)


def test_split_selects_digit_split():
    x_train, y_train, x_test, y_test = load_digits("mnist5k")
    frames, info = moving_mnist(4, num_digits=1, seq_len=2, split="test", seed=2, return_info=True)
    np.testing.assert_array_equal(frames, reference_render(x_test, info["indices"], info["positions"]))
    np.testing.assert_array_equal(info["labels"], y_test[info["indices"]])
    assert info["split"] == "test" and info["source"] == "mnist5k"
    with pytest.raises(FramepredError, match="split"):
        moving_mnist(1, split="validation")


@pytest.mark.parametrize("num_digits", [1, 4])
def test_digit_counts(num_digits):
    frames, info = moving_mnist(3, num_digits=num_digits, seq_len=4, seed=0, return_info=True)
    assert info["indices"].shape == (3, num_digits) and info["positions"].shape == (3, 4, num_digits, 2)
    assert frames.shape == (3, 4, 64, 64)


@pytest.mark.parametrize("bad", [0, 5, 2.0])
def test_num_digits_is_validated(bad):
    with pytest.raises(FramepredError, match="num_digits"):
        moving_mnist(1, num_digits=bad)


def test_one_digit_centre_of_mass_moves_piecewise_linearly_and_bounces():
    length = 40
    frames, info = moving_mnist(24, num_digits=1, seq_len=length, seed=5, return_info=True)
    images = load_digits("mnist5k")[0][info["indices"][:, 0]].astype(np.float64)
    rows, cols = np.indices((64, 64))
    digit_rows, digit_cols = np.indices((28, 28))
    bounces = 0
    for n in range(len(frames)):
        mass = frames[n].astype(np.float64).sum(axis=(1, 2))
        com = np.stack([(frames[n] * rows).sum(axis=(1, 2)) / mass, (frames[n] * cols).sum(axis=(1, 2)) / mass], -1)
        digit = images[n] / images[n].sum()
        offset = np.array([(digit * digit_rows).sum(), (digit * digit_cols).sum()])
        corner = com - offset  # top-left corner of the digit in each frame
        np.testing.assert_allclose(corner, np.rint(corner), atol=1e-3)  # whole-pixel translation only
        corner = np.rint(corner)
        assert corner.min() >= 0 and corner.max() <= TRAVEL
        step = np.diff(corner, axis=0)
        curvature = np.diff(step, axis=0)
        for t, axis in zip(*np.nonzero(np.abs(curvature) > 1)):
            # A kink beyond rounding is only allowed at a wall, where that component flips
            # sign (the bounce may fall inside a frame step, so look one step either side).
            nearby = step[max(t - 1, 0):t + 3, axis]
            assert np.any(nearby[:-1] * nearby[1:] <= 0), (n, t, axis, corner[t:t + 3, axis])
            wall_distance = np.minimum(corner[t:t + 3, axis], TRAVEL - corner[t:t + 3, axis])
            assert wall_distance.min() <= SPEED, (n, t, axis, corner[t:t + 3, axis])
            bounces += 1
        straight = np.all(np.abs(curvature) <= 1, axis=1)
        speed = np.linalg.norm(step[1:][straight], axis=1)
        assert abs(np.median(speed) - SPEED) <= 0.75
        for axis in range(2):  # the same path, simulated step by step
            expected = reference_path(info["starts"][n, 0, axis], info["velocities"][n, 0, axis], length)
            np.testing.assert_array_equal(corner[:, axis], expected)
    assert bounces >= 24  # 40 frames at 3.6 px/frame in a 36-px range: every digit hits a wall


def test_output_does_not_depend_on_thread_count():
    import numba

    threads = numba.get_num_threads()
    reference = moving_mnist(8, seed=9, seq_len=5)
    try:
        numba.set_num_threads(1)
        single = moving_mnist(8, seed=9, seq_len=5)
    finally:
        numba.set_num_threads(threads)
    np.testing.assert_array_equal(reference, single)


def test_bad_arguments():
    with pytest.raises(FramepredError, match="seq_len"):
        moving_mnist(1, seq_len=0)
    with pytest.raises(FramepredError, match="num_sequences"):
        moving_mnist(-1)
    with pytest.raises(FramepredError, match="seed"):
        moving_mnist(1, seed=-3)
    with pytest.raises(FramepredError, match="dtype"):
        moving_mnist(1, dtype="float16")
    assert moving_mnist(0).shape == (0, 20, 64, 64)


def _generate_in_child(seed):
    return moving_mnist(4, seq_len=3, seed=seed)


def test_worker_threads_and_forked_processes_match_the_main_thread():
    import multiprocessing
    from concurrent.futures import ThreadPoolExecutor

    expected = [moving_mnist(4, seq_len=3, seed=seed) for seed in range(4)]  # main thread: parallel kernel
    with ThreadPoolExecutor(max_workers=4) as pool:  # concurrent calls: serial kernels
        for got, want in zip(pool.map(_generate_in_child, range(4)), expected):
            np.testing.assert_array_equal(got, want)
    with multiprocessing.get_context("fork").Pool(1) as pool:  # as Keras' use_multiprocessing does
        np.testing.assert_array_equal(pool.apply_async(_generate_in_child, (2,)).get(timeout=60), expected[2])

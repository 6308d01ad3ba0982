"""Test sets made and cached in blocks (for progress) are exactly the one-call generator's output."""
import numpy as np

from framepred_tf.data import test_sets
from framepred_tf.data.moving_mnist import digit_split, generate, make_rng
from framepred_tf.utils.io import save_npz_atomic


def test_blocks_give_the_one_call_sequences_and_the_same_cache_file(tmp_path, monkeypatch):
    monkeypatch.setattr(test_sets, "BLOCK", 3)  # 7 sequences: blocks of 3, 3, 1
    sequences, info = test_sets.test_set("digits-3", size=7, digits="mnist5k", data_dir=tmp_path, return_info=True)
    images, labels = digit_split("mnist5k", "test")
    frames, expected = generate(7, images, labels, make_rng(1013), num_digits=3, dtype="uint8", return_info=True)
    np.testing.assert_array_equal(sequences, frames.astype(np.float32) / np.float32(255))
    for key in ("indices", "labels", "positions"):
        np.testing.assert_array_equal(info[key], expected[key])
    # The blockwise writer makes what save_npz_atomic (np.savez_compressed) makes.
    written = test_sets.cache_path("digits-3", "mnist5k", 7, 1013, tmp_path)
    reference = tmp_path / "reference.npz"
    with np.load(written) as data:
        arrays = {key: data[key] for key in data.files}
    save_npz_atomic(reference, **arrays)
    with np.load(reference) as data:
        assert sorted(data.files) == sorted(arrays)
        for key in data.files:
            assert data[key].dtype == arrays[key].dtype and data[key].shape == arrays[key].shape
            np.testing.assert_array_equal(data[key], arrays[key])
    again = test_sets.test_set("digits-3", size=7, digits="mnist5k", data_dir=tmp_path)  # read back from the cache
    np.testing.assert_array_equal(again, sequences)


def test_big_work_shows_progress_on_stderr(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(test_sets, "BLOCK", 2)
    monkeypatch.setattr(test_sets, "PROGRESS_DELAY", 0.0)
    test_sets.test_set("research", size=4, digits="mnist5k", data_dir=tmp_path)
    test_sets.test_set("research", size=4, digits="mnist5k", data_dir=tmp_path)
    err = capsys.readouterr().err.splitlines()
    assert "generating 4 sequences of mnist5k digits: 4/4 (100%)" in "\n".join(err)
    assert any(line.startswith("writing research-mnist5k-n4-seed1002.npz: 4/4 (100%)") for line in err)
    assert any(line.startswith("reading research-mnist5k-n4-seed1002.npz:") and "(100%)" in line for line in err)

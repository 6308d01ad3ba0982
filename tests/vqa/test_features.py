"""Image features: file formats, "norm I", missing ids, and the extraction path."""
import importlib.util

import numpy as np
import pytest

from framepred_tf.cli import main
from framepred_tf.errors import FramepredError
from framepred_tf.vqa import features


def test_npz_features_are_l2_normalised(tmp_path):
    path = tmp_path / "feats.npz"
    np.savez(path, image_ids=np.array([7, 9]), features=np.array([[3.0, 4.0], [0.0, 0.0]]))
    table = features.load_features(path)
    # [3, 4] / 5 = [0.6, 0.8]; an all-zero row stays zero instead of dividing by zero.
    np.testing.assert_allclose(table.data, [[0.6, 0.8], [0.0, 0.0]], atol=1e-7)
    assert table.data.dtype == np.float32
    assert table.rows([9, 7, 8]).tolist() == [1, 0, -1]


def test_missing_image_id_names_the_file_and_the_id(tmp_path):
    path = tmp_path / "feats.npz"
    np.savez(path, image_ids=np.array([7]), features=np.ones((1, 3)))
    table = features.load_features(path)
    with pytest.raises(FramepredError, match=r"feats\.npz: no image data for image_id 8 \(question_id 8001\)"):
        table.require_rows(np.array([7, 8]), np.array([7000, 8001]))


def test_seed_matlab_layout_with_coco_id_map(tmp_path):
    import scipy.io

    feats = np.array([[1.0, 0.0, 2.0], [0.0, 5.0, 0.0]])  # D=2 x N=3: one column per image
    scipy.io.savemat(tmp_path / "vgg_feats.mat", {"feats": feats})
    id_map = tmp_path / "coco_vgg_IDMap.txt"
    id_map.write_text("COCO_train2014_000000000042.jpg 2\nCOCO_train2014_000000000009.jpg 0\n"
                      "COCO_train2014_000000000077.jpg 1\n")
    table = features.load_features(tmp_path / "vgg_feats.mat", id_map)
    row = table.rows([42, 9, 77])
    np.testing.assert_allclose(table.data[row], [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(FramepredError, match=r"vgg_feats\.mat: this feature format needs an image-id map"):
        features.load_features(tmp_path / "vgg_feats.mat")


def test_npy_with_line_numbered_id_map(tmp_path):
    np.save(tmp_path / "f.npy", np.array([[0.0, 2.0], [1.0, 1.0]]))
    (tmp_path / "ids.txt").write_text("5\n6\n")
    table = features.load_features(tmp_path / "f.npy", tmp_path / "ids.txt")
    np.testing.assert_allclose(table.data[table.rows([6])], [[0.5 ** 0.5, 0.5 ** 0.5]], atol=1e-6)
    (tmp_path / "short.txt").write_text("5\n")
    with pytest.raises(FramepredError, match=r"short\.txt: feature column 1 has no image id"):
        features.load_features(tmp_path / "f.npy", tmp_path / "short.txt")


@pytest.mark.skipif(importlib.util.find_spec("h5py") is None, reason="h5py is not installed")
def test_h5_features(tmp_path):
    import h5py

    with h5py.File(tmp_path / "f.h5", "w") as f:
        f["image_ids"] = np.array([3])
        f["features"] = np.array([[0.0, 0.0, 2.0]])
    table = features.load_features(tmp_path / "f.h5")
    np.testing.assert_allclose(table.data, [[0.0, 0.0, 1.0]])


def test_unsupported_and_missing_files(tmp_path):
    (tmp_path / "f.csv").write_text("1,2\n")
    with pytest.raises(FramepredError, match=r"f\.csv: unsupported feature file type"):
        features.load_features(tmp_path / "f.csv")
    with pytest.raises(FramepredError, match=r"nope\.npz: feature file not found"):
        features.load_features(tmp_path / "nope.npz")


def _write_images(folder, names, size=(20, 30)):
    from PIL import Image

    folder.mkdir()
    for value, name in enumerate(names):
        Image.fromarray(np.full(size + (3,), 40 * value, np.uint8)).save(folder / name)


def test_extract_features_path_with_a_small_backbone(tmp_path):
    """The extraction loop (resize, VGG preprocessing, batching, ids) with a stand-in CNN.

    VGG16 itself (138M parameters) is too slow for the test budget; the stand-in averages
    the preprocessed pixels, so the expected features can be worked out by hand.
    """
    import keras

    _write_images(tmp_path / "imgs", ["COCO_val2014_000000000012.png", "COCO_val2014_000000000005.png"])
    inputs = keras.Input((8, 8, 3))
    extractor = keras.Model(inputs, keras.layers.GlobalAveragePooling2D()(inputs))
    out = tmp_path / "feats.npz"
    matrix = features.extract_features(tmp_path / "imgs", out, extractor=extractor, batch_size=1)
    with np.load(out) as saved:
        assert saved["image_ids"].tolist() == [5, 12]
        np.testing.assert_allclose(saved["features"], matrix)
    # Image 5 is all 40, image 12 all 0; caffe preprocessing: BGR minus the ImageNet means.
    means = np.array([103.939, 116.779, 123.68])
    np.testing.assert_allclose(matrix, [40.0 - means, 0.0 - means], atol=1e-3)


def test_image_folder_loading_and_errors(tmp_path):
    _write_images(tmp_path / "imgs", ["a_1.png", "a_2.png"])
    table = features.load_pixels(tmp_path / "imgs")
    assert table.data.shape == (2, 20, 30, 3) and table.ids.tolist() == [1, 2]
    assert features.load_pixels(tmp_path / "imgs", (4, 5)).data.shape == (2, 4, 5, 3)
    _write_images(tmp_path / "noid", ["cat.png"])
    with pytest.raises(FramepredError, match=r"cat\.png: no image id"):
        features.load_pixels(tmp_path / "noid")


def test_extract_features_cli_reports_a_missing_weights_file(tmp_path, capsys):
    _write_images(tmp_path / "imgs", ["1.png"])
    status = main(["vqa", "extract-features", "--images", str(tmp_path / "imgs"), "--backbone", "vgg16",
                   "--weights", str(tmp_path / "vgg16.h5"), "--out", str(tmp_path / "f.npz")])
    assert status == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("framepred-tf: error: ") and "vgg16.h5: VGG16 weights file not found" in error
    assert len(error.splitlines()) == 1

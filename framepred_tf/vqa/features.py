"""Image inputs of the VQA models: precomputed CNN features or raw pixels.

Precomputed features (one row per image, L2-normalised per image on loading: Antol et al.'s
"norm I"):

* ``.npz``: arrays ``image_ids`` (N,) and ``features`` (N, D) (what ``vqa extract-features``
  writes);
* ``.h5`` / ``.hdf5``: datasets ``image_ids`` and ``features`` (needs ``h5py``);
* ``.npy``: a (N, D) matrix plus an id-map text file;
* ``.mat``: the seed's MATLAB ``vgg_feats.mat`` with ``feats`` of shape (D, N) (one *column*
  per image) plus an id-map text file.

An id-map file has one image per line, either ``IMAGE COLUMN`` or just ``IMAGE`` (the line
number is the column). ``IMAGE`` is an integer id or a COCO file name such as
``COCO_val2014_000000000042.jpg``, whose trailing number is the id.
"""
import dataclasses
import os
import re

import numpy as np

from framepred_tf.errors import FramepredError
from framepred_tf.utils.io import save_npz_atomic
from framepred_tf.utils.progress import Progress

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")
_TRAILING_NUMBER = re.compile(r"(\d+)(?:\.[A-Za-z0-9]+)?$")


@dataclasses.dataclass
class ImageTable:
    """Rows of image data addressed by image id.

    ``ids``: (N,) int64 image ids; ``data``: (N, D) float32 features or (N, H, W, 3) uint8
    pixels; ``source``: the file or folder they came from (named in errors).
    """

    ids: np.ndarray
    data: np.ndarray
    source: str

    def __post_init__(self):
        self._row = {int(i): r for r, i in enumerate(self.ids)}
        if len(self._row) != len(self.ids):
            raise FramepredError(f"{self.source}: duplicate image ids")

    def rows(self, image_ids):
        """Row of each image id ``(M,)`` int64; -1 where the table has no such image."""
        return np.array([self._row.get(int(i), -1) for i in image_ids], dtype=np.int64)

    def require_rows(self, image_ids, question_ids=None):
        """Rows of ``image_ids``; FramepredError naming the first image id without data."""
        rows = self.rows(image_ids)
        missing = np.flatnonzero(rows < 0)
        if missing.size:
            first = missing[0]
            which = f" (question_id {int(question_ids[first])})" if question_ids is not None else ""
            raise FramepredError(f"{self.source}: no image data for image_id {int(image_ids[first])}{which}; "
                                 f"{missing.size} question(s) affected (use --skip-bad to drop them)")
        return rows

    @property
    def is_pixels(self):
        return self.data.ndim == 4


def image_id_from_name(name):
    """Integer image id from ``42``, ``"42"`` or ``"COCO_val2014_000000000042.jpg"``; None if absent."""
    match = _TRAILING_NUMBER.search(os.path.basename(str(name).strip()))
    return int(match.group(1)) if match else None


def l2_normalize_rows(matrix):
    """Each row divided by its Euclidean norm ("norm I"); all-zero rows stay zero."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, np.float32(1e-12))


def load_features(path, id_map=None, normalize=True):
    """Precomputed features as an :class:`ImageTable` (L2-normalised rows unless ``normalize=False``)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FramepredError(f"{path}: feature file not found")
    suffix = os.path.splitext(path)[1].lower()
    readers = {".npz": _read_npz, ".h5": _read_h5, ".hdf5": _read_h5, ".npy": _read_npy, ".mat": _read_mat}
    if suffix not in readers:
        raise FramepredError(f"{path}: unsupported feature file type {suffix!r} (use .npz, .h5, .npy or .mat)")
    ids, matrix = readers[suffix](path, id_map)
    if matrix.ndim != 2 or len(ids) != matrix.shape[0]:
        raise FramepredError(f"{path}: expected {len(ids)} feature rows, got an array of shape {matrix.shape}")
    if not np.all(np.isfinite(matrix)):
        bad = int(np.flatnonzero(~np.isfinite(matrix).all(axis=1))[0])
        raise FramepredError(f"{path}: non-finite feature values for image_id {int(ids[bad])}")
    matrix = l2_normalize_rows(matrix) if normalize else matrix.astype(np.float32)
    return ImageTable(np.asarray(ids, dtype=np.int64), matrix, path)


def _read_npz(path, id_map):
    with np.load(path) as archive:
        if "features" not in archive or ("image_ids" not in archive and id_map is None):
            raise FramepredError(f"{path}: expected arrays 'image_ids' and 'features' (found {sorted(archive.files)})")
        matrix = archive["features"]
        ids = archive["image_ids"] if "image_ids" in archive else None
    return (ids if ids is not None else _ids_in_column_order(id_map, matrix.shape[0])), matrix


def _read_h5(path, id_map):
    try:
        import h5py
    except ImportError:
        raise FramepredError(f"{path}: reading .h5 features needs h5py (pip install h5py), "
                             "or convert the file to .npz") from None
    with h5py.File(path, "r") as f:
        if "features" not in f:
            raise FramepredError(f"{path}: expected datasets 'image_ids' and 'features' (found {sorted(f.keys())})")
        matrix = f["features"][()]
        ids = f["image_ids"][()] if "image_ids" in f else _ids_in_column_order(id_map, matrix.shape[0])
    return ids, matrix


def _read_npy(path, id_map):
    matrix = np.load(path, allow_pickle=False)
    if matrix.ndim != 2:
        raise FramepredError(f"{path}: expected a (images, dims) matrix, got shape {matrix.shape}")
    return _ids_in_column_order(id_map, matrix.shape[0], path), matrix


def _read_mat(path, id_map):
    import scipy.io

    try:
        contents = scipy.io.loadmat(path, variable_names=["feats"])
    except (ValueError, NotImplementedError) as error:
        raise FramepredError(f"{path}: cannot read MATLAB file ({error})") from None
    if "feats" not in contents:
        raise FramepredError(f"{path}: no 'feats' variable (expected the seed's vgg_feats.mat, feats D x N)")
    matrix = np.asarray(contents["feats"]).T  # the seed stores one column per image
    return _ids_in_column_order(id_map, matrix.shape[0], path), matrix


def _ids_in_column_order(id_map, count, features_path=None):
    """Image id of every feature row, from the id-map text file."""
    if id_map is None:
        raise FramepredError(f"{features_path}: this feature format needs an image-id map file (--feature-ids)")
    columns = read_id_map(id_map)
    ids = np.full(count, -1, dtype=np.int64)
    for image_id, column in columns.items():
        if not 0 <= column < count:
            raise FramepredError(f"{id_map}: image_id {image_id} maps to column {column}, "
                                 f"but the features have {count} rows")
        ids[column] = image_id
    unmapped = np.flatnonzero(ids < 0)
    if unmapped.size:
        raise FramepredError(f"{id_map}: feature column {int(unmapped[0])} has no image id "
                             f"({unmapped.size} of {count} columns unmapped)")
    return ids


def read_id_map(path):
    """``{image_id: column}`` from an id-map text file (format in the module docstring)."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as f:
            lines = [line.split() for line in f if line.strip()]
    except FileNotFoundError:
        raise FramepredError(f"{path}: id-map file not found") from None
    except UnicodeDecodeError:
        raise FramepredError(f"{path}: id-map file is not UTF-8 text") from None
    mapping = {}
    for number, fields in enumerate(lines):
        image_id = image_id_from_name(fields[0])
        column = number if len(fields) == 1 else (int(fields[1]) if fields[1].lstrip("-").isdigit() else None)
        if image_id is None or column is None or len(fields) > 2:
            raise FramepredError(f"{path}: line {number + 1} is not 'IMAGE [COLUMN]': {' '.join(fields)!r}")
        if image_id in mapping:
            raise FramepredError(f"{path}: image_id {image_id} listed twice")
        mapping[image_id] = column
    return mapping


def list_images(directory):
    """Sorted ``(image_id, path)`` of the image files in ``directory`` (ids from file names)."""
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise FramepredError(f"{directory}: image folder not found")
    found = {}
    for name in sorted(os.listdir(directory)):
        if not name.lower().endswith(IMAGE_SUFFIXES):
            continue
        image_id = image_id_from_name(name)
        if image_id is None:
            raise FramepredError(f"{os.path.join(directory, name)}: no image id (trailing number) in the file name")
        if image_id in found:
            raise FramepredError(f"{os.path.join(directory, name)}: image_id {image_id} also used by {found[image_id]}")
        found[image_id] = os.path.join(directory, name)
    if not found:
        raise FramepredError(f"{directory}: no image files ({', '.join(IMAGE_SUFFIXES)})")
    return sorted(found.items())


def load_pixels(directory, size=None):
    """All images of ``directory`` as an :class:`ImageTable` of uint8 RGB (N, H, W, 3).

    ``size``: optional (height, width) to resize to; otherwise every image must share one size.
    """
    entries = list_images(directory)
    arrays = []
    for image_id, path in entries:
        arrays.append(_read_rgb(path, size))
        if arrays[-1].shape != arrays[0].shape:
            raise FramepredError(f"{path}: image_id {image_id} is {arrays[-1].shape[:2]}, "
                                 f"others are {arrays[0].shape[:2]} (pass a size to resize)")
    ids = np.array([image_id for image_id, _ in entries], dtype=np.int64)
    return ImageTable(ids, np.stack(arrays), os.fspath(directory))


def _read_rgb(path, size=None):
    """One image as uint8 RGB (H, W, 3), optionally resized to ``size`` = (height, width)."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            image = image.convert("RGB")
            if size is not None:
                image = image.resize((size[1], size[0]), Image.BILINEAR)
            return np.asarray(image, dtype=np.uint8)
    except OSError as error:
        raise FramepredError(f"{path}: cannot read image ({error})") from None


def vgg16_fc2_extractor(weights="imagenet"):
    """VGG16 up to its 4096-d ``fc2`` (= Caffe's fc7) layer, as a Keras model on 224x224 RGB."""
    import keras

    if weights not in (None, "imagenet") and not os.path.isfile(os.fspath(weights)):
        raise FramepredError(f"{weights}: VGG16 weights file not found (pass an .h5/.weights.h5 file or 'imagenet')")
    try:
        backbone = keras.applications.VGG16(weights=weights, include_top=True)
    except (ValueError, OSError) as error:
        raise FramepredError(f"{weights}: cannot load VGG16 weights ({str(error).splitlines()[0]})") from None
    return keras.Model(backbone.input, backbone.get_layer("fc2").output, name="vgg16_fc2")


def extract_features(image_dir, out, weights="imagenet", batch_size=16, extractor=None):
    """Run a CNN over every image of ``image_dir``; write ``image_ids``/``features`` to ``out`` (.npz).

    ``extractor``: a Keras model mapping (B, 224, 224, 3) VGG-preprocessed images to (B, D);
    default VGG16 fc2 with ``weights``. Features are stored raw; loading L2-normalises them.
    Returns the (N, D) float32 feature matrix.
    """
    import keras

    entries = list_images(image_dir)
    extractor = extractor or vgg16_fc2_extractor(weights)
    height, width = extractor.input_shape[1:3]
    rows = []
    progress = Progress(len(entries), f"features of {image_dir}", unit="img")
    for start in range(0, len(entries), batch_size):
        chunk = entries[start:start + batch_size]
        pixels = np.stack([_read_rgb(p, (height, width)) for _, p in chunk])
        batch = keras.applications.vgg16.preprocess_input(pixels.astype(np.float32))
        rows.append(np.asarray(extractor.predict(batch, verbose=0), dtype=np.float32))
        progress.update(start + len(chunk))
    features = np.concatenate(rows, axis=0)
    ids = np.array([image_id for image_id, _ in entries], dtype=np.int64)
    save_npz_atomic(out, image_ids=ids, features=features)
    return features

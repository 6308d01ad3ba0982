"""Named, reproducible Moving MNIST test sets, cached on disk.

``test_set(name, size=10000)`` returns ``(N, 20, 64, 64) float32`` sequences in ``[0, 1]``
(frames 0-9 are the input, 10-19 the target). Generated sets are cached as compressed
``.npz`` files (uint8, lossless: every value is ``k / 255``) in ``$FRAMEPRED_DATA_DIR``, by
default ``data/`` in the current working directory. A cache file records the generator
version, name, seed, source and size; a file whose record does not match, or that cannot be
read, is regenerated.

==============  ======  =======  ===================  =====  =======================================
name            shapes  split    source               seed   meaning
==============  ======  =======  ===================  =====  =======================================
``standard``    2       train    ``digits=``          1001   like the original test file (digits
                                                             seen in training)
``research``    2       test     ``digits=``          1002   unseen digits (thesis section 4.3)
``digits-1``    1       test     ``digits=``          1011   research variant, 1 digit
``digits-2``    2       test     ``digits=``          1012   research variant, 2 digits
``digits-3``    3       test     ``digits=``          1013   research variant, 3 digits
``digits-4``    4       test     ``digits=``          1014   research variant, 4 digits
``emnist``      1       test     emnist letters       1021   unseen shapes: handwritten letters
``fashion``     1       test     fashion              1022   unseen shapes: clothing
``glyphs``      1       test     glyphs               1023   unseen shapes: rendered symbols
``srivastava``  2       --       mnist_test_seq.npy   --     Srivastava et al.'s original 10,000
==============  ======  =======  ===================  =====  =======================================

``digits=`` defaults to ``"mnist"`` (full MNIST); quick runs pass ``"mnist5k"``.
``srivastava`` reads ``moving_mnist_npy=`` or ``$FRAMEPRED_MOVING_MNIST_NPY`` (uint8
``(20, 10000, 64, 64)``) and is not cached: it is a file already.
"""
import os
import warnings
import zipfile
from dataclasses import dataclass

import numpy as np

from framepred_tf.data.moving_mnist import (
    CANVAS_SIZE, GENERATOR_VERSION, MAX_DIGITS, check_count, digit_split, generate, make_rng,
)
from framepred_tf.errors import DataSourceError, FramepredError
from framepred_tf.utils.io import atomic_path
from framepred_tf.utils.progress import Progress, ProgressReader

SEQ_LEN = 20
# Sequences per generator call and per block written to the cache: the progress steps. The
# generator draws each sequence's motion in order from one stream, so blocks give the same
# sequences as one call.
BLOCK = 1000
# Seconds before generation/caching progress shows: a small or quickly read set prints nothing.
PROGRESS_DELAY = 1.0
SRIVASTAVA_URL = "http://www.cs.toronto.edu/~nitish/unsupervised_video/mnist_test_seq.npy"


@dataclass(frozen=True)
class TestSetSpec:
    __test__ = False  # not a pytest test class
    num_digits: int
    split: str
    source: str | None  # None: the caller's ``digits=`` source
    seed: int


SPECS = {
    "standard": TestSetSpec(2, "train", None, 1001),
    "research": TestSetSpec(2, "test", None, 1002),
    **{f"digits-{k}": TestSetSpec(k, "test", None, 1010 + k) for k in range(1, MAX_DIGITS + 1)},
    "emnist": TestSetSpec(1, "test", "emnist", 1021),
    "fashion": TestSetSpec(1, "test", "fashion", 1022),
    "glyphs": TestSetSpec(1, "test", "glyphs", 1023),
}
SRIVASTAVA = "srivastava"
# Sources of the MNIST-digit sets (``spec.source`` None): the ``digits=`` a caller may pass.
DIGITS_SOURCES = ("mnist", "mnist5k")


def list_test_sets():
    """Names accepted by :func:`test_set`."""
    return [*SPECS, SRIVASTAVA]


def test_set(name, *, size=10000, digits="mnist", seed=None, digits_npz=None, moving_mnist_npy=None,
             data_dir=None, return_info=False):
    """The named test set as ``(size, 20, 64, 64) float32`` in ``[0, 1]`` (see the module table).

    ``seed`` overrides the set's fixed seed; ``digits_npz`` is passed to
    :func:`~framepred_tf.data.digits.load_digits`; ``data_dir`` overrides
    ``$FRAMEPRED_DATA_DIR``. With ``return_info=True`` (generated sets only) also returns the
    generator's info dict (``indices``, ``labels``, ``positions``, ``source``, ``split``, ``seed``).
    """
    check_count("size", size, minimum=1)
    if name == SRIVASTAVA:
        if return_info:
            raise FramepredError("test set 'srivastava' is a recorded file and has no generator info")
        return srivastava(size, path=moving_mnist_npy)
    if name not in SPECS:
        raise FramepredError(f"unknown test set {name!r}; choose one of: {', '.join(list_test_sets())}")
    spec = SPECS[name]
    source = spec.source or digits
    seed = spec.seed if seed is None else seed
    path = cache_path(name, source, size, seed, data_dir)
    record = {"name": name, "source": source, "size": size, "seed": seed, "generator_version": GENERATOR_VERSION}
    cached = _read_cache(path, record)
    if cached is None:
        cached = _generate(spec, source, size, seed, digits_npz)
        _write_cache(path, {**cached, **{key: np.asarray(value) for key, value in record.items()}})
    sequences = cached["sequences"].astype(np.float32) / np.float32(255)
    if not return_info:
        return sequences
    info = {"indices": cached["indices"].astype(np.int64), "labels": cached["labels"].astype(np.int64),
            "positions": cached["positions"].astype(np.int64), "source": source, "split": spec.split, "seed": seed}
    return sequences, info


test_set.__test__ = False  # keeps pytest from collecting it when a test module imports it


def cache_dir(override=None):
    """Folder for cached test sets: ``override``, ``$FRAMEPRED_DATA_DIR`` or ``./data``."""
    return os.fspath(override or os.environ.get("FRAMEPRED_DATA_DIR") or os.path.join(os.getcwd(), "data"))


def cache_path(name, source, size, seed, directory=None):
    return os.path.join(cache_dir(directory), f"{name}-{source}-n{size}-seed{seed}.npz")


def _generate(spec, source, size, seed, digits_npz):
    images, labels = digit_split(source, spec.split, npz=None if spec.source else digits_npz)
    rng = make_rng(seed)
    frames = np.empty((size, SEQ_LEN, CANVAS_SIZE, CANVAS_SIZE), np.uint8)
    infos = []
    progress = Progress(size, f"generating {size} sequences of {source} digits", delay=PROGRESS_DELAY)
    for start in range(0, size, BLOCK):
        stop = min(start + BLOCK, size)
        frames[start:stop], info = generate(stop - start, images, labels, rng, num_digits=spec.num_digits,
                                            seq_len=SEQ_LEN, dtype="uint8", return_info=True)
        infos.append(info)
        progress.update(stop)

    def joined(key, dtype):
        return np.concatenate([info[key] for info in infos]).astype(dtype)

    return {"sequences": frames, "indices": joined("indices", np.int32), "labels": joined("labels", np.int32),
            "positions": joined("positions", np.uint8)}


def _write_cache(path, arrays):
    """The ``.npz`` that ``save_npz_atomic(path, **arrays)`` writes, the sequences in blocks with progress."""
    progress = Progress(len(arrays["sequences"]), f"writing {os.path.basename(path)}", delay=PROGRESS_DELAY)
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for key, array in arrays.items():
            array = np.asarray(array, order="C")
            with archive.open(f"{key}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array_header_1_0(member, np.lib.format.header_data_from_array_1_0(array))
                if key != "sequences":
                    member.write(array.tobytes())
                    continue
                for start in range(0, len(array), BLOCK):
                    member.write(array[start:start + BLOCK].tobytes())
                    progress.update(start + BLOCK)


def _read_cache(path, record):
    """The cached arrays if ``path`` exists, is readable and matches ``record``; else ``None``."""
    if not os.path.exists(path):
        return None
    progress = Progress(os.path.getsize(path), f"reading {os.path.basename(path)}", unit="MiB", scale=2**20,
                        delay=PROGRESS_DELAY)
    try:
        with ProgressReader(open(path, "rb"), progress) as file, np.load(file, allow_pickle=False) as data:
            if any(key not in data.files or data[key].item() != value for key, value in record.items()):
                return None
            arrays = {key: data[key] for key in ("sequences", "indices", "labels", "positions")}
        progress.update(progress.total)  # the zip's unread bytes (headers) are not work left
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as error:
        warnings.warn(f"test-set cache {path} is unreadable ({type(error).__name__}: {error}); regenerating it",
                      stacklevel=3)
        return None
    if arrays["sequences"].shape != (record["size"], SEQ_LEN, CANVAS_SIZE, CANVAS_SIZE):
        return None
    return arrays


def srivastava(size=10000, *, path=None):
    """The first ``size`` sequences of ``mnist_test_seq.npy`` as ``(size, 20, 64, 64) float32``."""
    origin = "moving_mnist_npy argument" if path is not None else "FRAMEPRED_MOVING_MNIST_NPY"
    path = path if path is not None else os.environ.get("FRAMEPRED_MOVING_MNIST_NPY")
    if not path:
        raise DataSourceError(f"test set 'srivastava' needs mnist_test_seq.npy: download {SRIVASTAVA_URL} and set "
                              "FRAMEPRED_MOVING_MNIST_NPY=/path/to/mnist_test_seq.npy (or pass --moving-mnist-npy)")
    path = os.path.abspath(os.path.expanduser(os.fspath(path)))
    if not os.path.isfile(path):
        raise DataSourceError(f"{path} (from {origin}) does not exist; put mnist_test_seq.npy there "
                              f"(download {SRIVASTAVA_URL})")
    try:
        recorded = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise DataSourceError(f"{path} is not a readable .npy file ({error}); download it again "
                              f"from {SRIVASTAVA_URL}") from None
    expected = recorded.ndim == 4 and recorded.shape[0] == SEQ_LEN and recorded.shape[2:] == (64, 64)
    if not expected or recorded.dtype != np.uint8:
        raise DataSourceError(f"{path} must be uint8 (20, N, 64, 64) like mnist_test_seq.npy; got "
                              f"{recorded.dtype} {recorded.shape}")
    if size > recorded.shape[1]:
        raise FramepredError(f"size {size} exceeds the {recorded.shape[1]} sequences in {path}")
    # The file is time-major (T, N, H, W); copy only the requested sequences out of the memory map.
    return np.ascontiguousarray(recorded[:, :size].transpose(1, 0, 2, 3)).astype(np.float32) / np.float32(255)

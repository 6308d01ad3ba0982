"""``framepred-tf predict``: a trained model's predictions on your own sequences, as files and a page.

::

    framepred-tf predict (RUN_DIR | MODEL.keras | --pretrained NAME) --input SOURCE --out DIR
                         [--frames N] [--index I,J,...] [--layout NTHW|TNHW] [--force]

SOURCE is one of

* a named test set (``research``, ``digits-3``, ...; :func:`framepred_tf.data.test_set`): its
  first :data:`TEST_SET_SEQUENCES` sequences, or those ``--index`` names;
* a ``.npy`` of sequences, ``(N, T, 64, 64)`` or Srivastava's time-major ``(T, N, 64, 64)``,
  uint8 (0-255) or float/bool in [0, 1]. The layout is read from the shape -- the time axis
  is the shorter of the first two axes if it holds at least 10 frames, else the other one;
  ``NTHW`` on a tie -- unless ``--layout`` names it;
* a folder holding the image frames of one clip, taken in natural order (``frame2`` before
  ``frame10``), converted to grayscale and resized to 64x64, with one warning saying so.

Frames 0-9 of a sequence are the model's input; the frames after them, where SOURCE has any,
are the truth the predictions are drawn against. ``--frames N`` beyond what the model
predicts in one call (10) come from feeding its last 10 frames back in.

DIR receives ``predictions.npy`` (``(n, N, 64, 64)`` float32: the n chosen sequences in
``--index`` order, sequence-major whatever the input layout), ``predictions.json`` (the
source index of each row), per sequence ``sequence_IIII.png`` (truth / prediction / overlay
as in the thesis's Figs 4.4-4.8) and ``sequence_IIII.gif`` (the input frames, then the truth
beside the prediction), and ``index.html`` showing them all. Everything is written into a
temporary folder beside DIR and renamed into place at the end, so DIR is either complete or
untouched; an existing DIR is replaced only with ``--force``, and only if it holds an
earlier prediction.
"""
import contextlib
import dataclasses
import os
import shutil
import sys
import tempfile

import numpy as np

from framepred_tf.errors import FramepredError
from framepred_tf.evaluation import document as doc
from framepred_tf.evaluation import evaluate as ev
from framepred_tf.evaluation import figures
from framepred_tf.evaluation import metrics as metrics_lib
from framepred_tf.utils.io import write_json_atomic, write_text_atomic
from framepred_tf.utils.progress import Progress

FRAME_SIZE = 64
INPUT_FRAMES = ev.INPUT_FRAMES
TEST_SET_SEQUENCES = 8
LAYOUTS = ("NTHW", "TNHW")
PREDICTIONS_NAME = "predictions.npy"
PAGE_NAME = "index.html"
_INPUT_SHAPE = (INPUT_FRAMES, FRAME_SIZE, FRAME_SIZE, 1)
PROGRESS_DELAY = 1.0  # seconds of silence before a progress line: a few sequences print none


@dataclasses.dataclass
class Source:
    """The chosen sequences of a SOURCE: ``sequences (n, T, 64, 64)`` float32 in [0, 1]."""

    sequences: np.ndarray
    indices: list
    description: str


@dataclasses.dataclass
class ModelFile:
    """Which model predicts: its ``.keras`` file, a short label and the digits it was trained on."""

    path: str
    label: str
    digits: str = None


def predict(model=None, *, pretrained=None, source, out, frames=None, index=None, layout=None, force=False,
            digits=None, batch_size=32, stream=None):
    """The ``framepred-tf predict`` command; returns the path of ``out/index.html``.

    ``model`` is a run directory or a ``.keras`` file, ``pretrained`` a shipped name (one of
    the two). ``digits`` is the digits source of a test-set SOURCE (default: the run's, else
    ``mnist``). Progress and the folder warning go to ``stream`` (stderr).
    """
    stream = sys.stderr if stream is None else stream
    out = os.path.abspath(os.fspath(out))
    check_output_dir(out, force)
    model_file = resolve_model(model, pretrained)
    data = read_source(source, index=index, layout=layout, digits=digits or model_file.digits or "mnist",
                       stream=stream)
    from framepred_tf.models.pretrained import load_model_file

    keras_model = load_model_file(model_file.path)
    check_input_shape(keras_model, model_file.path)
    inputs = data.sequences[:, :INPUT_FRAMES]
    predictions = predict_frames(keras_model, model_file.path, inputs, frames, batch_size, stream)
    truth = data.sequences[:, INPUT_FRAMES:INPUT_FRAMES + predictions.shape[1]]
    with staged_dir(out) as folder:
        write_outputs(folder, data, truth, predictions, model_file, stream)
    return os.path.join(out, PAGE_NAME)


# --------------------------------------------------------------------------- the model

def resolve_model(model, pretrained):
    """A :class:`ModelFile` for RUN_DIR (its ``best.keras``), MODEL.keras or ``--pretrained NAME``."""
    from framepred_tf.training import rundir

    if bool(model) == bool(pretrained):
        raise FramepredError("give a model: RUN_DIR or MODEL.keras, or --pretrained NAME (exactly one of them)")
    if pretrained:
        from framepred_tf.models.pretrained import pretrained_entry, verified_path

        path = verified_path(pretrained)
        return ModelFile(path, pretrained, pretrained_entry(pretrained).get("config", {}).get("digits"))
    path = os.path.abspath(os.fspath(model))
    if os.path.isdir(path):
        best = rundir.best_model_path(path)
        config = rundir.read_config(path) if os.path.isfile(os.path.join(path, rundir.CONFIG_NAME)) else {}
        return ModelFile(best, os.path.basename(path), config.get("digits"))
    if not os.path.exists(path):
        raise FramepredError(f"model {path} not found; give a run directory, a .keras file or --pretrained NAME")
    if not path.endswith(".keras"):
        raise FramepredError(f"{path} is not a .keras model; give a run directory, a .keras file or --pretrained NAME")
    return ModelFile(path, os.path.basename(path)[:-len(".keras")])


def check_input_shape(model, path):
    """A one-line error if the model declares inputs other than ``(B, 10, 64, 64, 1)``."""
    inputs = getattr(model, "inputs", None)
    if inputs:
        declared = tuple(inputs[0].shape)
    else:  # a subclassed model remembers the shape it was built with
        declared = (model.get_build_config() or {}).get("input_shape")
    if declared is None:
        return
    declared = tuple(declared)
    if len(declared) != 5 or any(d is not None and d != e for d, e in zip(declared[1:], _INPUT_SHAPE)):
        raise FramepredError(f"{path} takes inputs of shape {declared}; predict feeds (B, 10, 64, 64, 1): "
                             "10 grey 64x64 frames (a Moving MNIST frame predictor)")


def predict_frames(model, path, inputs, frames, batch_size, stream):
    """``(n, N, 64, 64)`` float32 predictions of ``inputs (n, 10, 64, 64)``, ``N = frames``.

    ``N`` defaults to the frames one call predicts; more are predicted by feeding the last
    10 frames (inputs and predictions) back in, call after call.
    """
    predictor = ev.keras_predictor(model)
    progress = Progress(len(inputs), "predicting", stream=stream, delay=PROGRESS_DELAY)
    batches, rounds = [], None
    for start in range(0, len(inputs), batch_size):
        context = inputs[start:start + batch_size, ..., np.newaxis]
        predicted = []
        while rounds is None or len(predicted) < rounds:
            predicted.append(_predict_batch(predictor, context[:, -INPUT_FRAMES:], path))
            context = np.concatenate([context, predicted[-1]], axis=1)
            if rounds is None:  # the first call tells how many frames one call predicts
                frames = frames or predicted[0].shape[1]
                rounds = -(-frames // predicted[0].shape[1])
        batches.append(np.concatenate(predicted, axis=1)[:, :frames, ..., 0])
        progress.update(min(start + batch_size, len(inputs)))
    return np.concatenate(batches)


def _predict_batch(predictor, inputs, path):
    try:
        predictions = predictor(inputs)
    except Exception as error:  # noqa: BLE001  (any failure here means the model does not fit the frames)
        reason = " ".join(str(error).split())[:200]
        raise FramepredError(f"{path} cannot predict from (B, 10, 64, 64, 1) frames: {type(error).__name__}: "
                             f"{reason}") from None
    if predictions.ndim != 5 or predictions.shape[0] != len(inputs) or predictions.shape[2:] != (64, 64, 1):
        raise FramepredError(f"{path} returned {predictions.shape} for {inputs.shape} inputs; expected "
                             "(B, T, 64, 64, 1) frames")
    return predictions


# --------------------------------------------------------------------------- the source

def read_source(source, *, index=None, layout=None, digits="mnist", stream=None):
    """The chosen sequences of SOURCE (test-set name, ``.npy`` file or frame folder) as a :class:`Source`."""
    from framepred_tf.data import list_test_sets

    stream = sys.stderr if stream is None else stream
    text = os.fspath(source)
    if layout is not None and layout not in LAYOUTS:
        raise FramepredError(f"--layout must be one of {', '.join(LAYOUTS)}, got {layout!r}")
    if text.lower().endswith(".npy") and os.path.isfile(text):
        return read_npy(text, index, layout, stream)
    names = list_test_sets()
    if layout is not None and (os.path.isdir(text) or text in names):
        raise FramepredError(f"--layout applies to a .npy SOURCE, not {text}")
    if os.path.isdir(text):
        return read_frame_folder(text, index, stream)
    if text in names:
        return read_test_set(text, index, digits)
    if os.path.exists(text):
        raise FramepredError(f"--input {text}: expected a .npy file, a folder of frames or a test set name")
    raise FramepredError(f"--input {text} is neither an existing .npy file or frame folder nor a test set "
                         f"({', '.join(names)})")


def read_test_set(name, index, digits):
    """Sequences ``index`` (default the first :data:`TEST_SET_SEQUENCES`) of the named test set.

    Test sets are prefixes of one another (``test_set(name, size=n)[:k] == test_set(name,
    size=k)``), so only ``max(index) + 1`` sequences are generated.
    """
    chosen = _unique(index) if index else list(range(TEST_SET_SEQUENCES))
    sequences = ev.load_test_set(name, max(chosen) + 1, digits)
    return Source(np.asarray(sequences[chosen], np.float32), chosen, f"test set '{name}' ({digits} digits)")


def read_npy(path, index, layout, stream):
    """The chosen sequences of a ``.npy`` file; its layout from ``layout`` or :func:`detect_layout`."""
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise FramepredError(f"cannot read {path} as a .npy array ({error}); expected (N, T, 64, 64) "
                             "sequences") from None
    if array.ndim != 4:
        raise FramepredError(f"{path} has shape {array.shape} (rank {array.ndim}); expected rank 4: (N, T, 64, 64) "
                             "sequences or Srivastava's (T, N, 64, 64)")
    if not (array.dtype == np.uint8 or array.dtype == np.bool_ or np.issubdtype(array.dtype, np.floating)):
        raise FramepredError(f"{path} has dtype {array.dtype}; expected uint8 (0-255), or float or bool in [0, 1]")
    detected = layout is None
    layout = layout or detect_layout(array.shape)
    count, length = (array.shape[0], array.shape[1]) if layout == "NTHW" else (array.shape[1], array.shape[0])
    if array.shape[2:] != (FRAME_SIZE, FRAME_SIZE):
        raise FramepredError(f"{path} holds {array.shape[2]}x{array.shape[3]} frames; expected 64x64 "
                             "(a folder of frames is resized, a .npy is not)")
    if length < INPUT_FRAMES:
        raise FramepredError(f"{path} read as {layout} has {length} frames per sequence; expected at least "
                             f"{INPUT_FRAMES} input frames (--layout swaps the first two axes)")
    chosen = _selection(index, count, path)
    picked = np.asarray(array[chosen] if layout == "NTHW" else array[:, chosen].swapaxes(0, 1))
    sequences = _unit_range(picked, path)
    how = "detected from the shape; --layout overrides" if detected else "--layout"
    print(f"framepred-tf: {path}: {count} sequences of {length} frames ({layout}, {how})", file=stream)
    return Source(sequences, chosen, os.path.basename(path))


def detect_layout(shape):
    """``"NTHW"`` or ``"TNHW"`` for an array ``shape``: see the module docstring's rule."""
    time_axis = 0 if shape[0] < shape[1] else 1
    if shape[time_axis] < INPUT_FRAMES:
        time_axis = 1 - time_axis
    return "TNHW" if time_axis == 0 else "NTHW"


def _unit_range(array, path):
    """``array`` as float32 in [0, 1]: uint8 / 255, bool as 0/1, floats checked to lie in [0, 1]."""
    if array.dtype == np.uint8:
        return array.astype(np.float32) / np.float32(255)
    array = array.astype(np.float32)
    if array.size and not (np.isfinite(array).all() and array.min() >= 0.0 and array.max() <= 1.0):
        raise FramepredError(f"{path} has values in [{np.nanmin(array):g}, {np.nanmax(array):g}]; expected floats "
                             "in [0, 1] (or uint8 0-255)")
    return array


def read_frame_folder(folder, index, stream):
    """The frames of one clip in ``folder`` as one sequence, grayscale 64x64 (one warning line)."""
    from framepred_tf.data.frames import IMAGE_EXTENSIONS, natural_key

    folder = os.path.abspath(folder)
    names = sorted((name for name in os.listdir(folder) if name.lower().endswith(IMAGE_EXTENSIONS)
                    and os.path.isfile(os.path.join(folder, name))), key=natural_key)
    extensions = "/".join(extension[1:] for extension in IMAGE_EXTENSIONS)
    if not names:
        raise FramepredError(f"{folder} holds no {extensions} frames; expected the image frames of one clip")
    if len(names) < INPUT_FRAMES:
        raise FramepredError(f"{folder} holds {len(names)} frames; expected at least {INPUT_FRAMES} (the input "
                             "frames) of one clip")
    if index and _unique(index) != [0]:
        raise FramepredError(f"--index: a frame folder is one sequence (0), got {','.join(map(str, index))}")
    frames, modes, sizes = [], set(), set()
    for name in names:
        frame, mode, size = _read_frame(os.path.join(folder, name), extensions)
        frames.append(frame)
        modes.add(mode)
        sizes.add(size)
    changes = [f"converted {'/'.join(sorted(modes - {'L'}))} to grayscale"] if modes - {"L"} else []
    resized = sizes - {(FRAME_SIZE, FRAME_SIZE)}
    if resized:
        changes.append(f"resized {', '.join(f'{w}x{h}' for w, h in sorted(resized))} to 64x64")
    print(f"framepred-tf: warning: {folder}: {len(names)} frames of one clip in natural order "
          f"({names[0]} ... {names[-1]}); " + ("; ".join(changes) or "already 64x64 grayscale"), file=stream)
    return Source(np.stack(frames)[np.newaxis], [0], os.path.basename(folder) or folder)


def _read_frame(path, extensions):
    """``(frame (64, 64) float32, original mode, original (width, height))`` of an image file."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.load()  # decode everything now: a truncated file fails here
            mode, size = image.mode, image.size
            grey = image.convert("L")
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError) as error:
        reason = " ".join(str(error).replace(repr(path), "file").replace(path, "file").split())
        raise FramepredError(f"cannot read frame {path} ({type(error).__name__}: {reason}); expected an image "
                             f"file ({extensions})") from None
    if size != (FRAME_SIZE, FRAME_SIZE):
        grey = grey.resize((FRAME_SIZE, FRAME_SIZE), Image.BILINEAR)
    return np.asarray(grey, np.float32) / np.float32(255), mode, size


def _selection(index, count, what):
    chosen = list(range(count)) if index is None else _unique(index)
    outside = [i for i in chosen if not 0 <= i < count]
    if outside:
        raise FramepredError(f"--index {outside[0]} is outside {what}, which holds {count} sequences "
                             f"(0..{count - 1})")
    return chosen


def _unique(index):
    return list(dict.fromkeys(int(i) for i in index))


# --------------------------------------------------------------------------- the output

def check_output_dir(out, force):
    """Refuse an existing ``out`` unless ``force`` and it holds an earlier prediction (or nothing)."""
    from framepred_tf.training import rundir

    if os.path.exists(out):
        if not os.path.isdir(out):
            raise FramepredError(f"--out {out} is a file; give a folder for the predictions")
        if not force:
            raise FramepredError(f"--out {out} already exists; pass --force to replace it, or choose another folder")
        if os.listdir(out) and not os.path.isfile(os.path.join(out, PREDICTIONS_NAME)):
            raise FramepredError(f"--out {out} holds files but no {PREDICTIONS_NAME}; --force replaces only an "
                                 "earlier prediction, so choose another folder")
    rundir.ensure_writable(os.path.dirname(out))


@contextlib.contextmanager
def staged_dir(out):
    """Yield a fresh folder beside ``out``; on success it replaces ``out`` (renamed into place)."""
    parent, name = os.path.split(out)
    staging = tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=parent)
    try:
        yield staging
        _make_readable(staging)
        if os.path.exists(out):  # --force was checked by check_output_dir
            trash = tempfile.mkdtemp(prefix=f".old-{name}-", dir=parent)
            os.replace(out, os.path.join(trash, name))
            os.replace(staging, out)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _make_readable(folder):
    # mkdtemp and the atomic writers create owner-only files; a page is meant to be opened and shared.
    os.chmod(folder, 0o755)
    for entry in os.scandir(folder):
        os.chmod(entry.path, 0o644)


def write_outputs(folder, data, truth, predictions, model_file, stream):
    """``predictions.npy``, ``predictions.json``, the strips, the GIFs and ``index.html`` in ``folder``."""
    # Plain writes: the whole folder is renamed into place only once it is complete.
    np.save(os.path.join(folder, PREDICTIONS_NAME), predictions.astype(np.float32))
    frames = predictions.shape[1]
    write_json_atomic(os.path.join(folder, "predictions.json"), {
        "model": model_file.path, "source": data.description, "indices": data.indices,
        "input_frames": INPUT_FRAMES, "predicted_frames": frames, "truth_frames": truth.shape[1],
        "shape": list(predictions.shape), "layout": "NTHW"})
    label = model_file.label
    progress = Progress(len(data.indices), "writing strips and GIFs", stream=stream, delay=PROGRESS_DELAY)
    sections, rows = [], []
    for row, index in enumerate(data.indices):
        name = f"sequence_{index:04d}"
        known = truth[row] if truth.shape[1] else None
        figures.sample_strip(os.path.join(folder, f"{name}.png"), known, {label: predictions[row]},
                             f"{data.description}, sequence {index}")
        figures.animation(os.path.join(folder, f"{name}.gif"), data.sequences[row:row + 1, :INPUT_FRAMES],
                          None if known is None else known[np.newaxis], {"prediction": predictions[row:row + 1]})
        score = _cross_entropy(known, predictions[row])
        if score is not None:
            rows.append([str(index), f"{score.mean():.1f}", f"{score[0]:.1f}", f"{score[-1]:.1f}", str(len(score))])
        sections += [doc.Heading(f"Sequence {index}", level=3),
                     doc.Image(f"{name}.png", _strip_caption(index, label, score, frames)),
                     doc.Image(f"{name}.gif", f"Sequence {index} animated: the {INPUT_FRAMES} input frames, then "
                                              "the truth beside the prediction.")]
        progress.update(row + 1)
    blocks = [doc.Paragraph(f"Model: {label} ({model_file.path}). Source: {data.description}, "
                            f"{len(data.indices)} sequence(s). Each prediction: {frames} frames from "
                            f"{INPUT_FRAMES} input frames. {PREDICTIONS_NAME}: {tuple(predictions.shape)} float32 "
                            "probabilities, one row per sequence below (predictions.json lists them).")]
    if rows:
        blocks.append(doc.Table("Cross-entropy against the truth (nats per frame)",
                                ["Sequence", "Average", "1st frame", "Last frame with truth", "Frames with truth"],
                                rows, "Binary cross-entropy summed over the 64x64 pixels of a frame, as in eval."))
    write_text_atomic(os.path.join(folder, PAGE_NAME),
                      doc.to_html(f"framepred-tf predict: {label} on {data.description}", blocks + sections))


def _cross_entropy(truth, prediction):
    """Per-frame cross-entropy ``(T',)`` over the frames that have truth, or ``None``."""
    if truth is None:
        return None
    return metrics_lib.cross_entropy(truth[np.newaxis], prediction[np.newaxis, :len(truth)])[0]


def _strip_caption(index, label, score, frames):
    if score is None:
        return (f"Sequence {index}: the {frames} frames predicted by {label} (SOURCE has no frames after the "
                f"{INPUT_FRAMES} input frames to compare them with).")
    return (f"Sequence {index}: ground truth, the prediction of {label}, and the prediction (red) overlaid on the "
            f"truth (white); cross-entropy {score.mean():.1f} nats/frame over the {len(score)} frame(s) with truth.")

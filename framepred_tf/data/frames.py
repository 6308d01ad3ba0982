"""Sequences of image files for the CNN+LSTM model (16 RGB frames in, frame 17 out).

Layout: every folder under ``DIR`` that directly holds image files (png, jpg, jpeg, bmp,
gif) is one clip; a flat folder of frames is a single clip. Frames sort in natural order
(``frame2`` before ``frame10``); a clip of ``F`` frames gives the windows starting at
``0, stride, 2*stride, ...`` that fit ``seq_len`` frames.

Index file (``framepred-tf index-frames``): UTF-8, one sequence per line, its frame paths
(absolute) separated by TABs, so paths may contain spaces; no header, so any reader that
splits lines works for space-free paths. When reading, lines starting with ``#`` are
comments and relative paths are taken relative to the index file's folder.
"""
import functools
import os
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
from keras.utils import PyDataset

from framepred_tf.data.pipelines import EpochCounter
from framepred_tf.errors import DataSourceError, FramepredError
from framepred_tf.utils.io import atomic_path, write_text_atomic

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
_SKIP_HINT = "pass --skip-bad (skip_bad=True) to skip it"


def natural_key(name):
    """Sort key treating digit runs as numbers: ``frame2`` < ``frame10``."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


@dataclass
class FrameIndex:
    """Result of :func:`scan_frames`: the sequences plus what was skipped and why."""

    sequences: list = field(default_factory=list)
    clips: int = 0
    short_clips: list = field(default_factory=list)
    bad_frames: list = field(default_factory=list)
    skipped_sequences: int = 0

    def summary(self):
        return (f"{self.clips} clips, {len(self.sequences)} sequences, {self.skipped_sequences} sequences skipped "
                f"({len(self.short_clips)} short clips, {len(self.bad_frames)} unreadable frames)")


def index_frames(directory, *, seq_len=17, stride=1, skip_bad=False, verify=False):
    """Sliding windows of ``seq_len`` frame paths over every clip under ``directory`` → ``list[list[str]]``.

    A clip shorter than ``seq_len`` (and with ``verify=True`` an unreadable frame) raises
    :class:`FramepredError` naming it, or with ``skip_bad=True`` is skipped.
    """
    return scan_frames(directory, seq_len=seq_len, stride=stride, skip_bad=skip_bad, verify=verify).sequences


def scan_frames(directory, *, seq_len=17, stride=1, skip_bad=False, verify=False):
    """Like :func:`index_frames` but returns a :class:`FrameIndex` with the skip counts."""
    _check_positive("seq_len", seq_len, minimum=2)
    _check_positive("stride", stride)
    index = FrameIndex()
    for clip, frames in find_clips(directory):
        index.clips += 1
        if len(frames) < seq_len:
            if not skip_bad:
                raise FramepredError(f"clip {clip} has {len(frames)} frames, fewer than seq_len {seq_len}; add frames, "
                                     f"lower --seq-len or {_SKIP_HINT}")
            index.short_clips.append(clip)
            continue
        bad = _bad_frames(frames, skip_bad) if verify else set()
        index.bad_frames += sorted(bad)
        for start in range(0, len(frames) - seq_len + 1, stride):
            window = frames[start:start + seq_len]
            if bad.intersection(window):
                index.skipped_sequences += 1
            else:
                index.sequences.append(window)
    if not index.sequences:
        raise FramepredError(f"no complete {seq_len}-frame sequence under {os.path.abspath(directory)} "
                             f"({index.summary()}); add longer clips or lower --seq-len")
    return index


def find_clips(directory):
    """``[(clip_folder, [frame paths in natural order])]`` for every folder holding images."""
    directory = os.path.abspath(os.fspath(directory))
    if not os.path.isdir(directory):
        raise DataSourceError(f"frame folder {directory} does not exist; create it with one sub-folder of "
                              "image frames per clip")
    clips = []
    for root, subdirs, files in os.walk(directory):
        subdirs.sort(key=natural_key)
        frames = sorted((name for name in files if name.lower().endswith(IMAGE_EXTENSIONS)), key=natural_key)
        if frames:
            clips.append((root, [os.path.join(root, name) for name in frames]))
    if not clips:
        raise DataSourceError(f"frame folder {directory} holds no {'/'.join(e[1:] for e in IMAGE_EXTENSIONS)} "
                              "images; put one sub-folder of frames per clip there")
    return sorted(clips, key=lambda clip: natural_key(os.path.relpath(clip[0], directory)))


def _bad_frames(frames, skip_bad):
    bad = set()
    for path in frames:
        try:
            _decode(path)
        except BadFrameError:
            if not skip_bad:
                raise
            bad.add(path)
    return bad


def write_index(path, sequences):
    """Write ``sequences`` (lists of paths) to ``path`` atomically, TAB-separated, one per line."""
    lines = []
    for sequence in sequences:
        for frame in sequence:
            if "\t" in frame or "\n" in frame:
                raise FramepredError(f"frame path {frame!r} contains a TAB or newline; rename it")
        lines.append("\t".join(os.path.abspath(frame) for frame in sequence))
    write_text_atomic(path, "\n".join(lines) + "\n")


def read_index(path):
    """Sequences from an index file written by :func:`write_index`; all must have one length."""
    path = os.path.abspath(os.fspath(path))
    try:
        with open(path, encoding="utf-8") as f:
            lines = [line.rstrip("\n") for line in f]
    except (OSError, UnicodeDecodeError) as error:
        raise DataSourceError(f"cannot read frame index {path} ({error}); create it with framepred-tf index-frames") \
            from None
    base = os.path.dirname(path)
    sequences = [[os.path.join(base, frame) for frame in line.split("\t")]
                 for line in lines if line.strip() and not line.startswith("#")]
    if not sequences:
        raise DataSourceError(f"frame index {path} lists no sequences; create it with framepred-tf index-frames")
    _check_lengths(sequences, path)
    return sequences


def _check_lengths(sequences, where):
    lengths = {len(sequence) for sequence in sequences}
    if len(lengths) != 1 or min(lengths) < 2:
        raise FramepredError(f"{where}: sequences must all have the same length >= 2, found lengths {sorted(lengths)}")


def _check_positive(name, value, minimum=1):
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise FramepredError(f"{name} must be an integer >= {minimum}, got {value!r}")


# --- decoding ---------------------------------------------------------------------------

class BadFrameError(FramepredError):
    """An image file that cannot be decoded; ``path`` names it."""

    def __init__(self, path, error):
        reason = " ".join(str(error).replace(f"'{path}'", "file").replace(path, "file").split())
        super().__init__(f"cannot read frame {path} ({type(error).__name__}: {reason}); replace or delete it, "
                         f"or {_SKIP_HINT}")
        self.path = path


def _decode(path):
    """The whole image at ``path`` as ``(H, W, 3) uint8`` RGB; :class:`BadFrameError` if unreadable."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.load()  # decode everything now: a truncated file fails here, not later
            return np.asarray(image.convert("RGB"))
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError) as error:
        raise BadFrameError(path, error) from None


# Sliding windows read each frame up to seq_len times; keep recent decoded+resized frames.
@functools.lru_cache(maxsize=256)
def _load_frame(path, image_size):
    """``(frame (S, S, 3) uint8, original (H, W))`` for ``path`` resized bilinearly to ``S``."""
    from PIL import Image

    array = _decode(path)
    original = array.shape[:2]
    if original != (image_size, image_size):
        array = np.asarray(Image.fromarray(array).resize((image_size, image_size), Image.BILINEAR))
    array.flags.writeable = False
    return array, original


class FrameFolderSequence(EpochCounter, PyDataset):
    """Batches ``(frames (B, L-1, S, S, 3), target (B, S, S, 3))`` float32 in ``[0, 1]`` of image sequences.

    ``index_or_sequences`` is an index file, a frame folder (indexed with ``seq_len=17``)
    or a list of path lists of one length ``L``. Frames are converted to RGB (grayscale,
    RGBA and palette images included) and resized to ``S = image_size`` with bilinear
    filtering; frames of differing sizes trigger one warning. An unreadable frame raises
    :class:`FramepredError` naming it; with ``skip_bad=True`` its sequence is replaced in
    the batch by the next good sequence, counted in :attr:`skipped`, and each epoch with
    skips ends with one summary warning. ``shuffle`` reorders sequences per epoch,
    reproducibly from ``(seed, epoch)`` (epochs counted as in :class:`EpochCounter`).
    """

    def __init__(self, index_or_sequences, batch_size, *, image_size=128, skip_bad=False, shuffle=False, seed=0,
                 **pydataset_kwargs):
        super().__init__(**pydataset_kwargs)
        _check_positive("batch_size", batch_size)
        _check_positive("image_size", image_size)
        self.sequences = _load_sequences(index_or_sequences, skip_bad)
        self.batch_size, self.image_size = batch_size, image_size
        self.skip_bad, self.shuffle, self.seed = skip_bad, shuffle, seed
        self.skipped = set()  # indices of sequences with an unreadable frame
        self.bad_files = []
        self._epoch_skips = 0
        self._first_size = None
        self._warned_sizes = False

    def __len__(self):
        return -(-len(self.sequences) // self.batch_size)

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"batch index {index} outside 0..{len(self) - 1}")
        positions = range(index * self.batch_size, min((index + 1) * self.batch_size, len(self.sequences)))
        clips = np.stack([self._good_sequence(position) for position in positions])
        return clips[:, :-1], clips[:, -1]

    def on_epoch_end(self):
        if self._epoch_skips:
            warnings.warn(f"FrameFolderSequence: skipped {self._epoch_skips} sequence(s) with unreadable frames this "
                          f"epoch ({len(self.skipped)} in all; first: {self.bad_files[0]})", stacklevel=2)
        self._epoch_skips = 0
        super().on_epoch_end()

    def order(self):
        """Sequence numbers in this epoch's order."""
        if not self.shuffle:
            return np.arange(len(self.sequences))
        return _permutation(self.seed, self.epoch, len(self.sequences))

    def _good_sequence(self, position):
        """Frames ``(L, S, S, 3)`` of the sequence at ``position`` in this epoch's order, or of the next good one."""
        order = self.order()
        for offset in range(len(self.sequences)):
            number = int(order[(position + offset) % len(self.sequences)])
            if number in self.skipped:
                continue
            try:
                return self._read_sequence(self.sequences[number])
            except BadFrameError as error:
                if not self.skip_bad:
                    raise
                self.skipped.add(number)
                self.bad_files.append(error.path)
                self._epoch_skips += 1
        raise FramepredError(f"all {len(self.sequences)} sequences have unreadable frames (first: "
                             f"{self.bad_files[0]}); check the frame folder")

    def _read_sequence(self, paths):
        return np.stack([self._read_frame(path) for path in paths]).astype(np.float32) / np.float32(255)

    def _read_frame(self, path):
        array, original = _load_frame(path, self.image_size)
        self._note_size(path, original)
        return array

    def _note_size(self, path, size):
        if self._first_size is None:
            self._first_size = (path, size)
        elif size != self._first_size[1] and not self._warned_sizes:
            self._warned_sizes = True
            warnings.warn(f"frames differ in size ({_hw(self._first_size[1])} in {self._first_size[0]}, {_hw(size)} in "
                          f"{path}); all are resized to {self.image_size}x{self.image_size}", stacklevel=2)


@functools.lru_cache(maxsize=4)
def _permutation(seed, epoch, count):
    permutation = np.random.default_rng([seed, epoch]).permutation(count)
    permutation.flags.writeable = False
    return permutation


def _hw(size):
    return f"{size[1]}x{size[0]}"


def _load_sequences(index_or_sequences, skip_bad):
    if isinstance(index_or_sequences, (str, os.PathLike)):
        path = os.fspath(index_or_sequences)
        if os.path.isdir(path):
            return index_frames(path, skip_bad=skip_bad)
        return read_index(path)
    sequences = [[os.fspath(frame) for frame in sequence] for sequence in index_or_sequences]
    if not sequences:
        raise FramepredError("FrameFolderSequence got an empty list of sequences")
    _check_lengths(sequences, "FrameFolderSequence sequences")
    return sequences


# --- rendered clips ---------------------------------------------------------------------

_PALETTE = np.array([[1.0, 0.35, 0.25], [0.3, 0.8, 1.0], [1.0, 0.85, 0.2], [0.55, 1.0, 0.4]], np.float32)


def render_moving_mnist_clips(out_dir, *, num_clips=8, frames_per_clip=24, image_size=128, digits="mnist5k", seed=0):
    """Write Moving MNIST clips as RGB PNGs ``out_dir/clip_XXX/frame_YYYY.png``; return ``out_dir``.

    Two digits per clip, each in its own colour (overlaps take the per-channel max),
    upscaled from 64 to ``image_size`` with bilinear filtering. Same arguments, same files.
    """
    from PIL import Image

    from framepred_tf.data.moving_mnist import digit_split, generate, make_rng

    _check_positive("num_clips", num_clips)
    _check_positive("frames_per_clip", frames_per_clip)
    _check_positive("image_size", image_size)
    images, labels = digit_split(digits, "train")
    _, info = generate(num_clips, images, labels, make_rng(seed), num_digits=2, seq_len=frames_per_clip,
                          dtype="uint8", return_info=True)
    for clip in range(num_clips):
        clip_dir = os.path.join(os.fspath(out_dir), f"clip_{clip:03d}")
        os.makedirs(clip_dir, exist_ok=True)
        for t in range(frames_per_clip):
            rgb = _colour_frame(images, info["indices"][clip], info["positions"][clip, t])
            image = Image.fromarray(rgb).resize((image_size, image_size), Image.BILINEAR)
            with atomic_path(os.path.join(clip_dir, f"frame_{t:04d}.png"), suffix=".png") as tmp:
                image.save(tmp, format="PNG")
    return os.fspath(out_dir)


def _colour_frame(images, indices, positions):
    """One ``(64, 64, 3) uint8`` frame: digit ``k`` tinted with palette colour ``k``."""
    from framepred_tf.data.moving_mnist import CANVAS_SIZE, DIGIT_SIZE

    canvas = np.zeros((CANVAS_SIZE, CANVAS_SIZE, 3), np.float32)
    for k, (number, (top, left)) in enumerate(zip(indices, positions)):
        tinted = images[number][..., None].astype(np.float32) * _PALETTE[k % len(_PALETTE)]
        window = canvas[top:top + DIGIT_SIZE, left:left + DIGIT_SIZE]
        np.maximum(window, tinted, out=window)
    return np.rint(canvas).astype(np.uint8)

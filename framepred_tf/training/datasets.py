"""Training, validation and sample data of a run, addressed by global step.

Batch ``i`` of epoch ``e`` is the batch of global step ``e * steps_per_epoch + i`` and its
content depends only on that step (and the seed; Moving MNIST draws every batch afresh,
frame folders reshuffle their sequences per epoch). A run resumed at step ``S`` therefore
sees exactly the batches the uninterrupted run would have seen from ``S`` on.

Two kinds of data (a preset's ``data`` key):

* ``moving_mnist``: :class:`framepred_tf.data.MovingMnistSequence` for training and a fixed
  set of ``val_size`` sequences (another seed) for validation.
* ``frame_folder``: 16-frame inputs and the 17th frame from ``--frames-dir`` (a folder of
  clip folders), ``--frames-index`` (an index file of ``framepred-tf index-frames``: one
  sequence of 17 TAB-separated frame paths per line) or, with neither, Moving MNIST clips
  rendered in RGB into ``RUN_DIR/clips``. The last ``val_fraction`` of the clips validates;
  the order of the training sequences is reshuffled every epoch from ``(seed, epoch)``.
"""
import dataclasses
import os
import shutil
import tempfile

import keras
import numpy as np

from framepred_tf.errors import DataSourceError

SAMPLE_SEQUENCES = 3
FRAME_FOLDER_SEQ_LEN = 17
_VALIDATION_SEED_OFFSET = 1_000_003


class StepWindow(keras.utils.PyDataset):
    """``num_steps`` consecutive batches of ``base`` from global step ``first_step`` on.

    Item ``j`` is the batch of global step ``g = first_step + j``: batch ``g % steps_per_epoch``
    of ``base``'s epoch ``g // steps_per_epoch``. The position is a pure function of the index
    because Keras' own epoch notifications cannot be relied on for it: ``fit`` calls
    ``on_epoch_end`` once before the first epoch, and prefetching reads ahead. ``train`` fits
    one window with ``steps_per_epoch`` and ``shuffle=False``, so Keras walks it in order
    across epochs.
    """

    def __init__(self, base, first_step, num_steps, steps_per_epoch):
        super().__init__(workers=1, use_multiprocessing=False)
        self.base = base
        self.first_step = int(first_step)
        self.num_steps = int(num_steps)
        self.steps_per_epoch = int(steps_per_epoch)

    def __len__(self):
        return self.num_steps

    def __getitem__(self, index):
        if not 0 <= index < self.num_steps:
            raise IndexError(f"batch {index} outside a window of {self.num_steps}")
        epoch, batch = divmod(self.first_step + index, self.steps_per_epoch)
        set_epoch = getattr(self.base, "set_epoch", None)
        if set_epoch is not None:
            set_epoch(epoch)
        return self.base[batch]


@dataclasses.dataclass
class RunData:
    """What ``train`` needs from the data: a step-addressed stream, validation and sample batches."""

    base: object
    steps_per_epoch: int
    validation: tuple
    sample: tuple

    def stream(self, first_step, num_steps):
        return StepWindow(self.base, first_step, num_steps, self.steps_per_epoch)


def build_run_data(config, run_dir):
    """The :class:`RunData` of ``config["data"]``."""
    if config["data"] == "frame_folder":
        return _frame_folder_data(config, run_dir)
    return _moving_mnist_data(config)


def _moving_mnist_data(config):
    from framepred_tf.data import MovingMnistSequence, moving_mnist, split_frames

    base = MovingMnistSequence(config["batch_size"], config["steps_per_epoch"], num_digits=config["num_digits"],
                               digits=config["digits"], split="train", seed=config["seed"])
    # Validation sequences come from another seed so they are not among the training batches.
    sequences = moving_mnist(config["val_size"], num_digits=config["num_digits"], digits=config["digits"],
                             split="train", seed=config["seed"] + _VALIDATION_SEED_OFFSET)
    validation = split_frames(sequences)
    return RunData(base, config["steps_per_epoch"], validation, _head(validation))


def _frame_folder_data(config, run_dir):
    from framepred_tf.data import FrameFolderSequence

    train, val = _split_by_clip(_frame_sequences(config, run_dir), config["val_fraction"])
    base = ShuffledFrames(train, config["batch_size"], image_size=config["image_size"], seed=config["seed"])
    steps = config.get("steps_per_epoch") or len(base)
    held_out = FrameFolderSequence(val, config["batch_size"], image_size=config["image_size"], skip_bad=True)
    validation = _materialise(held_out)
    return RunData(base, steps, validation, _head(validation))


class ShuffledFrames:
    """Frame-folder batches whose order is a pure function of ``(seed, epoch)`` (see :meth:`set_epoch`)."""

    def __init__(self, sequences, batch_size, *, image_size, seed):
        self.sequences, self.batch_size, self.image_size, self.seed = list(sequences), batch_size, image_size, seed
        self.set_epoch(0)

    def set_epoch(self, epoch):
        from framepred_tf.data import FrameFolderSequence

        if getattr(self, "epoch", None) == epoch:
            return
        order = np.random.default_rng([self.seed, epoch]).permutation(len(self.sequences))
        self.epoch = epoch
        self._batches = FrameFolderSequence([self.sequences[i] for i in order], self.batch_size,
                                            image_size=self.image_size, skip_bad=True)

    def __len__(self):
        return len(self._batches)

    def __getitem__(self, index):
        return self._batches[index]


def _frame_sequences(config, run_dir):
    from framepred_tf.data import index_frames
    from framepred_tf.data.frames import read_index

    if config.get("frames_index"):
        sequences = read_index(config["frames_index"])
    else:
        directory = config.get("frames_dir")
        if not directory:
            directory = os.path.join(run_dir, "clips")
            if not os.path.isdir(directory):
                _render_clips(directory, config)
        sequences = index_frames(directory, seq_len=FRAME_FOLDER_SEQ_LEN, skip_bad=True)
    if len(sequences[0]) != FRAME_FOLDER_SEQ_LEN:
        raise DataSourceError(f"frame sequences need {FRAME_FOLDER_SEQ_LEN} frames (16 inputs and the target), "
                              f"got {len(sequences[0])}")
    return sequences


def _render_clips(directory, config):
    """Render the preset's Moving MNIST clips into ``directory``, all or nothing.

    They are rendered into a temporary folder renamed at the end, so a run killed while
    rendering does not resume with half the clips.
    """
    from framepred_tf.data import render_moving_mnist_clips

    scratch = tempfile.mkdtemp(prefix=".tmp-clips-", dir=os.path.dirname(directory))
    try:
        render_moving_mnist_clips(scratch, num_clips=config["clips"], frames_per_clip=config["frames_per_clip"],
                                  image_size=config["image_size"], digits=config["digits"], seed=config["seed"])
        os.replace(scratch, directory)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _split_by_clip(sequences, val_fraction):
    """Hold out the last ``val_fraction`` of the clips (folders) for validation, at least one.

    Windows of one clip overlap, so splitting by clip keeps validation frames out of
    training; a single clip is split by its windows instead.
    """
    clips = list(dict.fromkeys(os.path.dirname(sequence[0]) for sequence in sequences))
    if len(clips) < 2:
        groups = [[sequence] for sequence in sequences]
    else:
        groups = [[seq for seq in sequences if os.path.dirname(seq[0]) == clip] for clip in clips]
    if len(groups) < 2:
        raise DataSourceError(f"found {len(sequences)} sequence of {FRAME_FOLDER_SEQ_LEN} frames; "
                              "need at least 2 (training and validation)")
    held_out = min(len(groups) - 1, max(1, int(round(len(groups) * val_fraction))))
    flatten = lambda parts: [seq for part in parts for seq in part]  # noqa: E731
    return flatten(groups[:-held_out]), flatten(groups[-held_out:])


def _materialise(sequence):
    batches = [sequence[i] for i in range(len(sequence))]
    return tuple(np.concatenate([batch[part] for batch in batches]).astype("float32") for part in (0, 1))


def _head(pair):
    return tuple(part[:SAMPLE_SEQUENCES] for part in pair)

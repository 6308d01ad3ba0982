"""Keras callbacks of a training run, assembled by :func:`standard_callbacks`.

They share one :class:`StepClock` (the global step survives resumes and the two ``fit``
calls that finish a partially trained epoch) and run in list order: the clock first, then
the non-finite-loss guard (so a diverged step is never checkpointed), the time limit, then
logging, history, samples and, last, checkpoints (a checkpoint of epoch ``e`` implies its history
row and sample exist).
"""
import csv
import importlib.util
import io
import math
import os
import sys
import time

import keras

from framepred_tf.errors import FramepredError
from framepred_tf.training import checkpoints, console, rundir
from framepred_tf.training.figures import save_figure
from framepred_tf.utils.io import atomic_path, write_text_atomic


class TrainingDiverged(FramepredError):
    """The training loss became NaN or infinite."""


class StepClock(keras.callbacks.Callback):
    """Global step, epoch, training time and the epoch's running loss sums of the run, across ``fit`` calls.

    Keras averages ``loss`` over the steps of the current ``fit`` call only; a run resumed in
    the middle of an epoch restores that epoch's sums from the checkpoint (``epoch_totals``),
    so :meth:`epoch_means` is the mean over the whole epoch, as if it had never stopped.
    ``train_seconds`` is the wall time spent in ``fit``, summed over resumes (what
    ``--time-limit`` counts).
    """

    def __init__(self, initial_step=0, total_steps=None, train_seconds=0.0, epoch_totals=None):
        super().__init__()
        self.global_step = int(initial_step)
        self.epoch = 0
        self.total_steps = total_steps
        self.stopped_by = None
        self._seconds_before = float(train_seconds or 0.0)
        self._fit_started = None
        self._restored_totals = epoch_totals or {}
        self._prefix, self._prefix_count = {}, 0
        self._latest = ({}, 0)

    def on_train_begin(self, logs=None):
        if self.total_steps is None:
            self.total_steps = self.global_step + (self.params.get("epochs") or 0) * (self.params.get("steps") or 0)
        self._fit_started = time.monotonic()

    def on_train_end(self, logs=None):
        self._seconds_before = self.train_seconds()
        self._fit_started = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        restored = self._restored_totals
        self._prefix = restored.get("sums", {}) if restored.get("epoch") == epoch else {}
        self._prefix_count = int(restored.get("count", 0)) if self._prefix else 0
        self._latest = ({}, 0)

    def on_train_batch_end(self, batch, logs=None):
        self.global_step += 1
        self._latest = ({key: float(value) for key, value in (logs or {}).items()}, batch + 1)

    def train_seconds(self):
        running = time.monotonic() - self._fit_started if self._fit_started is not None else 0.0
        return self._seconds_before + running

    def epoch_totals(self):
        """``{"epoch", "count", "sums"}`` of the training values logged so far in this epoch (JSON-ready)."""
        logs, steps = self._latest
        sums = {key: self._prefix.get(key, 0.0) + steps * value for key, value in logs.items()}
        return {"epoch": self.epoch, "count": self._prefix_count + steps, "sums": sums}

    def epoch_means(self, logs):
        """``logs`` with each training value replaced by its mean over the whole epoch so far."""
        if not self._prefix:
            return dict(logs)
        totals = self.epoch_totals()
        means = dict(logs)
        for key, total in totals["sums"].items():
            means[key] = total / totals["count"]
        return means

    def learning_rate(self):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None:
            return float("nan")
        return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


class TimeLimit(keras.callbacks.Callback):
    """Stop after ``minutes`` of training in total (counted across resumes), at a step boundary.

    Keras then still validates and ends the epoch, so the checkpoint, ``best.keras``, the
    history row and the samples of the stop are written by the usual epoch-end callbacks.
    """

    def __init__(self, clock, minutes):
        super().__init__()
        self.clock = clock
        self.seconds = 60.0 * float(minutes)

    def on_train_batch_end(self, batch, logs=None):
        if self.clock.train_seconds() >= self.seconds and self.clock.global_step < (self.clock.total_steps or 0):
            self.clock.stopped_by = "time_limit"
            self.model.stop_training = True


class NonFiniteLossGuard(keras.callbacks.Callback):
    """Stop at the first NaN/Inf training loss, naming the step and the checkpoint to go back to."""

    def __init__(self, clock, checkpoint_dir):
        super().__init__()
        self.clock = clock
        self.checkpoint_dir = checkpoint_dir

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(float(loss)):
            return
        latest = checkpoints.latest_checkpoint(self.checkpoint_dir)
        kept = f"the last good checkpoint is {latest[0]}" if latest else "no checkpoint was written yet"
        raise TrainingDiverged(
            f"training loss became {float(loss)} at step {self.clock.global_step} (epoch {self.clock.epoch + 1}); "
            f"stopped, {kept}; lower --lr or check the data")


class SeedLineLogger(keras.callbacks.Callback):
    """Every ``every`` steps print the thesis' progress line; at each epoch end a summary."""

    def __init__(self, clock, every=10, stream=None):
        super().__init__()
        self.clock = clock
        self.every = max(1, int(every))
        self.stream = stream
        self._previous_mean = 0.0
        self._mark = (time.monotonic(), clock.global_step)

    def on_epoch_begin(self, epoch, logs=None):
        # Timing restarts each epoch so validation and checkpoint writes do not count as steps.
        self._mark = (time.monotonic(), self.clock.global_step)
        self._previous_mean = 0.0

    def on_train_batch_end(self, batch, logs=None):
        mean = float((logs or {}).get("loss", float("nan")))
        # Keras reports the running mean of the epoch; the latest step's own loss follows from
        # two consecutive means: n * mean_n - (n - 1) * mean_{n-1}.
        step_loss = (batch + 1) * mean - batch * self._previous_mean
        self._previous_mean = mean
        step = self.clock.global_step
        if step % self.every:
            return
        started, start_step = self._mark
        now = time.monotonic()
        sec_per_step = (now - started) / max(1, step - start_step)
        self._mark = (now, step)
        self._print(console.format_step_line(
            step=step, loss=step_loss, mean_loss=self.clock.epoch_means(logs or {}).get("loss", mean),
            epoch=self.clock.epoch + 1, lr=self.clock.learning_rate(),
            sec_per_step=sec_per_step, remaining_steps=max(0, (self.clock.total_steps or step) - step)))

    def on_epoch_end(self, epoch, logs=None):
        # The same whole-epoch means as history.csv, also after a resume in mid-epoch.
        self._print(console.format_epoch_line(epoch=epoch + 1, logs=self.clock.epoch_means(logs or {})))

    def _print(self, line):
        print(line, file=self.stream or sys.stdout, flush=True)


class HistoryCsv(keras.callbacks.Callback):
    """``history.csv``: one row per epoch (``epoch, step, loss, val_loss, lr, ...``), rewritten atomically.

    Rows of epochs up to ``initial_epoch`` already in the file are kept, so a resumed run
    extends the history of the interrupted one; a resumed epoch's training values are
    means over the whole epoch (see :class:`StepClock`), so a run killed and resumed
    writes the same history as one that never stopped. A row that ends at a
    ``--time-limit`` stop says so in its ``stopped`` column (kept when the epoch is
    finished after a resume). Wall-clock training minutes go to ``wallclock.csv`` beside
    it, whose rows line up with the history's; they differ from run to run, the history
    does not.
    """

    LEADING = ("epoch", "step", "loss", "val_loss", "lr")
    WALLCLOCK = ("epoch", "step", "train_minutes")

    def __init__(self, path, clock, initial_epoch=0, wallclock_path=None):
        super().__init__()
        self.path = path
        self.wallclock_path = wallclock_path
        self.clock = clock
        written = read_history(path)
        self.rows = [row for row in written if int(row["epoch"]) <= initial_epoch]
        self.stops = {row["epoch"]: row["stopped"] for row in written if row.get("stopped")}
        self.wallclock = [row for row in read_history(wallclock_path) if int(row["epoch"]) <= initial_epoch] \
            if wallclock_path else []

    def on_epoch_end(self, epoch, logs=None):
        number = epoch + 1
        row = {key: float(value) for key, value in self.clock.epoch_means(logs or {}).items()}
        row.update(epoch=number, step=self.clock.global_step, lr=self.clock.learning_rate())
        stops = [self.stops.get(str(number))] if self.stops.get(str(number)) else []
        if self.clock.stopped_by:
            stops.append(f"{self.clock.stopped_by}@{self.clock.global_step}")
        if stops:
            row["stopped"] = self.stops[str(number)] = " ".join(stops)
        self.rows = _replace_row(self.rows, number, row)
        write_text_atomic(self.path, _render_csv(self.rows, self.LEADING))
        if self.wallclock_path:
            minutes = {"epoch": number, "step": self.clock.global_step,
                       "train_minutes": round(self.clock.train_seconds() / 60.0, 4)}
            self.wallclock = _replace_row(self.wallclock, number, minutes)
            write_text_atomic(self.wallclock_path, _render_csv(self.wallclock, self.WALLCLOCK))


def _replace_row(rows, epoch, row):
    return [old for old in rows if int(old["epoch"]) != epoch] + [row]


def _render_csv(rows, leading):
    keys = {key for row in rows for key in row}
    columns = [key for key in leading if key in keys] + sorted(keys - set(leading))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def read_history(path):
    """Rows of a ``history.csv`` (or ``wallclock.csv``) as dicts of strings; ``[]`` if there is none yet."""
    if path is None:
        return []
    try:
        with open(path, newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    except FileNotFoundError:
        return []


class SampleWriter(keras.callbacks.Callback):
    """Every ``every`` epochs (and after the last) save ``sample_fn(model)`` as ``samples/epoch_XXXX.png``."""

    def __init__(self, samples_dir, sample_fn, every=1, clock=None):
        super().__init__()
        self.samples_dir = samples_dir
        self.sample_fn = sample_fn
        self.every = max(1, int(every))
        self.clock = clock

    def on_epoch_end(self, epoch, logs=None):
        number = epoch + 1
        stopped = self.clock is not None and self.clock.stopped_by
        if number % self.every and number != self.params.get("epochs") and not stopped:
            return
        save_figure(self.sample_fn(self.model), os.path.join(self.samples_dir, f"epoch_{number:04d}.png"))


class RunCheckpointer(keras.callbacks.Callback):
    """Periodic and end-of-epoch checkpoints plus ``best.keras`` (lowest ``monitor``).

    ``monitor`` falls back to the training ``loss`` when there is no validation data.
    """

    def __init__(self, run_dir, clock, *, every=None, keep=3, monitor="val_loss", best=None):
        super().__init__()
        self.directory = os.path.join(run_dir, rundir.CHECKPOINT_DIR)
        self.best_path = os.path.join(run_dir, rundir.BEST_NAME)
        self.clock = clock
        self.every = every
        self.keep = keep
        self.monitor = monitor
        self.best = math.inf if best is None else float(best)

    def on_train_batch_end(self, batch, logs=None):
        # The last batch of an epoch is saved by on_epoch_end, after validation.
        if not self.every or self.clock.global_step % self.every or batch + 1 == self.params.get("steps"):
            return
        self._save(epochs_completed=self.clock.epoch)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        value = logs.get(self.monitor, logs.get("loss"))
        if value is not None and math.isfinite(float(value)) and float(value) < self.best:
            self.best = float(value)
            with atomic_path(self.best_path, suffix=".keras") as tmp:
                self.model.save(tmp)
        # A --time-limit stop ends its epoch early: that epoch is not complete.
        self._save(epochs_completed=epoch if self.clock.stopped_by else epoch + 1)

    def _save(self, epochs_completed):
        state = {"global_step": self.clock.global_step, "epochs_completed": epochs_completed,
                 "monitor": self.monitor, "best": self.best if math.isfinite(self.best) else None,
                 "train_seconds": self.clock.train_seconds(), "epoch_totals": self.clock.epoch_totals(),
                 "stopped_by": self.clock.stopped_by, "saved": time.time()}
        checkpoints.save_checkpoint(self.model, self.directory, state, keep=self.keep)


def tensorboard_callbacks(logs_dir, stream=None):
    """A TensorBoard callback where TensorFlow and TensorBoard are importable; otherwise one notice."""
    missing = [name for name in ("tensorflow", "tensorboard") if importlib.util.find_spec(name) is None]
    if missing:
        print(f"framepred-tf: no TensorBoard logs in {logs_dir}: {' and '.join(missing)} not installed "
              "(pip install tensorboard)", file=stream or sys.stderr)
        return []
    return [keras.callbacks.TensorBoard(log_dir=logs_dir, write_graph=False)]


def standard_callbacks(run_dir, *, monitor="val_loss", log_every=10, checkpoint_every=100, sample_fn=None,
                       total_steps=None, sample_every=1, keep_checkpoints=3, initial_step=0, initial_epoch=0,
                       best=None, stream=None, time_limit=None, train_seconds=0.0, epoch_totals=None):
    """The callbacks of a framepred-tf run writing into ``run_dir`` (created if needed).

    Console lines in the seed's format every ``log_every`` steps, checkpoints every
    ``checkpoint_every`` steps and at each epoch end (newest ``keep_checkpoints`` kept),
    ``best.keras`` by ``monitor``, ``history.csv``, TensorBoard logs, and, if ``sample_fn``
    (``model -> matplotlib Figure``) is given, a figure every ``sample_every`` epochs.
    ``initial_step``/``initial_epoch``/``best``/``train_seconds``/``epoch_totals`` continue a
    resumed run (the state of its checkpoint). Training stops with :class:`TrainingDiverged`
    at the first non-finite loss, and after ``time_limit`` minutes of training in total.
    """
    run_dir = os.fspath(run_dir)
    for sub in (rundir.CHECKPOINT_DIR, rundir.SAMPLES_DIR):
        os.makedirs(os.path.join(run_dir, sub), exist_ok=True)
    checkpoint_dir = os.path.join(run_dir, rundir.CHECKPOINT_DIR)
    clock = StepClock(initial_step=initial_step, total_steps=total_steps, train_seconds=train_seconds,
                      epoch_totals=epoch_totals)
    callbacks = [clock, NonFiniteLossGuard(clock, checkpoint_dir)]
    if time_limit is not None:
        callbacks.append(TimeLimit(clock, time_limit))
    callbacks += [
        SeedLineLogger(clock, every=log_every, stream=stream),
        HistoryCsv(os.path.join(run_dir, rundir.HISTORY_NAME), clock, initial_epoch=initial_epoch,
                   wallclock_path=os.path.join(run_dir, rundir.WALLCLOCK_NAME)),
    ]
    if sample_fn is not None:
        callbacks.append(SampleWriter(os.path.join(run_dir, rundir.SAMPLES_DIR), sample_fn, every=sample_every,
                                      clock=clock))
    callbacks += tensorboard_callbacks(os.path.join(run_dir, rundir.LOGS_DIR), stream=stream)
    callbacks.append(RunCheckpointer(run_dir, clock, every=checkpoint_every, keep=keep_checkpoints,
                                     monitor=monitor, best=best))
    return callbacks

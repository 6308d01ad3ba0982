"""What a training run reports every ``log_every`` timesteps.

* stdout: one line in the seed's format, ``timesteps mean_reward fps`` (e.g.
  ``40960 -20.5 207.2``): the mean raw return of the last 100 finished episodes and the
  agent steps per second since the previous line;
* ``progress.csv``: the same three values as its first three columns (outside checks read
  them by position), then :data:`EXTRA_COLUMNS`; rewritten atomically at each line;
* TensorBoard scalars in ``logs/`` (where TensorFlow is importable);
* stderr: a progress line with the ETA at the speed of the run so far.
"""
import csv
import datetime
import importlib.util
import io
import math
import os
import sys

from framepred_tf.training import console
from framepred_tf.utils.io import write_text_atomic
from framepred_tf.utils.progress import format_line

PROGRESS_NAME = "progress.csv"
CURVE_NAME = "curve.png"
SEED_COLUMNS = ("timesteps", "mean_reward", "fps")
EXTRA_COLUMNS = ("episodes", "updates", "policy_loss", "value_loss", "entropy", "approx_kl", "clip_fraction",
                 "explained_variance", "learning_rate", "train_minutes")
COLUMNS = SEED_COLUMNS + EXTRA_COLUMNS


def format_seed_line(timesteps, mean_reward, fps):
    """``40000 -20.5 207.2``: the seed's learning-curve line."""
    return f"{int(timesteps)} {mean_reward:.1f} {fps:.1f}"


def read_progress(path):
    """Rows of a ``progress.csv`` as dicts of strings; ``[]`` if there is none yet."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    except FileNotFoundError:
        return []


class RunLogger:
    """Writes the console lines, ``progress.csv`` and TensorBoard scalars of one run.

    ``up_to_timesteps`` keeps only the rows a resumed run's checkpoint covers; later rows
    were written after it and are written again.
    """

    def __init__(self, run_dir, total_timesteps, up_to_timesteps=0, stdout=None, stderr=None):
        self.path = os.path.join(run_dir, PROGRESS_NAME)
        self.total = int(total_timesteps)
        self.stdout, self.stderr = stdout, stderr
        self.rows = [row for row in read_progress(self.path) if int(row["timesteps"]) <= up_to_timesteps]
        self._scalars = _scalar_writer(os.path.join(run_dir, "logs"), self._err)

    def log(self, row, train_seconds):
        """Report ``row`` (keys of :data:`COLUMNS`; missing values stay empty)."""
        self.rows.append({key: row.get(key, "") for key in COLUMNS})
        write_text_atomic(self.path, self._render())
        print(format_seed_line(row["timesteps"], row["mean_reward"], row["fps"]), file=self.stdout or sys.stdout,
              flush=True)
        progress = format_line("training", int(row["timesteps"]), self.total, train_seconds, unit="steps")
        print(f"{console.format_timestamp(datetime.datetime.now())} {progress} episodes {row['episodes']} "
              f"update {row['updates']}", file=self._err(), flush=True)
        if self._scalars is not None:
            self._scalars(row)

    def _err(self):
        return self.stderr or sys.stderr

    def _render(self):
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(_formatted(row) for row in self.rows)
        return buffer.getvalue()


def _formatted(row):
    return {key: (f"{value:.6g}" if isinstance(value, float) else value) for key, value in row.items()}


def _scalar_writer(logs_dir, err):
    """``write(row)`` of TensorBoard scalars, or ``None`` with one notice where TensorFlow is missing."""
    if importlib.util.find_spec("tensorflow") is None:
        print(f"framepred-tf: no TensorBoard logs in {logs_dir}: tensorflow is not installed", file=err())
        return None
    import tensorflow as tf

    writer = tf.summary.create_file_writer(logs_dir)

    def write(row):
        with writer.as_default(step=int(row["timesteps"])):
            for key in COLUMNS[1:]:
                value = row.get(key)
                if isinstance(value, (int, float)) and math.isfinite(value):
                    tf.summary.scalar(key, float(value))
        writer.flush()

    return write

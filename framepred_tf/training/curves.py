"""``framepred-tf plot RUN ...``: learning curves of frame-prediction runs against wall-clock minutes.

Each run's ``history.csv`` (``val_loss`` per epoch) is joined by epoch with its
``wallclock.csv`` (training minutes at the end of that epoch, counted across ``--resume``),
so runs of different speeds are compared at equal training time. ``val_loss`` is the
model's own validation loss: the summed per-frame cross-entropy (nats/frame) for the
cross-entropy models. The plotted points also go to a CSV beside the PNG. Nothing here
imports Keras: plotting a finished run needs no TensorFlow.
"""
import csv
import io
import math
import os

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from framepred_tf.errors import FramepredError
from framepred_tf.training import rundir
from framepred_tf.utils.io import atomic_path, write_text_atomic

CSV_COLUMNS = ("run", "model", "preset", "precision", "epoch", "minutes", "val_loss")


def run_points(run_dir):
    """Rows ``{run, model, preset, precision, epoch, minutes, val_loss}`` of one run, in epoch order.

    Epochs without a finite ``val_loss`` or without a wall-clock row are left out. A
    one-line error naming ``run_dir`` if its ``config.json``, ``history.csv`` or
    ``wallclock.csv`` is missing, or if no epoch has both.
    """
    run_dir = os.fspath(run_dir)
    config = rundir.read_config(run_dir)
    history = _read_csv(run_dir, rundir.HISTORY_NAME)
    minutes = {row["epoch"]: row.get("train_minutes") for row in _read_csv(run_dir, rundir.WALLCLOCK_NAME)}
    name = os.path.basename(os.path.normpath(run_dir))
    points = []
    for row in history:
        loss, elapsed = _number(row.get("val_loss")), _number(minutes.get(row.get("epoch")))
        if loss is not None and elapsed is not None:
            points.append({"run": name, "model": config.get("model", "?"), "preset": config.get("preset", "?"),
                           "precision": config.get("precision", "?"), "epoch": int(row["epoch"]),
                           "minutes": elapsed, "val_loss": loss})
    if not points:
        raise FramepredError(f"{run_dir} has no epoch with both a val_loss in {rundir.HISTORY_NAME} and a row in "
                             f"{rundir.WALLCLOCK_NAME}; train it for an epoch first")
    return sorted(points, key=lambda point: point["epoch"])


def curve_labels(runs):
    """``"<model> <preset>"`` of each run's points, told apart where runs share one.

    Runs sharing a label get their precision if that differs between them (a bfloat16 run
    beside a float32 one), else their run name.
    """
    labels = [f"{points[0]['model']} {points[0]['preset']}" for points in runs]

    def told_apart(label, points):
        sharing = [other for other, name in zip(runs, labels) if name == label]
        if len(sharing) == 1:
            return label
        precisions = [other[0]["precision"] for other in sharing]
        if precisions.count(points[0]["precision"]) == 1:
            return f"{label}, {points[0]['precision']}"
        return f"{label} ({points[0]['run']})"

    return [told_apart(label, points) for label, points in zip(labels, runs)]


def curves_figure(runs, baseline=None, baseline_label=None):
    """Figure of ``val_loss`` against training minutes, one line per run (a list of :func:`run_points`).

    ``baseline``: a value drawn as a dashed horizontal line labelled ``baseline_label``.
    """
    figure = Figure(figsize=(8.0, 4.5), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for label, points in zip(curve_labels(runs), runs):
        axes.plot([p["minutes"] for p in points], [p["val_loss"] for p in points], marker="o", markersize=3,
                  linewidth=1.6, label=label)
    if baseline is not None:
        axes.axhline(baseline, color="0.35", linestyle="--", linewidth=1.2,
                     label=baseline_label or f"baseline {baseline:g}")
    axes.set_xlabel("training minutes (wall clock)")
    axes.set_ylabel("validation cross-entropy (val_loss, nats/frame)")
    axes.set_xlim(left=0)
    axes.grid(alpha=0.3)
    axes.legend(fontsize="small")
    return figure


def csv_path(path):
    """Where :func:`save_curves` writes the points of the PNG at ``path``: ``.png`` -> ``.csv``."""
    return os.path.splitext(os.fspath(path))[0] + ".csv"


def save_curves(run_dirs, path, baseline=None, baseline_label=None):
    """Write the curves of ``run_dirs`` to ``path`` (PNG) and their points to :func:`csv_path`; return both paths.

    Every run is read before anything is written, so a bad run leaves no half-made output.
    """
    path = os.fspath(path)
    if not path.lower().endswith(".png"):
        raise FramepredError(f"--out {path} must be a .png path (the points go beside it as .csv)")
    if baseline_label is not None and baseline is None:
        raise FramepredError("--baseline-label needs --baseline VALUE (the height of the line it labels)")
    if baseline is not None and not math.isfinite(baseline):
        raise FramepredError(f"--baseline must be a finite number, got {baseline}")
    runs = [run_points(run_dir) for run_dir in run_dirs]
    figure = curves_figure(runs, baseline=baseline, baseline_label=baseline_label)
    with atomic_path(path, suffix=".png") as tmp:
        figure.savefig(tmp, format="png", dpi=100)
    table = csv_path(path)
    write_text_atomic(table, _render(point for points in runs for point in points))
    return path, table


def _read_csv(run_dir, name):
    path = os.path.join(run_dir, name)
    try:
        with open(path, newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    except FileNotFoundError:
        raise FramepredError(f"{run_dir} has no {name}; give run directories of framepred-tf train that have "
                             "finished an epoch") from None
    except (OSError, csv.Error, UnicodeDecodeError) as error:
        raise FramepredError(f"cannot read {path}: {error}") from None


def _number(text):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _render(points):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(points)
    return buffer.getvalue()

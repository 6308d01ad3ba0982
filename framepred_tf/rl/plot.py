"""``curve.png``: mean reward against timesteps of one or more runs, optionally beside the seed's curves.

The seed (``shared/seeds/001_*.txt``) lists its runs as numbered sections (``## 1``,
``# 4``, ``#7``) of ``timesteps mean_reward fps`` lines. They are read from the file given
with ``--compare`` when the plot is made; the package keeps no copy of them.
"""
import math
import os
import re

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from framepred_tf.errors import FramepredError
from framepred_tf.rl.logger import PROGRESS_NAME, read_progress
from framepred_tf.utils.io import atomic_path

_SECTION = re.compile(r"^\s*#+\s*(\d+)\s*$")
_CURVE_LINE = re.compile(r"^\s*(\d+)\s+(-?\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)\s*$")


def parse_seed_curves(path):
    """``[(label, timesteps, mean_rewards)]`` of every numbered section of the seed's curve file.

    A section's first non-curve line (e.g. ``* unstack``) joins its label. The ``0 0.0 0.0``
    line that opens each section is a placeholder (no episode had ended) and is skipped. A
    one-line error if the file is missing or holds no curve.
    """
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as error:
        raise FramepredError(f"--compare {path}: cannot read it ({error.strerror or error})") from None
    curves, current = [], None
    for line in lines:
        section, point = _SECTION.match(line), _CURVE_LINE.match(line)
        if section:
            current = {"label": f"seed run {section.group(1)}", "note": None, "x": [], "y": []}
            curves.append(current)
        elif current is not None and point:
            if int(point.group(1)) > 0:  # "0 0.0 0.0": no episode had ended yet
                current["x"].append(int(point.group(1)))
                current["y"].append(float(point.group(2)))
        elif current is not None and line.strip() and current["note"] is None and not current["x"]:
            current["note"] = line.strip().lstrip("* ").strip()
    found = [(c["label"] + (f" ({_short(c['note'])})" if c["note"] else ""), c["x"], c["y"]) for c in curves if c["x"]]
    if not found:
        raise FramepredError(f"--compare {path}: no '## N' sections of 'timesteps mean_reward fps' lines found")
    return found


def _short(note, width=40):
    return note if len(note) <= width else note[:width - 1] + "…"


def run_curve(run_dir):
    """``(label, timesteps, mean_rewards)`` of a run's ``progress.csv`` (rows without episodes skipped)."""
    rows = read_progress(os.path.join(run_dir, PROGRESS_NAME))
    if not rows:
        raise FramepredError(f"{run_dir} has no {PROGRESS_NAME} rows yet; is it an rl run that has logged a line?")
    points = [(int(r["timesteps"]), float(r["mean_reward"])) for r in rows if math.isfinite(float(r["mean_reward"]))]
    return os.path.basename(os.path.normpath(run_dir)), [x for x, _ in points], [y for _, y in points]


def curves_figure(runs, seed_curves=()):
    """Figure of the runs' curves (bold) over the seed's (thin, grey shades)."""
    figure = Figure(figsize=(10, 4.5))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for i, (label, x, y) in enumerate(seed_curves):
        axes.plot(x, y, color=str(0.45 + 0.4 * i / max(1, len(seed_curves) - 1)), linewidth=0.9, label=label)
    for label, x, y in runs:
        axes.plot(x, y, linewidth=2.2, marker="o", markersize=3, label=label)
    axes.set_xlabel("timesteps")
    axes.set_ylabel("mean reward (last 100 episodes)")
    axes.set_ylim(-21.5, 21.5)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    figure.tight_layout()
    return figure


def save_curves(run_dirs, path, compare=None):
    """Write the curves of ``run_dirs`` (and of the seed file ``compare``) to ``path``; return ``path``."""
    seed_curves = parse_seed_curves(compare) if compare else ()
    runs = [run_curve(run_dir) for run_dir in run_dirs]
    figure = curves_figure(runs, seed_curves)
    with atomic_path(path, suffix=".png") as tmp:  # no Keras import just to plot
        figure.savefig(tmp, format="png", dpi=100)
    return path

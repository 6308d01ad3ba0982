"""Report figures (PNG) drawn with Matplotlib's object API and the Agg canvas.

``matplotlib.figure.Figure`` is used directly instead of ``pyplot`` so no GUI backend or
global figure state is involved; every file is written atomically.
"""
import numpy as np
from matplotlib.figure import Figure

from framepred_tf.utils.io import atomic_path

_GAP = 2  # white pixels between tiles of a sample strip
_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def grouped_box_plot(path, groups, title, ylabel):
    """Box plots of per-sample values, one cluster per subject and one box per test set.

    ``groups``: ``{subject label: {test set: values (N,)}}`` (insertion order is kept).
    """
    series = _ordered_series(groups)
    width = 0.8 / max(len(series), 1)
    fig = Figure(figsize=(max(6.0, 1.6 * len(groups) + 2), 4.5), layout="constrained")
    ax = fig.subplots()
    for s_index, series_name in enumerate(series):
        positions, data = [], []
        for g_index, values_by_series in enumerate(groups.values()):
            if series_name in values_by_series:
                positions.append(g_index + (s_index - (len(series) - 1) / 2) * width)
                data.append(np.asarray(values_by_series[series_name], dtype=float))
        if not data:
            continue
        boxes = ax.boxplot(data, positions=positions, widths=width * 0.85, patch_artist=True,
                           flierprops={"markersize": 2, "alpha": 0.5}, manage_ticks=False)
        for patch in boxes["boxes"]:
            patch.set_facecolor(_COLOURS[s_index % len(_COLOURS)])
            patch.set_alpha(0.6)
        ax.plot([], [], "s", color=_COLOURS[s_index % len(_COLOURS)], alpha=0.6, label=series_name)
    ax.set_xticks(range(len(groups)), list(groups), rotation=15)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.legend(title="test set", fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    _save(fig, path)


def line_plot(path, x, series, title, xlabel, ylabel, dashed=()):
    """One line per entry of ``series`` ``{label: y values}`` over ``x``; ``dashed`` labels dashed."""
    fig = Figure(figsize=(7.0, 4.5), layout="constrained")
    ax = fig.subplots()
    for index, (label, y) in enumerate(series.items()):
        style = "--" if label in dashed else "-"
        ax.plot(x, y, style, marker="o", markersize=3, color=_COLOURS[index % len(_COLOURS)], label=label)
    ax.set_xticks(list(x))
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    _save(fig, path)


def overlay(truth, prediction):
    """RGB ``(H, W, 3)`` image: the truth in white drawn over the prediction in red.

    Red = max(truth, prediction), green = blue = truth, so truth pixels are white (or grey)
    and prediction-only pixels are red, as in the thesis's Figs 4.4-4.8.
    """
    truth = np.clip(np.asarray(truth, dtype=float), 0.0, 1.0)
    prediction = np.clip(np.asarray(prediction, dtype=float), 0.0, 1.0)
    return np.stack([np.maximum(truth, prediction), truth, truth], axis=-1)


def sample_strip(path, truth, predictions, title):
    """Rows: ground truth, each prediction, then each prediction overlaid on the truth.

    ``truth``: ``(T, H, W)``; ``predictions``: ``{label: (T, H, W)}``. The frames are tiled
    into one RGB mosaic drawn by a single ``imshow`` (one axes per frame is ~10x slower).
    """
    rows = [("ground truth", _grey(truth))]
    rows += [(label, _grey(frames)) for label, frames in predictions.items()]
    rows += [(f"{label} (red) on truth", overlay(truth, frames)) for label, frames in predictions.items()]
    mosaic = tile([frames for _, frames in rows])
    frames_per_row, height, width = len(truth), truth.shape[1], truth.shape[2]
    fig = Figure(figsize=(1.0 * frames_per_row + 2.2, 1.0 * len(rows) + 0.8), layout="constrained")
    ax = fig.subplots()
    ax.imshow(mosaic, interpolation="nearest")
    ax.set_xticks([(width + _GAP) * t + width / 2 for t in range(frames_per_row)],
                  [f"t+{t + 1}" for t in range(frames_per_row)], fontsize=8)
    ax.set_yticks([(height + _GAP) * r + height / 2 for r in range(len(rows))],
                  [label for label, _ in rows], fontsize=8)
    ax.tick_params(length=0)
    ax.xaxis.tick_top()
    ax.set_title(title)
    _save(fig, path)


def tile(rows, gap=None):
    """Stack rows of RGB frames ``[(T, H, W, 3)]`` into one mosaic with white gaps."""
    gap = _GAP if gap is None else gap
    t, h, w, _ = rows[0].shape
    mosaic = np.ones((len(rows) * (h + gap) - gap, t * (w + gap) - gap, 3))
    for r, frames in enumerate(rows):
        for c in range(t):
            mosaic[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = frames[c]
    return mosaic


def _grey(frames):
    """``(T, H, W)`` in [0, 1] -> ``(T, H, W, 3)`` grey RGB."""
    return np.repeat(np.clip(np.asarray(frames, dtype=float), 0.0, 1.0)[..., np.newaxis], 3, axis=-1)


def _ordered_series(groups):
    series = []
    for values_by_series in groups.values():
        for name in values_by_series:
            if name not in series:
                series.append(name)
    return series


def _save(fig, path):
    with atomic_path(path, suffix=".png") as tmp:
        # "tight" grows the canvas to fit long tick labels instead of clipping them.
        fig.savefig(tmp, format="png", dpi=100, bbox_inches="tight")

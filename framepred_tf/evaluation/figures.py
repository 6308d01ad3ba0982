"""Report figures: PNGs drawn with Matplotlib's object API, animated GIFs drawn with Pillow.

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

    ``truth``: ``(T', H, W)`` with ``T' <= T``, or ``None`` when there is none;
    ``predictions``: ``{label: (T, H, W)}``. Frames without truth are left blank in the
    truth and overlay rows. The frames are tiled into one RGB mosaic drawn by a single
    ``imshow`` (one axes per frame is ~10x slower).
    """
    frames_per_row, height, width = next(iter(predictions.values())).shape
    rows = [] if truth is None else [("ground truth", _pad(_grey(truth), frames_per_row))]
    rows += [(label, _grey(frames)) for label, frames in predictions.items()]
    if truth is not None:
        known = len(truth)
        rows += [(f"{label} (red) on truth", _pad(overlay(truth, frames[:known]), frames_per_row))
                 for label, frames in predictions.items()]
    mosaic = tile([frames for _, frames in rows])
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


def _pad(frames, length):
    """``(T', H, W, 3)`` -> ``(length, H, W, 3)``, the missing frames white (the gap colour)."""
    missing = length - len(frames)
    return np.concatenate([frames, np.ones((missing,) + frames.shape[1:])]) if missing > 0 else frames


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


# --------------------------------------------------------------------------- animations

_SCALE = 3  # a 64x64 frame is shown at 192x192 in an animation
_HEADER = 22  # pixels above each panel for its label
_PAD = 8
_BACKGROUND = (30, 30, 30)
_INPUT_COLOUR = (150, 150, 150)
_TRUTH_COLOUR = (255, 255, 255)
_PREDICTION_COLOUR = (235, 70, 60)  # the overlays' red
_INPUT_MS, _PREDICTED_MS, _HOLD_MS = 200, 300, 1500


def animation(path, inputs, truth, predictions):
    """Animated GIF: the input frames, then the truth beside each prediction, frame by frame.

    ``inputs``: ``(S, T_in, H, W)``; ``truth``: ``(S, T', H, W)`` with ``T' <= T``, or
    ``None``; ``predictions``: ``{label: (S, T, H, W)}``, all in [0, 1]. Each of the ``S``
    sequences is one row of panels (the truth, then one per prediction). During the input
    frames every panel shows the input; a truth panel past the last true frame says so.
    The last frame is held, and the animation loops.
    """
    inputs = np.asarray(inputs, dtype=float)
    labels = ([None] if truth is not None else []) + list(predictions)
    _, input_frames, height, width = inputs.shape
    predicted_frames = next(iter(predictions.values())).shape[1]
    frames = [_palette_image(_animation_frame(inputs, truth, predictions, labels, t, (height, width)))
              for t in range(input_frames + predicted_frames)]
    durations = [_INPUT_MS] * input_frames + [_PREDICTED_MS] * predicted_frames
    durations[-1] = _HOLD_MS
    with atomic_path(path, suffix=".gif") as tmp:
        frames[0].save(tmp, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0)


def _animation_frame(inputs, truth, predictions, labels, t, size):
    """One RGB frame ``(rows, columns, 3) uint8`` of :func:`animation` at time step ``t``."""
    from PIL import Image, ImageDraw

    sequences, input_frames = inputs.shape[:2]
    panel_h, panel_w = size[0] * _SCALE, size[1] * _SCALE
    row_h = _HEADER + panel_h + _PAD
    canvas = np.empty((_PAD + sequences * row_h, _PAD + len(labels) * (panel_w + _PAD), 3), np.uint8)
    canvas[:] = _BACKGROUND
    texts = []
    step = t - input_frames  # 0-based predicted frame, negative while showing inputs
    for s in range(sequences):
        top = _PAD + s * row_h + _HEADER
        for p, label in enumerate(labels):
            left = _PAD + p * (panel_w + _PAD)
            if step < 0:
                frame, text, colour = inputs[s, t], ("input", f" {t + 1}/{input_frames}"), _INPUT_COLOUR
            elif label is None:
                known = step < truth.shape[1]
                frame, text, colour = truth[s, step] if known else None, ("truth", f" t+{step + 1}"), _TRUTH_COLOUR
            else:
                frame, text, colour = predictions[label][s, step], (label, f" t+{step + 1}"), _PREDICTION_COLOUR
            canvas[top - 3:top - 1, left:left + panel_w] = colour  # a rule in the panel's colour
            if frame is not None:
                grey = np.rint(np.clip(np.asarray(frame, dtype=float), 0.0, 1.0) * 255).astype(np.uint8)
                canvas[top:top + panel_h, left:left + panel_w] = np.kron(grey, np.ones((_SCALE, _SCALE), np.uint8))[
                    ..., np.newaxis]
            else:
                canvas[top:top + panel_h, left:left + panel_w] = (60, 60, 60)
                texts.append(((left + panel_w // 2, top + panel_h // 2), ("no truth", ""), _INPUT_COLOUR, "mm"))
            texts.append(((left, top - 6), text, colour, "ls"))
    image = Image.fromarray(canvas)
    draw, font = ImageDraw.Draw(image), _font()
    for (x, y), (label, suffix), colour, anchor in texts:
        draw.text((x, y), _fit(draw, label, suffix, font, panel_w), fill=colour, font=font, anchor=anchor)
    return np.asarray(image)


def _fit(draw, label, suffix, font, width):
    """``label + suffix``, the label cut short (``convlstm-2026… t+3``) until it fits ``width`` pixels."""
    if draw.textlength(label + suffix, font=font) <= width:
        return label + suffix
    while len(label) > 1 and draw.textlength(label + "…" + suffix, font=font) > width:
        label = label[:-1]
    return label + "…" + suffix


def _font():
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=13)
    except TypeError:  # Pillow < 10.1 has only its fixed bitmap font
        return ImageFont.load_default()


_GREYS = 252  # palette entries 0..251 are evenly spaced greys; the rest are the label colours


def _palette_colours():
    levels = np.linspace(0, 255, _GREYS).round()
    greys = np.repeat(levels[:, np.newaxis], 3, axis=1)
    return np.concatenate([greys, [_BACKGROUND, _INPUT_COLOUR, _PREDICTION_COLOUR, (60, 60, 60)]]).astype(int)


def _palette_image(rgb):
    """``(H, W, 3) uint8`` -> a ``P`` image on one fixed palette (the same for every frame: no flicker).

    Grey pixels map exactly to the nearest grey level (Pillow's own quantizer is off by a
    few levels); the few coloured (label) pixels go to the nearest palette colour.
    """
    from PIL import Image

    colours = _palette_colours()
    grey = (rgb[..., 0] == rgb[..., 1]) & (rgb[..., 1] == rgb[..., 2])
    index = np.empty(rgb.shape[:2], np.uint8)
    index[grey] = np.rint(rgb[grey][:, 0] * ((_GREYS - 1) / 255))
    other = rgb[~grey].astype(int)
    if len(other):
        index[~grey] = ((other[:, np.newaxis] - colours[np.newaxis]) ** 2).sum(axis=-1).argmin(axis=1)
    image = Image.fromarray(index)
    image.putpalette(colours.astype(np.uint8).ravel().tolist())
    return image

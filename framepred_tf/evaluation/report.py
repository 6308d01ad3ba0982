"""``framepred-tf report``: the thesis's Chapter 4 comparison, rebuilt from our own runs.

Pipeline: pick runs (the newest per model under ``runs/``, or the run dirs given) ->
evaluate every run and every baseline on every available test set (cached) -> tables and
figures -> ``report/report.md`` and ``report/index.html``.

Thesis numbers come only from :mod:`framepred_tf.evaluation.reference` and sit in columns
headed "thesis"; measured numbers sit in columns headed "ours".
"""
import datetime
import itertools
import os
import sys

import numpy as np
from scipy import stats as scipy_stats

from framepred_tf.errors import DataSourceError, FramepredError
from framepred_tf.evaluation import baselines as baselines_lib
from framepred_tf.evaluation import document as doc
from framepred_tf.evaluation import evaluate as ev
from framepred_tf.evaluation import figures, reference
from framepred_tf.evaluation.metrics import METRIC_NAMES, PSNR_CAP_DB
from framepred_tf.training import rundir
from framepred_tf.utils.io import write_json_atomic, write_text_atomic

MODEL_ORDER = ("convlstm", "encoder_forecaster", "stae", "vpn")
NOT_FRAME_PREDICTION = {
    "cnn_lstm": "CNN+LSTM run (trained on a frame folder, not Moving MNIST frame prediction)",
}
MAIN_SETS = ("standard", "research", "srivastava")
DIGIT_SETS = ("digits-1", "digits-2", "digits-3", "digits-4")
SHAPE_SETS = ("emnist", "fashion", "glyphs")
# Input-independent baselines drawn (dashed) in the line plots for scale; copy-last and
# zeros are several times worse and would flatten the model curves.
REFERENCE_BASELINES = ("baseline-mean_pixel", "baseline-mean_training_frame")
DASH = "—"


class _Unavailable(Exception):
    """A test set could not be loaded; the report lists it as skipped."""


# --------------------------------------------------------------------------- run selection

def discover_runs(runs_dir):
    """The newest run of each model under ``runs_dir`` -> ``(runs, notes)``.

    VQA runs, CNN+LSTM runs and directories without ``config.json``/``best.keras`` are
    skipped with a note; so are older runs of a model that has a newer one.
    """
    if not os.path.isdir(runs_dir):
        return [], [f"no runs directory {runs_dir}: only baselines are evaluated"]
    by_model, notes = {}, []
    for entry in sorted(os.listdir(runs_dir)):
        path = os.path.join(runs_dir, entry)
        if not os.path.isdir(path):
            continue
        if entry.startswith("vqa"):
            notes.append(f"{entry}: VQA run, not frame prediction on Moving MNIST (skipped)")
            continue
        try:
            run = ev.load_run(path, require_model=False)
            reason = skip_reason(run)
            if reason:
                notes.append(f"{entry}: {reason} (skipped)")
                continue
            ev.load_run(path)  # now insist on best.keras
        except FramepredError as error:
            notes.append(f"{entry}: skipped ({error})")
            continue
        by_model.setdefault(run.model, []).append(run)
    runs = []
    for model, group in by_model.items():
        group.sort(key=lambda run: rundir.run_sort_key(run.path))
        runs.append(group[-1])
        if len(group) > 1:
            notes.append(f"{model}: newest run {group[-1].name} used, {len(group) - 1} older run(s) ignored")
    return order_runs(runs), notes


def select_runs(run_dirs):
    """Explicit run directories (errors for missing ones) -> ``(runs, notes)``."""
    runs, notes = [], []
    for run_dir in run_dirs:
        run = ev.load_run(run_dir, require_model=False)
        reason = skip_reason(run)
        if reason:
            notes.append(f"{run.name}: {reason} (skipped)")
        else:
            runs.append(ev.load_run(run_dir))
    return order_runs(runs), notes


def skip_reason(run):
    """Why a run is not a Moving MNIST frame-prediction run, or ``""``."""
    if run.model in NOT_FRAME_PREDICTION:
        return NOT_FRAME_PREDICTION[run.model]
    if run.name.startswith("vqa") or run.config.get("task") == "vqa":
        return "VQA run, not frame prediction on Moving MNIST"
    return ""


def order_runs(runs):
    rank = {name: i for i, name in enumerate(MODEL_ORDER)}
    return sorted(runs, key=lambda run: (rank.get(run.model, len(rank)), run.model, run.name))


def resolve_digits(digits, runs):
    """``--digits``, else the digits source all runs were trained on, else ``mnist``."""
    if digits:
        return digits
    recorded = {run.digits for run in runs if run.digits}
    return recorded.pop() if len(recorded) == 1 else "mnist"


def available_test_set_names():
    """The data package's test-set names (falls back to the documented list)."""
    try:
        from framepred_tf.data import list_test_sets
    except ImportError:
        return list(ev.TEST_SETS)
    return list(list_test_sets())


# --------------------------------------------------------------------------- evaluation

def build_subjects(runs, out, digits, stats_generator=None, pretrained=()):
    """Model subjects (models loaded), shipped ``pretrained`` models and baselines -> ``(subjects, notes)``."""
    subjects, notes = [], []
    for run in runs:
        cache = os.path.join(out, "cache", run.name)
        subjects.append(ev.model_subject(run, cache, [os.path.join(run.path, "eval")]))
    subjects += [ev.pretrained_subject(name, os.path.join(out, "cache", f"pretrained-{name}")) for name in pretrained]
    models = [s.model for s in subjects]
    for subject in subjects:
        # Two runs of one model (explicit run dirs) are told apart by run name.
        if models.count(subject.model) > 1:
            subject.label = subject.key
    try:
        stats = baselines_lib.training_statistics(digits, generator=stats_generator)
        baselines = baselines_lib.make_baselines(stats)
    except DataSourceError as error:
        notes.append(f"mean-frame baselines skipped: training digits unavailable ({error})")
        baselines = [baselines_lib.Baseline("copy_last_frame", None, "copy-last"),
                     baselines_lib.Baseline("zeros", np.zeros((64, 64, 1)), "zeros")]
    for baseline in baselines:
        subjects.append(ev.baseline_subject(baseline, os.path.join(out, "cache", f"baseline-{baseline.name}")))
    return subjects, notes


def evaluate_all(subjects, test_sets, test_size, digits, batch_size, loader, stream):
    """Every subject on every test set -> ``(results {(key, set): metrics}, status {set: text})``."""
    results, status = {}, {}
    for name in test_sets:
        holder = {}

        def sequences(name=name, holder=holder):
            if "data" not in holder:
                try:
                    holder["data"] = loader(name, test_size, digits)
                except FramepredError as error:  # DataSourceError and unknown-set errors alike
                    raise _Unavailable(str(error)) from None
            return holder["data"]

        try:
            for subject in subjects:
                metrics, _ = ev.cached_evaluation(subject, name, test_size, digits, sequences,
                                                  batch_size, stream)
                results[(subject.key, name)] = metrics
        except _Unavailable as reason:
            for subject in subjects:
                results.pop((subject.key, name), None)
            status[name] = f"skipped: {reason}"
            print(f"test set {name}: skipped ({reason})", file=stream)
            continue
        count = len(results[(subjects[0].key, name)]["cross_entropy"]) if subjects else 0
        status[name] = f"evaluated ({count} sequences)"
    return results, status


# --------------------------------------------------------------------------- statistics

def per_sample(metrics, frame=None, metric="cross_entropy"):
    """``(N,)`` per-sample values: the 10-frame mean, or frame ``frame`` (0-based)."""
    values = metrics[metric]
    return values.mean(axis=1) if frame is None else values[:, frame]


def spearman_pairs(per_sample_errors):
    """Spearman rho and p-value for every pair of ``{label: (N,)}`` -> ``[(a, b, rho, p)]``."""
    pairs = []
    for (a, x), (b, y) in itertools.combinations(per_sample_errors.items(), 2):
        result = scipy_stats.spearmanr(x, y)
        pairs.append((a, b, float(result.statistic), float(result.pvalue)))
    return pairs


def _fmt(value, decimals=1):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return DASH
    return f"{value:.{decimals}f}"


def _mean(results, key, test_set, frame=None, metric="cross_entropy"):
    metrics = results.get((key, test_set))
    return None if metrics is None else float(per_sample(metrics, frame, metric).mean())


def _model_cell(subject):
    """``"stae (thesis: Spatio-Temporal)"``: our registry name with the thesis's network name."""
    name = reference.thesis_name(subject.model) if subject.model else None
    return f"{subject.label} (thesis: {name})" if name else subject.label


def _preset_label(run):
    if run.preset == "quick":
        return "quick (short run, not comparable with the thesis)"
    return run.preset


# --------------------------------------------------------------------------- tables

def table_4_1(models, baselines, results):
    sets = [s for s in ("standard", "srivastava") if any((m.key, s) in results for m in models + baselines)]
    columns = ["Model", "Trained with", "Thesis Expected", "Thesis Results", "Thesis 1st", "Thesis 10th"]
    for s in sets:
        columns += [f"Ours avg ({s})", f"Ours 1st ({s})", f"Ours 10th ({s})"]
    rows = []
    for subject in models + baselines:
        ref = reference.table_4_1(subject.model) if subject.model else None
        row = [_model_cell(subject), _preset_label(subject.run) if subject.run else "baseline"]
        row += [_fmt(ref[k]) if ref else DASH for k in ("expected", "results", "first_frame", "tenth_frame")]
        for s in sets:
            row += [_fmt(_mean(results, subject.key, s, f)) for f in (None, 0, -1)]
        rows.append(row)
    note = (f"Cross-entropy in nats per frame (sum over 64x64 pixels). Thesis columns: "
            f"{reference.citation()}, {reference.table_source('table_4_1')}, measured on the Srivastava "
            f"et al. test file; Expected = the original papers' numbers. Ours columns: this report's "
            f"measurements on the named test set.")
    return doc.Table("Table 4.1 analogue: cross-entropy, thesis vs ours", columns, rows, note)


def table_4_2(models):
    rows = []
    for subject in models:
        thesis = reference.table_4_2(subject.model)
        rows.append([_model_cell(subject), f"{subject.parameters:,}", f"{subject.parameters:.2e}",
                     f"{thesis:.1e}" if thesis else DASH, _preset_label(subject.run)])
    note = f"Thesis column: {reference.citation()}, {reference.table_source('table_4_2')}."
    return doc.Table("Table 4.2 analogue: number of parameters",
                     ["Model", "Parameters (ours)", "Ours (sci.)", "Thesis", "Trained with"], rows, note)


def table_4_3(models, results):
    has_srivastava = any((m.key, "srivastava") in results for m in models)
    columns = ["Model", "Ours standard", "Ours research", "Ours research − standard"]
    columns += ["Ours srivastava"] if has_srivastava else []
    columns += ["Thesis original", "Thesis research"]
    rows = []
    for subject in models:
        standard = _mean(results, subject.key, "standard")
        research = _mean(results, subject.key, "research")
        delta = research - standard if standard is not None and research is not None else None
        row = [_model_cell(subject), _fmt(standard), _fmt(research), _fmt(delta)]
        row += [_fmt(_mean(results, subject.key, "srivastava"))] if has_srivastava else []
        ref = reference.table_4_3(subject.model)
        row += [_fmt(ref["original"]), _fmt(ref["research"])] if ref else [DASH, DASH]
        rows.append(row)
    note = ("Over-fitting check: 'standard' draws digits from the MNIST training split (like the "
            "Srivastava file), 'research' from the MNIST test split; a model that memorised training "
            f"digits does worse on research. Thesis columns: {reference.citation()}, "
            f"{reference.table_source('table_4_3')} (original = Srivastava file).")
    return doc.Table("Table 4.3 analogue: standard vs research test set (10-frame cross-entropy)",
                     columns, rows, note)


def table_4_4(models, results, test_set):
    """Spearman rho per model pair on ``test_set`` (``None``: nothing was evaluated)."""
    errors = {s.label: per_sample(results[(s.key, test_set)]) for s in models if (s.key, test_set) in results}
    by_label = {s.label: s for s in models}
    rows = []
    for a, b, rho, p in spearman_pairs(errors):
        thesis = reference.table_4_4(by_label[a].model, by_label[b].model)
        rows.append([f"{a} – {b}", f"{rho:.3f}", f"{p:.2g}", _fmt(thesis, 3)])
    if not rows:
        rows.append(["(needs at least two evaluated models)", DASH, DASH, DASH])
    note = (f"Spearman rank correlation (scipy.stats.spearmanr) of per-sample 10-frame cross-entropy on "
            f"'{test_set or DASH}'. Thesis column: {reference.citation()}, {reference.table_source('table_4_4')}.")
    return doc.Table("Table 4.4 analogue: Spearman correlation of per-sample errors",
                     ["Pair", "Ours rho", "p-value", "Thesis rho"], rows, note)


def metrics_table(subjects, results, test_sets):
    rows = []
    for test_set in test_sets:
        for subject in subjects:
            if (subject.key, test_set) not in results:
                continue
            means = {m: _mean(results, subject.key, test_set, None, m) for m in METRIC_NAMES}
            rows.append([test_set, subject.label, _fmt(means["cross_entropy"]), _fmt(means["mse"]),
                         _fmt(means["mae"]), _fmt(means["ssim"], 3), _fmt(means["psnr"], 2)])
    note = ("Per frame, averaged over the 10 predicted frames and all sequences. MSE and MAE are summed "
            "over the 64x64 pixels of a frame (the OpenSTL convention), cross-entropy likewise (nats). "
            "SSIM: Gaussian 11x11 window, sigma 1.5, data range 1 (Wang et al. 2004). PSNR: data range 1, "
            f"dB; a perfect frame is capped at {PSNR_CAP_DB:.0f} dB.")
    return doc.Table("Modern metrics per model and test set",
                     ["Test set", "Model", "Cross-entropy", "MSE", "MAE", "SSIM", "PSNR (dB)"], rows, note)


def baselines_table(baselines, results, test_sets):
    rows = []
    for test_set in test_sets:
        for subject in baselines:
            if (subject.key, test_set) in results:
                rows.append([test_set, subject.label]
                            + [_fmt(_mean(results, subject.key, test_set, f)) for f in (None, 0, -1)])
    note = ("Trivial predictors evaluated exactly like the models. Mean frames come from "
            f"{baselines_lib.TRAINING_SEQUENCES} two-digit training sequences (seed "
            f"{baselines_lib.TRAINING_SEED}). Under summed cross-entropy the best constant prediction "
            "is the mean pixel, which beats copying the last frame by a wide margin; the per-pixel "
            "mean training frame, the best input-independent prediction, is stronger still. A model "
            "that does not beat the mean training frame has learnt nothing about the inputs.")
    return doc.Table("Baselines: cross-entropy (nats per frame)",
                     ["Test set", "Baseline", "Average", "1st frame", "10th frame"], rows, note)


def versus_baselines_table(models, baselines, results, test_sets):
    """Each model's 10-frame cross-entropy beside the strongest baseline, per test set."""
    rows = []
    for test_set in test_sets:
        floors = {b.label: _mean(results, b.key, test_set) for b in baselines if (b.key, test_set) in results}
        if not floors:
            continue
        strongest = min(floors, key=floors.get)
        for subject in models:
            ours = _mean(results, subject.key, test_set)
            if ours is None:
                continue
            beaten_by = [label for label, value in floors.items() if ours >= value]
            verdict = "beats every baseline" if not beaten_by else "does not beat " + ", ".join(beaten_by)
            rows.append([test_set, _model_cell(subject), _fmt(ours), strongest, _fmt(floors[strongest]),
                         _fmt(ours - floors[strongest]), verdict])
    note = ("Average cross-entropy over the 10 predicted frames (nats per frame). A negative margin means "
            "the model is better than the strongest trivial predictor on that test set.")
    return doc.Table("Models against the baselines",
                     ["Test set", "Model", "Ours", "Strongest baseline", "Baseline", "Ours − baseline", "Verdict"],
                     rows, note)


def test_set_table(status, digits, test_size):
    rows = [[name, text] for name, text in status.items()]
    return doc.Table(f"Test sets (requested size {test_size}, digits source '{digits}')",
                     ["Test set", "Status"], rows)


# --------------------------------------------------------------------------- figures

def box_plot_figures(out, plotted, results):
    sets = [s for s in MAIN_SETS if any((p.key, s) in results for p in plotted)]
    if not sets:
        return [doc.Paragraph("Box plots skipped: none of standard/research/srivastava was evaluated.")]
    blocks = []
    for name, frame, what, fig in (("box_average", None, "average over the 10 predicted frames", "4.1"),
                                   ("box_frame1", 0, "first predicted frame", "4.2"),
                                   ("box_frame10", -1, "tenth predicted frame", "4.3")):
        groups = {p.label: {s: per_sample(results[(p.key, s)], frame) for s in sets if (p.key, s) in results}
                  for p in plotted}
        path = os.path.join("figures", f"{name}.png")
        figures.grouped_box_plot(os.path.join(out, path), groups, f"Per-sample cross-entropy, {what}",
                                 "cross-entropy (nats/frame)")
        blocks.append(doc.Image(path, f"Fig {fig} analogue: per-sample cross-entropy, {what}."))
    return blocks


def per_frame_figure(out, lines, results, test_set):
    series = {s.label: results[(s.key, test_set)]["cross_entropy"].mean(axis=0) for s in lines
              if (s.key, test_set) in results}
    path = os.path.join("figures", "error_per_frame.png")
    figures.line_plot(os.path.join(out, path), range(1, ev.PREDICTED_FRAMES + 1), series,
                      f"Mean cross-entropy per predicted frame ({test_set})", "predicted frame",
                      "cross-entropy (nats/frame)", dashed=_baseline_labels(lines))
    return [doc.Image(path, f"Mean cross-entropy of each predicted frame on '{test_set}'; "
                            "dashed lines are the mean-pixel and mean-training-frame baselines.")]


def digits_figure(out, lines, results):
    counts = [i + 1 for i, s in enumerate(DIGIT_SETS) if any((p.key, s) in results for p in lines)]
    if not counts:
        return [doc.Paragraph("Fig 4.9 analogue skipped: no digits-1..4 test set was available.")]
    series = {p.label: [_mean(results, p.key, f"digits-{k}") for k in counts] for p in lines}
    path = os.path.join("figures", "error_vs_digits.png")
    figures.line_plot(os.path.join(out, path), counts, series, "Cross-entropy vs number of digits",
                      "digits per sequence", "cross-entropy (nats/frame)", dashed=_baseline_labels(lines))
    return [doc.Image(path, "Fig 4.9 analogue: 10-frame cross-entropy vs number of digits "
                            "(models trained on two digits).")]


def shapes_figure(out, plotted, results):
    shape_sets = [s for s in SHAPE_SETS if any((p.key, s) in results for p in plotted)]
    if not shape_sets or not any((p.key, "digits-1") in results for p in plotted):
        return [doc.Paragraph("Fig 4.11 analogue skipped: needs digits-1 and one of "
                              f"{', '.join(SHAPE_SETS)}.")]
    groups = {p.label: {s: per_sample(results[(p.key, s)]) for s in ["digits-1"] + shape_sets
                        if (p.key, s) in results} for p in plotted}
    path = os.path.join("figures", "mnist_vs_shapes.png")
    figures.grouped_box_plot(os.path.join(out, path), groups,
                             "One MNIST digit vs one unseen shape", "cross-entropy (nats/frame)")
    return [doc.Image(path, f"Fig 4.11 analogue: digits-1 (MNIST) vs {', '.join(shape_sets)}, "
                            "10-frame cross-entropy per sample.")]


def sample_figures(out, models, sequences, test_set):
    """Figs 4.4-4.8: truth, each model, each model (red) over the truth (white); and each as a GIF."""
    if not models:
        return [doc.Paragraph("Sample strips skipped: no trained model.")]
    indices = reference.sample_indices(len(sequences))
    inputs, targets = ev.split_sequences(np.asarray(sequences[indices]))
    predictions = {m.label: m.predict(inputs) for m in models}
    blocks = []
    for row, index in enumerate(indices):
        path = os.path.join("figures", f"sample_{index}.png")
        figures.sample_strip(os.path.join(out, path), targets[row, ..., 0],
                             {label: p[row, ..., 0] for label, p in predictions.items()},
                             f"{test_set} sample {index}")
        blocks.append(doc.Image(path, f"Sample {index} of '{test_set}': ground truth, predictions, and "
                                      "predictions (red) overlaid on the truth (white)."))
        gif = os.path.join("figures", f"sample_{index}.gif")
        figures.animation(os.path.join(out, gif), inputs[row:row + 1, ..., 0], targets[row:row + 1, ..., 0],
                          {label: p[row:row + 1, ..., 0] for label, p in predictions.items()})
        blocks.append(doc.Image(gif, f"Sample {index} animated: the 10 input frames, then the truth beside "
                                     "each model's prediction."))
    return blocks


def _baseline_labels(subjects):
    return {s.label for s in subjects if s.kind == "baseline"}


# --------------------------------------------------------------------------- assembly

def build_report(run_dirs=(), runs_dir="runs", out="report", test_size=10000, digits=None, batch_size=32,
                 test_sets=None, loader=None, stats_generator=None, stream=None, pretrained=()):
    """Evaluate and write ``out/report.md``, ``out/index.html``, ``out/results.json``; return the HTML path.

    ``pretrained`` names shipped models (:func:`framepred_tf.models.from_pretrained`) reported beside the runs.
    """
    stream = sys.stderr if stream is None else stream
    loader = ev.load_test_set if loader is None else loader
    if test_size < 1:
        raise FramepredError(f"--test-size must be at least 1, got {test_size}")
    runs, notes = select_runs(run_dirs) if run_dirs else discover_runs(runs_dir)
    digits = resolve_digits(digits, runs)
    subjects, subject_notes = build_subjects(runs, out, digits, stats_generator, pretrained)
    notes += subject_notes
    test_sets = list(test_sets) if test_sets else available_test_set_names()
    results, status = evaluate_all(subjects, test_sets, test_size, digits, batch_size, loader, stream)
    models = [s for s in subjects if s.kind == "model"]
    baselines = [s for s in subjects if s.kind == "baseline"]
    evaluated = [s for s in test_sets if status[s].startswith("evaluated")]
    blocks = _intro(runs + [s.run for s in subjects if s.key.startswith("pretrained-")], notes, digits, test_size)
    blocks += [test_set_table(status, digits, test_size)]
    blocks += _sections(out, models, baselines, results, evaluated, test_size, digits, loader)
    title = "framepred-tf evaluation report"
    write_text_atomic(os.path.join(out, "report.md"), doc.to_markdown(title, blocks))
    write_text_atomic(os.path.join(out, "index.html"), doc.to_html(title, blocks))
    write_json_atomic(os.path.join(out, "results.json"), _results_json(subjects, results, status, digits))
    return os.path.join(out, "index.html")


def _intro(runs, notes, digits, test_size):
    runs_text = [f"{r.model}: {r.name} (preset {r.preset})" for r in runs] or ["none (baselines only)"]
    return [
        doc.Paragraph(f"Generated {datetime.datetime.now().isoformat(timespec='seconds')}; test size "
                      f"{test_size}; digits source '{digits}'. Thesis reference values: "
                      f"{reference.citation()} (framepred_tf/evaluation/thesis_reference.json)."),
        doc.Heading("Runs"), doc.Bullets(runs_text + [f"note: {n}" for n in notes]),
        doc.Paragraph("Metrics: cross-entropy is binary cross-entropy summed over the 64x64 pixels of a "
                      "frame (nats; predictions clipped to [1e-7, 1-1e-7]); MSE and MAE are summed over "
                      "the pixels of a frame (OpenSTL convention); SSIM and PSNR are per-frame means."),
    ]


def _sections(out, models, baselines, results, evaluated, test_size, digits, loader):
    plotted = models or baselines
    lines = models + [b for b in baselines if b.key in REFERENCE_BASELINES]
    focus = next((s for s in ("research", "standard") if s in evaluated), evaluated[0] if evaluated else None)
    blocks = [doc.Heading("Comparison with the thesis"), table_4_1(models, baselines, results),
              table_4_2(models), table_4_3(models, results)]
    blocks.append(table_4_4(models, results, focus))
    blocks += [doc.Heading("Baselines"), baselines_table(baselines, results, evaluated),
               versus_baselines_table(models, baselines, results, evaluated),
               doc.Heading("Modern metrics"), metrics_table(models + baselines, results, evaluated),
               doc.Heading("Error distributions (Figs 4.1-4.3)")]
    blocks += box_plot_figures(out, plotted, results)
    if focus:
        blocks += [doc.Heading("Error per predicted frame")] + per_frame_figure(out, lines, results, focus)
    blocks += [doc.Heading("Number of digits (Fig 4.9)")] + digits_figure(out, lines, results)
    blocks += [doc.Heading("Unseen shapes (Fig 4.11)")] + shapes_figure(out, plotted, results)
    blocks.append(doc.Heading("Individual samples (Figs 4.4-4.8)"))
    if focus:
        blocks += sample_figures(out, models, loader(focus, test_size, digits), focus)
    else:
        blocks.append(doc.Paragraph("Sample strips skipped: no test set was available."))
    return blocks


def _results_json(subjects, results, status, digits):
    data = {"digits": digits, "test_sets": status, "subjects": {}}
    for subject in subjects:
        entry = {"label": subject.label, "kind": subject.kind, "model": subject.model,
                 "parameters": subject.parameters,
                 "preset": subject.run.preset if subject.run else None, "results": {}}
        for (key, test_set), metrics in results.items():
            if key == subject.key:
                entry["results"][test_set] = {
                    name: {"average": float(values.mean()), "frame_1": float(values[:, 0].mean()),
                           "frame_10": float(values[:, -1].mean())}
                    for name, values in metrics.items()}
        data["subjects"][subject.key] = entry
    return data

"""Streaming evaluation of trained runs and baselines on the Moving MNIST test sets.

A test set ``(N, 20, 64, 64)`` is cut into batches; each batch is split into 10 input and
10 target frames, predicted, scored with :func:`metrics.frame_metrics` and dropped. Only
the per-sample, per-frame metrics ``(N, 10)`` survive, so 10,000 sequences never need
10,000 sequences of predictions in memory.

Results are stored as ``<dest>/<test_set>-n<N>-<digits>.npz`` (the five metric arrays plus
a ``meta`` JSON string that identifies what was evaluated) and a CSV summary beside it. A
stored result is reused only when its ``meta`` matches: a retrained ``best.keras`` (new
size or modification time) is evaluated again.
"""
import csv
import dataclasses
import io
import json
import os
import sys

import numpy as np

from framepred_tf.errors import FramepredError
from framepred_tf.evaluation import metrics as metrics_lib
from framepred_tf.evaluation.names import TEST_SET_NAMES
from framepred_tf.training import rundir
from framepred_tf.utils.io import save_npz_atomic, write_text_atomic
from framepred_tf.utils.progress import Progress

INPUT_FRAMES = 10
PREDICTED_FRAMES = 10
CACHE_VERSION = 1
TEST_SETS = TEST_SET_NAMES


@dataclasses.dataclass
class RunInfo:
    """A training run directory: ``config.json`` plus ``best.keras``."""

    path: str
    name: str
    model: str
    preset: str
    digits: str
    config: dict

    @property
    def model_path(self):
        return os.path.join(self.path, rundir.BEST_NAME)

    def model_identity(self):
        """What a cached evaluation of this run depends on: the weights file's size and time."""
        stat = os.stat(self.model_path)
        return {"run": self.name, "model": self.model, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


@dataclasses.dataclass
class Subject:
    """Something to evaluate: a trained run or a baseline.

    ``predict`` maps ``(B, 10, H, W, 1)`` inputs to ``(B, 10, H, W, 1)`` predictions;
    ``cache_dirs[0]`` is where results are written, the others are only read.
    """

    key: str
    label: str
    kind: str  # "model" or "baseline"
    identity: dict
    cache_dirs: list
    predict: object = None
    model: str = None
    run: RunInfo = None
    parameters: int = None


def load_run(run_dir, require_model=True):
    """Read ``RUN_DIR/config.json``; raise :class:`FramepredError` naming what is missing.

    With ``require_model`` (the default) ``RUN_DIR/best.keras`` must exist too.
    """
    path = os.path.abspath(os.fspath(run_dir))
    if not os.path.isdir(path):
        raise FramepredError(f"run directory not found: {run_dir}")
    config = rundir.read_config(path)
    if not isinstance(config, dict) or "model" not in config:
        raise FramepredError(f"{os.path.join(path, rundir.CONFIG_NAME)} has no \"model\" entry")
    run = RunInfo(path, os.path.basename(path), str(config["model"]), str(config.get("preset", "unknown")),
                  config.get("digits"), config)
    if require_model and not os.path.isfile(run.model_path):
        raise FramepredError(f"{run.model_path} not found: the run has no saved best model")
    return run


def load_keras_model(run):
    """``keras.saving.load_model`` of the run's ``best.keras`` (custom layers registered)."""
    from framepred_tf.models.pretrained import load_model_file

    return load_model_file(run.model_path)


def keras_predictor(model):
    """Wrap a Keras model as ``predict(inputs) -> float32 predictions`` in ``[0, 1]``."""

    full = {}

    def predict(inputs):
        inputs = np.asarray(inputs, dtype=np.float32)
        batch = len(inputs)
        size = full.setdefault("batch", batch)
        if batch < size:
            # Pad the short last batch to the first batch's size: one traced shape, no
            # tf.function retracing per test set.
            padding = np.zeros((size - batch,) + inputs.shape[1:], np.float32)
            inputs = np.concatenate([inputs, padding])
        # predict_on_batch honours a model's own predict_step (e.g. sampling decoders).
        return np.asarray(model.predict_on_batch(inputs), dtype=np.float32)[:batch]

    return predict


def model_subject(run, dest_dir, extra_cache_dirs=()):
    """A :class:`Subject` for a run; the model is loaded now (for predictions and params)."""
    model = load_keras_model(run)
    return Subject(
        key=run.name, label=run.model, kind="model", identity=run.model_identity(),
        cache_dirs=[dest_dir, *extra_cache_dirs], predict=keras_predictor(model),
        model=run.model, run=run, parameters=int(model.count_params()),
    )


def pretrained_subject(name, dest_dir):
    """A :class:`Subject` for the shipped pretrained model ``name`` (sha256 checked, model loaded now).

    Its ``run`` describes the run the weights came from (config, preset), so tables label
    it like a run; its cache identity is the file's sha256.
    """
    from framepred_tf.models.pretrained import from_pretrained, pretrained_dir, pretrained_entry

    entry = pretrained_entry(name)
    model = from_pretrained(name)
    config = entry.get("config", {})
    run = RunInfo(path=pretrained_dir(), name=f"pretrained-{name}", model=str(entry.get("model")),
                  preset=f"pretrained, {config.get('preset', 'unknown')}",
                  digits=config.get("digits"), config=config)
    return Subject(
        key=run.name, label=f"{name} (pretrained)", kind="model",
        identity={"pretrained": name, "model": run.model, "sha256": entry["sha256"]},
        cache_dirs=[dest_dir], predict=keras_predictor(model), model=run.model, run=run,
        parameters=int(model.count_params()),
    )


def baseline_subject(baseline, dest_dir):
    """A :class:`Subject` for a :class:`~framepred_tf.evaluation.baselines.Baseline`."""
    return Subject(
        key=f"baseline-{baseline.name}", label=baseline.label, kind="baseline",
        identity={"baseline": baseline.name, "source": baseline.identity},
        cache_dirs=[dest_dir], predict=lambda inputs: baseline.predict(inputs, PREDICTED_FRAMES),
    )


def split_sequences(sequences, input_frames=INPUT_FRAMES):
    """``(B, 20, H, W)`` sequences -> inputs ``(B, 10, H, W, 1)``, targets ``(B, 10, H, W, 1)``."""
    sequences = np.asarray(sequences, dtype=np.float32)
    if sequences.ndim == 4:
        sequences = sequences[..., np.newaxis]
    return sequences[:, :input_frames], sequences[:, input_frames:]


def evaluate_predictor(predict, sequences, batch_size=32, progress=None):
    """Stream ``sequences`` ``(N, 20, H, W)`` through ``predict``; return metric arrays ``(N, 10)``.

    ``progress`` is a :class:`Progress` (or ``None``); it is told how many sequences are done.
    """
    if batch_size < 1:
        raise FramepredError(f"--batch-size must be at least 1, got {batch_size}")
    total = len(sequences)
    chunks = {name: [] for name in metrics_lib.METRIC_NAMES}
    for start in range(0, total, batch_size):
        inputs, targets = split_sequences(sequences[start:start + batch_size])
        predictions = predict(inputs)
        if predictions.shape != targets.shape:
            raise FramepredError(
                f"predictions have shape {predictions.shape}, expected {targets.shape} (10 frames out)"
            )
        for name, values in metrics_lib.frame_metrics(targets, predictions).items():
            chunks[name].append(values)
        if progress is not None:
            progress.update(min(start + batch_size, total))
    return {name: np.concatenate(parts) if parts else np.zeros((0, PREDICTED_FRAMES))
            for name, parts in chunks.items()}


def result_path(dest_dir, test_set, size, digits):
    return os.path.join(dest_dir, f"{test_set}-n{size}-{digits}.npz")


def result_meta(subject, test_set, size, digits):
    return {"version": CACHE_VERSION, "subject": subject.identity, "test_set": test_set,
            "size": int(size), "digits": digits}


def load_result(path, meta):
    """The metric arrays stored at ``path`` if its ``meta`` equals ``meta``, else ``None``."""
    if not os.path.isfile(path):
        return None
    try:
        with np.load(path) as stored:
            if json.loads(str(stored["meta"])) != json.loads(json.dumps(meta)):
                return None
            return {name: stored[name] for name in metrics_lib.METRIC_NAMES}
    except (OSError, ValueError, KeyError):
        return None  # a corrupt or foreign file is simply recomputed


def save_result(path, metrics, meta, label=""):
    """Write the ``.npz`` arrays and the CSV summary beside it, both atomically."""
    save_npz_atomic(path, meta=np.array(json.dumps(meta, sort_keys=True)), **metrics)
    write_text_atomic(os.path.splitext(path)[0] + ".csv", summary_csv(metrics, meta, label))


def summary_csv(metrics, meta, label=""):
    """CSV text: one row per metric with the 10-frame average and each frame's mean."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    frames = next(iter(metrics.values())).shape[1]
    writer.writerow(["subject", "test_set", "size", "digits", "metric", "average"]
                    + [f"frame_{i + 1}" for i in range(frames)])
    for name in metrics_lib.METRIC_NAMES:
        values = metrics[name]
        writer.writerow([label, meta["test_set"], meta["size"], meta["digits"], name, f"{values.mean():.6g}"]
                        + [f"{v:.6g}" for v in values.mean(axis=0)])
    return out.getvalue()


def cached_evaluation(subject, test_set, size, digits, sequences_fn, batch_size=32, stream=None):
    """Stored metrics for ``subject`` on ``test_set`` if valid, else evaluate and store them.

    ``sequences_fn()`` returns the test set; it is only called on a cache miss. Progress goes
    to ``stream`` (default stderr). Returns ``(metrics, cached)``.
    """
    meta = result_meta(subject, test_set, size, digits)
    for directory in subject.cache_dirs:
        stored = load_result(result_path(directory, test_set, size, digits), meta)
        if stored is not None:
            return stored, True
    sequences = sequences_fn()
    progress = Progress(len(sequences), f"{subject.key} on {test_set}", stream=stream)
    metrics = evaluate_predictor(subject.predict, sequences, batch_size, progress)
    save_result(result_path(subject.cache_dirs[0], test_set, size, digits), metrics, meta, subject.key)
    return metrics, False


def load_test_set(name, size, digits):
    """``framepred_tf.data.test_set`` (``(N, 20, 64, 64)`` float32); unavailable -> DataSourceError."""
    from framepred_tf.data import test_set

    return test_set(name, size=size, digits=digits)


def summary_line(key, test_set, metrics):
    """One human-readable line of the main numbers."""
    ce = metrics["cross_entropy"]
    return (f"{key} on {test_set} (n={len(ce)}): cross-entropy {ce.mean():.1f} nats/frame "
            f"(frame 1 {ce[:, 0].mean():.1f}, frame {ce.shape[1]} {ce[:, -1].mean():.1f}); "
            f"MSE {metrics['mse'].mean():.1f}, MAE {metrics['mae'].mean():.1f}, "
            f"SSIM {metrics['ssim'].mean():.3f}, PSNR {metrics['psnr'].mean():.2f} dB")


def run_eval(run_dirs=(), test_sets=("research",), test_size=10000, batch_size=32, digits=None,
             out=None, baselines=False, loader=None, stream=None, pretrained=()):
    """The ``framepred-tf eval`` command; returns ``{(subject key, test set): metrics}``.

    Every run directory is checked before any work starts. Progress goes to ``stream``
    (stderr), one summary line per subject and test set to stdout. Results go to
    ``OUT/<run name>/`` or, without ``out``, ``RUN_DIR/eval/``. ``digits`` defaults to the
    digits source recorded in each run's config (else ``mnist``). ``baselines`` adds the
    four baselines (:mod:`~framepred_tf.evaluation.baselines`), stored in
    ``OUT/baseline-<name>/`` or, without ``out``, in the report's default cache
    (``report/cache/baseline-<name>/``) so ``framepred-tf report`` reuses them; so are the
    shipped ``pretrained`` models (``pretrained-<name>/``).
    """
    stream = sys.stderr if stream is None else stream
    loader = load_test_set if loader is None else loader
    if not run_dirs and not baselines and not pretrained:
        raise FramepredError("nothing to evaluate: give RUN_DIR arguments, --pretrained NAME and/or --baselines")
    runs = [load_run(run_dir) for run_dir in run_dirs]
    subjects = []
    for run in runs:
        dest = os.path.join(out, run.name) if out else os.path.join(run.path, "eval")
        subjects.append((model_subject(run, dest), digits or run.digits or "mnist"))
    for name in pretrained:
        subject = pretrained_subject(name, os.path.join(out or os.path.join("report", "cache"), f"pretrained-{name}"))
        subjects.append((subject, digits or subject.run.digits or "mnist"))
    if baselines:
        subjects += _baseline_subjects(digits or "mnist", out)
    results = {}
    # Test sets outside: each set is loaded once per digits source, however many subjects.
    for test_set in test_sets:
        loaded = {}
        for subject, subject_digits in subjects:
            def sequences(d=subject_digits):
                if d not in loaded:
                    loaded[d] = loader(test_set, test_size, d)
                return loaded[d]

            metrics, cached = cached_evaluation(subject, test_set, test_size, subject_digits, sequences,
                                                batch_size, stream)
            results[(subject.key, test_set)] = metrics
            print(summary_line(subject.key, test_set, metrics) + (" [cached]" if cached else ""))
    return results


def _baseline_subjects(digits, out):
    from framepred_tf.evaluation import baselines as baselines_lib

    root = out or os.path.join("report", "cache")
    stats = baselines_lib.training_statistics(digits)
    return [(baseline_subject(b, os.path.join(root, f"baseline-{b.name}")), digits)
            for b in baselines_lib.make_baselines(stats)]

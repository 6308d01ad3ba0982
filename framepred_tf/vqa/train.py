"""VQA training and evaluation runs (``framepred-tf vqa train`` / ``vqa eval``).

A run directory ``<out>/<model>-<YYYYmmdd-HHMMSS>/`` (``vqa_lstm-...``, ``vqa_cnn_lstm-...``)
holds ``config.json`` (everything needed to rebuild the data), ``question_vocab.json``,
``answer_vocab.json``,
``baselines.json`` (majority / question-type-prior answers from the training split), and,
from the shared training path (:func:`framepred_tf.training.standard_callbacks`),
``checkpoints/``, ``best.keras`` (lowest ``val_loss``), ``history.csv`` and TensorBoard logs.
Evaluation adds ``<split>_results.json`` (official results format) and ``eval.json``.
"""
import collections
import dataclasses
import json
import os
import sys

import numpy as np

from framepred_tf.errors import FramepredError
from framepred_tf.utils.io import write_json_atomic
from framepred_tf.vqa import data as vqa_data
from framepred_tf.vqa import features as vqa_features
from framepred_tf.vqa import synthetic
from framepred_tf.vqa.metric import evaluate_results, write_results

FEATURE_MODELS = ("vqa_lstm", "vqa_mlp")  # precomputed image features
PIXEL_MODELS = ("vqa_cnn_lstm", "vqa_rn", "vqa_attention_rn")  # learn from pixels through their own CNN
MODELS = FEATURE_MODELS + PIXEL_MODELS
QUESTION_VOCAB, ANSWER_VOCAB, BASELINES, EVAL_NAME = (
    "question_vocab.json", "answer_vocab.json", "baselines.json", "eval.json")
TASK = "vqa"
# Published figures printed beside ours (percent).
PUBLISHED = {
    "sort_of_clevr": {
        "source": "Santoro et al. 2017, A simple neural network module for relational reasoning (Sort-of-CLEVR)",
        "author": "Santoro",
        "CNN+MLP": {"relational": 63.0, "non_relational": 94.0},
        "CNN+RN": {"relational": 94.0, "non_relational": 94.0, "note": "reported as above 94% on both"},
    },
    "vqa": {
        "source": "Antol et al. 2015, VQA: Visual Question Answering, open-ended test-dev (VQA v1)",
        "author": "Antol",
        "deeper LSTM Q + norm I": {"overall": 57.75, "yes/no": 80.5, "number": 36.77, "other": 43.08},
    },
}


@dataclasses.dataclass
class EncodedSplit:
    """One split ready for Keras: ``questions (N, L)`` int32, ``labels (N,)`` int32 (-1 when the
    answer is outside the vocabulary), ``image_rows (N,)`` rows of ``table``."""

    split: vqa_data.VQASplit
    questions: np.ndarray
    labels: np.ndarray
    image_rows: np.ndarray
    table: vqa_features.ImageTable

    @property
    def grouped(self):
        """Pixel inputs go to the model once per image (``image_index``), features per question."""
        return self.table.is_pixels

    def inputs(self, index):
        """Model inputs of the questions at ``index``.

        Features: ``{"question" (B, L), "image" (B, D)}``. Pixels: ``"image"`` holds each
        distinct image once ``(U, H, W, 3)`` and ``"image_index" (B,)`` points into it.
        """
        rows = self.image_rows[index]
        if not self.grouped:
            return {"question": self.questions[index], "image": image_batch(self.table.data[rows])}
        unique, position = np.unique(rows, return_inverse=True)
        return {"question": self.questions[index], "image": image_batch(self.table.data[unique]),
                "image_index": position.astype(np.int32)}


def image_batch(rows):
    """Feature rows unchanged; uint8 pixels scaled to float32 in [0, 1]."""
    if rows.dtype == np.uint8:
        return rows.astype(np.float32) / np.float32(255.0)
    return rows


def default_data_dir():
    """``$FRAMEPRED_DATA_DIR`` or ``./data``: where generated data sets are cached."""
    return os.environ.get("FRAMEPRED_DATA_DIR", "data")


# ----------------------------------------------------------------------------- data


def ensure_synthetic(directory, sizes):
    """Use the generated Sort-of-CLEVR set in ``directory``, generating it first if missing."""
    manifest = synthetic.read_manifest(directory)
    if manifest is not None:
        print(f"vqa: using Sort-of-CLEVR in {directory} ({manifest['images']['train']} train / "
              f"{manifest['images']['val']} val images)", file=sys.stderr)
        return manifest
    if os.path.isdir(directory) and os.listdir(directory):
        raise FramepredError(f"{directory}: not a generated Sort-of-CLEVR set (no {synthetic.MANIFEST}); "
                             "choose an empty folder or run framepred-tf vqa make-synthetic")
    print(f"vqa: generating Sort-of-CLEVR into {directory} ({sizes['train_images']} train / "
          f"{sizes['val_images']} val images)", file=sys.stderr)
    return synthetic.generate(directory, sizes["train_images"], sizes["val_images"], seed=sizes.get("seed", 0))


def load_splits(data):
    """``{"train": VQASplit, "val": VQASplit}`` described by the ``data`` section of a config."""
    skip = data.get("skip_bad", False)
    if data["kind"] == "synthetic":
        splits = {}
        for name in synthetic.SPLITS:
            questions, annotations, _ = synthetic.split_paths(data["dir"], name)
            splits[name] = vqa_data.load_split(questions, annotations, name, skip)
        return splits
    train = vqa_data.load_split(data["questions"], data["annotations"], "train", skip)
    if data.get("val_questions"):
        return {"train": train, "val": vqa_data.load_split(data["val_questions"], data["val_annotations"], "val", skip)}
    return holdout_split(train, data.get("val_fraction", 0.1), data.get("seed", 0))


def holdout_split(split, fraction, seed):
    """Split by image (no image in both parts): a seeded ``fraction`` of images goes to val."""
    image_ids = np.unique(split.image_ids)
    rng = np.random.default_rng(seed)
    count = min(len(image_ids) - 1, max(1, int(round(fraction * len(image_ids)))))
    if count < 1:
        raise FramepredError(f"{split.questions_path}: need at least 2 images to hold out a validation split "
                             "(or pass --val-questions/--val-annotations)")
    held = set(rng.choice(image_ids, count, replace=False).tolist())
    in_val = [r["image_id"] in held for r in split.records]
    return {"train": dataclasses.replace(split.subset([not v for v in in_val]), name="train"),
            "val": dataclasses.replace(split.subset(in_val), name="val")}


def check_image_input(data, model_name):
    """A one-line error unless ``data`` gives ``model_name`` the image input it needs."""
    if model_name in FEATURE_MODELS:
        if not data.get("features"):
            raise FramepredError(f"model {model_name} needs precomputed image features (--features FILE, e.g. from "
                                 f"framepred-tf vqa extract-features); {' and '.join(PIXEL_MODELS)} learn from "
                                 "pixels instead")
        return
    if data.get("features"):
        raise FramepredError(f"model {model_name} needs images for its CNN feature map (Sort-of-CLEVR, or --images "
                             f"DIR with VQA files), not precomputed feature vectors (--features {data['features']})")
    if data["kind"] != "synthetic" and not data.get("images"):
        raise FramepredError(f"model {model_name} on VQA files needs the images (--images DIR)")


def load_image_table(data, split_name, model_name):
    """Image rows for one split: pixels (synthetic/--images) or precomputed features."""
    check_image_input(data, model_name)
    if model_name in FEATURE_MODELS:
        return vqa_features.load_features(data["features"], data.get("feature_ids"))
    if data["kind"] == "synthetic":
        return vqa_features.load_pixels(synthetic.split_paths(data["dir"], split_name)[2])
    size = data.get("image_size", 224)
    return vqa_features.load_pixels(data["images"], (size, size))


def encode_split(split, table, question_vocab, answer_vocab, max_length, skip_bad=False):
    """:class:`EncodedSplit` of ``split``; questions whose image has no data fail (or are skipped)."""
    rows = table.rows(split.image_ids)
    if skip_bad and (rows < 0).any():
        print(f"vqa data: skipped {int((rows < 0).sum())} question(s) of split {split.name} without image data "
              f"in {table.source} (first image_id {int(split.image_ids[rows < 0][0])})", file=sys.stderr)
        split = split.subset(rows >= 0)
    rows = table.require_rows(split.image_ids, split.question_ids)
    questions = question_vocab.encode([r["question"] for r in split.records], max_length)
    labels = answer_vocab.encode(split.records) if split.annotated else np.full(len(rows), -1, np.int32)
    return EncodedSplit(split, questions, labels, rows, table)


def labelled(encoded):
    """The questions of ``encoded`` whose answer is in the vocabulary (usable for a loss)."""
    keep = encoded.labels >= 0
    return dataclasses.replace(encoded, split=encoded.split.subset(keep), questions=encoded.questions[keep],
                               labels=encoded.labels[keep], image_rows=encoded.image_rows[keep])


def batch_plan(encoded, batch_size, rng=None, questions_per_image=None):
    """Question indices of each batch; ``rng`` shuffles (a new plan per epoch).

    For pixel inputs a batch holds the questions of about ``batch_size / questions per
    image`` images, so the CNN sees each image once per batch; the number of batches is the
    same for every shuffle. ``questions_per_image`` (with ``rng``) keeps a fresh random
    subset of each image's questions per epoch: more images per question asked, which on
    Sort-of-CLEVR trades memorising a few images for seeing many.
    """
    count = len(encoded.labels)
    if not encoded.grouped:
        order = rng.permutation(count) if rng is not None else np.arange(count)
        return [order[start:start + batch_size] for start in range(0, count, batch_size)]
    groups = _questions_by_image(encoded.image_rows)
    if questions_per_image and rng is not None:
        groups = [g if len(g) <= questions_per_image else rng.choice(g, questions_per_image, replace=False)
                  for g in groups]
    asked = sum(len(g) for g in groups)
    per_batch = max(1, int(round(batch_size * len(groups) / max(1, asked))))
    order = rng.permutation(len(groups)) if rng is not None else np.arange(len(groups))
    return [np.concatenate([groups[g] for g in order[start:start + per_batch]])
            for start in range(0, len(groups), per_batch)]


def _questions_by_image(image_rows):
    """Question indices grouped by image row, one array per image."""
    by_question = np.argsort(image_rows, kind="stable")
    _, starts = np.unique(image_rows[by_question], return_index=True)
    return np.split(by_question, starts[1:])


def make_batches(encoded, batch_size, shuffle, seed=0, questions_per_image=None):
    """A Keras ``PyDataset`` of ``(inputs, labels)`` batches over ``encoded`` (see :func:`batch_plan`)."""
    import keras

    class VQABatches(keras.utils.PyDataset):
        """Gathers image rows per batch, so pixels are stored once per image, not per question."""

        def __init__(self):
            super().__init__()
            self.rng = np.random.default_rng(seed) if shuffle else None
            self.plan = self._plan()

        def _plan(self):
            return batch_plan(encoded, batch_size, self.rng, questions_per_image if shuffle else None)

        def __len__(self):
            return len(self.plan)

        def __getitem__(self, index):
            chosen = self.plan[index]
            return encoded.inputs(chosen), encoded.labels[chosen]

        def on_epoch_end(self):
            if shuffle:
                self.plan = self._plan()

    return VQABatches()


# ----------------------------------------------------------------------------- baselines


def compute_baselines(records):
    """Answers of the non-learned baselines, from annotated training ``records``.

    ``majority``: the most frequent answer overall and within each ``reasoning`` group
    (relational / non-relational, when the data has them); ``question_type_prior``: the most
    frequent answer of each ``question_type`` (Antol et al.'s "per Q-type prior").
    """
    def most_common(items):
        return collections.Counter(items).most_common(1)[0][0]

    by_group = collections.defaultdict(list)
    by_type = collections.defaultdict(list)
    for r in records:
        by_type[r["question_type"]].append(r["multiple_choice_answer"])
        if "reasoning" in r:
            by_group[r["reasoning"]].append(r["multiple_choice_answer"])
    return {"majority": most_common(r["multiple_choice_answer"] for r in records),
            "majority_by_reasoning": {g: most_common(a) for g, a in sorted(by_group.items())},
            "question_type_prior": {t: most_common(a) for t, a in sorted(by_type.items())}}


def baseline_reports(baselines, records):
    """Accuracy (percent) of the majority and question-type-prior baselines on ``records``.

    ``majority_baseline`` / ``question_type_prior_baseline``: the overall figure (a float);
    ``..._per_kind``: ``{"relational", "non_relational", "per_answer_type"}`` (None where the
    data has no reasoning kinds).
    """
    majority = summarize(evaluate_results([{"question_id": r["question_id"], "answer": baselines["majority"]}
                                           for r in records], records, group_key="reasoning"))
    if baselines["majority_by_reasoning"]:
        # Within each kind the kind's own majority answer: a fair floor for both kinds.
        per_kind = [{"question_id": r["question_id"],
                     "answer": baselines["majority_by_reasoning"].get(r.get("reasoning"), baselines["majority"])}
                    for r in records]
        by_kind = summarize(evaluate_results(per_kind, records, group_key="reasoning"))
        majority.update(relational=by_kind["relational"], non_relational=by_kind["non_relational"])
    prior = summarize(evaluate_results(
        [{"question_id": r["question_id"],
          "answer": baselines["question_type_prior"].get(r["question_type"], baselines["majority"])}
         for r in records], records, group_key="reasoning"))
    report = {}
    for name, figures in (("majority_baseline", majority), ("question_type_prior_baseline", prior)):
        report[name] = figures.pop("overall")
        report[f"{name}_per_kind"] = figures
    return report


def summarize(report):
    """``{"overall", "per_answer_type", "relational", "non_relational"}`` of an evaluate_results report."""
    groups = report.get("per_reasoning", {})
    return {"overall": report["overall"], "per_answer_type": report["per_answer_type"],
            "relational": groups.get("relational"), "non_relational": groups.get("non-relational")}


# ----------------------------------------------------------------------------- training


def make_optimizer(spec):
    """Keras optimizer from ``{"name", "learning_rate", "decay_rate"?, "clipvalue"?, "clipnorm"?}``.

    ``decay_rate`` multiplies the learning rate after every step (the VQA_LSTM_CNN schedule).
    """
    import keras

    rate = spec["learning_rate"]
    if spec.get("decay_rate"):
        rate = keras.optimizers.schedules.ExponentialDecay(rate, decay_steps=1, decay_rate=spec["decay_rate"])
    clip = {key: spec[key] for key in ("clipvalue", "clipnorm") if spec.get(key)}
    optimizers = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop, "sgd": keras.optimizers.SGD}
    if spec["name"] not in optimizers:
        raise FramepredError(f"unknown optimizer {spec['name']!r}; choose one of {', '.join(optimizers)}")
    return optimizers[spec["name"]](learning_rate=rate, **clip)


def build_model(config, question_vocab, answer_vocab):
    """The registered model of ``config`` sized to the vocabularies."""
    from framepred_tf.models import get_model

    overrides = dict(config["model_overrides"])
    if overrides.get("word_vectors"):
        overrides["vocabulary"] = question_vocab.words
    return get_model(config["model"], vocab_size=len(question_vocab), num_answers=len(answer_vocab), **overrides)


def prepare(config):
    """Load, validate and encode train/val; returns ``(train, val, question_vocab, answer_vocab, info)``.

    Sets ``config["max_length"]`` to the length actually used (saved with the run).
    """
    data = config["data"]
    check_image_input(data, config["model"])  # before the (slow) loading
    splits = load_splits(data)
    train_split = splits["train"]
    if not train_split.records:
        raise FramepredError(f"{train_split.questions_path}: no training questions")
    answer_vocab = vqa_data.AnswerVocabulary.build(train_split.records, config["num_answers"])
    coverage = answer_vocab.coverage(train_split.records)
    kept = vqa_data.keep_answerable(train_split, answer_vocab)
    question_vocab = vqa_data.QuestionVocabulary.build([r["question"] for r in kept.records], config["min_word_count"])
    # No longer than the longest training question: every extra step is LSTM work on padding.
    longest = max(len(vqa_data.tokenize(r["question"])) for r in kept.records)
    config["max_length"] = min(config["max_length"], longest)
    encoded, tables = {}, {}
    for name, split in (("train", kept), ("val", splits["val"])):
        # Precomputed features cover every split in one file: read it once.
        key = "features" if config["model"] in FEATURE_MODELS else name
        if key not in tables:
            tables[key] = load_image_table(data, name, config["model"])
        encoded[name] = encode_split(split, tables[key], question_vocab, answer_vocab, config["max_length"],
                                     data.get("skip_bad", False))
    info = {"answer_coverage": coverage, "train_questions": len(train_split.records),
            "train_questions_kept": len(encoded["train"].labels), "val_questions": len(encoded["val"].labels),
            "question_vocab_size": len(question_vocab), "num_answers": len(answer_vocab)}
    print(f"vqa: {len(answer_vocab)} answers cover {100 * coverage:.2f}% of {info['train_questions']} training "
          f"questions ({info['train_questions_kept']} kept); {len(question_vocab)} question words; "
          f"{info['val_questions']} val questions", file=sys.stderr)
    return encoded["train"], encoded["val"], question_vocab, answer_vocab, info


def train_run(config):
    """Train ``config["model"]`` and return the run directory (see the module docstring)."""
    import keras

    keras.utils.set_random_seed(config["seed"])
    train, val, question_vocab, answer_vocab, info = prepare(config)
    run_dir = _start_run(config, info, question_vocab, answer_vocab, train.split.records)
    model = build_model(config, question_vocab, answer_vocab)
    model.compile(optimizer=make_optimizer(config["optimizer"]), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    _fit(model, train, val, config, run_dir)
    return run_dir


def _start_run(config, info, question_vocab, answer_vocab, train_records):
    """Create ``<out>/<model>-<timestamp>/`` (model names start with ``vqa_``) and its JSON files."""
    from framepred_tf.training import create_run_dir, write_config

    run_dir = create_run_dir(config["out"], config["model"])
    write_json_atomic(os.path.join(run_dir, QUESTION_VOCAB), question_vocab.to_json())
    write_json_atomic(os.path.join(run_dir, ANSWER_VOCAB), answer_vocab.to_json())
    write_json_atomic(os.path.join(run_dir, BASELINES), compute_baselines(train_records))
    write_config(run_dir, {**config, "task": TASK, "data_summary": info})
    return run_dir


def batch_norm_layers(model):
    """Every ``BatchNormalization`` layer inside ``model`` (nested ones included)."""
    import keras

    from framepred_tf.utils.keras_compat import nested_layers

    return [layer for layer in nested_layers(model) if isinstance(layer, keras.layers.BatchNormalization)]


def recalibrate_batch_norm(model, batches, steps=20):
    """Replace the moving statistics of every batch-norm layer by their average over
    ``steps`` training batches computed with the current weights ("precise BN").

    Keras' moving averages lag behind weights that change quickly; on Sort-of-CLEVR the
    same weights scored 50 % on val with them and 67 % after this re-estimate. A momentum
    of i / (i + 1) at the i-th batch makes each moving statistic the running mean of the
    batch statistics. Only the statistics change, no weights.
    """
    layers = batch_norm_layers(model)
    saved = [layer.momentum for layer in layers]
    for index in range(min(steps, len(batches))):
        for layer in layers:
            layer.momentum = index / (index + 1)
        inputs, _ = batches[index]
        model(inputs, training=True)
    for layer, momentum in zip(layers, saved):
        layer.momentum = momentum


def precise_batch_norm_callback(batches, steps=20):
    """A callback re-estimating batch-norm statistics before each validation and, in epochs
    without one, before the end-of-epoch checkpoint (it must come before the checkpointer)."""
    import keras

    class PreciseBatchNorm(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.done = False

        def on_test_begin(self, logs=None):
            recalibrate_batch_norm(self.model, batches, steps)
            self.done = True

        def on_epoch_end(self, epoch, logs=None):
            if not getattr(self, "done", False):
                recalibrate_batch_norm(self.model, batches, steps)

    return PreciseBatchNorm()


def _fit(model, train, val, config, run_dir):
    """``model.fit`` with the shared run callbacks; ``val_loss`` on the val questions the model can answer."""
    from framepred_tf.training import standard_callbacks

    batches = make_batches(train, config["batch_size"], shuffle=True, seed=config["seed"],
                           questions_per_image=config.get("questions_per_image"))
    val = labelled(val)
    val_batches = make_batches(val, config["batch_size"], shuffle=False) if len(val.labels) else None
    callbacks = standard_callbacks(run_dir, monitor="val_loss" if val_batches else "loss",
                                   log_every=config.get("log_every", 50),
                                   checkpoint_every=config.get("checkpoint_every", 1000),
                                   total_steps=config["epochs"] * len(batches))
    if batch_norm_layers(model):
        callbacks.insert(0, precise_batch_norm_callback(batches))
    print(f"vqa: training {config['model']} for {config['epochs']} epoch(s) of {len(batches)} steps -> {run_dir}",
          file=sys.stderr)
    model.fit(batches, validation_data=val_batches, epochs=config["epochs"], callbacks=callbacks, verbose=0)


# ----------------------------------------------------------------------------- evaluation


def find_latest_run(runs_dir):
    """The newest VQA run directory under ``runs_dir`` that has a trained model."""
    from framepred_tf.training import rundir

    runs_dir = os.fspath(runs_dir)
    if not os.path.isdir(runs_dir):
        raise FramepredError(f"{runs_dir}: runs folder not found; "
                             f"train first with framepred-tf vqa train --out {runs_dir}")
    latest = rundir.newest_run(runs_dir, prefix=MODELS, accept=_trained_model_path)
    if latest is None:
        raise FramepredError(f"{runs_dir}: no trained VQA run (vqa_*-<time>/ with config.json and best.keras)")
    return latest


def _trained_model_path(run_dir):
    from framepred_tf.training import latest_checkpoint, rundir

    if not os.path.isfile(os.path.join(run_dir, rundir.CONFIG_NAME)):
        return None
    best = os.path.join(run_dir, rundir.BEST_NAME)
    if os.path.isfile(best):
        return best
    latest = latest_checkpoint(os.path.join(run_dir, rundir.CHECKPOINT_DIR))
    return latest[0] if latest else None


def _read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise FramepredError(f"{path}: not found (is this a framepred-tf vqa run directory?)") from None
    except ValueError as error:
        raise FramepredError(f"{path}: not valid JSON ({error})") from None


def predict_answers(model, encoded, batch_size=256):
    """Top-1 answer index ``(N,)`` for every question of ``encoded``, in question order."""
    predictions = np.zeros(len(encoded.labels), dtype=np.int64)
    for index in batch_plan(encoded, batch_size):
        predictions[index] = np.argmax(model.predict_on_batch(encoded.inputs(index)), axis=-1)
    return predictions


def evaluate_run(run_dir, split="val"):
    """Evaluate a run on ``split``: writes ``<split>_results.json`` and ``eval.json``; returns the report."""
    from framepred_tf.models import load_model
    from framepred_tf.training import rundir

    run_dir = os.fspath(run_dir)
    config = rundir.read_config(run_dir)
    if config.get("task") != TASK:
        raise FramepredError(f"{run_dir}: not a VQA run (config.json has no \"task\": \"vqa\")")
    model_path = _trained_model_path(run_dir)
    if model_path is None:
        raise FramepredError(f"{run_dir}: no best.keras or checkpoint to evaluate")
    question_vocab = vqa_data.QuestionVocabulary.from_json(_read_json(os.path.join(run_dir, QUESTION_VOCAB)))
    answer_vocab = vqa_data.AnswerVocabulary.from_json(_read_json(os.path.join(run_dir, ANSWER_VOCAB)))
    splits = load_splits(config["data"])
    if split not in splits:
        raise FramepredError(f"unknown split {split!r}; choose one of {', '.join(splits)}")
    table = load_image_table(config["data"], split, config["model"])
    encoded = encode_split(splits[split], table, question_vocab, answer_vocab, config["max_length"],
                           config["data"].get("skip_bad", False))
    model = load_model(model_path)
    answers = answer_vocab.decode(predict_answers(model, encoded))
    results_path = os.path.join(run_dir, f"{split}_results.json")
    results = write_results(results_path, encoded.split.question_ids, answers)
    report = build_report(config, run_dir, split, model_path, results_path, results, encoded.split.records)
    write_json_atomic(os.path.join(run_dir, EVAL_NAME), report)
    return report


def build_report(config, run_dir, split, model_path, results_path, results, records):
    """The ``eval.json`` content: our accuracy, the baselines, the published figures and
    ``table``, all of them side by side (see :func:`comparison_table`)."""
    ours = summarize(evaluate_results(results, records, group_key="reasoning"))
    baselines = baseline_reports(_read_json(os.path.join(run_dir, BASELINES)), records)
    dataset = "sort_of_clevr" if config["data"]["kind"] == "synthetic" else "vqa"
    report = {**ours, **baselines, "published": PUBLISHED[dataset], "dataset": dataset, "split": split,
              "num_questions": len(records), "model": config["model"], "model_file": model_path,
              "results_file": results_path, "units": "percent, official VQA accuracy"}
    report["table"] = comparison_table(report)
    return report


def comparison_table(report):
    """``{row: {column: percent or None}}``: rows overall, relational, non_relational and the
    answer types; columns ours, majority, question_type_prior, then the published models
    (named ``"<first author> <model>"``). Rows without any figure are left out."""
    published = {f"{report['published']['author']} {name}": figures
                 for name, figures in report["published"].items() if isinstance(figures, dict)}
    rows = ["overall", "relational", "non_relational"] + list(report["per_answer_type"])
    table = {}
    for row in rows:
        cells = {"ours": _figure(report, row),
                 "majority": _baseline_figure(report, "majority_baseline", row),
                 "question_type_prior": _baseline_figure(report, "question_type_prior_baseline", row)}
        cells.update((column, figures.get(row)) for column, figures in published.items())
        if any(value is not None for value in cells.values()):
            table[row] = cells
    return table


def _figure(figures, row):
    """``figures[row]``, or the answer type ``row`` of ``figures["per_answer_type"]``."""
    if row in ("overall", "relational", "non_relational"):
        return figures.get(row)
    return figures.get("per_answer_type", {}).get(row)


def _baseline_figure(report, name, row):
    return report[name] if row == "overall" else _figure(report[f"{name}_per_kind"], row)


COLUMN_LABELS = {"ours": "ours", "majority": "majority", "question_type_prior": "Q-type prior"}


def format_report(report):
    """The plain-text form of ``report["table"]`` (the same figures as eval.json)."""
    table = report["table"]
    columns = list(next(iter(table.values())))
    headers = [COLUMN_LABELS.get(c, f"{c}*") for c in columns]
    widths = [max(len(h), 7) for h in headers]
    lines = [f"VQA evaluation: {report['model']} on {report['split']} ({report['num_questions']} questions, "
             f"{report['dataset']}); official VQA accuracy, %",
             "  ".join([f"{'':>15}"] + [f"{h:>{w}}" for h, w in zip(headers, widths)])]
    for row, cells in table.items():
        label = row.replace("_", "-")
        lines.append("  ".join([f"{label:>15}"] + [f"{_fmt(cells[c]):>{w}}" for c, w in zip(columns, widths)]))
    notes = "".join(f"; {name}: {figures['note']}" for name, figures in report["published"].items()
                    if isinstance(figures, dict) and figures.get("note"))
    lines.append(f"* published: {report['published']['source']}{notes}")
    return "\n".join(lines)


def _fmt(value):
    return "-" if value is None else f"{value:.2f}"

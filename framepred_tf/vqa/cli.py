"""``framepred-tf vqa train|eval|make-synthetic|extract-features``.

Without VQA files, ``vqa train`` uses the Sort-of-CLEVR benchmark, generated into
``$FRAMEPRED_DATA_DIR/sort_of_clevr`` (default ``data/sort_of_clevr``) when missing, so
``make train-vqa`` and ``make eval-vqa`` run offline end to end.
"""
import os

from framepred_tf.errors import FramepredError
from framepred_tf.utils.overrides import add_override_argument, parse_overrides
from framepred_tf.vqa.train import MODELS

SPLIT_CHOICES = ("train", "val")


def register(subparsers, bench):
    vqa = subparsers.add_parser("vqa", help="visual question answering: train, eval, data sets, image features")
    commands = vqa.add_subparsers(dest="vqa_command", metavar="VQA_COMMAND")
    vqa.set_defaults(handler=lambda args: _missing_command(vqa))
    _add_train(commands)
    _add_eval(commands)
    _add_make_synthetic(commands)
    _add_extract_features(commands)


def _missing_command(parser):
    import sys

    parser.print_help(sys.stderr)
    return 2


def _add_train(commands):
    p = commands.add_parser("train", help="train a VQA model (default: Sort-of-CLEVR, generated if missing)")
    p.add_argument("--model", choices=MODELS, default=None,
                   help="default: the preset's (quick: vqa_attention_rn on Sort-of-CLEVR, vqa_lstm on VQA files)")
    p.add_argument("--preset", default="quick", help="experiments/vqa.py preset: quick (default) or paper")
    p.add_argument("--data", default=None, help="Sort-of-CLEVR folder (default: $FRAMEPRED_DATA_DIR/sort_of_clevr)")
    p.add_argument("--questions", default=None, help="VQA training questions JSON")
    p.add_argument("--annotations", default=None, help="VQA training annotations JSON")
    p.add_argument("--val-questions", default=None, help="VQA validation questions JSON (default: hold out images)")
    p.add_argument("--val-annotations", default=None, help="VQA validation annotations JSON")
    p.add_argument("--features", default=None, help="image features: .npz/.h5 (image_ids, features), .npy or .mat")
    p.add_argument("--feature-ids", default=None, help="image-id map text file for .npy/.mat features")
    p.add_argument("--images", default=None, help="image folder for the pixel models (vqa_cnn_lstm, vqa_rn, vqa_attention_rn) on VQA files")
    p.add_argument("--word-vectors", default=None, help="GloVe-format text file initialising the word embedding")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--lr", type=float, default=None, help="learning rate (default: the preset's)")
    p.add_argument("--num-answers", type=int, default=None, help="answer vocabulary size K (default 1000)")
    p.add_argument("--seed", type=int, default=None)
    add_override_argument(p, example="lstm_units=32 --override mlp_units=[64]")
    p.add_argument("--out", default="runs", help="parent folder of the run directory (default: runs)")
    p.add_argument("--skip-bad", action="store_true", help="drop bad records (counted) instead of stopping")
    p.set_defaults(handler=_train)


def _add_eval(commands):
    p = commands.add_parser("eval", help="official VQA accuracy of a run; writes RUN_DIR/eval.json")
    p.add_argument("run_dir", nargs="?", default=None, help="run directory (default: newest VQA run under --runs)")
    p.add_argument("--runs", default="runs", help="folder searched when RUN_DIR is not given (default: runs)")
    p.add_argument("--split", choices=SPLIT_CHOICES, default="val")
    p.set_defaults(handler=_eval)


def _add_make_synthetic(commands):
    p = commands.add_parser("make-synthetic", help="generate Sort-of-CLEVR as VQA-format JSON + PNG images")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--train-images", type=int, default=9800)
    p.add_argument("--val-images", type=int, default=200)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(handler=_make_synthetic)


def _add_extract_features(commands):
    p = commands.add_parser("extract-features", help="4096-d VGG16 fc2 (fc7) features of an image folder")
    p.add_argument("--images", required=True, help="folder of images; ids are the trailing numbers of file names")
    p.add_argument("--backbone", choices=["vgg16"], default="vgg16")
    p.add_argument("--weights", default="imagenet", help="VGG16 weights file, or 'imagenet' (downloads)")
    p.add_argument("--out", required=True, help="output .npz (arrays image_ids, features)")
    p.add_argument("--batch-size", type=int, default=16)
    p.set_defaults(handler=_extract_features)


def _positive(name, value):
    if value is not None and value < 1:
        raise FramepredError(f"{name} must be at least 1, got {value}")
    return value


def _absolute(path):
    return os.path.abspath(path) if path else None


def _data_section(args, preset, seed):
    """The ``data`` part of the run config (absolute paths, so eval works from anywhere)."""
    pairs = [("--questions", args.questions, "--annotations", args.annotations),
             ("--val-questions", args.val_questions, "--val-annotations", args.val_annotations)]
    for first, a, second, b in pairs:
        if bool(a) != bool(b):
            raise FramepredError(f"{first} and {second} go together; pass both")
    absolute = _absolute
    common = {"skip_bad": args.skip_bad, "features": absolute(args.features),
              "feature_ids": absolute(args.feature_ids)}
    if args.questions:
        return {"kind": "vqa", "questions": absolute(args.questions), "annotations": absolute(args.annotations),
                "val_questions": absolute(args.val_questions), "val_annotations": absolute(args.val_annotations),
                "images": absolute(args.images), "image_size": preset["image_size"],
                "val_fraction": preset["val_fraction"], "seed": seed, **common}
    if args.val_questions:
        raise FramepredError("--val-questions needs --questions/--annotations for training")
    from framepred_tf.vqa.train import default_data_dir

    directory = absolute(args.data or os.path.join(default_data_dir(), "sort_of_clevr"))
    return {"kind": "synthetic", "dir": directory, **common}


def resolve_train_config(args):
    """The full run configuration: the preset, then the command-line overrides."""
    from experiments import load_preset

    preset = load_preset("vqa", args.preset)
    seed = preset["seed"] if args.seed is None else args.seed
    data = _data_section(args, preset, seed)
    model, overrides = _preset_model(args.model, args.preset, preset, data["kind"])
    overrides.update(parse_overrides(args.override))
    if args.word_vectors:
        overrides["word_vectors"] = os.path.abspath(args.word_vectors)
    optimizer = dict(preset["optimizer"])
    if args.lr is not None:
        optimizer["learning_rate"] = args.lr
    return {
        "model": model, "model_overrides": overrides, "preset": args.preset, "data": data,
        "synthetic": preset["synthetic"],
        "num_answers": _positive("--num-answers", args.num_answers) or preset["num_answers"],
        "max_length": preset["max_length"], "min_word_count": preset["min_word_count"],
        "epochs": _positive("--epochs", args.epochs) or preset["epochs"],
        "batch_size": _positive("--batch-size", args.batch_size) or preset["batch_size"],
        "optimizer": optimizer, "seed": seed, "out": os.path.abspath(args.out),
        "questions_per_image": preset.get("questions_per_image"),
        "log_every": preset["log_every"], "checkpoint_every": preset["checkpoint_every"],
    }


def _preset_model(model, preset_name, preset, data_kind):
    """``(model, its preset overrides)``; one line naming the model when the preset has no settings for it."""
    from experiments import available_presets, load_preset

    model = model or preset["default_model"].get(data_kind)
    if model is None:
        raise FramepredError(f"preset {preset_name!r} has no default model for VQA files; pass --model "
                             f"({', '.join(sorted(preset['models']))})")
    if model not in preset["models"]:
        others = [name for name in available_presets("vqa") if model in load_preset("vqa", name)["models"]]
        raise FramepredError(f"model {model} has no {preset_name!r} preset (experiments/vqa.py sets it for "
                             f"{', '.join(sorted(preset['models']))}); train {model} with --preset "
                             f"{' or '.join(others)}")
    return model, dict(preset["models"][model])


def _train(args):
    from framepred_tf.vqa import train

    config = resolve_train_config(args)
    if config["data"]["kind"] == "synthetic":
        train.ensure_synthetic(config["data"]["dir"], config["synthetic"])
    run_dir = train.train_run(config)
    print(f"vqa: run saved in {run_dir}; evaluate with: framepred-tf vqa eval {run_dir}")


def _eval(args):
    from framepred_tf.vqa import train

    run_dir = args.run_dir or train.find_latest_run(args.runs)
    report = train.evaluate_run(run_dir, args.split)
    print(train.format_report(report))
    print(f"vqa: wrote {os.path.join(run_dir, train.EVAL_NAME)} and {report['results_file']}")


def _make_synthetic(args):
    from framepred_tf.vqa import synthetic

    manifest = synthetic.generate(args.out, args.train_images, args.val_images, seed=args.seed)
    print(f"vqa: Sort-of-CLEVR in {args.out}: {manifest['questions']['train']} train / "
          f"{manifest['questions']['val']} val questions")


def _extract_features(args):
    from framepred_tf.vqa import features

    _positive("--batch-size", args.batch_size)
    weights = args.weights
    if weights != "imagenet" and not os.path.isfile(weights):
        raise FramepredError(f"{weights}: VGG16 weights file not found (pass an existing file or 'imagenet')")
    matrix = features.extract_features(args.images, args.out, weights=weights, batch_size=args.batch_size)
    print(f"vqa: {matrix.shape[0]} images -> {matrix.shape[1]}-d features in {args.out}")

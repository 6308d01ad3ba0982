"""``framepred-tf eval``, ``report`` and ``predict`` (heavy imports happen in the handlers)."""
from framepred_tf.evaluation.names import DIGITS_SOURCES, TEST_SET_NAMES


def register(subparsers, bench):
    _register_eval(subparsers)
    _register_report(subparsers)
    _register_predict(subparsers)


def _register_eval(subparsers):
    parser = subparsers.add_parser(
        "eval", help="evaluate trained runs on Moving MNIST test sets (per-sample metrics + CSV)")
    parser.add_argument("run_dirs", nargs="*", metavar="RUN_DIR",
                        help="training run directory (config.json, best.keras)")
    parser.add_argument("--baselines", action="store_true",
                        help="also evaluate the copy-last-frame, zeros, mean-frame and mean-pixel baselines")
    _pretrained_option(parser)
    parser.add_argument("--test-set", action="append", choices=TEST_SET_NAMES, dest="test_sets",
                        help="test set to evaluate on (repeatable; default research)")
    _common(parser)
    parser.add_argument("--out", default=None,
                        help="write OUT/<run name or baseline-NAME>/<set>-n<N>-<digits>.npz|.csv "
                             "(default RUN_DIR/eval/, baselines report/cache/)")
    parser.set_defaults(handler=_eval)


def _register_report(subparsers):
    parser = subparsers.add_parser(
        "report", help="evaluate the newest run of each model + baselines; write report/index.html")
    parser.add_argument("run_dirs", nargs="*", metavar="RUN_DIR",
                        help="run directories to report on (default: newest run per model under --runs)")
    parser.add_argument("--runs", default="runs", help="folder of training runs (default runs)")
    parser.add_argument("--out", default="report", help="report folder (default report)")
    _pretrained_option(parser)
    parser.add_argument("--test-set", action="append", choices=TEST_SET_NAMES, dest="test_sets",
                        help="restrict to these test sets (repeatable; default: every available one)")
    _common(parser)
    parser.set_defaults(handler=_report)


def _register_predict(subparsers):
    parser = subparsers.add_parser(
        "predict", help="run a model on test sets, .npy arrays or frame folders; PNG strips, GIFs, index.html",
        description="Predict the next frames of each sequence of SOURCE with MODEL (a run directory, a .keras "
                    "file or --pretrained NAME) and write DIR/predictions.npy, per sequence a PNG strip and an "
                    "animated GIF, and DIR/index.html showing them all.")
    parser.add_argument("model", nargs="?", metavar="RUN_DIR|MODEL.keras",
                        help="training run directory (its best.keras) or a saved .keras model")
    parser.add_argument("--pretrained", metavar="NAME", help="a shipped pretrained model (see framepred-tf models)")
    parser.add_argument("--input", required=True, metavar="SOURCE",
                        help="a test-set name (research, digits-3, ...), a .npy of (N, T, 64, 64) or "
                             "(T, N, 64, 64) sequences, or a folder of the frames of one clip")
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder (must not exist unless --force)")
    parser.add_argument("--frames", type=_positive, metavar="N",
                        help="frames to predict (default: what the model predicts, 10; more are predicted by "
                             "feeding its predictions back in)")
    parser.add_argument("--index", type=_indices, metavar="I,J,...",
                        help="which sequences of SOURCE (0-based; default all, the first 8 of a test set)")
    parser.add_argument("--layout", choices=("NTHW", "TNHW"),
                        help="axis order of a .npy SOURCE (default: detected from its shape)")
    parser.add_argument("--force", action="store_true", help="replace DIR if it holds an earlier prediction")
    parser.add_argument("--digits", choices=DIGITS_SOURCES, default=None,
                        help="digits of a test-set SOURCE (default: the run's, else mnist)")
    parser.add_argument("--batch-size", type=_positive, default=32, help="sequences per forward pass (default 32)")
    parser.set_defaults(handler=_predict)


def _pretrained_option(parser):
    parser.add_argument("--pretrained", action="append", default=[], metavar="NAME",
                        help="also a shipped pretrained model (repeatable; see framepred-tf models)")


def _common(parser):
    parser.add_argument("--test-size", type=_positive, default=10000, help="sequences per test set (default 10000)")
    parser.add_argument("--batch-size", type=_positive, default=32, help="sequences per forward pass (default 32)")
    parser.add_argument("--digits", choices=DIGITS_SOURCES, default=None,
                        help="MNIST digits source (default: the one recorded in the run config, else mnist)")


def _positive(text):
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _indices(text):
    import argparse

    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        values = []
    if not values or min(values) < 0:
        raise argparse.ArgumentTypeError(f"expected comma-separated sequence numbers >= 0, got {text!r}")
    return values


def _eval(args):
    from framepred_tf.evaluation.evaluate import run_eval

    run_eval(args.run_dirs, test_sets=args.test_sets or ["research"], test_size=args.test_size,
             batch_size=args.batch_size, digits=args.digits, out=args.out, baselines=args.baselines,
             pretrained=args.pretrained)


def _report(args):
    from framepred_tf.evaluation.report import build_report

    path = build_report(run_dirs=args.run_dirs, runs_dir=args.runs, out=args.out, test_size=args.test_size,
                        digits=args.digits, batch_size=args.batch_size, test_sets=args.test_sets,
                        pretrained=args.pretrained)
    print(f"report written to {path}")


def _predict(args):
    from framepred_tf.evaluation.predict import predict

    page = predict(args.model, pretrained=args.pretrained, source=args.input, out=args.out, frames=args.frames,
                   index=args.index, layout=args.layout, force=args.force, digits=args.digits,
                   batch_size=args.batch_size)
    print(f"predictions written to {page}")

"""``framepred-tf eval`` and ``framepred-tf report`` (heavy imports happen in the handlers)."""
from framepred_tf.evaluation.names import DIGITS_SOURCES, TEST_SET_NAMES


def register(subparsers, bench):
    _register_eval(subparsers)
    _register_report(subparsers)


def _register_eval(subparsers):
    parser = subparsers.add_parser(
        "eval", help="evaluate trained runs on Moving MNIST test sets (per-sample metrics + CSV)")
    parser.add_argument("run_dirs", nargs="*", metavar="RUN_DIR",
                        help="training run directory (config.json, best.keras)")
    parser.add_argument("--baselines", action="store_true",
                        help="also evaluate the copy-last-frame, zeros, mean-frame and mean-pixel baselines")
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
    parser.add_argument("--test-set", action="append", choices=TEST_SET_NAMES, dest="test_sets",
                        help="restrict to these test sets (repeatable; default: every available one)")
    _common(parser)
    parser.set_defaults(handler=_report)


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


def _eval(args):
    from framepred_tf.evaluation.evaluate import run_eval

    run_eval(args.run_dirs, test_sets=args.test_sets or ["research"], test_size=args.test_size,
             batch_size=args.batch_size, digits=args.digits, out=args.out, baselines=args.baselines)


def _report(args):
    from framepred_tf.evaluation.report import build_report

    path = build_report(run_dirs=args.run_dirs, runs_dir=args.runs, out=args.out, test_size=args.test_size,
                        digits=args.digits, batch_size=args.batch_size, test_sets=args.test_sets)
    print(f"report written to {path}")

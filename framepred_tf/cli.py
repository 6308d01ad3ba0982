"""The ``framepred-tf`` command line.

Each sub-package contributes its sub-commands through a ``register(subparsers, bench)``
function in its own ``cli`` module (``bench`` is the sub-parser group of ``framepred-tf
bench``). Handlers import TensorFlow/Keras lazily so ``--help`` stays fast. A
:class:`~framepred_tf.errors.FramepredError` becomes one ``framepred-tf: error: ...`` line
and exit status 2, the same status argparse uses for bad arguments.
"""
import argparse
import importlib
import os
import sys

from framepred_tf.errors import FramepredError

COMMAND_MODULES = (
    "framepred_tf.models.cli",
    "framepred_tf.data.cli",
    "framepred_tf.training.cli",
    "framepred_tf.evaluation.cli",
    "framepred_tf.vqa.cli",
)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="framepred-tf",
        description="Train, evaluate and benchmark video frame-prediction models (and VQA baselines).",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    bench_parser = subparsers.add_parser("bench", help="benchmarks (data generation, model speed)")
    bench = bench_parser.add_subparsers(dest="bench_target", metavar="TARGET")
    bench_parser.set_defaults(handler=lambda args: _missing_target(bench_parser))
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers, bench)
    return parser


def _missing_target(parser):
    parser.print_help(sys.stderr)
    return 2


def main(argv=None):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        status = handler(args)
    except FramepredError as error:
        print(f"framepred-tf: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("framepred-tf: interrupted", file=sys.stderr)
        return 130
    return 0 if status is None else int(status)


if __name__ == "__main__":
    sys.exit(main())

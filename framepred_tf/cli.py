"""The ``framepred-tf`` command line.

Each sub-package contributes its sub-commands through a ``register(subparsers, bench)``
function in its own ``cli`` module (``bench`` is the sub-parser group of ``framepred-tf
bench``). Those modules and ``import framepred_tf`` load no Keras or TensorFlow, so
``--help`` and argument errors answer at once; handlers import them when they run. A
:class:`~framepred_tf.errors.FramepredError` becomes one ``framepred-tf: error: ...`` line
and exit status 2, the same status argparse uses for bad arguments (``--traceback`` shows
the whole traceback instead).

Quiet by default: before a handler runs, TensorFlow's C++ and Python loggers are set to
errors only (``TF_CPP_MIN_LOG_LEVEL=3``, ``GRPC_VERBOSITY=ERROR``, the ``tensorflow`` and
``absl`` loggers at ERROR; variables the user has set are kept). Two notices ignore those
settings: TensorFlow 2.21 writes absl's "All log messages before absl::InitializeLog() is
called are written to STDERR" and "oneDNN custom operations are on ..." straight to file
descriptor 2 while ``import tensorflow`` runs, once per native library that carries its own
absl. So the first TensorFlow import runs with descriptor 2 captured, and what it wrote
comes back to stderr without C++ log lines (``I0000 00:00:... file.cc:123] ...``).
``--verbose`` turns all of this off. (Should the import itself crash the interpreter, its
last words stay captured: rerun with ``--verbose``.)
"""
import argparse
import contextlib
import importlib
import importlib.abc
import importlib.util
import logging
import os
import re
import sys
import tempfile

from framepred_tf.errors import FramepredError
from framepred_tf.registry import defer_model_imports

COMMAND_MODULES = (
    "framepred_tf.models.cli",
    "framepred_tf.data.cli",
    "framepred_tf.training.cli",
    "framepred_tf.evaluation.cli",
    "framepred_tf.vqa.cli",
    "framepred_tf.rl.cli",
)

# Settings that keep TensorFlow's logging to errors; read when TensorFlow loads.
QUIET_ENVIRONMENT = {"TF_CPP_MIN_LOG_LEVEL": "3", "GRPC_VERBOSITY": "ERROR"}
QUIET_LOGGERS = ("tensorflow", "absl")
# A C++ log line (absl format: severity and date, time, thread, file:line]; before
# InitializeLog the date is 0000 and the seconds count from the epoch), absl's notice about
# that, or the second line of the CPU-feature notice (shown at TF_CPP_MIN_LOG_LEVEL=0).
NATIVE_LOG_LINE = re.compile(
    r"[IWE]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [^\s\]]+:\d+\] "
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|To enable the following instructions: .* rebuild TensorFlow with the appropriate compiler flags\.")


class _CommandParser(argparse.ArgumentParser):
    """A sub-command's parser: it also takes the global flags, so they may follow the command.

    argparse makes nested sub-parsers of the parser's own class, so every level gets them.
    Their default is SUPPRESS so that a sub-command does not reset a flag given before it.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _add_global_flags(self, default=argparse.SUPPRESS)


def _add_global_flags(parser, default):
    parser.add_argument("--verbose", action="store_true", default=default,
                        help="show TensorFlow's own log lines (hidden by default)")
    parser.add_argument("--traceback", action="store_true", default=default,
                        help="on an error, raise it with its Python traceback instead of one line")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="framepred-tf",
        description="Train, evaluate and benchmark video frame-prediction models (and VQA baselines).",
    )
    _add_global_flags(parser, default=False)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_CommandParser)
    bench_parser = subparsers.add_parser("bench", help="benchmarks (data generation, model speed)")
    bench = bench_parser.add_subparsers(dest="bench_target", metavar="TARGET")
    bench_parser.set_defaults(handler=lambda args: _missing_target(bench_parser))
    with defer_model_imports():  # framepred_tf.models.cli must not load Keras
        for name in COMMAND_MODULES:
            importlib.import_module(name).register(subparsers, bench)
    return parser


def _missing_target(parser):
    parser.print_help(sys.stderr)
    return 2


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        with contextlib.nullcontext() if args.verbose else quiet_tensorflow():
            status = handler(args)
    except FramepredError as error:
        if args.traceback:
            raise
        print(f"framepred-tf: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("framepred-tf: interrupted", file=sys.stderr)
        return 130
    return 0 if status is None else int(status)


@contextlib.contextmanager
def quiet_tensorflow():
    """TensorFlow's logging at errors only while the block runs; see the module docstring."""
    environment = {key: os.environ.get(key) for key in QUIET_ENVIRONMENT}
    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    for key, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    finder = None
    if "tensorflow" not in sys.modules:
        finder = _FilteredTensorFlowImport()
        sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        if finder in sys.meta_path:
            sys.meta_path.remove(finder)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        for key, value in environment.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class _FilteredTensorFlowImport(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` once, with a loader that runs its import under :func:`filtered_native_stderr`."""

    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow":
            return None
        sys.meta_path.remove(self)  # one shot; the ordinary finders locate the package
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _FilteredLoader(spec.loader)
        return spec


class _FilteredLoader(importlib.abc.Loader):
    """Delegates to ``loader``; ``exec_module`` runs with C++ log lines filtered out of fd 2."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        with filtered_native_stderr():
            self._loader.exec_module(module)

    def __getattr__(self, name):
        return getattr(self._loader, name)


@contextlib.contextmanager
def filtered_native_stderr(pattern=NATIVE_LOG_LINE):
    """Capture file descriptor 2 in the block; afterwards write back the lines not matching ``pattern``."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            text = capture.read().decode("utf-8", errors="replace")
            kept = [line for line in text.splitlines(keepends=True) if not pattern.match(line)]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()


if __name__ == "__main__":
    sys.exit(main())

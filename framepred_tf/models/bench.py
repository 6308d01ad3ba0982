"""``framepred-tf bench model NAME``: forward and train-step speed of one model.

Prints seconds per batch (median of the timed steps after one warm-up, which includes
compilation), sequences/s and achieved GFLOP/s from the analytic count in
:mod:`framepred_tf.models.flops`. The kit's ConvLSTM against Keras's is ``framepred-tf
bench layer`` (train steps); a preset's training speed is ``framepred-tf bench train``.
"""
import os
import statistics
import subprocess
import sys
import time

import numpy as np

from framepred_tf.errors import FramepredError
from framepred_tf.registry import check_model_name
from framepred_tf.utils.overrides import parse_overrides


def run_model_bench(args):
    check_model_name(args.name)
    overrides = parse_overrides(args.override)
    if args.batch_size < 1 or args.steps < 1:
        raise FramepredError("--batch-size and --steps must be positive")
    import keras

    if args.backend and args.backend != keras.backend.backend():
        # Keras fixes its backend at import: rerun this command under the requested one.
        env = dict(os.environ, KERAS_BACKEND=args.backend)
        return subprocess.run([sys.executable, "-m", "framepred_tf.cli", *sys.argv[1:]], env=env).returncode
    from framepred_tf.models import get_model, model_class
    from framepred_tf.models.flops import forward_flops

    model = get_model(args.name, **overrides)
    shape = model_class(args.name).default_input_shape[1:]
    x, y = _example_batch(model, args.batch_size, shape)
    model.compile(optimizer=keras.optimizers.RMSprop(1e-4))
    forward = median_seconds(lambda: model.predict_on_batch(x), args.steps)
    train = median_seconds(lambda: model.train_on_batch(x, y), args.steps)
    flops = forward_flops(model, shape)
    print(f"model {args.name}  backend {keras.backend.backend()}  batch {args.batch_size}  "
          f"parameters {model.count_params():,}  overrides {overrides or '{}'}")
    _report("forward", forward, args.batch_size, flops)
    _report("train step", train, args.batch_size, None if flops is None else 3 * flops)


def _example_batch(model, batch, shape):
    rng = np.random.default_rng(0)
    x = (rng.random((batch, *shape)) > 0.9).astype("float32")
    # Targets of the right shape: a thresholded first prediction (also compiles predict).
    y = (np.asarray(model.predict_on_batch(x)) > 0.5).astype("float32")
    return x, y


def median_seconds(fn, steps):
    fn()  # warm-up: tracing and compilation
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _report(label, seconds, batch, flops):
    rate = f"  {flops * batch / seconds / 1e9:8.2f} GFLOP/s" if flops else ""
    print(f"{label:<11} {seconds:8.4f} s/batch  {batch / seconds:9.2f} sequences/s{rate}")

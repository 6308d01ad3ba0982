"""``framepred-tf bench model NAME``: forward and train-step speed of one model.

Prints seconds per batch (median of the timed steps after one warm-up, which includes
compilation), sequences/s and achieved GFLOP/s from the analytic count in
:mod:`framepred_tf.models.flops`. For ``convlstm`` it also times the same three-layer
ConvLSTM stack built from this kit's ``ConvLSTM2D`` and from ``keras.layers.ConvLSTM2D``
(no peepholes, 19 time steps) in the same process and prints their ratio.
"""
import ast
import os
import statistics
import subprocess
import sys
import time

import numpy as np

from framepred_tf.errors import FramepredError


def run_model_bench(args):
    import keras

    if args.backend and args.backend != keras.backend.backend():
        # Keras fixes its backend at import: rerun this command under the requested one.
        env = dict(os.environ, KERAS_BACKEND=args.backend)
        return subprocess.run([sys.executable, "-m", "framepred_tf.cli", *sys.argv[1:]], env=env).returncode
    from framepred_tf.models import get_model, model_class
    from framepred_tf.models.flops import forward_flops

    overrides = parse_overrides(args.override)
    if args.batch_size < 1 or args.steps < 1:
        raise FramepredError("--batch-size and --steps must be positive")
    model = get_model(args.name, **overrides)
    shape = model_class(args.name).default_input_shape[1:]
    x, y = _example_batch(model, args.batch_size, shape)
    model.compile(optimizer=keras.optimizers.RMSprop(1e-4))
    forward = _median_seconds(lambda: model.predict_on_batch(x), args.steps)
    train = _median_seconds(lambda: model.train_on_batch(x, y), args.steps)
    flops = forward_flops(model, shape)
    print(f"model {args.name}  backend {keras.backend.backend()}  batch {args.batch_size}  "
          f"parameters {model.count_params():,}  overrides {overrides or '{}'}")
    _report("forward", forward, args.batch_size, flops)
    _report("train step", train, args.batch_size, None if flops is None else 3 * flops)
    if args.name == "convlstm":
        _compare_with_keras_convlstm(model, args.batch_size, shape, args.steps)


def parse_overrides(items):
    """``["filters=[8,8]", "kernel_size=3"]`` → ``{"filters": [8, 8], "kernel_size": 3}``."""
    overrides = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise FramepredError(f"--override {item!r}: expected KEY=VALUE, e.g. filters=[8,8,8]")
        try:
            overrides[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            overrides[key] = value
    return overrides


def _example_batch(model, batch, shape):
    rng = np.random.default_rng(0)
    x = (rng.random((batch, *shape)) > 0.9).astype("float32")
    # Targets of the right shape: a thresholded first prediction (also compiles predict).
    y = (np.asarray(model.predict_on_batch(x)) > 0.5).astype("float32")
    return x, y


def _median_seconds(fn, steps):
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


def _compare_with_keras_convlstm(model, batch, shape, steps):
    import keras

    time_steps = shape[0] + model.output_frames - 1
    seq_shape = (time_steps, *shape[1:])
    x = np.random.default_rng(1).random((batch, *seq_shape)).astype("float32")

    def stack(layer_cls, **kwargs):
        inputs = keras.Input(seq_shape)
        h = inputs
        for f in model.filters:
            h = layer_cls(f, model.kernel_size, padding="same", return_sequences=True, **kwargs)(h)
        return keras.Model(inputs, h)

    ours = stack(_kit_convlstm, peephole=None)
    theirs = stack(keras.layers.ConvLSTM2D)
    ours_s = _median_seconds(lambda: ours.predict_on_batch(x), steps)
    theirs_s = _median_seconds(lambda: theirs.predict_on_batch(x), steps)
    print(f"ConvLSTM stack forward ({time_steps} steps): framepred_tf.layers.ConvLSTM2D {ours_s:.4f} s, "
          f"keras.layers.ConvLSTM2D {theirs_s:.4f} s, ratio keras/ours {theirs_s / ours_s:.2f}")


def _kit_convlstm(filters, kernel_size, padding, **kwargs):
    from framepred_tf.layers import ConvLSTM2D

    del padding  # the kit's ConvLSTM2D always pads "same"
    return ConvLSTM2D(filters, kernel_size, **kwargs)

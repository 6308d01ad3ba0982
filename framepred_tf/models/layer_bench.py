"""``framepred-tf bench layer``: train-step time of the kit's ConvLSTM2D against ``keras.layers.ConvLSTM2D``.

Each configuration is a stack of three ConvLSTM layers with ``return_sequences=True``,
trained with ``train_on_batch`` (MSE, RMSprop) in one process. The three stacks (Keras's
layer, the kit's without peepholes, the kit's with channel peepholes) are timed in
interleaved rounds, so a change of machine load hits all three alike; each figure is the
median of the timed rounds after the warm-up steps.
"""
import dataclasses
import statistics
import time

import numpy as np

from framepred_tf.errors import FramepredError


@dataclasses.dataclass(frozen=True)
class LayerConfig:
    """One benchmark shape: ``batch`` sequences of ``steps`` frames ``height×width×channels``."""

    batch: int
    steps: int
    height: int
    width: int
    channels: int
    filters: tuple
    kernel_size: int

    def describe(self):
        filters = "/".join(str(f) for f in self.filters)
        return (f"B={self.batch}, T={self.steps}, {self.height}x{self.width}x{self.channels}, "
                f"{filters} ch, k={self.kernel_size}")


# Q is the quick convlstm's stack (4x4 patches of 64x64 frames), A the same grid at the
# paper's widths, B full-resolution single-channel frames.
CONFIGS = {
    "Q": LayerConfig(8, 10, 16, 16, 16, (32, 32, 32), 3),
    "A": LayerConfig(8, 10, 16, 16, 16, (128, 64, 64), 5),
    "B": LayerConfig(4, 10, 64, 64, 1, (32, 32, 32), 5),
}
PRECISIONS = ("float32", "mixed_bfloat16")
VARIANTS = ("keras", "kit", "kit_peephole")


def stack_flops(config):
    """Multiply-adds ×2 of one forward pass of the stack's convolutions (input and recurrent)."""
    total, channels = 0, config.channels
    for filters in config.filters:
        per_pixel = 2 * config.kernel_size ** 2 * (channels + filters) * 4 * filters
        total += per_pixel * config.batch * config.steps * config.height * config.width
        channels = filters
    return total


def build_stack(config, variant):
    """A compiled ``keras.Model`` of three ConvLSTM layers of ``variant`` (see :data:`VARIANTS`)."""
    import keras

    from framepred_tf.layers import ConvLSTM2D

    def layer(filters):
        if variant == "keras":
            return keras.layers.ConvLSTM2D(filters, config.kernel_size, padding="same", return_sequences=True)
        peephole = "channel" if variant == "kit_peephole" else None
        return ConvLSTM2D(filters, config.kernel_size, peephole=peephole, return_sequences=True)

    inputs = keras.Input((config.steps, config.height, config.width, config.channels))
    hidden = inputs
    for filters in config.filters:
        hidden = layer(filters)(hidden)
    # A float32 identity, so the MSE is computed in float32 under mixed precision too.
    outputs = keras.layers.Activation("linear", dtype="float32")(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.RMSprop(1e-4), loss="mse")
    return model


def time_train_steps(config, precision, *, rounds=7, warmup=3, seed=0):
    """``{variant: median seconds per train step}`` under the dtype policy ``precision``."""
    import keras

    previous = keras.mixed_precision.dtype_policy()
    keras.mixed_precision.set_dtype_policy(precision)
    try:
        rng = np.random.default_rng(seed)
        x = rng.random((config.batch, config.steps, config.height, config.width, config.channels), "float32")
        y = rng.random((config.batch, config.steps, config.height, config.width, config.filters[-1]), "float32")
        models = {variant: build_stack(config, variant) for variant in VARIANTS}
        for model in models.values():
            for _ in range(warmup):
                model.train_on_batch(x, y)
        seconds = {variant: [] for variant in VARIANTS}
        for _ in range(rounds):
            for variant, model in models.items():
                start = time.perf_counter()
                model.train_on_batch(x, y)
                seconds[variant].append(time.perf_counter() - start)
    finally:
        keras.mixed_precision.set_dtype_policy(previous)
    return {variant: statistics.median(times) for variant, times in seconds.items()}


def format_row(name, config, precision, seconds):
    keras_s = seconds["keras"]
    gflops = 3 * stack_flops(config) / 1e9  # forward + backward ≈ 3 forward passes
    return (f"{name}  {precision:<14} keras {keras_s * 1e3:8.1f} ms ({gflops / keras_s:6.0f} GFLOP/s)  "
            f"kit {seconds['kit'] * 1e3:8.1f} ms (x{seconds['kit'] / keras_s:.2f})  "
            f"kit+peephole {seconds['kit_peephole'] * 1e3:8.1f} ms (x{seconds['kit_peephole'] / keras_s:.2f})")


def run_layer_bench(args):
    import keras

    names = [name.strip() for name in args.configs.split(",") if name.strip()]
    unknown = [name for name in names if name not in CONFIGS]
    if unknown or not names:
        raise FramepredError(f"--configs: unknown configuration(s) {', '.join(unknown) or '(none)'}; "
                             f"choose from {', '.join(CONFIGS)}")
    precisions = [p.strip() for p in args.precisions.split(",") if p.strip()]
    bad = [p for p in precisions if p not in PRECISIONS]
    if bad or not precisions:
        raise FramepredError(f"--precisions: unknown precision(s) {', '.join(bad) or '(none)'}; "
                             f"choose from {', '.join(PRECISIONS)}")
    if args.rounds < 1 or args.warmup < 0:
        raise FramepredError("--rounds must be positive and --warmup non-negative")
    print(f"ConvLSTM2D train step (3 stacked layers, return_sequences, MSE + RMSprop), backend "
          f"{keras.backend.backend()}, median of {args.rounds} interleaved rounds after {args.warmup} warm-up steps")
    for name in names:
        print(f"{name}: {CONFIGS[name].describe()}")
    for precision in precisions:
        for name in names:
            seconds = time_train_steps(CONFIGS[name], precision, rounds=args.rounds, warmup=args.warmup)
            print(format_row(name, CONFIGS[name], precision, seconds), flush=True)

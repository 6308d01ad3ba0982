"""``framepred-tf bench train MODEL``: how fast a preset trains, and where a step's time goes.

The headline figure is measured the way a user trains: ``model.fit`` over the preset's own
step-addressed data with the run's per-step callbacks (console line, step clock, NaN
guard, TensorBoard), at the preset's batch size and precision; sequences/s is the batch
size over the median wall time between consecutive steps after the warm-up steps. The split
of a step is measured on one fixed batch with compiled functions:

* data generation: producing one training batch;
* forward: the model and its loss;
* backward: gradients minus forward;
* optimizer and Keras's step overhead: ``train_on_batch`` minus gradients.

The per-epoch work (validation, ``best.keras``, checkpoints, sample figures) is timed once
each and scaled to the preset's frequencies per 100 steps.
"""
import contextlib
import io
import os
import shutil
import statistics
import tempfile
import time

from framepred_tf.errors import FramepredError
from framepred_tf.utils.overrides import parse_overrides


def run_train_bench(args):
    import keras

    from framepred_tf.training.runtime import run_environment
    from framepred_tf.training.trainer import resolve_config

    if args.steps < 2 or args.warmup < 1:
        raise FramepredError("--steps must be at least 2 and --warmup at least 1")
    settings = {key: value for key, value in (("batch_size", args.batch_size), ("precision", args.precision))
                if value is not None}
    config = resolve_config(args.model, args.preset, settings, parse_overrides(args.override))
    config["steps_per_epoch"] = config.get("steps_per_epoch") or 50
    keras.utils.set_random_seed(config["seed"])
    scratch = tempfile.mkdtemp(prefix="framepred-bench-")
    try:
        with run_environment(config["precision"], config["strategy"]) as distribution:
            with distribution.scope():
                report = measure(config, scratch, steps=args.steps, warmup=args.warmup)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(format_report(config, report))


def measure(config, scratch, *, steps, warmup):
    """The figures of :func:`format_report` for the resolved run ``config``."""
    from framepred_tf.models.bench import median_seconds
    from framepred_tf.training import checkpoints
    from framepred_tf.training.datasets import build_run_data
    from framepred_tf.training.figures import fixed_batch_sample_fn, save_figure
    from framepred_tf.training.trainer import build_model

    data = build_run_data(config, scratch)
    model = build_model(config, data.sample[0])
    step_seconds = _fit_step_seconds(model, data, config, scratch, steps=steps, warmup=warmup)
    x, y = data.base[0]
    forward, gradients = _compiled_forward_and_gradients(model)
    report = {
        "sequences_per_second": config["batch_size"] / step_seconds,
        "fit_step": step_seconds,
        "data": median_seconds(lambda: data.base[1], 5),
        "forward": median_seconds(lambda: forward(x, y), 5),
        "forward_backward": median_seconds(lambda: gradients(x, y), 5),
        "train_on_batch": median_seconds(lambda: model.train_on_batch(x, y), 5),
    }
    spe = config["steps_per_epoch"]
    sample_fn = fixed_batch_sample_fn(*data.sample, title=config["model"])
    validation = _once(lambda: model.evaluate(*data.validation, batch_size=config["batch_size"], verbose=0))
    checkpoint = _once(lambda: checkpoints.save_checkpoint(model, os.path.join(scratch, "ckpt"), {"global_step": 1}))
    best = _once(lambda: model.save(os.path.join(scratch, "best.keras")))
    sample = _once(lambda: save_figure(sample_fn(model), os.path.join(scratch, "sample.png")))
    report["per_100_steps"] = {
        "validation": validation * 100 / spe,
        "checkpoints": checkpoint * (100 / config["checkpoint_every"] + 100 / spe) if config["checkpoint_every"]
        else checkpoint * 100 / spe,
        "best.keras": best * 100 / spe,
        "samples": sample * 100 / (spe * config["sample_every"]),
    }
    return report


def _fit_step_seconds(model, data, config, scratch, *, steps, warmup):
    """Median wall time between consecutive training steps of ``fit`` after ``warmup`` steps."""
    import keras

    from framepred_tf.training.callbacks import standard_callbacks

    class StepTimes(keras.callbacks.Callback):
        times = []

        def on_train_batch_end(self, batch, logs=None):
            self.times.append(time.perf_counter())

    timer = StepTimes()
    callbacks = standard_callbacks(os.path.join(scratch, "run"), log_every=config["log_every"], checkpoint_every=None,
                                   total_steps=warmup + steps, stream=io.StringIO())
    with contextlib.redirect_stderr(io.StringIO()):
        model.fit(data.stream(0, warmup + steps), steps_per_epoch=warmup + steps, epochs=1, shuffle=False,
                  callbacks=[*callbacks, timer], verbose=0)
    times = timer.times[warmup - 1:]
    return statistics.median(b - a for a, b in zip(times, times[1:]))


def _compiled_forward_and_gradients(model):
    """``(forward(x, y) -> loss, gradients(x, y) -> grads)``, compiled the way the backend's ``fit`` compiles."""
    import keras

    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        @tf.function
        def forward(x, y):
            return model.compute_loss(x, y, model(x, training=True), training=True)

        @tf.function
        def gradients(x, y):
            with tf.GradientTape() as tape:
                loss = forward(x, y)
            return tape.gradient(loss, model.trainable_variables)

        return lambda x, y: forward(x, y).numpy(), lambda x, y: [g.numpy() for g in gradients(x, y)]
    if keras.backend.backend() == "jax":
        import jax

        trainable = [v.value for v in model.trainable_variables]
        non_trainable = [v.value for v in model.non_trainable_variables]
        metrics = [v.value for v in model.metrics_variables]
        optimizer = [v.value for v in model.optimizer.variables]

        def loss(trainable, x, y):
            value, _ = model.compute_loss_and_updates(trainable, non_trainable, metrics, x, y, None, training=True,
                                                      optimizer_variables=optimizer)
            return value

        loss_jit, grad_jit = jax.jit(loss), jax.jit(jax.grad(loss))
        return (lambda x, y: jax.block_until_ready(loss_jit(trainable, x, y)),
                lambda x, y: jax.block_until_ready(grad_jit(trainable, x, y)))
    raise FramepredError(f"bench train supports the tensorflow and jax backends, not {keras.backend.backend()}")


def _once(fn):
    fn()  # the first call may trace or compile
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def format_report(config, report):
    import keras

    ms = lambda seconds: f"{seconds * 1e3:8.1f} ms"  # noqa: E731
    backward = report["forward_backward"] - report["forward"]
    optimizer = report["train_on_batch"] - report["forward_backward"]
    other = report["fit_step"] - report["train_on_batch"] - report["data"]
    lines = [
        f"bench train {config['model']} --preset {config['preset']}: backend {keras.backend.backend()}, "
        f"precision {config['precision']}, batch {config['batch_size']}",
        f"sequences/s        {report['sequences_per_second']:8.1f}   (fit, {ms(report['fit_step']).strip()} per step)",
        "one step:",
        f"  data generation  {ms(report['data'])}",
        f"  forward          {ms(report['forward'])}",
        f"  backward         {ms(backward)}",
        f"  optimizer        {ms(optimizer)}   (train_on_batch minus gradients)",
        f"  fit and callbacks{ms(other)}   (the rest of a fit step)",
        "per 100 steps at the preset's frequencies:",
    ]
    lines += [f"  {name:<15}{seconds:8.2f} s" for name, seconds in report["per_100_steps"].items()]
    return "\n".join(lines)

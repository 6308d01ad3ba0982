"""Optimizer and learning-rate schedule: RMSProp with a staircase ×0.9 decay (the papers),
or Adam with a linear warm-up into a cosine decay (the quick and cpu presets).

Where each value comes from:

* RMSProp and "a decaying learning rate", starting at 1e-3 (ConvLSTM), 1e-4
  (spatio-temporal autoencoder) and 3e-4 (VPN): the thesis, §3.4. It gives no decay
  factor, interval or schedule.
* ×0.9 (:data:`DECAY_RATE`): the seed "Neural Scene" training log (seed 000, the
  encoder-forecaster's run), which reads LR 0.000729 at step 30, 0.000531 at 60, 0.000349
  at 90 and 0.000254 at 120 from an initial 1e-3: that is ``1e-3 * 0.9 ** floor(step / 9)``
  (0.9^3, 0.9^6, 0.9^10, 0.9^13), a staircase decay every :data:`SEED_LOG_DECAY_STEPS` steps.
* Once per epoch (``decay_steps = steps_per_epoch``, the ``paper`` presets): our choice. The
  log covers a 125-step run; decaying every 9 steps would stall a run of thousands of steps.
* ``rho=0.9``: RMSProp's "decay rate" as Shi et al. (2015) give it for their ConvLSTM.

The short presets' alternative (``schedule="cosine"``): a linear warm-up over
``warmup_steps`` to ``lr``, then a cosine decay to ``lr_floor × lr`` at the run's last step
(Loshchilov & Hutter 2017's SGDR without restarts). It keeps a usable rate to the end,
where ×0.9 per 50-step epoch would leave 1 % of it after 2,000 steps. ``clipnorm`` clips
each gradient's norm (Pascanu et al. 2013), which the recurrent nets need at Adam's rates.
"""
import keras

from framepred_tf.errors import FramepredError

DECAY_RATE = 0.9
SEED_LOG_DECAY_STEPS = 9


def learning_rate_schedule(lr, decay_steps=None, decay_rate=DECAY_RATE):
    """``lr`` decayed by ``decay_rate`` every ``decay_steps`` steps (staircase); constant if no ``decay_steps``."""
    if not decay_steps:
        return float(lr)
    return keras.optimizers.schedules.ExponentialDecay(
        float(lr), decay_steps=int(decay_steps), decay_rate=float(decay_rate), staircase=True)


OPTIMIZERS = ("rmsprop", "adam")
SCHEDULES = ("staircase", "cosine")


def warmup_cosine_schedule(lr, total_steps, warmup_steps=0, floor=0.1):
    """Linear warm-up from ``lr/100`` to ``lr`` over ``warmup_steps``, then cosine decay to
    ``floor × lr`` at ``total_steps``; constant at ``floor × lr`` after that."""
    warmup_steps = min(int(warmup_steps), int(total_steps) - 1)
    return keras.optimizers.schedules.CosineDecay(
        float(lr) / 100 if warmup_steps else float(lr), decay_steps=int(total_steps) - warmup_steps,
        alpha=float(floor), warmup_target=float(lr) if warmup_steps else None, warmup_steps=warmup_steps)


def check_optimizer_config(config):
    """One-line errors for the optimizer keys of a run configuration."""
    for key, choices in (("optimizer", OPTIMIZERS), ("schedule", SCHEDULES)):
        if config.get(key, choices[0]) not in choices:
            raise FramepredError(f"{key} must be one of {', '.join(choices)}, got {config[key]!r}")
    warmup = config.get("warmup_steps", 0)
    if isinstance(warmup, bool) or not isinstance(warmup, int) or warmup < 0:
        raise FramepredError(f"warmup_steps must be a non-negative integer, got {warmup!r}")
    floor, clipnorm = config.get("lr_floor", 0.1), config.get("clipnorm")
    if not 0 <= float(floor) <= 1:
        raise FramepredError(f"lr_floor must lie in [0, 1], got {floor!r}")
    if clipnorm is not None and not float(clipnorm) > 0:
        raise FramepredError(f"clipnorm must be positive, got {clipnorm!r}")


def make_optimizer(config):
    """The run's optimizer on its learning-rate schedule.

    Default: RMSProp (``rho=0.9``, the "decay rate" of Shi et al.) with the staircase decay.
    ``optimizer="adam"``, ``schedule="cosine"`` (over ``epochs × steps_per_epoch`` steps,
    ``warmup_steps``, ``lr_floor``) and ``clipnorm`` select the alternatives.
    """
    check_optimizer_config(config)
    if config.get("schedule", "staircase") == "cosine":
        schedule = warmup_cosine_schedule(config["lr"], config["epochs"] * config["steps_per_epoch"],
                                          config.get("warmup_steps", 0), config.get("lr_floor", 0.1))
    else:
        schedule = learning_rate_schedule(config["lr"], config.get("decay_steps"),
                                          config.get("decay_rate", DECAY_RATE))
    clip = {"clipnorm": float(config["clipnorm"])} if config.get("clipnorm") else {}
    if config.get("optimizer", "rmsprop") == "adam":
        return keras.optimizers.Adam(learning_rate=schedule, **clip)
    return keras.optimizers.RMSprop(learning_rate=schedule, rho=0.9, **clip)

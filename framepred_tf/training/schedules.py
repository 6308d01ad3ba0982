"""Optimizer and learning-rate schedule of the thesis: RMSProp with a staircase ×0.9 decay.

The thesis' training log (seed 000) reads LR 0.000729 at step 30, 0.000531 at 60, 0.000349
at 90 and 0.000254 at 120 from an initial 1e-3: that is ``1e-3 * 0.9 ** floor(step / 9)``
(0.9^3, 0.9^6, 0.9^10, 0.9^13), i.e. a staircase decay every :data:`SEED_LOG_DECAY_STEPS`
steps. That log covers a 125-step run; the ``paper`` presets decay once per epoch instead
(``decay_steps = steps_per_epoch``), since decaying every 9 steps would stall a run of
thousands of steps.
"""
import keras

DECAY_RATE = 0.9
SEED_LOG_DECAY_STEPS = 9


def learning_rate_schedule(lr, decay_steps=None, decay_rate=DECAY_RATE):
    """``lr`` decayed by ``decay_rate`` every ``decay_steps`` steps (staircase); constant if no ``decay_steps``."""
    if not decay_steps:
        return float(lr)
    return keras.optimizers.schedules.ExponentialDecay(
        float(lr), decay_steps=int(decay_steps), decay_rate=float(decay_rate), staircase=True)


def make_optimizer(config):
    """RMSProp (``rho=0.9``, the "decay rate" of Shi et al.) on the run's learning-rate schedule."""
    schedule = learning_rate_schedule(config["lr"], config.get("decay_steps"), config.get("decay_rate", DECAY_RATE))
    return keras.optimizers.RMSprop(learning_rate=schedule, rho=0.9)

"""Optimizer and learning-rate schedule: RMSProp with a staircase ×0.9 decay.

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

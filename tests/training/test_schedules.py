"""The learning-rate schedule reproduces the thesis' training log (seed 000); the warm-up cosine its formula."""
import keras
import numpy as np
import pytest

from framepred_tf.errors import FramepredError
from framepred_tf.training.schedules import (SEED_LOG_DECAY_STEPS, learning_rate_schedule, make_optimizer,
                                             warmup_cosine_schedule)

# Step -> "LR:" printed by the thesis' script (1e-3 initial).
SEED_LOG = {30: 0.000729, 60: 0.000531, 90: 0.000349, 120: 0.000254}


@pytest.mark.parametrize("step,logged", sorted(SEED_LOG.items()))
def test_seed_log_learning_rates(step, logged):
    schedule = learning_rate_schedule(1e-3, decay_steps=SEED_LOG_DECAY_STEPS)
    assert float(schedule(step)) == pytest.approx(logged, abs=5e-7)  # the log prints six decimals


def test_schedule_is_a_staircase():
    schedule = learning_rate_schedule(1e-3, decay_steps=9)
    assert float(schedule(0)) == float(schedule(8)) == pytest.approx(1e-3)
    assert float(schedule(9)) == pytest.approx(9e-4)


def test_optimizer_follows_its_iterations():
    optimizer = make_optimizer({"lr": 1e-3, "decay_steps": 9})
    assert isinstance(optimizer, keras.optimizers.RMSprop)
    optimizer.build([keras.Variable(0.0)])
    optimizer.iterations.assign(30)
    assert float(optimizer.learning_rate) == pytest.approx(0.000729)


def test_constant_rate_without_decay_steps():
    assert learning_rate_schedule(3e-4) == 3e-4


def numpy_warmup_cosine(step, lr, total, warmup, floor):
    """Linear warm-up from lr/100, then lr * (floor + (1 - floor) * (1 + cos(pi * progress)) / 2)."""
    if step < warmup:
        return lr / 100 + (lr - lr / 100) * step / warmup
    progress = min(step - warmup, total - warmup) / (total - warmup)
    return lr * (floor + (1 - floor) * 0.5 * (1 + np.cos(np.pi * progress)))


@pytest.mark.parametrize("step", [0, 10, 30, 31, 200, 365, 699, 700, 900])
def test_warmup_cosine_matches_its_formula(step):
    schedule = warmup_cosine_schedule(2e-3, total_steps=700, warmup_steps=30, floor=0.1)
    assert float(schedule(step)) == pytest.approx(numpy_warmup_cosine(step, 2e-3, 700, 30, 0.1), rel=1e-4)


def test_cosine_run_ends_at_the_floor_not_at_zero():
    optimizer = make_optimizer({"lr": 2e-3, "optimizer": "adam", "schedule": "cosine", "epochs": 14,
                                "steps_per_epoch": 50, "warmup_steps": 30, "lr_floor": 0.1, "clipnorm": 1.0})
    assert isinstance(optimizer, keras.optimizers.Adam)
    assert optimizer.clipnorm == 1.0
    optimizer.build([keras.Variable(0.0)])
    optimizer.iterations.assign(700)
    assert float(optimizer.learning_rate) == pytest.approx(2e-4, rel=1e-4)


@pytest.mark.parametrize("key,value,message", [
    ("optimizer", "sgd", "optimizer must be one of rmsprop, adam"),
    ("schedule", "linear", "schedule must be one of staircase, cosine"),
    ("warmup_steps", -1, "warmup_steps must be a non-negative integer"),
    ("lr_floor", 1.5, r"lr_floor must lie in \[0, 1\]"),
    ("clipnorm", 0, "clipnorm must be positive"),
])
def test_bad_optimizer_settings_are_one_line_errors(key, value, message):
    with pytest.raises(FramepredError, match=message):
        make_optimizer({"lr": 1e-3, "epochs": 1, "steps_per_epoch": 10, key: value})

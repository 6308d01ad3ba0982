"""The learning-rate schedule reproduces the thesis' training log (seed 000)."""
import keras
import pytest

from framepred_tf.training.schedules import SEED_LOG_DECAY_STEPS, learning_rate_schedule, make_optimizer

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

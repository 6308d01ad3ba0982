"""Scheduled sampling (Bengio et al. 2015) of the predictors that feed frames back: what each step reads."""
import keras
import numpy as np
import pytest

from framepred_tf.models import ModelArgumentError, get_model
from tests.models.conftest import TINY, example_batch

SAMPLED_MODELS = ("convlstm", "stae", "vpn")
# The free-running mode the schedule anneals into, and a patched grid for the two that have one.
FREE_RUN = {"convlstm": {"patch_size": 4}, "stae": {"context_frames": "predicted"},
            "vpn": {"context_frames": "predicted", "patch_size": 2}}


@pytest.fixture(params=SAMPLED_MODELS)
def name(request):
    return request.param


def predictor(name, **extra):
    keras.utils.set_random_seed(3)
    model = get_model(name, **{**TINY[name], **FREE_RUN[name], "output_frames": 4, **extra})
    x, y = example_batch(name)
    model(x[:, :3])
    return model, x[:, :3], y[:, :4]


def frames(model, x, y, truth_probability):
    """The predicted frames of a rollout that reads the truth with ``truth_probability``."""
    result = model.rollout(x, y, truth_probability)
    return np.asarray(result if model.registry_name == "convlstm" else result[0])


def sampled_loss(model, x, y, truth_probability):
    """The training loss of one rollout, computed from the model's own pieces."""
    if model.registry_name == "convlstm":
        return float(model.paper_loss(y, model.rollout(x, y, truth_probability)))
    if model.registry_name == "stae":
        predictions, flows = model.rollout(x, y, truth_probability)
        return float(model.paper_loss(y, predictions) + model._smoothness_loss(flows))
    return float(model.two_pass_loss(x, y, model.rollout(x, y, truth_probability)[1]))


def test_all_truth_makes_each_prediction_depend_only_on_earlier_true_frames(name):
    model, x, y = predictor(name, teacher_forcing_steps=10)
    forced = frames(model, x, y, 1.0)
    changed = y.copy()
    changed[:, 2:] = 1.0 - changed[:, 2:]
    forced_changed = frames(model, x, changed, 1.0)
    # Frame k reads target k-1: frames 0..2 read targets 0..1 only, which did not change.
    np.testing.assert_allclose(forced_changed[:, :3], forced[:, :3], atol=1e-6)
    assert not np.allclose(forced_changed[:, 3], forced[:, 3], atol=1e-4)
    assert not np.allclose(forced[:, 1:], np.asarray(model(x))[:, 1:], atol=1e-4)


def test_no_truth_is_the_free_running_call(name):
    model, x, y = predictor(name, teacher_forcing_steps=10)
    np.testing.assert_allclose(frames(model, x, y, 0.0), np.asarray(model(x)), atol=1e-6)


def test_training_loss_anneals_from_teacher_forcing_to_free_running(name):
    model, x, y = predictor(name, teacher_forcing_steps=10)
    forced, free = sampled_loss(model, x, y, 1.0), sampled_loss(model, x, y, 0.0)
    assert float(model.training_loss(x, y, None, training=True)) == pytest.approx(forced, rel=1e-5)
    assert float(model.sampling_step) == 1  # each training loss is one step of the schedule
    model.sampling_step.assign(10)
    assert float(model.training_loss(x, y, None, training=True)) == pytest.approx(free, rel=1e-5)
    model.sampling_step.assign(0)
    assert float(model.training_loss(x, y, model(x), training=False)) == pytest.approx(
        float(model.paper_loss(y, model(x))), rel=1e-5)
    assert float(model.sampling_step) == 0  # evaluation does not advance it


def test_fit_advances_the_schedule_once_per_step(name):
    model, x, y = predictor(name, teacher_forcing_steps=10)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    history = model.fit(x, y, epochs=3, verbose=0)
    model.evaluate(x, y, verbose=0)
    assert float(model.sampling_step) == 3
    assert all(np.isfinite(history.history["loss"]))


def test_half_way_each_sequence_step_draws_its_own_source(name):
    model, x, y = predictor(name, teacher_forcing_steps=10)
    x, y = np.repeat(x, 16, axis=0), np.repeat(y, 16, axis=0)
    mixed = frames(model, x, y, 0.5)
    forced, free = frames(model, x, y, 1.0), np.asarray(model(x))
    second = mixed[:, 1].reshape(len(mixed), -1)
    from_truth = np.all(np.isclose(second, forced[:, 1].reshape(len(mixed), -1), atol=1e-5), axis=1)
    from_model = np.all(np.isclose(second, free[:, 1].reshape(len(mixed), -1), atol=1e-5), axis=1)
    assert np.all(from_truth | from_model)
    assert 0 < from_truth.sum() < len(mixed)


def test_schedule_survives_the_config_and_bad_values_are_refused(name):
    model, _, _ = predictor(name, teacher_forcing_steps=7)
    assert model.get_config()["teacher_forcing_steps"] == 7
    with pytest.raises(ModelArgumentError, match="teacher_forcing_steps must be >= 0"):
        get_model(name, **FREE_RUN[name], teacher_forcing_steps=-1)


@pytest.mark.parametrize("name", ("stae", "vpn"))
def test_the_schedule_needs_the_free_run(name):
    with pytest.raises(ModelArgumentError, match="needs context_frames='predicted'"):
        get_model(name, context_frames="true", teacher_forcing_steps=5)


def test_draws_depend_on_the_schedule_step_only(name):
    # What a resumed run needs: the same step gives the same mixture of sources.
    model, x, y = predictor(name, teacher_forcing_steps=10)
    x, y = np.repeat(x, 8, axis=0), np.repeat(y, 8, axis=0)
    model.sampling_step.assign(5)
    first = float(model.training_loss(x, y, None, training=True))
    float(model.training_loss(x, y, None, training=True))  # step 6 moves the seed generator on
    model.sampling_step.assign(5)
    assert float(model.training_loss(x, y, None, training=True)) == pytest.approx(first, rel=1e-6)


@pytest.mark.parametrize("name", SAMPLED_MODELS)
def test_initial_readout_bias_starts_at_the_mean_pixel(name):
    model, x, _ = predictor(name, initial_readout_bias=-3.0)
    layer = getattr(model, {"convlstm": "readout", "stae": "decoder", "vpn": "logits_layer"}[name])
    np.testing.assert_allclose(np.asarray(layer.bias), -3.0)
    assert model.get_config()["initial_readout_bias"] == -3.0

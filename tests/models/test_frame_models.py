"""Behaviour of every model on tiny configurations: shapes, losses, training, saving."""
import keras
import numpy as np
import pytest

import framepred_tf
from framepred_tf.data import from_patches, to_patches
from framepred_tf.errors import FramepredError
from framepred_tf.models import get_model
from framepred_tf.models.losses import frame_cross_entropy
from tests.models.conftest import FRAME_MODELS, TINY, example_batch


def tiny(name, **extra):
    keras.utils.set_random_seed(1)
    return get_model(name, **{**TINY[name], **extra})


def numpy_frame_bce(y, p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return float(np.mean(np.sum(-(y * np.log(p) + (1 - y) * np.log(1 - p)), axis=(-3, -2, -1))))


def test_output_shape_and_range(model_name):
    model = tiny(model_name)
    x, y = example_batch(model_name)
    prediction = np.asarray(model(x))
    assert prediction.shape == y.shape
    assert prediction.dtype == np.float32
    assert np.all((prediction >= 0) & (prediction <= 1))


def test_one_optimisation_step_lowers_the_paper_loss(model_name):
    model = tiny(model_name)
    x, y = example_batch(model_name)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    before = model.evaluate(x, y, verbose=0)
    model.train_on_batch(x, y)
    after = model.evaluate(x, y, verbose=0)
    assert after < before


def test_keras_file_round_trip_gives_identical_predictions(model_name, tmp_path):
    model = tiny(model_name)
    x, _ = example_batch(model_name)
    expected = np.asarray(model(x))
    model.save(tmp_path / "model.keras")
    restored = keras.saving.load_model(tmp_path / "model.keras")
    assert type(restored) is type(model)
    np.testing.assert_allclose(np.asarray(restored(x)), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["convlstm", "encoder_forecaster", "vpn"])
def test_cross_entropy_models_train_on_the_thesis_metric(name):
    model = tiny(name)
    x, y = example_batch(name)
    model.compile(optimizer="sgd")
    prediction = np.asarray(model(x))
    assert model.evaluate(x, y, verbose=0) == pytest.approx(numpy_frame_bce(y, prediction), rel=1e-4)


def test_convlstm_on_patches_is_the_full_resolution_stack_on_patched_frames():
    """patch_size=4 equals the p=1 network with the same weights run on NumPy-patched frames."""
    patched = tiny("convlstm", patch_size=4)
    x, _ = example_batch("convlstm")
    prediction = np.asarray(patched(x))
    assert prediction.shape == x.shape
    plain = tiny("convlstm")
    plain.build(to_patches(x, 4).shape)
    plain.set_weights(patched.get_weights())
    np.testing.assert_allclose(prediction, from_patches(np.asarray(plain(to_patches(x, 4))), 4), atol=1e-6)


@pytest.mark.parametrize("name", ["convlstm", "stae", "vpn"])
def test_future_frames_are_conditioned_on_own_predictions(name):
    """Frame 12 equals what the model predicts after reading the 10 frames plus its frame 11."""
    model = tiny(name, output_frames=2)
    x, _ = example_batch(name)
    first, second = np.split(np.asarray(model(x)), 2, axis=1)
    reader = tiny(name, output_frames=1)
    reader.build(x.shape)
    reader.set_weights(model.get_weights())
    np.testing.assert_allclose(np.asarray(reader(np.concatenate([x, first], axis=1))), second, atol=2e-5)


def stae_with_flow(output_frames, seed):
    """A tiny STAE whose zero-initialised flow layer is perturbed (so flows and penalties are non-zero)."""
    model = tiny("stae", output_frames=output_frames)
    x, y = example_batch("stae")
    model.build(x.shape)
    flow_out = model.get_layer("flow_out")
    rng = np.random.default_rng(seed)
    flow_out.set_weights([w + rng.normal(0, 0.05, w.shape).astype("float32") for w in flow_out.get_weights()])
    return model, x, y[:, :output_frames]


def test_stae_loss_is_l2_plus_weighted_flow_smoothness():
    from framepred_tf.layers import flow_smoothness_penalty

    model, x, y = stae_with_flow(1, seed=3)
    model.compile(optimizer="sgd")
    prediction = np.asarray(model(x))
    (penalty,) = [float(loss) for loss in model.losses]
    assert penalty > 0
    l2 = float(np.mean(np.sum((y - prediction) ** 2, axis=(-3, -2, -1))))
    assert model.evaluate(x, y, verbose=0) == pytest.approx(l2 + penalty, rel=1e-4)
    # The registered term is 1e-2 × the Huber stencil penalty of the flow (eq. 3.9).
    features = np.asarray(model._encode(x.reshape(-1, 64, 64, 1))).reshape(2, 10, 32, 32, 4)
    hidden, _ = model.memory.sequence(features, model.memory.get_initial_state(2, 32, 32))
    flow = model._flow(hidden[:, -1])
    assert penalty == pytest.approx(1e-2 * float(flow_smoothness_penalty(flow)), rel=1e-4)


def test_stae_teacher_forcing_predicts_each_frame_from_the_true_frame_before_it():
    """Training loss = eq. 3.9 over one-step predictions, each read off ``call`` on the true frames."""
    model, x, y = stae_with_flow(3, seed=4)
    reader = tiny("stae", output_frames=1)
    reader.build(x.shape)
    reader.set_weights(model.get_weights())
    predictions, penalties = [], []
    for k in range(3):
        predictions.append(np.asarray(reader(np.concatenate([x, y[:, :k]], axis=1))))
        (penalty,) = [float(loss) for loss in reader.losses]
        penalties.append(penalty)
    l2 = float(np.mean(np.sum((y - np.concatenate(predictions, axis=1)) ** 2, axis=(-3, -2, -1))))
    assert min(penalties) > 0
    assert float(model.training_loss(x, y, None, training=True)) == pytest.approx(l2 + np.mean(penalties), rel=1e-4)
    # The free-running pass Keras runs for metrics adds no second smoothness term.
    model(x, training=True)
    assert not model.losses
    free = tiny("stae", output_frames=3, context_frames="predicted")
    prediction = free(x, training=True)
    assert float(free.training_loss(x, y, prediction, training=True)) == pytest.approx(
        float(np.mean(np.sum((y - np.asarray(prediction)) ** 2, axis=(-3, -2, -1)))), rel=1e-5)


def test_stae_cross_entropy_option_replaces_only_the_l2_term():
    model = tiny("stae", output_frames=2, reconstruction_loss="cross_entropy")
    x, y = example_batch("stae")
    y = y[:, :2]
    model.compile(optimizer="sgd")
    prediction = np.asarray(model(x))
    (penalty,) = [float(loss) for loss in model.losses]
    assert model.evaluate(x, y, verbose=0) == pytest.approx(numpy_frame_bce(y, prediction) + penalty, rel=1e-4)
    assert get_model("stae").reconstruction_loss == "l2"
    with pytest.raises(FramepredError, match="reconstruction_loss must be one of"):
        get_model("stae", reconstruction_loss="l1")


def test_vpn_two_pass_loss_uses_02_and_10_weights():
    model = tiny("vpn", output_frames=1)
    x, y = example_batch("vpn")
    y = y[:, :1]
    model(x)

    def loss(frame_weight, blank_weight):
        model.frame_weight, model.blank_weight = frame_weight, blank_weight
        return float(model.two_pass_loss(x, y, y))

    with_frame, blank = loss(1.0, 0.0), loss(0.0, 1.0)
    assert with_frame != pytest.approx(blank)
    assert loss(0.2, 1.0) == pytest.approx(0.2 * with_frame + 1.0 * blank, rel=1e-5)
    assert get_model("vpn").frame_weight == 0.2 and get_model("vpn").blank_weight == 1.0
    # The blank pass for the first future frame sees exactly the evaluation-time context.
    assert blank == pytest.approx(numpy_frame_bce(y, np.asarray(model(x))), rel=1e-3)


def test_vpn_predicted_context_trains_on_the_evaluation_rollout():
    """With ``context_frames="predicted"`` the blank pass is exactly ``call``'s free-running prediction."""
    model = tiny("vpn", output_frames=3, context_frames="predicted", frame_weight=0.0)
    x, y = example_batch("vpn")
    y = y[:, :3]
    prediction = model(x)
    loss = float(model.training_loss(x, y, prediction, training=True))
    assert loss == pytest.approx(numpy_frame_bce(y, np.asarray(prediction)), rel=1e-4)
    teacher = tiny("vpn", output_frames=3, frame_weight=0.0)
    teacher.build(x.shape)
    teacher.set_weights(model.get_weights())
    # Teacher forcing gives frames 2 and 3 a different context, hence a different loss.
    assert float(teacher.training_loss(x, y, prediction, training=True)) != pytest.approx(loss, rel=1e-4)
    with pytest.raises(FramepredError, match="context_frames must be one of"):
        get_model("vpn", context_frames="sampled")


def test_vpn_decoder_is_causal_in_the_current_frame():
    import tensorflow as tf

    model = tiny("vpn")
    model.build((None, 10, 16, 16, 1))
    rng = np.random.default_rng(0)
    context = tf.constant(rng.normal(size=(1, 16, 16, 8)).astype("float32"))
    frame = tf.Variable(rng.random((1, 16, 16, 1)).astype("float32"))
    for i, j in [(0, 0), (5, 7), (15, 15)]:
        with tf.GradientTape() as tape:
            out = model._logits(context, frame)[0, i, j, 0]
        grad = tape.gradient(out, frame).numpy()[0, :, :, 0].ravel()
        position = i * 16 + j
        assert np.all(grad[position:] == 0), f"pixel {(i, j)} sees itself or later pixels"
        if position > 0:
            assert np.any(grad[:position] != 0)


def test_vpn_on_patches_is_causal_in_patch_then_pixel_order():
    """patch_size=2: a logit sees earlier patches whole and earlier pixels of its own patch only."""
    import tensorflow as tf

    model = tiny("vpn", patch_size=2)
    x, y = example_batch("vpn")
    assert np.asarray(model(x)).shape == y.shape
    rng = np.random.default_rng(0)
    context = tf.constant(rng.normal(size=(1, 8, 8, 8)).astype("float32"))
    frame = tf.Variable(rng.random((1, 8, 8, 4)).astype("float32"))
    for i, j, sub in [(0, 0, 0), (3, 5, 2), (7, 7, 3)]:
        with tf.GradientTape() as tape:
            out = model._logits(context, frame)[0, i, j, sub]
        grad = tape.gradient(out, frame).numpy()[0].ravel()  # (row, column, sub-pixel) order
        position = (i * 8 + j) * 4 + sub
        assert np.all(grad[position:] == 0), f"patch {(i, j)} pixel {sub} sees itself or later pixels"
        if position > 0:
            assert np.any(grad[:position] != 0)


def test_cnn_lstm_rollout_feeds_predictions_back():
    model = tiny("cnn_lstm")
    x, _ = example_batch("cnn_lstm")
    frames = np.asarray(model.rollout(x, 2))
    assert frames.shape == (2, 2, 32, 32, 3)
    np.testing.assert_allclose(frames[:, 0], np.asarray(model(x)), atol=1e-6)
    shifted = np.concatenate([x[:, 1:], frames[:, :1]], axis=1)
    np.testing.assert_allclose(frames[:, 1], np.asarray(model(shifted)), atol=1e-6)


def test_user_loss_in_compile_overrides_the_paper_loss():
    model = tiny("convlstm")
    x, y = example_batch("convlstm")
    model.compile(optimizer="sgd", loss="mse")
    prediction = np.asarray(model(x))
    assert model.evaluate(x, y, verbose=0) == pytest.approx(float(np.mean((y - prediction) ** 2)), rel=1e-4)


def test_frame_cross_entropy_matches_numpy():
    rng = np.random.default_rng(0)
    y = (rng.random((2, 3, 8, 8, 1)) > 0.5).astype("float32")
    p = rng.random((2, 3, 8, 8, 1)).astype("float32")
    p[0, 0, 0, 0, 0] = 0.0  # exercises the clipping
    assert float(frame_cross_entropy(y, p)) == pytest.approx(numpy_frame_bce(y, p), rel=1e-5)
    assert framepred_tf.__version__


@pytest.mark.parametrize("name", ["convlstm", "encoder_forecaster"])
def test_initial_readout_bias_starts_every_pixel_at_its_sigmoid(name):
    model = tiny(name, initial_readout_bias=-3.0)
    x, _ = example_batch(name)
    model(x)
    # With the read-out kernel zeroed, only the bias reaches the sigmoid: every predicted
    # pixel is sigmoid(-3), whatever the ConvLSTM states hold.
    readout = model.readout
    readout.kernel.assign(np.zeros(readout.kernel.shape, "float32"))
    np.testing.assert_allclose(np.asarray(model(x)), 1.0 / (1.0 + np.exp(3.0)), rtol=1e-5)
    assert type(model).from_config(model.get_config()).initial_readout_bias == -3.0

"""Paper-size models: parameter counts against the published figures (build only, no forward)."""
import pytest

from framepred_tf.models import get_model, list_models, model_class

FRAME_SHAPE = (None, 10, 64, 64, 1)


def built(name, **overrides):
    model = get_model(name, **overrides)
    model.build(model_class(name).default_input_shape)
    return model


def test_registry_lists_every_frame_model():
    assert {"convlstm", "encoder_forecaster", "stae", "vpn", "cnn_lstm"} <= set(list_models())


def test_encoder_forecaster_matches_seed_printout_exactly():
    model = built("encoder_forecaster")
    assert len(model.trainable_variables) == 92
    assert model.count_params() == 8_386_576
    # The printout's shapes, layer by layer: 3 spatial peepholes, 4 x→state kernels,
    # 4 h→state kernels and 4 biases per ConvLSTM, then the 1×1 read-out.
    expected = []
    for cin, f in [(16, 128), (128, 64), (64, 64), (64, 128), (64, 64), (64, 64)]:
        expected += [(1, 16, 16, f)] * 3 + [(5, 5, cin, f)] * 4 + [(5, 5, f, f)] * 4 + [(f,)] * 4
    expected += [(1, 1, 256, 16), (16,)]
    assert sorted(tuple(v.shape) for v in model.trainable_variables) == sorted(expected)


def test_convlstm_count_with_and_without_peepholes():
    assert built("convlstm", peephole=None).count_params() == 3_700_481
    assert built("convlstm").count_params() == 3_700_481 + 768


def test_stae_count_in_thesis_range():
    assert 950_000 <= built("stae").count_params() <= 1_100_000


def test_vpn_count_in_thesis_range():
    assert 37_000_000 <= built("vpn").count_params() <= 39_000_000


def test_unknown_model_and_bad_override_are_clear_errors():
    from framepred_tf.errors import FramepredError

    with pytest.raises(FramepredError, match="unknown model 'nope'"):
        get_model("nope")
    with pytest.raises(FramepredError, match="bad override for model 'convlstm'"):
        get_model("convlstm", widths=3)

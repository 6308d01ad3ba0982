"""The experiment presets: paper presets keep the papers' recipe, quick ones are valid runs."""
import pytest

from experiments import available_presets, load_preset
from framepred_tf.training.trainer import resolve_config

FRAME_MODELS = ("convlstm", "encoder_forecaster", "stae", "vpn")


@pytest.mark.parametrize("model", FRAME_MODELS)
def test_paper_presets_keep_rmsprop_and_the_staircase_decay(model):
    preset = load_preset(model, "paper")
    assert preset.get("optimizer", "rmsprop") == "rmsprop"
    assert preset.get("schedule", "staircase") == "staircase"
    assert preset["decay_rate"] == 0.9 and preset["batch_size"] == 16


def test_stae_paper_preset_trains_free_running():
    # Thesis §4.2: one-frame-ahead training gave ~600 nats over ten frames "and was scrapped".
    assert load_preset("stae", "paper")["model_overrides"]["context_frames"] == "predicted"


@pytest.mark.parametrize("model", FRAME_MODELS)
def test_every_preset_resolves_to_a_valid_run(model):
    for name in available_presets(model):
        config = resolve_config(model, name, {"precision": "float32"})
        assert config["epochs"] * config["steps_per_epoch"] > 0

"""Tiny configurations of every frame-prediction model, for fast CPU tests."""
import numpy as np
import pytest

TINY = {
    "convlstm": dict(filters=(6, 4), kernel_size=3),
    "encoder_forecaster": dict(filters=(6, 4, 4), kernel_size=3),
    "stae": dict(encoder_filters=4, lstm_filters=6, flow_filters=(3, 3), flow_kernel_size=5),
    "vpn": dict(filters=8, encoder_blocks=1, decoder_blocks=1, lstm_kernel_size=3, output_filters=8),
    "cnn_lstm": dict(base_filters=4, latent_dim=16, lstm_units=8, image_size=32),
}
FRAME_MODELS = ("convlstm", "encoder_forecaster", "stae", "vpn")


def example_batch(name, batch=2, frames=10, seed=0):
    """Binary-ish inputs/targets shaped for model ``name`` (Moving MNIST frames are near-binary)."""
    rng = np.random.default_rng(seed)
    if name == "cnn_lstm":
        return (rng.random((batch, 16, 32, 32, 3), dtype=np.float32),
                rng.random((batch, 32, 32, 3), dtype=np.float32))
    x = (rng.random((batch, frames, 64, 64, 1)) > 0.85).astype("float32")
    y = (rng.random((batch, 10, 64, 64, 1)) > 0.85).astype("float32")
    return x, y


@pytest.fixture(params=sorted(TINY))
def model_name(request):
    return request.param

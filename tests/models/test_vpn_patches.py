"""The VPN on p×p patches with spatial peepholes: its context ConvLSTM lives on the patched grid."""
import keras
import numpy as np

from framepred_tf.models import get_model


def test_spatial_peepholes_on_patches_build_train_and_have_the_patched_shape():
    keras.utils.set_random_seed(0)
    # 4x4 patches: 16 colour groups, so the masked widths (filters / 2 inside a block) are multiples of 16.
    model = get_model("vpn", filters=32, encoder_blocks=1, decoder_blocks=1, lstm_kernel_size=3, output_filters=16,
                      patch_size=4, peephole="spatial")
    rng = np.random.default_rng(0)
    x = (rng.random((2, 10, 64, 64, 1)) > 0.85).astype("float32")
    y = (rng.random((2, 10, 64, 64, 1)) > 0.85).astype("float32")
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3))
    loss = float(model.train_on_batch(x, y))
    assert np.isfinite(loss)
    assert [tuple(w.shape) for w in model.context.peepholes] == [(1, 16, 16, 32)] * 3
    assert model.predict_on_batch(x).shape == (2, 10, 64, 64, 1)

"""Every model runs on the JAX backend (layers/models use keras.ops only)."""
import json

from tests.backend_utils import requires_jax, run_on_backend


@requires_jax
def test_every_model_predicts_and_trains_on_jax():
    output = run_on_backend(
        """
        import json, keras, numpy as np
        import framepred_tf
        from framepred_tf.models import get_model
        from tests.models.conftest import TINY, example_batch
        assert keras.backend.backend() == "jax"
        report = {}
        # Every model with its paper training, plus the free-running modes of the quick presets.
        cases = [(name, name, {}) for name in sorted(TINY)] + [
            ("vpn/predicted", "vpn", {"context_frames": "predicted"}),
            ("stae/predicted", "stae", {"context_frames": "predicted", "reconstruction_loss": "cross_entropy"}),
            ("convlstm/scheduled", "convlstm", {"teacher_forcing_steps": 5}),
        ]
        for key, name, mode in cases:
            keras.utils.set_random_seed(0)
            if name == "cnn_lstm":
                model = get_model(name, **TINY[name])
                x, y = example_batch(name)
            else:
                # 3 frames in, 2 out (the encoder-forecaster: as many out as in): the same code
                # paths, a much smaller graph for XLA to compile.
                extra = {} if name == "encoder_forecaster" else {"output_frames": 2}
                model = get_model(name, **TINY[name], **extra, **mode)
                x, y = example_batch(name, frames=3)
                y = y[:, :3 if name == "encoder_forecaster" else 2]
            prediction = np.asarray(model.predict(x, verbose=0))
            model.compile(optimizer=keras.optimizers.Adam(1e-3))
            losses = model.fit(x, y, epochs=2, verbose=0).history["loss"]
            report[key] = dict(shape=list(prediction.shape), target=list(y.shape),
                                lo=float(prediction.min()), hi=float(prediction.max()),
                                before=float(losses[0]), after=float(losses[1]))
        print(json.dumps(report))
        """
    )
    report = json.loads(output.strip().splitlines()[-1])
    assert set(report) == {"convlstm", "encoder_forecaster", "stae", "vpn", "cnn_lstm", "vpn/predicted",
                           "stae/predicted", "convlstm/scheduled"}
    for name, row in report.items():
        assert row["shape"] == row["target"], name
        assert 0.0 <= row["lo"] <= row["hi"] <= 1.0, name
        assert row["after"] < row["before"], f"{name}: a JAX training step did not lower the loss"

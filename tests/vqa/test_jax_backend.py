"""The VQA models and the grouped pixel batches also run on the JAX backend (keras.ops only)."""
import json

from tests.backend_utils import requires_jax, run_on_backend


@requires_jax
def test_vqa_models_train_and_agree_after_reload_on_jax(tmp_path):
    output = run_on_backend(
        f"""
        import json, keras, numpy as np
        import framepred_tf
        from framepred_tf.models import get_model
        assert keras.backend.backend() == "jax"
        rng = np.random.default_rng(0)
        questions = np.zeros((12, 5), np.int32)
        questions[:, 2:] = rng.integers(2, 9, (12, 3))
        answers = questions[:, 2] % 3
        inputs = {{
            "vqa_lstm": {{"question": questions, "image": rng.random((12, 6)).astype("float32")}},
            "vqa_mlp": {{"question": questions, "image": rng.random((12, 6)).astype("float32")}},
            "vqa_cnn_lstm": {{"question": questions, "image": rng.random((3, 8, 8, 3)).astype("float32"),
                             "image_index": np.arange(12, dtype=np.int32) % 3}},
        }}
        inputs["vqa_attention_rn"] = inputs["vqa_cnn_lstm"]
        tiny = dict(vqa_lstm=dict(embed_dim=4, lstm_units=4, common_dim=8, mlp_units=[8], dropout=0.0),
                    vqa_mlp=dict(embed_dim=4, mlp_units=[8], dropout=0.0),
                    vqa_cnn_lstm=dict(conv_filters=[4], embed_dim=4, lstm_units=4, lstm_layers=1, common_dim=8,
                                      mlp_units=[8], dropout=0.0, fusion="film"),
                    vqa_attention_rn=dict(conv_filters=[4], embed_dim=4, question_encoder="bag_of_words",
                                          question_dim=4, attention_dim=4, g_units=[8], f_units=[8]))
        report = {{}}
        for name, x in inputs.items():
            keras.utils.set_random_seed(0)
            model = get_model(name, vocab_size=10, num_answers=3, **tiny[name])
            model.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy")
            losses = [float(model.train_on_batch(x, answers)) for _ in range(8)]
            path = "{tmp_path}/" + name + ".keras"
            model.save(path)
            gap = np.abs(np.asarray(keras.saving.load_model(path).predict_on_batch(x))
                         - np.asarray(model.predict_on_batch(x))).max()
            report[name] = dict(first=losses[0], last=losses[-1], gap=float(gap))
        print(json.dumps(report))
        """
    )
    report = json.loads(output.strip().splitlines()[-1])
    assert set(report) == {"vqa_lstm", "vqa_mlp", "vqa_cnn_lstm", "vqa_attention_rn"}
    for name, row in report.items():
        assert row["last"] < row["first"], f"{name}: JAX training did not lower the loss"
        assert row["gap"] < 1e-5, f"{name}: reloaded model differs on JAX"

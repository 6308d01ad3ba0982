"""VQA models: registry, training lowers the loss, .keras round trip, padding invariance,
the Relation Network's pair sum, the attention RN's anchor against NumPy."""
import re

import keras
import numpy as np
import pytest

from framepred_tf.errors import FramepredError
from framepred_tf.models import get_model, list_models
from framepred_tf.models.vqa_lstm import QuestionLSTMEncoder, first_word_resets
from framepred_tf.models.vqa_mlp import bag_of_words
from framepred_tf.models.vqa_rn import cell_objects

VOCAB, ANSWERS, LENGTH, BATCH = 12, 4, 6, 24
TINY = {  # one fusion each: product is vqa_lstm's default
    "vqa_lstm": dict(embed_dim=8, lstm_units=8, common_dim=16, mlp_units=(16,), dropout=0.0),
    "vqa_mlp": dict(embed_dim=8, mlp_units=(16,), dropout=0.0),
    "vqa_cnn_lstm": dict(conv_filters=(4, 4), conv_norm="group", embed_dim=8, lstm_units=8, lstm_layers=1, common_dim=16,
                         mlp_units=(16,), dropout=0.0, fusion="film"),
    "vqa_rn": dict(conv_filters=(4, 4), conv_norm="group", embed_dim=8, lstm_units=8, g_units=(16, 16),
                   f_units=(16,), dropout=0.0),
    "vqa_attention_rn": dict(conv_filters=(4, 4), conv_norm="group", embed_dim=8, lstm_units=8, question_dim=8,
                             attention_dim=8, g_units=(16, 16), f_units=(16,), dropout=0.0),
}
PIXEL_MODELS = ("vqa_cnn_lstm", "vqa_rn", "vqa_attention_rn")


def tiny_batch(pixels):
    """Right-aligned random questions whose answer is a function of the first word."""
    rng = np.random.default_rng(0)
    questions = np.zeros((BATCH, LENGTH), np.int32)
    for row in range(BATCH):
        length = rng.integers(2, LENGTH + 1)
        questions[row, LENGTH - length:] = rng.integers(2, VOCAB, length)
    first = questions[np.arange(BATCH), np.argmax(questions > 0, axis=1)]
    image = rng.random((BATCH, 12, 12, 3)) if pixels else rng.normal(size=(BATCH, 10))
    return {"question": questions, "image": image.astype(np.float32)}, first % ANSWERS


def test_registered():
    assert {"vqa_lstm", "vqa_mlp", "vqa_cnn_lstm", "vqa_rn", "vqa_attention_rn"} <= set(list_models())


# Every model's tiny setting, plus the attention RN with the bag-of-words question of its preset.
TRAIN_CASES = [(name, TINY[name]) for name in sorted(TINY)] + [
    ("vqa_attention_rn", dict(TINY["vqa_attention_rn"], question_encoder="bag_of_words"))]


@pytest.mark.parametrize("name, settings", TRAIN_CASES)
def test_trains_lowers_loss_and_round_trips(name, settings, tmp_path):
    keras.utils.set_random_seed(1)
    model = get_model(name, vocab_size=VOCAB, num_answers=ANSWERS, **settings)
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = tiny_batch(pixels=name in PIXEL_MODELS)
    # The relation network sums g over all object pairs: it needs more steps on 4 answers.
    epochs = 30 if name == "vqa_rn" else 12
    losses = model.fit(x, y, epochs=epochs, batch_size=BATCH, verbose=0).history["loss"]
    # The first epoch's loss is that of the initial weights (one full batch per epoch).
    assert losses[0] > np.log(ANSWERS) * 0.8 and losses[-1] < 0.7 * losses[0]
    probabilities = model.predict_on_batch(x)
    assert probabilities.shape == (BATCH, ANSWERS)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    np.testing.assert_allclose(restored.predict_on_batch(x), probabilities, atol=1e-6)
    assert restored.get_config()["num_answers"] == ANSWERS
    assert {key: restored.get_config()[key] for key in settings} == {
        key: list(value) if isinstance(value, tuple) else value for key, value in settings.items()}


def test_first_word_resets_marks_where_padding_ends():
    ids = np.array([[0, 0, 5, 6], [3, 4, 5, 6], [0, 0, 0, 7]])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(first_word_resets(ids)),
                                  [[0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 0, 1]])


def test_question_encoding_ignores_left_padding():
    """The reset at the first word makes the final [c, h] independent of the padding length."""
    keras.utils.set_random_seed(2)
    encoder = QuestionLSTMEncoder(VOCAB, embed_dim=5, units=4, layers=2, dropout=0.0)
    short = np.array([[0, 3, 7, 2]], np.int32)
    long = np.array([[0, 0, 0, 0, 3, 7, 2]], np.int32)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(encoder(short)),
                               keras.ops.convert_to_numpy(encoder(long)), atol=1e-6)
    assert encoder(short).shape == (1, 2 * 2 * 4)
    # A different word order does change it (the encoder is not a bag of words).
    assert not np.allclose(keras.ops.convert_to_numpy(encoder(np.array([[0, 2, 7, 3]], np.int32))),
                           keras.ops.convert_to_numpy(encoder(short)))


@pytest.mark.parametrize("name, overrides", [("vqa_cnn_lstm", dict(fusion="concat", conv_norm="batch")),
                                             ("vqa_rn", dict(conv_norm="batch")),
                                             ("vqa_attention_rn", dict(conv_norm="batch"))])
def test_pixel_model_shares_one_image_between_questions(name, overrides):
    """``image_index`` (one CNN pass per image) gives the same answers as repeating the image."""
    keras.utils.set_random_seed(3)
    model = get_model(name, vocab_size=VOCAB, num_answers=ANSWERS, **dict(TINY[name], **overrides))
    x, _ = tiny_batch(pixels=True)
    index = np.arange(BATCH) % 3
    grouped = model.predict_on_batch({"question": x["question"], "image": x["image"][:3], "image_index": index})
    repeated = model.predict_on_batch({"question": x["question"], "image": x["image"][index]})
    np.testing.assert_allclose(grouped, repeated, atol=1e-6)


def test_bag_of_words_sums_the_vectors_of_the_real_words():
    embedding = keras.layers.Embedding(VOCAB, 3)
    ids = np.array([[0, 0, 4, 5, 4], [0, 0, 0, 0, 7]], np.int32)
    table = keras.ops.convert_to_numpy(embedding(np.arange(VOCAB)))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(bag_of_words(embedding, ids)),
                               [2 * table[4] + table[5], table[7]], rtol=1e-6)


def test_word_vectors_initialise_the_embedding(tmp_path):
    vectors = tmp_path / "glove.txt"
    vectors.write_text("red 1 2 3\nblue 4 5 6\n")
    words = ["<pad>", "<unk>", "red", "blue"]
    model = get_model("vqa_mlp", vocab_size=4, num_answers=2, mlp_units=(4,), word_vectors=str(vectors),
                      vocabulary=words)
    model.predict_on_batch({"question": np.array([[2, 3]]), "image": np.zeros((1, 2), np.float32)})
    table = keras.ops.convert_to_numpy(model.embedding.embeddings)
    np.testing.assert_allclose(table[2:], [[1, 2, 3], [4, 5, 6]])
    np.testing.assert_allclose(table[0], 0.0)
    assert model.get_config()["embed_dim"] == 3 and "word_vectors" not in model.get_config()


@pytest.mark.parametrize("name, argument, value, choices", [
    ("vqa_attention_rn", "question_encoder", "gru", "('lstm', 'bag_of_words')"),
    ("vqa_cnn_lstm", "fusion", "sum", "('product', 'concat', 'film')"),
    ("vqa_cnn_lstm", "backbone", "resnet", "('small', 'vgg16')"),
    ("vqa_lstm", "fusion", "film", "('product', 'concat')"),
])
def test_unknown_choices_name_the_argument_and_the_choices(name, argument, value, choices):
    with pytest.raises(FramepredError, match=re.escape(f"{argument} must be one of {choices}, got {value!r}")):
        get_model(name, **{argument: value})


def tiny_pixel_model(name, seed):
    """The TINY ``name`` model, built on a pixel batch, and that batch."""
    keras.utils.set_random_seed(seed)
    model = get_model(name, vocab_size=VOCAB, num_answers=ANSWERS, **TINY[name])
    x, _ = tiny_batch(pixels=True)
    model.predict_on_batch(x)  # builds every layer
    return model, x


def tiny_rn(seed=4):
    return tiny_pixel_model("vqa_rn", seed)


def test_cell_objects_tag_each_cell_with_its_position():
    maps = np.arange(2 * 2 * 3 * 1, dtype=np.float32).reshape(2, 2, 3, 1)  # 2 images, 2 rows, 3 columns
    objects = keras.ops.convert_to_numpy(cell_objects(keras.ops.convert_to_tensor(maps)))
    assert objects.shape == (2, 6, 3)
    np.testing.assert_array_equal(objects[:, :, 0], maps.reshape(2, 6))  # row-major cells
    np.testing.assert_allclose(objects[0, :, 1:], [[-1, -1], [0, -1], [1, -1], [-1, 1], [0, 1], [1, 1]])


def test_relation_network_ignores_the_order_of_objects():
    """Eq. 1 sums over all pairs: any permutation of the objects gives the same relations."""
    model, _ = tiny_rn()
    rng = np.random.default_rng(5)
    objects = rng.normal(size=(3, 7, 6)).astype(np.float32)
    question = rng.normal(size=(3, 16)).astype(np.float32)
    relations = keras.ops.convert_to_numpy(model.relate(objects, question))
    for _ in range(3):
        shuffled = objects[:, rng.permutation(7)]
        np.testing.assert_allclose(keras.ops.convert_to_numpy(model.relate(shuffled, question)), relations,
                                   rtol=1e-5, atol=1e-6)
    # The objects themselves do matter (not a trivially constant output).
    changed = objects.copy()
    changed[:, 0] += 1.0
    assert not np.allclose(keras.ops.convert_to_numpy(model.relate(changed, question)), relations, atol=1e-4)


def test_relation_network_equals_g_on_every_concatenated_pair():
    """The split first layer of g equals g applied to [o_i; o_j; q] for every ordered pair (NumPy)."""
    model, _ = tiny_rn()
    rng = np.random.default_rng(6)
    objects = rng.normal(size=(2, 4, 6)).astype(np.float32)
    question = rng.normal(size=(2, 16)).astype(np.float32)
    got = keras.ops.convert_to_numpy(model.relate(objects, question))
    weights = lambda layer: [keras.ops.convert_to_numpy(w) for w in layer.weights]  # noqa: E731
    (w_i,), (w_j,), (w_q, b_q) = weights(model.g_first_object), weights(model.g_second_object), weights(model.g_question)
    kernel = np.concatenate([w_i, w_j, w_q])  # the first layer of g on the concatenation
    rest = [weights(layer) for layer in model.g_rest]
    expected = np.zeros_like(got)
    for b in range(2):
        for i in range(4):
            for j in range(4):
                h = np.maximum(np.concatenate([objects[b, i], objects[b, j], question[b]]) @ kernel + b_q, 0)
                for w, bias in rest:
                    h = np.maximum(h @ w + bias, 0)
                expected[b] += h / 16  # the mean over the N² = 16 pairs
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_relation_network_refuses_feature_vectors():
    model, x = tiny_rn()
    with pytest.raises(ValueError, match=re.escape("vqa_rn needs images (B, H, W, 3)")):
        model({"question": x["question"], "image": np.zeros((BATCH, 10), np.float32)})


def tiny_attention_rn(seed=7):
    return tiny_pixel_model("vqa_attention_rn", seed)


def test_attention_rn_anchor_and_relations_match_numpy():
    """softmax(<relu(W_k o_i + b_k), W_q q + b_q>) weights the objects; g runs on [anchor; o_j; q]."""
    model, _ = tiny_attention_rn()
    rng = np.random.default_rng(8)
    objects = rng.normal(size=(2, 5, 6)).astype(np.float32)
    question = rng.normal(size=(2, 8)).astype(np.float32)
    attention, anchor, _ = model.attend(objects, question)
    relations = keras.ops.convert_to_numpy(model.relate(objects, anchor, question))
    weights = lambda layer: [keras.ops.convert_to_numpy(w) for w in layer.weights]  # noqa: E731
    (w_k, b_k), (w_q, b_q) = weights(model.keys), weights(model.query)
    scores = np.einsum("bnd,bd->bn", np.maximum(objects @ w_k + b_k, 0), question @ w_q + b_q)
    expected_attention = np.exp(scores - scores.max(1, keepdims=True))
    expected_attention /= expected_attention.sum(1, keepdims=True)
    expected_anchor = np.einsum("bn,bnd->bd", expected_attention, objects)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(attention), expected_attention, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(anchor), expected_anchor, rtol=1e-5, atol=1e-5)
    (w_o,), (w_aq, b_aq) = weights(model.g_object), weights(model.g_anchor)
    kernel = np.concatenate([w_aq[:6], w_o, w_aq[6:]])  # g's first layer on [anchor; o_j; q]
    rest = [weights(layer) for layer in model.g_rest]
    expected = np.zeros_like(relations)
    for b in range(2):
        for j in range(5):
            h = np.maximum(np.concatenate([expected_anchor[b], objects[b, j], question[b]]) @ kernel + b_aq, 0)
            for w, bias in rest:
                h = np.maximum(h @ w + bias, 0)
            expected[b] += h / 5
    np.testing.assert_allclose(relations, expected, rtol=1e-4, atol=1e-5)


def test_attention_rn_ignores_the_order_of_objects():
    model, x = tiny_attention_rn()
    rng = np.random.default_rng(9)
    objects = rng.normal(size=(3, 7, 6)).astype(np.float32)
    question = rng.normal(size=(3, 8)).astype(np.float32)

    def relations(objs):
        _, anchor, gathered = model.attend(objs, question)
        return keras.ops.convert_to_numpy(model.relate(gathered, anchor, question))

    reference = relations(objects)
    np.testing.assert_allclose(relations(objects[:, rng.permutation(7)]), reference, rtol=1e-5, atol=1e-6)
    changed = objects.copy()
    changed[:, 0] += 1.0
    assert not np.allclose(relations(changed), reference, atol=1e-4)
    with pytest.raises(ValueError, match=re.escape("vqa_attention_rn needs images (B, H, W, 3)")):
        model({"question": x["question"], "image": np.zeros((BATCH, 10), np.float32)})

"""VQA "deeper LSTM Q + norm I" (Antol et al., ICCV 2015) on precomputed image features.

Question: word embedding (tanh) -> 2-layer LSTM (the kit's fused LSTM) -> the last cell and
hidden states of both layers, ``[c1, h1, c2, h2]`` (2048-d) -> fully connected + tanh
-> 1024-d. Image: the L2-normalised CNN feature (4096-d, "norm I") -> fully connected + tanh
-> 1024-d. Fusion: element-wise product (``fusion="concat"`` concatenates instead, the seed's
choice) -> MLP (2 x 1000 tanh, dropout 0.5) -> softmax over the K answers.

Inputs: ``{"question": int (B, L) right-aligned word ids (0 = pad), "image": float (B, D)}``;
output: answer probabilities ``(B, K)``.
"""
import keras
from keras import ops

from framepred_tf.layers import LSTM
from framepred_tf.models import check_choice, register_model

FUSIONS = ("product", "concat")


def first_word_resets(question_ids):
    """``(B, L)`` float: 1 at each question's first real word, i.e. where padding ends.

    Questions are right-aligned, so the kit LSTM's reset ("episode ended before step t")
    placed there zeroes the state that the leading ``<pad>`` steps built up: the final state
    equals that of an LSTM run over the real words only.
    """
    real = ops.cast(ops.not_equal(question_ids, 0), "float32")
    before = ops.pad(real[:, :-1], [[0, 0], [1, 0]])
    return real * (1.0 - before)


@keras.saving.register_keras_serializable(package="framepred_tf")
class QuestionLSTMEncoder(keras.layers.Layer):
    """Embedding (dropout, tanh) -> stacked kit LSTMs -> concat of every layer's final ``[c, h]``.

    ``call(question (B, L) int)`` -> ``(B, layers * 2 * units)``. ``embeddings_initializer``
    may be a (vocab, embed_dim) array (pre-trained word vectors); it is not part of the
    config because the trained weights are saved with the model.
    """

    def __init__(self, vocab_size, embed_dim=200, units=512, layers=2, dropout=0.5,
                 embeddings_initializer="uniform", **kwargs):
        super().__init__(**kwargs)
        self.vocab_size, self.embed_dim, self.units = int(vocab_size), int(embed_dim), int(units)
        self.num_layers, self.dropout_rate = int(layers), float(dropout)
        if not isinstance(embeddings_initializer, str):
            embeddings_initializer = keras.initializers.Constant(embeddings_initializer)
        self.embedding = keras.layers.Embedding(self.vocab_size, self.embed_dim,
                                                embeddings_initializer=embeddings_initializer, name="embedding")
        self.lstms = [LSTM(self.units, return_sequences=True, return_state=True, name=f"lstm_{i + 1}")
                      for i in range(self.num_layers)]
        self.dropout = keras.layers.Dropout(self.dropout_rate)

    def call(self, question, training=None):
        resets = first_word_resets(question)
        x = ops.tanh(self.dropout(self.embedding(question), training=training))
        states = []
        for index, lstm in enumerate(self.lstms):
            if index:
                x = self.dropout(x, training=training)
            x, state = lstm(x, mask=resets)
            states.append(state)  # packed [c, h] after the last word
        return ops.concatenate(states, axis=-1)

    def compute_output_shape(self, question_shape):
        return (question_shape[0], self.num_layers * 2 * self.units)

    def get_config(self):
        config = super().get_config()
        config.update(vocab_size=self.vocab_size, embed_dim=self.embed_dim, units=self.units,
                      layers=self.num_layers, dropout=self.dropout_rate)
        return config


def dense_stack(units, activation, dropout, prefix):
    """``[Dense, Dropout] * len(units)`` as a list of layers (applied by :func:`apply_stack`)."""
    layers = []
    for index, width in enumerate(units):
        layers.append(keras.layers.Dense(int(width), activation=activation, name=f"{prefix}_{index + 1}"))
        layers.append(keras.layers.Dropout(dropout))
    return layers


def apply_stack(layers, x, training=None):
    for layer in layers:
        x = layer(x, training=training) if isinstance(layer, keras.layers.Dropout) else layer(x)
    return x


def fuse(question_vector, image_vector, fusion):
    """Element-wise product (Antol et al.) or concatenation (the seed) of two (B, C) vectors."""
    if fusion == "product":
        return question_vector * image_vector
    return ops.concatenate([question_vector, image_vector], axis=-1)


def word_vector_matrix(word_vectors, vocabulary, vocab_size):
    """Pre-trained embedding matrix for ``vocabulary`` from a GloVe text file, or None."""
    if word_vectors is None:
        return None
    from framepred_tf.utils.word_vectors import load_word_vectors

    if vocabulary is None or len(vocabulary) != vocab_size:
        raise ValueError("word_vectors needs vocabulary= (the question words in id order, vocab_size long)")
    return load_word_vectors(word_vectors, vocabulary)


@register_model("vqa_lstm")
@keras.saving.register_keras_serializable(package="framepred_tf")
class VQALSTM(keras.Model):
    """Antol et al.'s deeper LSTM Q + norm I; see the module docstring for shapes.

    Defaults are the paper's: embedding 200 (the released code), 2 x 512 LSTM, 1024 common
    space, product fusion, 2 x 1000 tanh MLP, dropout 0.5, K = 1000. ``word_vectors``: optional
    GloVe-format text file (with ``vocabulary``) initialising the embedding.
    """

    def __init__(self, vocab_size=15000, num_answers=1000, embed_dim=200, lstm_units=512, lstm_layers=2,
                 common_dim=1024, fusion="product", mlp_units=(1000, 1000), dropout=0.5,
                 word_vectors=None, vocabulary=None, **kwargs):
        super().__init__(**kwargs)
        matrix = word_vector_matrix(word_vectors, vocabulary, vocab_size)
        self.vocab_size, self.num_answers = int(vocab_size), int(num_answers)
        self.embed_dim = int(matrix.shape[1]) if matrix is not None else int(embed_dim)
        self.lstm_units, self.lstm_layers, self.common_dim = int(lstm_units), int(lstm_layers), int(common_dim)
        self.fusion, self.mlp_units, self.dropout_rate = check_choice("fusion", fusion, FUSIONS), tuple(mlp_units), float(dropout)
        self.encoder = QuestionLSTMEncoder(
            self.vocab_size, self.embed_dim, self.lstm_units, self.lstm_layers, self.dropout_rate,
            embeddings_initializer=matrix if matrix is not None else "uniform", name="question_encoder")
        self.question_fc = keras.layers.Dense(self.common_dim, activation="tanh", name="question_fc")
        self.image_fc = keras.layers.Dense(self.common_dim, activation="tanh", name="image_fc")
        self.fusion_dropout = keras.layers.Dropout(self.dropout_rate)
        self.mlp = dense_stack(self.mlp_units, "tanh", self.dropout_rate, "mlp")
        self.classifier = keras.layers.Dense(self.num_answers, activation="softmax", name="answer")

    def call(self, inputs, training=None):
        question = self.question_fc(self.encoder(inputs["question"], training=training))
        image = self.image_fc(ops.cast(inputs["image"], self.compute_dtype))
        fused = self.fusion_dropout(fuse(question, image, self.fusion), training=training)
        return self.classifier(apply_stack(self.mlp, fused, training))

    def get_config(self):
        config = super().get_config()
        config.update(vocab_size=self.vocab_size, num_answers=self.num_answers, embed_dim=self.embed_dim,
                      lstm_units=self.lstm_units, lstm_layers=self.lstm_layers, common_dim=self.common_dim,
                      fusion=self.fusion, mlp_units=list(self.mlp_units), dropout=self.dropout_rate)
        return config

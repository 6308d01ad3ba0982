"""VQA Relation Network whose first object is picked by question attention, trained on pixels.

Santoro et al.'s RN (:mod:`vqa_rn`) sums ``g_θ(o_i, o_j, q)`` over all N² object pairs and
must learn, inside ``g_θ``, which ``o_i`` the question is about. Sort-of-CLEVR's questions
are all about one object named by its colour (the *anchor*), so this model picks that
object first and relates it to the N objects only:

    α = softmax_i(⟨K(o_i), Q(q)⟩)            dot-product attention over the cells
    a = Σ_i α_i o_i                           the anchor: its features and its (x, y)
    RN(O, q) = f_φ([ (1/N) Σ_j g_θ(a, o_j, q) ;  a ;  q ])

The attention is Luong et al.'s (2015) dot-product score (keys from objects, query from
the question); the sum over ``j`` is eq. 1 of Santoro et al. with ``o_i`` fixed to the anchor.
It costs N instead of N² evaluations of ``g_θ``. Why (docs/RESULTS.md, "VQA: what holds the
quick preset back"): heads that average over cells, including the full RN, stayed near
chance on "is the red object on the left" for the whole CPU budget, while this head, given
the anchor's coordinates directly, learned it within minutes.

Objects are :func:`vqa_rn.cell_objects`: the (h·w) cells of the small Santoro CNN's final map,
each tagged with its (x, y) in [-1, 1]. Question ``q``: the kit's LSTM question encoder, or
(``question_encoder="bag_of_words"``) the sum of its word vectors. Santoro et al. gave their
Sort-of-CLEVR RN each question as a fixed 11-bit code (colour, question type), not a
sentence; the bag of words of a template question carries the same information.

Inputs: ``{"question": int (B, L) right-aligned ids, "image": float (U, H, W, 3) in [0, 1]}``
plus optional ``"image_index": int (B,)`` (question b uses image ``image_index[b]``; default
U = B); output ``(B, K)`` answer probabilities. Precomputed feature vectors are refused.
"""
import keras
from keras import ops

from framepred_tf.models import ModelArgumentError, check_choice, register_model
from framepred_tf.models.vqa_cnn_lstm import CONV_NORMS, small_cnn
from framepred_tf.models.vqa_lstm import QuestionLSTMEncoder, word_vector_matrix
from framepred_tf.models.vqa_mlp import bag_of_words
from framepred_tf.models.vqa_rn import answer_probabilities, image_objects, relation_layers

QUESTION_ENCODERS = ("lstm", "bag_of_words")


@register_model("vqa_attention_rn")
@keras.saving.register_keras_serializable(package="framepred_tf")
class VQAAttentionRelationNetwork(keras.Model):
    """CNN objects + LSTM question -> attended anchor -> RN over (anchor, object) pairs -> softmax.

    Defaults: the small Santoro CNN, a 1 x 64 LSTM, 64-d attention keys and query, ``g_θ``
    3 x 128 and ``f_φ`` 2 x 256 (ReLU) with dropout on the last layer of ``f_φ``.
    """

    def __init__(self, vocab_size=15000, num_answers=1000, conv_filters=(24, 24, 24, 24), conv_norm="batch",
                 bn_momentum=0.99, question_encoder="lstm", embed_dim=32, lstm_units=64, lstm_layers=1, question_dim=64, attention_dim=64,
                 g_units=(128, 128, 128), f_units=(256, 256), dropout=0.1, question_dropout=0.0,
                 word_vectors=None, vocabulary=None, **kwargs):
        super().__init__(**kwargs)
        check_choice("conv_norm", conv_norm, CONV_NORMS)
        self.question_encoder = check_choice("question_encoder", question_encoder, QUESTION_ENCODERS)
        if not g_units or not f_units:
            raise ModelArgumentError(f"g_units and f_units need at least one layer each, got {g_units!r} and {f_units!r}")
        matrix = word_vector_matrix(word_vectors, vocabulary, vocab_size)
        self.vocab_size, self.num_answers = int(vocab_size), int(num_answers)
        self.conv_filters, self.conv_norm = tuple(int(f) for f in conv_filters), conv_norm
        self.bn_momentum = float(bn_momentum)
        self.embed_dim = int(matrix.shape[1]) if matrix is not None else int(embed_dim)
        self.lstm_units, self.lstm_layers = int(lstm_units), int(lstm_layers)
        self.question_dim, self.attention_dim = int(question_dim), int(attention_dim)
        self.g_units, self.f_units = tuple(int(u) for u in g_units), tuple(int(u) for u in f_units)
        self.dropout_rate, self.question_dropout = float(dropout), float(question_dropout)
        self.cnn = small_cnn(self.conv_filters, conv_norm, self.bn_momentum)
        initializer = matrix if matrix is not None else "uniform"
        if question_encoder == "lstm":
            self.encoder = QuestionLSTMEncoder(self.vocab_size, self.embed_dim, self.lstm_units, self.lstm_layers,
                                               self.question_dropout, embeddings_initializer=initializer,
                                               name="question_encoder")
        else:
            # N(0, 1): the scale of the one-hot codes the summed vectors stand in for. Keras's
            # default U(-0.05, 0.05) made the colour words' vectors too alike to steer attention.
            initializer = keras.initializers.Constant(matrix) if matrix is not None else \
                keras.initializers.RandomNormal(stddev=1.0)
            self.word_vectors = keras.layers.Embedding(self.vocab_size, self.embed_dim,
                                                       embeddings_initializer=initializer, name="word_vectors")
        self.question_fc = keras.layers.Dense(self.question_dim, activation="relu", name="question_fc")
        self.keys = keras.layers.Dense(self.attention_dim, activation="relu", name="attention_keys")
        self.query = keras.layers.Dense(self.attention_dim, name="attention_query")
        # g_θ's first layer split by input, as in vqa_rn: W [a; o_j; q] = W_o o_j + W_aq [a; q].
        self.g_object = keras.layers.Dense(self.g_units[0], use_bias=False, name="g_1_object")
        self.g_anchor = keras.layers.Dense(self.g_units[0], name="g_1_anchor_question")
        self.g_rest, self.f_hidden, self.f_dropout, self.classifier = relation_layers(
            self.g_units, self.f_units, self.dropout_rate, self.num_answers)

    def objects(self, images, training=None):
        """(U, H, W, 3) pixels in [0, 1] -> (U, N, C + 2) cell objects."""
        return image_objects(self, images, training)

    def encode_question(self, question, training=None):
        """(B, L) right-aligned word ids -> the LSTM's final states or the summed word vectors."""
        if self.question_encoder == "lstm":
            return self.encoder(question, training=training)
        return bag_of_words(self.word_vectors, question)

    def attend(self, objects, question, image_index=None):
        """``(attention (B, N), anchor (B, C + 2), objects (B, N, C + 2))`` for question vectors (B, Q).

        Keys are computed once per image (U), then gathered per question by ``image_index``.
        """
        keys = self.keys(objects)
        if image_index is not None:
            index = ops.cast(image_index, "int32")
            objects, keys = ops.take(objects, index, axis=0), ops.take(keys, index, axis=0)
        scores = ops.sum(keys * self.query(question)[:, None, :], axis=-1)
        attention = ops.softmax(ops.cast(scores, "float32"), axis=-1)
        anchor = ops.sum(ops.cast(attention[..., None], objects.dtype) * objects, axis=1)
        return attention, anchor, objects

    def relate(self, objects, anchor, question):
        """(1/N) Σ_j g_θ(a, o_j, q): objects (B, N, D), anchor (B, D), question (B, Q) -> (B, g_units[-1])."""
        pairs = ops.relu(self.g_object(objects) + self.g_anchor(ops.concatenate([anchor, question], -1))[:, None, :])
        for layer in self.g_rest:
            pairs = layer(pairs)
        return ops.mean(ops.cast(pairs, "float32"), axis=1)

    def call(self, inputs, training=None):
        objects = self.objects(inputs["image"], training)
        question = self.question_fc(self.encode_question(inputs["question"], training))
        _, anchor, objects = self.attend(objects, question, inputs.get("image_index"))
        hidden = ops.concatenate([ops.cast(self.relate(objects, anchor, question), self.compute_dtype),
                                  anchor, question], axis=-1)
        return answer_probabilities(self, hidden, training)

    def get_config(self):
        config = super().get_config()
        config.update(vocab_size=self.vocab_size, num_answers=self.num_answers, conv_filters=list(self.conv_filters),
                      conv_norm=self.conv_norm, bn_momentum=self.bn_momentum, question_encoder=self.question_encoder,
                      embed_dim=self.embed_dim, lstm_units=self.lstm_units, lstm_layers=self.lstm_layers, question_dim=self.question_dim,
                      attention_dim=self.attention_dim, g_units=list(self.g_units), f_units=list(self.f_units),
                      dropout=self.dropout_rate, question_dropout=self.question_dropout)
        return config

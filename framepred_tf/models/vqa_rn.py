"""VQA Relation Network (Santoro et al. 2017, "A simple neural network module for relational
reasoning"), trained end to end on pixels.

    RN(O, q) = f_φ( Σ_{i,j} g_θ(o_i, o_j, q) )        (Santoro et al. eq. 1, with the question)

Objects ``O``: the cells of the CNN's final feature map, each tagged with its (x, y) position
in [-1, 1]: a (B, h, w, C) map gives N = h·w objects of C + 2 numbers (Santoro et al. §4: "each
of the d² k-dimensional cells ... tagged with an arbitrary coordinate"). The CNN is the small
Santoro CNN of :mod:`vqa_cnn_lstm` (75x75 pixels -> 5x5 cells, N = 25). Question ``q``: the
final LSTM states of the kit's question encoder (:class:`QuestionLSTMEncoder`).

``g_θ``: an MLP (ReLU) applied to every ordered pair (i, j) of the N objects, i = j included
(the sum of eq. 1 runs over all i, j), with ``q`` appended to each pair; its outputs are
summed over the N² pairs and divided by N² (see :meth:`VQARelationNetwork.relate`). ``f_φ``: an MLP (ReLU, dropout) on the sum, then a softmax over K.

The first layer of ``g_θ`` is linear in the concatenation ``[o_i; o_j; q]``, so
``W [o_i; o_j; q] + b = W_i o_i + W_j o_j + (W_q q + b)``: the two object terms are computed
once per object (per image) and broadcast over the N² pairs. This is the same function as the
first layer applied to the concatenated pairs, at N instead of N² cost for that layer.

Inputs: ``{"question": int (B, L) right-aligned ids, "image": float (B, H, W, 3) in [0, 1]}``,
optionally ``"image_index": int (B,)`` with ``"image"`` holding U unique images (the CNN and
the object terms then run once per image); output ``(B, K)`` answer probabilities.
Precomputed image feature vectors ``(B, D)`` have no cells to relate and are refused.
"""
import keras
from keras import ops

from framepred_tf.models import ModelArgumentError, check_choice, register_model
from framepred_tf.models.vqa_cnn_lstm import CONV_NORMS, small_cnn
from framepred_tf.models.vqa_lstm import QuestionLSTMEncoder, word_vector_matrix


def cell_objects(maps):
    """(B, h, w, C) feature map -> (B, h·w, C + 2) objects: each cell's features, then its x, y.

    Coordinates run from -1 (left / top) to 1 (right / bottom) in row-major cell order.
    """
    height, width, channels = maps.shape[1], maps.shape[2], maps.shape[3]
    ys, xs = ops.meshgrid(ops.linspace(-1.0, 1.0, height), ops.linspace(-1.0, 1.0, width), indexing="ij")
    grid = ops.cast(ops.stack([xs, ys], axis=-1), maps.dtype)  # (h, w, 2): x, y of each cell
    grid = grid[None] + ops.zeros_like(maps[..., :2])  # one copy per image
    return ops.reshape(ops.concatenate([maps, grid], axis=-1), (-1, height * width, channels + 2))


def image_objects(model, images, training=None):
    """(U, H, W, 3) pixels in [0, 1] -> (U, N, C + 2) objects of ``model.cnn``'s final map.

    A one-line error naming ``model`` for anything but images (feature vectors have no cells).
    """
    if len(images.shape) != 4:
        raise ValueError(f"{model.registry_name} needs images (B, H, W, 3) whose CNN feature-map cells are its "
                         f"objects, got an input of shape {tuple(images.shape)} (precomputed feature vectors have "
                         f"no cells)")
    return cell_objects(model.cnn(ops.cast(images, model.compute_dtype), training=training))


def relation_layers(g_units, f_units, dropout, num_answers):
    """``(g_rest, f_hidden, f_dropout, classifier)``: the layers of an RN after g_θ's first layer.

    g_θ's other ReLU layers, f_φ's ReLU layers, its dropout and the softmax read-out over the
    ``num_answers`` answers, in float32 under a mixed-precision policy for a stable cross-entropy.
    Each RN model splits g_θ's first layer by its own inputs and builds the rest with this.
    """
    g_rest = [keras.layers.Dense(units, activation="relu", name=f"g_{index + 2}")
              for index, units in enumerate(g_units[1:])]
    f_hidden = [keras.layers.Dense(units, activation="relu", name=f"f_{index + 1}")
                for index, units in enumerate(f_units)]
    classifier = keras.layers.Dense(num_answers, activation="softmax", dtype="float32", name="answer")
    return g_rest, f_hidden, keras.layers.Dropout(dropout), classifier


def answer_probabilities(model, hidden, training=None):
    """f_φ: ``model``'s f layers and read-out on (B, D) -> (B, K) answer probabilities."""
    for layer in model.f_hidden:
        hidden = layer(hidden)
    return model.classifier(model.f_dropout(hidden, training=training))


@register_model("vqa_rn")
@keras.saving.register_keras_serializable(package="framepred_tf")
class VQARelationNetwork(keras.Model):
    """CNN objects + LSTM question -> Relation Network (eq. 1) -> softmax over K answers.

    Defaults: the small Santoro CNN (4 x 24 kernels, batch norm), a 1 x 128 LSTM (Santoro et
    al.'s question LSTM width), ``g_θ`` 4 x 256 and ``f_φ`` 2 x 256 with dropout 0.5 on the
    last layer of ``f_φ``. Widths are overridable for CPU presets and tests.
    """

    def __init__(self, vocab_size=15000, num_answers=1000, conv_filters=(24, 24, 24, 24), conv_norm="batch",
                 bn_momentum=0.99, embed_dim=32, lstm_units=128, lstm_layers=1, g_units=(256, 256, 256, 256),
                 f_units=(256, 256), dropout=0.5, question_dropout=0.0, word_vectors=None, vocabulary=None,
                 **kwargs):
        super().__init__(**kwargs)
        check_choice("conv_norm", conv_norm, CONV_NORMS)
        if not g_units or not f_units:
            raise ModelArgumentError(f"g_units and f_units need at least one layer each, got {g_units!r} and {f_units!r}")
        matrix = word_vector_matrix(word_vectors, vocabulary, vocab_size)
        self.vocab_size, self.num_answers = int(vocab_size), int(num_answers)
        self.conv_filters, self.conv_norm = tuple(int(f) for f in conv_filters), conv_norm
        self.bn_momentum = float(bn_momentum)
        self.embed_dim = int(matrix.shape[1]) if matrix is not None else int(embed_dim)
        self.lstm_units, self.lstm_layers = int(lstm_units), int(lstm_layers)
        self.g_units, self.f_units = tuple(int(u) for u in g_units), tuple(int(u) for u in f_units)
        self.dropout_rate, self.question_dropout = float(dropout), float(question_dropout)
        self.cnn = small_cnn(self.conv_filters, conv_norm, self.bn_momentum)
        self.encoder = QuestionLSTMEncoder(
            self.vocab_size, self.embed_dim, self.lstm_units, self.lstm_layers, self.question_dropout,
            embeddings_initializer=matrix if matrix is not None else "uniform", name="question_encoder")
        first = self.g_units[0]
        # g_θ's first layer, split by the part of [o_i; o_j; q] it reads (one bias, on q's part).
        self.g_first_object = keras.layers.Dense(first, use_bias=False, name="g_1_object_i")
        self.g_second_object = keras.layers.Dense(first, use_bias=False, name="g_1_object_j")
        self.g_question = keras.layers.Dense(first, name="g_1_question")
        self.g_rest, self.f_hidden, self.f_dropout, self.classifier = relation_layers(
            self.g_units, self.f_units, self.dropout_rate, self.num_answers)

    def objects(self, images, training=None):
        """(U, H, W, 3) pixels in [0, 1] -> (U, N, C + 2) objects (see :func:`cell_objects`)."""
        return image_objects(self, images, training)

    def relate(self, objects, question, image_index=None):
        """Σ_{i,j} g_θ(o_i, o_j, q) / N²: objects (U, N, D), question vectors (B, Q) -> (B, g_units[-1]).

        ``image_index (B,)`` picks question b's objects (default: objects and questions pair up, U = B).
        """
        first_object, second_object = self.g_first_object(objects), self.g_second_object(objects)
        if image_index is not None:
            index = ops.cast(image_index, "int32")
            first_object, second_object = ops.take(first_object, index, axis=0), ops.take(second_object, index, axis=0)
        question_term = self.g_question(question)
        # (B, N, N, G): pair (i, j) holds W_i o_i + W_j o_j + W_q q + b.
        pairs = ops.relu(first_object[:, :, None, :] + second_object[:, None, :, :]
                         + question_term[:, None, None, :])
        for layer in self.g_rest:
            pairs = layer(pairs)
        # The mean is eq. 1's sum divided by the constant N², which f_φ's first layer absorbs;
        # it keeps f_φ's inputs at the scale of g_θ's outputs (the plain sum of 625 pairs
        # saturated the softmax at initialisation). float32: N² terms in bfloat16 lose precision.
        return ops.mean(ops.cast(pairs, "float32"), axis=(1, 2))

    def call(self, inputs, training=None):
        objects = self.objects(inputs["image"], training)
        question = self.encoder(inputs["question"], training=training)
        relations = self.relate(objects, question, inputs.get("image_index"))
        return answer_probabilities(self, ops.cast(relations, self.compute_dtype), training)

    def get_config(self):
        config = super().get_config()
        config.update(vocab_size=self.vocab_size, num_answers=self.num_answers, conv_filters=list(self.conv_filters),
                      conv_norm=self.conv_norm, bn_momentum=self.bn_momentum, embed_dim=self.embed_dim,
                      lstm_units=self.lstm_units, lstm_layers=self.lstm_layers, g_units=list(self.g_units),
                      f_units=list(self.f_units), dropout=self.dropout_rate, question_dropout=self.question_dropout)
        return config

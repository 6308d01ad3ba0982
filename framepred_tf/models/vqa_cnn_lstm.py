"""VQA CNN + LSTM trained end to end on pixels (the seed's model 1; Santoro et al.'s CNN+MLP
baseline when the question encoder is an LSTM).

Image: a CNN on raw pixels -> flatten/pool -> fully connected + tanh. ``backbone="small"``
is Santoro et al.'s (2017) Sort-of-CLEVR CNN: 4 convolutions, 24 kernels 3x3 stride 2, batch
normalisation (``bn_momentum``), ReLU. ``conv_norm="instance"``/``"group"`` (each image
normalised on its own) or ``"none"`` need no moving statistics but learned far slower on
Sort-of-CLEVR; ``vqa train`` instead re-estimates the batch-norm statistics before each
validation. ``backbone="vgg16"`` is the seed's VGG16 convolutional part (average pooled;
``backbone_weights`` a weights file or "imagenet", otherwise random).
Question: the deeper-LSTM encoder of :mod:`vqa_lstm` -> fully connected + tanh.
Fusion: concatenation (the seed), element-wise ``"product"``, or ``"film"`` (Perez et al.
2018): the question predicts a per-channel scale and shift of the CNN's last feature map
before it is flattened, so it can pick the channels of the colour it asks about while the
map keeps where things are; then -> MLP -> softmax over K.

Inputs: ``{"question": int (B, L) right-aligned ids, "image": float (B, H, W, 3) in [0, 1]}``;
output ``(B, K)``. Optionally ``"image_index": int (B,)`` with ``"image"`` holding U unique
images ``(U, H, W, 3)``: question b then uses image ``image_index[b]``. The CNN is the
costly part, so batches holding all questions of a few images (Sort-of-CLEVR has 20 per
image) run it once per image instead of once per question.
"""
import keras
from keras import ops

from framepred_tf.models import check_choice, register_model
from framepred_tf.models.vqa_lstm import QuestionLSTMEncoder, apply_stack, dense_stack, fuse, word_vector_matrix

BACKBONES = ("small", "vgg16")
CONV_NORMS = ("batch", "instance", "group", "none")
FUSIONS = ("product", "concat", "film")
# ImageNet BGR channel means of the Caffe VGG16 (keras.applications.vgg16.preprocess_input).
_VGG_BGR_MEAN = (103.939, 116.779, 123.68)


def small_cnn(filters, norm="batch", bn_momentum=0.99, name="cnn"):
    """Santoro et al.'s image CNN: [Conv 3x3 stride 2 -> norm -> ReLU] per entry of ``filters``.

    (B, H, W, 3) -> (B, H / 2^n, W / 2^n, filters[-1]) feature map (75x75 -> 5x5 for n = 4).
    ``norm``: "batch" (Santoro et al.; moving averages with ``bn_momentum``), "instance" /
    "group" (statistics of each image per channel / over all channels, so training and
    inference compute the same thing) or "none".
    """
    layers = []
    for index, width in enumerate(filters):
        layers.append(keras.layers.Conv2D(int(width), 3, strides=2, padding="same", name=f"{name}_conv{index + 1}"))
        if norm == "batch":
            layers.append(keras.layers.BatchNormalization(momentum=bn_momentum, name=f"{name}_bn{index + 1}"))
        elif norm in ("group", "instance"):
            # groups=1: one statistic per image; groups=-1: one per image and channel.
            groups = 1 if norm == "group" else -1
            layers.append(keras.layers.GroupNormalization(groups=groups, name=f"{name}_{norm}{index + 1}"))
        layers.append(keras.layers.ReLU())
    return keras.Sequential(layers, name=name)


def vgg16_backbone(weights=None):
    """VGG16 convolutions with global average pooling, (B, H, W, 3) Caffe-preprocessed -> (B, 512)."""
    return keras.applications.VGG16(include_top=False, weights=weights, pooling="avg")


def vgg_preprocess(images):
    """[0, 1] RGB -> the Caffe VGG input (0..255 BGR minus the ImageNet channel means)."""
    bgr = ops.flip(images * 255.0, axis=-1)
    return bgr - ops.convert_to_tensor(_VGG_BGR_MEAN, dtype=bgr.dtype)


@register_model("vqa_cnn_lstm")
@keras.saving.register_keras_serializable(package="framepred_tf")
class VQACNNLSTM(keras.Model):
    """End-to-end CNN on pixels + LSTM question encoder -> fusion -> MLP -> softmax.

    Defaults: the small Santoro CNN, 2 x 128 LSTM, 256-d common space, concat fusion,
    2 x 256 ReLU MLP. Widths are overridable for tiny test configurations.
    """

    def __init__(self, vocab_size=15000, num_answers=1000, backbone="small", conv_filters=(24, 24, 24, 24),
                 conv_norm="batch", bn_momentum=0.99, embed_dim=32, lstm_units=128, lstm_layers=2, common_dim=256, fusion="concat",
                 mlp_units=(256, 256), mlp_activation="relu", dropout=0.5, question_dropout=0.0,
                 backbone_weights=None, word_vectors=None, vocabulary=None, **kwargs):
        super().__init__(**kwargs)
        check_choice("backbone", backbone, BACKBONES)
        check_choice("fusion", fusion, FUSIONS)
        check_choice("conv_norm", conv_norm, CONV_NORMS)
        matrix = word_vector_matrix(word_vectors, vocabulary, vocab_size)
        self.vocab_size, self.num_answers, self.backbone = int(vocab_size), int(num_answers), backbone
        self.conv_filters, self.conv_norm = tuple(int(f) for f in conv_filters), conv_norm
        self.bn_momentum = float(bn_momentum)
        self.embed_dim = int(matrix.shape[1]) if matrix is not None else int(embed_dim)
        self.lstm_units, self.lstm_layers, self.common_dim = int(lstm_units), int(lstm_layers), int(common_dim)
        self.fusion, self.mlp_units, self.mlp_activation = fusion, tuple(mlp_units), mlp_activation
        self.dropout_rate, self.question_dropout = float(dropout), float(question_dropout)
        small = backbone == "small"
        self.cnn = small_cnn(self.conv_filters, conv_norm, self.bn_momentum) if small else vgg16_backbone(
            backbone_weights)
        map_channels = self.conv_filters[-1] if backbone == "small" else 512
        self.encoder = QuestionLSTMEncoder(
            self.vocab_size, self.embed_dim, self.lstm_units, self.lstm_layers, self.question_dropout,
            embeddings_initializer=matrix if matrix is not None else "uniform", name="question_encoder")
        self.question_fc = keras.layers.Dense(self.common_dim, activation="tanh", name="question_fc")
        self.film = keras.layers.Dense(2 * map_channels, name="film") if fusion == "film" else None
        self.flatten = keras.layers.Flatten()
        self.image_fc = keras.layers.Dense(self.common_dim, activation="tanh", name="image_fc")
        self.mlp = dense_stack(self.mlp_units, mlp_activation, self.dropout_rate, "mlp")
        self.classifier = keras.layers.Dense(self.num_answers, activation="softmax", name="answer")

    def feature_map(self, images, training=None):
        """(U, H, W, 3) pixels in [0, 1] -> (U, h, w, C) CNN features (VGG16: pooled, 1x1)."""
        images = ops.cast(images, self.compute_dtype)
        if self.backbone == "small":
            return self.cnn(images, training=training)
        pooled = self.cnn(vgg_preprocess(images), training=training)
        return pooled[:, None, None, :]

    def modulate(self, maps, question):
        """FiLM: ``relu((1 + gamma(q)) * maps + beta(q))`` per channel; (B, h, w, C) -> same."""
        gamma, beta = ops.split(self.film(question), 2, axis=-1)
        return ops.relu(maps * (1.0 + gamma[:, None, None, :]) + beta[:, None, None, :])

    def call(self, inputs, training=None):
        question = self.question_fc(self.encoder(inputs["question"], training=training))
        maps = self.feature_map(inputs["image"], training)
        if "image_index" in inputs:
            maps = ops.take(maps, ops.cast(inputs["image_index"], "int32"), axis=0)
        if self.fusion == "film":
            maps = self.modulate(maps, question)
        image = self.image_fc(self.flatten(maps))
        fused = ops.concatenate([question, image], axis=-1) if self.fusion == "film" else fuse(
            question, image, self.fusion)
        return self.classifier(apply_stack(self.mlp, fused, training))

    def get_config(self):
        config = super().get_config()
        config.update(vocab_size=self.vocab_size, num_answers=self.num_answers, backbone=self.backbone,
                      conv_filters=list(self.conv_filters), conv_norm=self.conv_norm, bn_momentum=self.bn_momentum,
                      embed_dim=self.embed_dim,
                      lstm_units=self.lstm_units, lstm_layers=self.lstm_layers, common_dim=self.common_dim, fusion=self.fusion,
                      mlp_units=list(self.mlp_units), mlp_activation=self.mlp_activation,
                      dropout=self.dropout_rate, question_dropout=self.question_dropout)
        return config

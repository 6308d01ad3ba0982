"""The CNN+LSTM next-frame predictor of the image-sequence seed (``shared/seeds/002_*.txt``)."""
import keras
from keras import ops

from framepred_tf.layers import LSTM
from framepred_tf.models import ModelArgumentError, register_model
from framepred_tf.models.base import PaperLossModel
from framepred_tf.models.time_folding import fold_time, unfold_time

DOWNSAMPLING_STAGES = 4


@keras.saving.register_keras_serializable(package="framepred_tf")
@register_model("cnn_lstm")
class CNNLSTMPredictor(PaperLossModel):
    """Per-frame CNN encoder → fused LSTM over the frame features → transposed-conv decoder.

    The seed reads 16 consecutive RGB 128×128 frames, encodes each with a convolutional
    network, runs an LSTM over the 16 feature vectors, and decodes the last LSTM output with
    transposed convolutions back to a 128×128×3 image: frame 17. Here the encoder is four
    stride-2 4×4 convolutions (``base_filters``·1, 2, 4, 8 channels, ReLU) and a dense layer
    to ``latent_dim``; the LSTM is the kit's fused LSTM with ``lstm_units``; the decoder
    mirrors the encoder (dense, four stride-2 4×4 transposed convolutions, sigmoid). Loss:
    mean squared error. That is our choice: the seed names no loss (frame 17 "is used as the
    label to calculate the loss"), and it gives no layer sizes either, so the widths above are
    ours too.

    Input ``(B, T, S, S, 3)`` frames in [0, 1] (the seed: T = 16, S = 128; S divisible by
    16); output ``(B, S, S, 3)`` — the next frame. :meth:`rollout` predicts several frames
    by feeding predictions back.
    """

    default_input_shape = (None, 16, 128, 128, 3)

    def __init__(self, image_size=128, channels=3, base_filters=32, latent_dim=256, lstm_units=256, **kwargs):
        super().__init__(**kwargs)
        self.image_size = int(image_size)
        self.channels = int(channels)
        self.base_filters = int(base_filters)
        self.latent_dim = int(latent_dim)
        self.lstm_units = int(lstm_units)
        if self.image_size % 2**DOWNSAMPLING_STAGES:
            raise ModelArgumentError(f"image_size must be divisible by {2 ** DOWNSAMPLING_STAGES}, "
                                     f"got {self.image_size}")
        widths = [self.base_filters * 2**i for i in range(DOWNSAMPLING_STAGES)]
        self.bottleneck = (self.image_size // 2**DOWNSAMPLING_STAGES, self.image_size // 2**DOWNSAMPLING_STAGES,
                           widths[-1])
        conv = keras.layers.Conv2D
        self.encoder = [conv(w, 4, strides=2, padding="same", activation="relu", name=f"encoder_conv_{i + 1}")
                        for i, w in enumerate(widths)]
        self.flatten = keras.layers.Flatten(name="encoder_flatten")
        self.encoder_dense = keras.layers.Dense(self.latent_dim, activation="relu", name="encoder_dense")
        self.lstm = LSTM(self.lstm_units, name="lstm")
        self.decoder_dense = keras.layers.Dense(self.bottleneck[0] * self.bottleneck[1] * self.bottleneck[2],
                                                activation="relu", name="decoder_dense")
        up_widths = widths[-2::-1] + [self.channels]
        self.decoder = [
            keras.layers.Conv2DTranspose(w, 4, strides=2, padding="same",
                                         activation="relu" if i + 1 < DOWNSAMPLING_STAGES else None,
                                         name=f"decoder_deconv_{i + 1}")
            for i, w in enumerate(up_widths)
        ]

    def build(self, input_shape):
        _, steps, size, _, channels = input_shape
        if size != self.image_size or channels != self.channels:
            raise ValueError(f"cnn_lstm was configured for {self.image_size}x{self.image_size}x{self.channels} "
                             f"frames, got {input_shape}")
        shape = (None, size, size, channels)
        for layer in self.encoder:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self.encoder_dense.build((None, shape[1] * shape[2] * shape[3]))
        self.lstm.build((None, steps, self.latent_dim))
        self.decoder_dense.build((None, self.lstm_units))
        shape = (None, *self.bottleneck)
        for layer in self.decoder:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self.built = True

    def call(self, inputs, training=None):
        steps = inputs.shape[1]
        x = fold_time(ops.cast(inputs, self.compute_dtype))
        for layer in self.encoder:
            x = layer(x)
        features = unfold_time(self.encoder_dense(self.flatten(x)), steps)
        summary = self.lstm(features)
        x = ops.reshape(self.decoder_dense(summary), (-1, *self.bottleneck))
        for layer in self.decoder:
            x = layer(x)
        return ops.sigmoid(ops.cast(x, "float32"))

    def rollout(self, frames, steps):
        """Predict ``steps`` frames, each fed back as the newest input: ``(B, T, S, S, 3)`` →
        ``(B, steps, S, S, 3)``."""
        window, predictions = frames, []
        for _ in range(steps):
            frame = self(window)
            predictions.append(frame)
            window = ops.concatenate([window[:, 1:], ops.cast(frame[:, None], window.dtype)], axis=1)
        return ops.stack(predictions, axis=1)

    def paper_loss(self, y_true, y_pred):
        return ops.mean(ops.square(ops.cast(y_true, "float32") - ops.cast(y_pred, "float32")))

    def get_config(self):
        config = super().get_config()
        config.update(
            image_size=self.image_size,
            channels=self.channels,
            base_filters=self.base_filters,
            latent_dim=self.latent_dim,
            lstm_units=self.lstm_units,
        )
        return config

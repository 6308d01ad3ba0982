"""The seed "Neural Scene" encoder-forecaster (Shi et al. 2015's encoding-forecasting net)."""
import keras
from keras import ops

from framepred_tf.layers import ConvLSTM2D
from framepred_tf.models import ModelArgumentError, register_model
from framepred_tf.models.base import PaperLossModel
from framepred_tf.models.losses import frame_cross_entropy
from framepred_tf.models.patches import check_divisible, depth_to_space, space_to_depth
from framepred_tf.models.time_folding import apply_per_frame


@keras.saving.register_keras_serializable(package="framepred_tf")
@register_model("encoder_forecaster")
class EncoderForecaster(PaperLossModel):
    """Encoder and forecaster of three peephole ConvLSTMs each on 4×4 space-to-depth patches.

    The seed's parameter printout (``shared/seeds/000_*.txt``) fixes the shape of every
    variable: 64×64×1 frames are cut into 4×4 patches (16×16×16); the encoder
    ``enco_cl1..3`` (128, 64, 64 channels, 5×5 kernels, spatial peepholes ``(1,16,16,C)``)
    reads the input frames; the forecaster ``fore_cl1..3`` has 128, 64, 64 channels, and
    every forecaster layer has a 64-channel input; the readout is a 1×1 conv from 256 to 16
    channels. The shapes do not fix the wiring: several fit them (every forecaster layer
    reading the top encoder layer, say, or our choice). We wire it as Shi et al.'s
    forecaster, stacked in reverse: ``fore_cl3`` reads the top encoder layer's hidden
    sequence, ``fore_cl2`` reads ``fore_cl3``, ``fore_cl1`` reads ``fore_cl2``; the forecaster
    starts from the encoder's final states (layer k from layer k, which the equal widths
    allow) and runs one step per input frame ("generate one frame for each input frame", the
    seed's notes). The three forecaster outputs are concatenated (256 channels) → the 1×1
    conv → depth-to-space back to 64×64 → sigmoid. Per-gate variables (the TF1 layout of the
    printout) give exactly its 92 variables and 8,386,576 parameters.

    ``initial_readout_bias``: the read-out logits' starting bias, as in
    :class:`~framepred_tf.models.convlstm.ConvLSTMPredictor`.

    Loss: the thesis's per-frame summed binary cross-entropy.

    Input ``(B, T, 64, 64, 1)``; output ``(B, T, 64, 64, 1)`` (one future frame per input
    frame) in [0, 1], float32.
    """

    default_input_shape = (None, 10, 64, 64, 1)

    def __init__(self, filters=(128, 64, 64), kernel_size=5, patch_size=4, peephole="spatial",
                 gate_variables="per_gate", initial_readout_bias=0.0, **kwargs):
        super().__init__(**kwargs)
        self.filters = tuple(int(f) for f in filters)
        self.kernel_size = kernel_size
        self.patch_size = int(patch_size)
        self.peephole = peephole
        self.gate_variables = gate_variables
        self.initial_readout_bias = float(initial_readout_bias)
        if not self.filters:
            raise ModelArgumentError("encoder_forecaster needs at least one ConvLSTM layer per stack")
        self.encoder = [self._cell(f, f"enco_cl{i + 1}") for i, f in enumerate(self.filters)]
        self.forecaster = [self._cell(f, f"fore_cl{i + 1}") for i, f in enumerate(self.filters)]
        self.readout = None

    def _cell(self, filters, name):
        return ConvLSTM2D(filters, self.kernel_size, peephole=self.peephole,
                          gate_variables=self.gate_variables, name=name)

    def build(self, input_shape):
        _, _, height, width, channels = input_shape
        p = self.patch_size
        check_divisible(height, width, p)
        grid = (height // p, width // p)
        in_channels = p * p * channels
        for cell in self.encoder:
            cell.build((None, None, *grid, in_channels))
            in_channels = cell.filters
        # Reverse stack: each forecaster layer reads the one above it, the top reads the encoder.
        for cell in reversed(self.forecaster):
            cell.build((None, None, *grid, in_channels))
            in_channels = cell.filters
        self.readout = keras.layers.Conv2D(
            p * p * channels, 1, bias_initializer=keras.initializers.Constant(self.initial_readout_bias),
            dtype="float32", name="finl_predict")
        self.readout.build((None, *grid, sum(self.filters)))
        self.built = True

    def call(self, inputs, training=None):
        batch = ops.shape(inputs)[0]
        patches = ops.cast(space_to_depth(inputs, self.patch_size), self.compute_dtype)
        grid_h, grid_w = patches.shape[2], patches.shape[3]
        sequence, final_states = patches, []
        for cell in self.encoder:
            sequence, state = cell.sequence(sequence, cell.get_initial_state(batch, grid_h, grid_w))
            final_states.append(state)
        outputs = [None] * len(self.forecaster)
        for k in reversed(range(len(self.forecaster))):
            sequence, _ = self.forecaster[k].sequence(sequence, final_states[k])
            outputs[k] = sequence
        features = ops.cast(ops.concatenate(outputs, axis=-1), "float32")
        logits = apply_per_frame(self.readout, features)
        return ops.sigmoid(depth_to_space(logits, self.patch_size))

    def paper_loss(self, y_true, y_pred):
        return frame_cross_entropy(y_true, y_pred)

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=list(self.filters),
            kernel_size=self.kernel_size,
            patch_size=self.patch_size,
            peephole=self.peephole,
            gate_variables=self.gate_variables,
            initial_readout_bias=self.initial_readout_bias,
        )
        return config

"""The ConvLSTM frame predictor of Shi et al. (2015), as built in thesis §3.2.1."""
import keras
from keras import ops

from framepred_tf.layers import ConvLSTM2D
from framepred_tf.models import ModelArgumentError, register_model
from framepred_tf.models.base import PaperLossModel
from framepred_tf.models.losses import frame_cross_entropy
from framepred_tf.models.patches import check_divisible, depth_to_space, space_to_depth


@keras.saving.register_keras_serializable(package="framepred_tf")
@register_model("convlstm")
class ConvLSTMPredictor(PaperLossModel):
    """Three stacked peephole ConvLSTMs at full resolution and a 1×1 sigmoid read-out.

    Thesis §3.2.1 / Fig. 3.2: ConvLSTM layers with 5×5 kernels and 128, 64, 64 hidden
    channels (eq. 3.1); the hidden states of all layers are concatenated (256 channels) and
    a 1×1 convolution with a sigmoid gives the frame. 3,700,481 parameters without
    peepholes; the default channel peepholes of eq. 3.1 add 768.

    Conditional prediction: the stack reads the given frames, then produces the future
    frames one at a time, each future step fed the model's own previous prediction. Training
    and evaluation run exactly the same computation, so the training loss is the test metric.

    ``patch_size=p`` runs the stack on ``p×p`` space-to-depth patches, as Shi et al. did on
    Moving MNIST (``p=4``: 64×64×1 frames become 16×16×16 tensors); the read-out then gives
    ``p·p·C`` logits per grid cell, put back in place before the sigmoid. The thesis ran it at
    full resolution (``p=1``, the default); the quick preset uses ``p=4`` to fit a CPU.

    Loss: per-pixel binary cross-entropy summed over a frame's pixels, averaged over the
    predicted frames and the batch (thesis footnote 1).

    Input ``(B, T_in, H, W, C)`` frames in [0, 1] (the paper: ``(B, 10, 64, 64, 1)``);
    output ``(B, output_frames, H, W, C)`` predicted frames in [0, 1], float32.
    """

    default_input_shape = (None, 10, 64, 64, 1)

    def __init__(self, filters=(128, 64, 64), kernel_size=5, peephole="channel", output_frames=10,
                 patch_size=1, **kwargs):
        super().__init__(**kwargs)
        self.filters = tuple(int(f) for f in filters)
        self.kernel_size = kernel_size
        self.peephole = peephole
        self.output_frames = int(output_frames)
        self.patch_size = int(patch_size)
        if not self.filters or self.output_frames < 1:
            raise ModelArgumentError("convlstm needs at least one ConvLSTM layer and output_frames >= 1")
        self.cells = [
            ConvLSTM2D(f, kernel_size, peephole=peephole, name=f"convlstm_{i + 1}")
            for i, f in enumerate(self.filters)
        ]
        self.readout = None

    def build(self, input_shape):
        _, _, height, width, channels = input_shape
        p = self.patch_size
        check_divisible(height, width, p)
        grid, in_channels = (height // p, width // p), p * p * channels
        for cell in self.cells:
            cell.build((None, None, *grid, in_channels))
            in_channels = cell.filters
        # The read-out stays float32 under mixed precision: the loss needs exact probabilities.
        self.readout = keras.layers.Conv2D(p * p * channels, 1, dtype="float32", name="readout")
        self.readout.build((None, *grid, sum(self.filters)))
        self.built = True

    def _frame(self, hidden_states):
        """Patched probabilities ``(B, H/p, W/p, p·p·C)`` of one frame."""
        return ops.sigmoid(self.readout(ops.cast(ops.concatenate(hidden_states, axis=-1), "float32")))

    def call(self, inputs, training=None):
        batch = ops.shape(inputs)[0]
        sequence = ops.cast(space_to_depth(inputs, self.patch_size), self.compute_dtype)
        height, width = sequence.shape[2], sequence.shape[3]
        states, last_hidden = [], []
        for cell in self.cells:
            sequence, state = cell.sequence(sequence, cell.get_initial_state(batch, height, width))
            states.append(state)
            last_hidden.append(sequence[:, -1])
        frame = self._frame(last_hidden)
        predictions = [frame]
        weights = [cell.gate_weights() for cell in self.cells]
        for _ in range(self.output_frames - 1):
            x, hidden = ops.cast(frame, self.compute_dtype), []
            for i, cell in enumerate(self.cells):
                x, states[i] = cell.step(x, states[i], weights[i])
                hidden.append(x)
            frame = self._frame(hidden)
            predictions.append(frame)
        return depth_to_space(ops.stack(predictions, axis=1), self.patch_size)

    def paper_loss(self, y_true, y_pred):
        return frame_cross_entropy(y_true, y_pred)

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=list(self.filters),
            kernel_size=self.kernel_size,
            peephole=self.peephole,
            output_frames=self.output_frames,
            patch_size=self.patch_size,
        )
        return config

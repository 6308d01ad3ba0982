"""The ConvLSTM frame predictor of Shi et al. (2015), as built in thesis §3.2.1."""
import keras
from keras import ops

from framepred_tf.layers import ConvLSTM2D
from framepred_tf.models import ModelArgumentError, register_model
from framepred_tf.models.base import PaperLossModel
from framepred_tf.models.losses import frame_cross_entropy
from framepred_tf.models.patches import check_divisible, depth_to_space, space_to_depth
from framepred_tf.models.scheduled_sampling import ScheduledSampling


@keras.saving.register_keras_serializable(package="framepred_tf")
@register_model("convlstm")
class ConvLSTMPredictor(ScheduledSampling, PaperLossModel):
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

    ``teacher_forcing_steps=N > 0`` trains with scheduled sampling (Bengio et al. 2015; see
    :class:`~framepred_tf.models.scheduled_sampling.ScheduledSampling`): training starts
    feeding the true previous frames and ends free-running, exactly as evaluated. ``call``
    always runs free.

    ``initial_readout_bias=b`` starts every read-out logit at ``b`` instead of 0, the
    initial-bias advice for imbalanced targets (Karpathy 2019, "A recipe for training neural
    networks"): at ``b = logit(0.049) ≈ -3``, Moving MNIST's mean pixel, the first step already
    predicts the constant mean-pixel frame (~800 nats) instead of 0.5 everywhere (~2,840).

    Loss: per-pixel binary cross-entropy summed over a frame's pixels, averaged over the
    predicted frames and the batch (thesis footnote 1).

    Input ``(B, T_in, H, W, C)`` frames in [0, 1] (the paper: ``(B, 10, 64, 64, 1)``);
    output ``(B, output_frames, H, W, C)`` predicted frames in [0, 1], float32.
    """

    default_input_shape = (None, 10, 64, 64, 1)

    def __init__(self, filters=(128, 64, 64), kernel_size=5, peephole="channel", output_frames=10,
                 patch_size=1, teacher_forcing_steps=0, initial_readout_bias=0.0, **kwargs):
        super().__init__(**kwargs)
        self.filters = tuple(int(f) for f in filters)
        self.kernel_size = kernel_size
        self.peephole = peephole
        self.output_frames = int(output_frames)
        self.patch_size = int(patch_size)
        self.initial_readout_bias = float(initial_readout_bias)
        if not self.filters or self.output_frames < 1:
            raise ModelArgumentError("convlstm needs at least one ConvLSTM layer and output_frames >= 1")
        self.init_sampling(teacher_forcing_steps)
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
        self.readout = keras.layers.Conv2D(
            p * p * channels, 1, bias_initializer=keras.initializers.Constant(self.initial_readout_bias),
            dtype="float32", name="readout")
        self.readout.build((None, *grid, sum(self.filters)))
        self.build_sampling()
        self.built = True

    def _frame(self, hidden_states):
        """Patched probabilities ``(B, H/p, W/p, p·p·C)`` of one frame."""
        return ops.sigmoid(self.readout(ops.cast(ops.concatenate(hidden_states, axis=-1), "float32")))

    def call(self, inputs, training=None):
        return self.rollout(inputs)

    def rollout(self, inputs, targets=None, truth_probability=0.0):
        """Predicted frames ``(B, output_frames, H, W, C)`` from ``inputs (B, T_in, H, W, C)``.

        With ``targets (B, output_frames, H, W, C)``, each future step after the first reads
        ``targets[:, t - 1]`` instead of the previous prediction with probability
        ``truth_probability``, drawn per sequence and step.
        """
        batch = ops.shape(inputs)[0]
        truth = None if targets is None else ops.cast(space_to_depth(targets, self.patch_size), "float32")
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
        for t in range(self.output_frames - 1):
            fed = frame if truth is None else self.sampled_input(truth[:, t], frame, truth_probability)
            x, hidden = ops.cast(fed, self.compute_dtype), []
            for i, cell in enumerate(self.cells):
                x, states[i] = cell.step(x, states[i], weights[i])
                hidden.append(x)
            frame = self._frame(hidden)
            predictions.append(frame)
        return depth_to_space(ops.stack(predictions, axis=1), self.patch_size)

    def training_loss(self, x, y, y_pred, training):
        if not (training and self.teacher_forcing_steps):
            return self.paper_loss(y, y_pred)
        # The free-running y_pred of Keras's train step is not used (nor computed: it feeds
        # nothing the step returns); this pass mixes in the true frames.
        return self.paper_loss(y, self.rollout(x, y, self.next_truth_probability()))

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
            teacher_forcing_steps=self.teacher_forcing_steps,
            initial_readout_bias=self.initial_readout_bias,
        )
        return config

"""The Spatio-Temporal video autoencoder with differentiable memory (Patraucean et al. 2016)."""
import keras
from keras import ops

from framepred_tf.layers import BilinearFlowWarp, ConvLSTM2D, flow_smoothness_penalty
from framepred_tf.models import check_choice, register_model
from framepred_tf.models.base import CONTEXT_FRAMES, PaperLossModel
from framepred_tf.models.losses import frame_cross_entropy, frame_squared_error
from framepred_tf.models.scheduled_sampling import ScheduledSampling
from framepred_tf.models.time_folding import fold_time, unfold_time

RECONSTRUCTION_LOSSES = {"l2": frame_squared_error, "cross_entropy": frame_cross_entropy}


@keras.saving.register_keras_serializable(package="framepred_tf")
@register_model("stae")
class SpatioTemporalAutoencoder(ScheduledSampling, PaperLossModel):
    """Predicts the next frame by warping encoder features with a learned optical flow.

    Thesis §3.2.2 / Fig. 3.3. Spatial encoder: 7×7 conv, 16 filters, tanh, 2×2 max-pool.
    Temporal autoencoder: a 7×7 ConvLSTM with 64 channels (the differentiable memory), then
    15×15 conv → 15×15 conv → 1×1 conv giving a 2-channel flow, no activations.
    ``BilinearFlowWarp`` (eq. 3.2–3.5) warps the encoder features by the flow; the decoder
    up-samples ×2 (nearest neighbour) and applies a 7×7 conv with a sigmoid.

    The 15×15 layer widths follow the authors' code (``flow.lua``: 64 → 2 → 2 channels, then
    a 1×1 2 → 2 layer initialised to zero so training starts from the identity warp):
    1,035,263 parameters with the default channel peepholes (thesis Table 4.2: 1.0·10⁶).

    Like the ConvLSTM predictor, it reads the given frames and then feeds its own
    predictions back for the remaining future frames (``call``). ``context_frames`` says
    which frames the memory reads while training: ``"true"`` (default) — each target frame
    is predicted from the true frame before it, as Patraucean et al. train the autoencoder
    on next-frame prediction; ``"predicted"`` — the free run of ``call``, gradients flowing
    through the fed-back predictions. With ``"predicted"``, ``teacher_forcing_steps=N > 0``
    anneals from the true frames into that free run by scheduled sampling (Bengio et al.
    2015; :class:`~framepred_tf.models.scheduled_sampling.ScheduledSampling`).
    ``initial_readout_bias=b`` starts the decoder's logits at ``b`` (the convlstm's option
    of the same name: ``-3`` predicts the mean pixel from the first step).

    Loss (eq. 3.9), per predicted frame, averaged over frames and batch:
    ``||T − P||² + 1e-2 · Huber_δ=1e-3(stencil gradients of the flow)`` (eq. 3.6–3.8); the
    smoothness term is registered with ``add_loss`` so ``fit`` adds it to the L2 term.
    ``reconstruction_loss="cross_entropy"`` replaces the L2 term by the per-frame binary
    cross-entropy the networks are compared on (thesis footnote 1). The L2 term barely
    penalises a confident wrong pixel (the sigmoid saturates, its gradient vanishes), which
    the cross-entropy metric charges up to 16 nats: short L2 runs score worse than the mean
    frame on the metric while their L2 loss still falls.

    Input ``(B, T, H, W, 1)`` in [0, 1] (H, W even); output ``(B, output_frames, H, W, 1)``.
    """

    default_input_shape = (None, 10, 64, 64, 1)

    def __init__(self, encoder_filters=16, encoder_kernel_size=7, lstm_filters=64, lstm_kernel_size=7,
                 flow_filters=(2, 2), flow_kernel_size=15, peephole="channel", smoothness_weight=1e-2,
                 huber_delta=1e-3, output_frames=10, reconstruction_loss="l2", context_frames="true",
                 teacher_forcing_steps=0, initial_readout_bias=0.0, **kwargs):
        super().__init__(**kwargs)
        self.context_frames = check_choice("context_frames", context_frames, CONTEXT_FRAMES)
        self.reconstruction_loss = check_choice("reconstruction_loss", reconstruction_loss, RECONSTRUCTION_LOSSES)
        self.encoder_filters = int(encoder_filters)
        self.encoder_kernel_size = encoder_kernel_size
        self.lstm_filters = int(lstm_filters)
        self.lstm_kernel_size = lstm_kernel_size
        self.flow_filters = tuple(int(f) for f in flow_filters)
        self.flow_kernel_size = flow_kernel_size
        self.peephole = peephole
        self.smoothness_weight = float(smoothness_weight)
        self.huber_delta = float(huber_delta)
        self.output_frames = int(output_frames)
        self.initial_readout_bias = float(initial_readout_bias)
        self.init_sampling(teacher_forcing_steps, context_frames=self.context_frames)
        conv = keras.layers.Conv2D
        self.encoder = conv(self.encoder_filters, encoder_kernel_size, padding="same", activation="tanh",
                            name="encoder_conv")
        self.pool = keras.layers.MaxPooling2D(2, name="encoder_pool")
        self.memory = ConvLSTM2D(self.lstm_filters, lstm_kernel_size, peephole=peephole, name="memory")
        self.flow_layers = [
            conv(f, flow_kernel_size, padding="same", name=f"flow_conv_{i + 1}")
            for i, f in enumerate(self.flow_filters)
        ]
        self.flow_layers.append(conv(2, 1, kernel_initializer="zeros", name="flow_out"))
        self.warp = BilinearFlowWarp(name="warp")
        self.upsample = keras.layers.UpSampling2D(2, interpolation="nearest", name="decoder_upsample")
        self.decoder = None

    def build(self, input_shape):
        _, _, height, width, channels = input_shape
        if height % 2 or width % 2:
            raise ValueError(f"stae needs even frame sizes, got {height}x{width}")
        half = (height // 2, width // 2)
        self.encoder.build((None, height, width, channels))
        self.memory.build((None, None, *half, self.encoder_filters))
        in_channels = self.lstm_filters
        for layer in self.flow_layers:
            layer.build((None, *half, in_channels))
            in_channels = layer.filters
        self.decoder = keras.layers.Conv2D(
            channels, self.encoder_kernel_size, padding="same", activation="sigmoid",
            bias_initializer=keras.initializers.Constant(self.initial_readout_bias), dtype="float32",
            name="decoder_conv")
        self.decoder.build((None, height, width, self.encoder_filters))
        self.build_sampling()
        self.built = True

    def _encode(self, frames):
        return self.pool(self.encoder(frames))

    def _flow(self, memory_output):
        x = memory_output
        for layer in self.flow_layers:
            x = layer(x)
        return x

    def _decode(self, features, flow):
        warped = self.warp([features, ops.cast(flow, features.dtype)])
        return self.decoder(ops.cast(self.upsample(warped), "float32"))

    def _read(self, frames):
        """Encode ``frames (B, S, H, W, 1)`` and run the memory over them -> features, memory outputs, state."""
        steps = frames.shape[1]
        features = self._encode(fold_time(ops.cast(frames, self.compute_dtype)))
        half_h, half_w = features.shape[1], features.shape[2]
        features = unfold_time(features, steps)
        state = self.memory.get_initial_state(ops.shape(frames)[0], half_h, half_w)
        memory_out, state = self.memory.sequence(features, state)
        return features, memory_out, state

    def _smoothness_loss(self, flows):
        """``smoothness_weight`` × the Huber stencil penalty of ``flows (N, h, w, 2)`` (eq. 3.9)."""
        return self.smoothness_weight * flow_smoothness_penalty(ops.cast(flows, "float32"), delta=self.huber_delta)

    def call(self, inputs, training=None):
        predictions, flows = self.rollout(inputs)
        # Teacher-forced and scheduled-sampling training charge the smoothness of their own
        # flows (training_loss).
        if not (training and (self.context_frames == "true" or self.teacher_forcing_steps)):
            self.add_loss(self._smoothness_loss(flows))
        return predictions

    def rollout(self, inputs, targets=None, truth_probability=0.0):
        """Predicted frames ``(B, output_frames, H, W, 1)`` and their flows ``(B·output_frames, h, w, 2)``.

        With ``targets (B, output_frames, H, W, 1)``, each fed-back step reads
        ``targets[:, t - 1]`` instead of the previous prediction with probability
        ``truth_probability``, drawn per sequence and step.
        """
        features, memory_out, state = self._read(inputs)
        # Only the last given frame's step predicts a future frame.
        flow = self._flow(memory_out[:, -1])
        frame = self._decode(features[:, -1], flow)
        predictions, flows = [frame], [flow]
        weights = self.memory.gate_weights()
        for t in range(self.output_frames - 1):
            fed = frame if targets is None else self.sampled_input(targets[:, t], frame, truth_probability)
            current = self._encode(ops.cast(fed, self.compute_dtype))
            hidden, state = self.memory.step(current, state, weights)
            flow = self._flow(hidden)
            frame = self._decode(current, flow)
            predictions.append(frame)
            flows.append(flow)
        return ops.stack(predictions, axis=1), fold_time(ops.stack(flows, axis=1))

    def paper_loss(self, y_true, y_pred):
        return RECONSTRUCTION_LOSSES[self.reconstruction_loss](y_true, y_pred)

    def training_loss(self, x, y, y_pred, training):
        if training and self.context_frames == "true":
            return self.teacher_forced_loss(x, y)
        if training and self.teacher_forcing_steps:
            predictions, flows = self.rollout(x, y, self.next_truth_probability())
            return self.paper_loss(y, predictions) + self._smoothness_loss(flows)
        return self.paper_loss(y, y_pred)

    def teacher_forced_loss(self, inputs, targets):
        """Eq. 3.9 for one-step predictions: frame k+1 is warped from the true frame k.

        The memory reads the true frames ``inputs`` and ``targets[:, :-1]``; each of the
        ``K`` target frames is predicted from the true frame before it, as Patraucean et al.
        train the autoencoder. Shapes: ``(B, T, H, W, 1)``, ``(B, K, H, W, 1)``.
        """
        given, horizon = inputs.shape[1], targets.shape[1]
        frames = ops.concatenate([ops.cast(inputs, "float32"), ops.cast(targets[:, :-1], "float32")], axis=1)
        features, memory_out, _ = self._read(frames)
        flows = self._flow(fold_time(memory_out[:, given - 1:]))
        predictions = unfold_time(self._decode(fold_time(features[:, given - 1:]), flows), horizon)
        return self.paper_loss(targets, predictions) + self._smoothness_loss(flows)

    def get_config(self):
        config = super().get_config()
        config.update(
            encoder_filters=self.encoder_filters,
            encoder_kernel_size=self.encoder_kernel_size,
            lstm_filters=self.lstm_filters,
            lstm_kernel_size=self.lstm_kernel_size,
            flow_filters=list(self.flow_filters),
            flow_kernel_size=self.flow_kernel_size,
            peephole=self.peephole,
            smoothness_weight=self.smoothness_weight,
            huber_delta=self.huber_delta,
            output_frames=self.output_frames,
            reconstruction_loss=self.reconstruction_loss,
            context_frames=self.context_frames,
            teacher_forcing_steps=self.teacher_forcing_steps,
            initial_readout_bias=self.initial_readout_bias,
        )
        return config

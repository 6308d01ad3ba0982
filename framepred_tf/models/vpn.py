"""The Video Pixel Network (Kalchbrenner et al. 2016), ReLU variant as built in thesis §3.2.3."""
import keras
from keras import ops

from framepred_tf.layers import ConvLSTM2D, MaskedConv2D, PreActResidualBlock
from framepred_tf.models import ModelArgumentError, check_choice, register_model
from framepred_tf.models.base import CONTEXT_FRAMES, PaperLossModel
from framepred_tf.models.losses import frame_cross_entropy
from framepred_tf.models.patches import check_divisible, depth_to_space, space_to_depth
from framepred_tf.models.scheduled_sampling import ScheduledSampling
from framepred_tf.models.time_folding import fold_time, unfold_time

OUTPUTS = ("bernoulli", "softmax256")


@keras.saving.register_keras_serializable(package="framepred_tf")
@register_model("vpn")
class VideoPixelNetwork(ScheduledSampling, PaperLossModel):
    """ConvLSTM context over a residual encoder, decoded by a masked PixelCNN.

    Encoder (per frame, no masking): 7×7 conv to 256 channels (no activation) + 16
    ``PreActResidualBlock``s (3×3). One 7×7 ConvLSTM with 256 channels summarises the frames
    seen so far (the context ``F_<t``). Decoder (PixelCNN, eq. 3.10–3.13): a 7×7
    ``MaskedConv2D`` type A with 256 channels over ``[context, F_t]`` — the mask applies to
    ``F_t`` only, the context is fully visible — 24 masked type-B residual blocks (3×3), two
    1×1 masked type-B layers with 768 channels, and the output layer: one Bernoulli logit per
    pixel (default; its cross-entropy is the thesis metric) or a 256-way softmax
    (``output_distribution="softmax256"``). ReLU precedes each 1×1 layer, as in PixelCNN's output stack.
    38,257,665 parameters (thesis Table 4.2: 3.8·10⁷).

    Training (thesis §3.4.1): the decoder runs twice per step — once with the true ``F_t``
    (masked) and once with a blank ``F_t`` — with the two losses weighted
    ``frame_weight=0.2`` and ``blank_weight=1.0``. Evaluation (``call``) feeds a blank
    ``F_t`` as the thesis did, and each predicted frame (its probabilities) is encoded as the
    next input. ``context_frames`` says which previous frames the context ConvLSTM reads
    while training: ``"true"`` (default; teacher forcing, as in Kalchbrenner et al.'s
    likelihood training) or ``"predicted"`` — the model's own blank-``F_t`` predictions, as
    at evaluation, with gradients flowing back through them. A teacher-forced context never
    sees the blurred probability frames it is fed at evaluation (exposure bias): short runs
    then predict the first frame well and drift far above the mean frame by the tenth.
    With ``"predicted"``, ``teacher_forcing_steps=N > 0`` anneals from the true frames into
    that free run by scheduled sampling (Bengio et al. 2015;
    :class:`~framepred_tf.models.scheduled_sampling.ScheduledSampling`), and
    ``initial_readout_bias=b`` starts the Bernoulli logits at ``b`` (``-3``: the mean pixel).
    ``sample=True`` instead samples every frame pixel by pixel in raster order (H·W decoder
    passes per frame: slow, for qualitative use only).

    ``patch_size=p`` (default 1, the paper) runs every layer on ``p×p`` space-to-depth
    patches, as Shi et al. fed Moving MNIST to their ConvLSTM; the decoder's masks then order
    a patch's ``p·p`` pixels as colour groups (``MaskedConv2D(color_groups=p·p)``), so the
    model stays autoregressive — patches in raster order, pixels within a patch in raster
    order. The quick preset uses ``p=4`` to fit a CPU; Bernoulli output only.

    Input ``(B, T, H, W, 1)`` in [0, 1]; output ``(B, output_frames, H, W, 1)`` in [0, 1]
    (for ``softmax256``, the expected intensity), float32.
    """

    default_input_shape = (None, 10, 64, 64, 1)

    def __init__(self, filters=256, encoder_blocks=16, decoder_blocks=24, encoder_kernel_size=7,
                 block_kernel_size=3, lstm_kernel_size=7, output_filters=768, output_distribution="bernoulli",
                 peephole="channel", frame_weight=0.2, blank_weight=1.0, output_frames=10, sample=False,
                 seed=None, patch_size=1, context_frames="true", teacher_forcing_steps=0,
                 initial_readout_bias=0.0, **kwargs):
        super().__init__(**kwargs)
        check_choice("output_distribution", output_distribution, OUTPUTS)
        self.context_frames = check_choice("context_frames", context_frames, CONTEXT_FRAMES)
        self.filters = int(filters)
        self.patch_size = int(patch_size)
        groups = self.patch_size ** 2 if self.patch_size > 1 else 0
        if groups and output_distribution != "bernoulli":
            raise ModelArgumentError("patch_size > 1 supports output_distribution='bernoulli' only")
        self.encoder_blocks = int(encoder_blocks)
        self.decoder_blocks = int(decoder_blocks)
        self.encoder_kernel_size = encoder_kernel_size
        self.block_kernel_size = block_kernel_size
        self.lstm_kernel_size = lstm_kernel_size
        self.output_filters = int(output_filters)
        self.output_distribution = output_distribution
        self.peephole = peephole
        self.frame_weight = float(frame_weight)
        self.blank_weight = float(blank_weight)
        self.output_frames = int(output_frames)
        self.initial_readout_bias = float(initial_readout_bias)
        self.init_sampling(teacher_forcing_steps, context_frames=self.context_frames)
        self.sample = bool(sample)
        self.seed = seed
        self.encoder_in = keras.layers.Conv2D(self.filters, encoder_kernel_size, padding="same", name="encoder_in")
        self.encoder = [PreActResidualBlock(self.filters, block_kernel_size, name=f"encoder_block_{i + 1}")
                        for i in range(self.encoder_blocks)]
        self.context = ConvLSTM2D(self.filters, lstm_kernel_size, peephole=peephole, name="context_convlstm")
        self.decoder_in = MaskedConv2D(self.filters, encoder_kernel_size, mask_type="A",
                                       context_channels=self.filters, color_groups=groups, name="decoder_in")
        self.decoder = [PreActResidualBlock(self.filters, block_kernel_size, mask_type="B", color_groups=groups,
                                            name=f"decoder_block_{i + 1}") for i in range(self.decoder_blocks)]
        self.decoder_out = [MaskedConv2D(self.output_filters, 1, mask_type="B", color_groups=groups,
                                         name=f"decoder_out_{i + 1}") for i in range(2)]
        self.logits_layer = None
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape):
        _, _, height, width, channels = input_shape
        if channels != 1:
            raise ValueError(f"vpn models single-channel frames, got {channels} channels")
        p = self.patch_size
        check_divisible(height, width, p)
        frame_shape, channels = (None, height // p, width // p), p * p
        self.encoder_in.build((*frame_shape, channels))
        for block in self.encoder:
            block.build((*frame_shape, self.filters))
        self.context.build((None, None, *frame_shape[1:], self.filters))  # the patched grid, like every layer
        self.decoder_in.build((*frame_shape, self.filters + channels))
        for block in self.decoder:
            block.build((*frame_shape, self.filters))
        self.decoder_out[0].build((*frame_shape, self.filters))
        self.decoder_out[1].build((*frame_shape, self.output_filters))
        # Logits in float32 under mixed precision so the loss and probabilities are exact.
        self.logits_layer = MaskedConv2D(channels if self.output_distribution == "bernoulli" else 256, 1,
                                         mask_type="B", color_groups=self.decoder_in.color_groups,
                                         bias_initializer=keras.initializers.Constant(self.initial_readout_bias),
                                         dtype="float32", name="logits")
        self.logits_layer.build((*frame_shape, self.output_filters))
        self.build_sampling()
        self.built = True

    def _encode(self, frames):
        """``(N, H/p, W/p, p·p)`` patched frames → ``(N, H/p, W/p, filters)``."""
        x = self.encoder_in(ops.cast(frames, self.compute_dtype))
        for block in self.encoder:
            x = block(x)
        return x

    def _encode_sequence(self, frames):
        return unfold_time(self._encode(fold_time(frames)), frames.shape[1])

    def _logits(self, context, frame):
        """PixelCNN decoder: ``context (N,h,w,F)``, patched ``frame (N,h,w,p·p)`` → logits ``(N,h,w,p·p|256)``."""
        x = self.decoder_in(ops.concatenate([context, ops.cast(frame, context.dtype)], axis=-1))
        for block in self.decoder:
            x = block(x)
        for layer in self.decoder_out:
            x = layer(ops.relu(x))
        return self.logits_layer(ops.cast(ops.relu(x), "float32"))

    def _intensity(self, logits):
        if self.output_distribution == "bernoulli":
            return ops.sigmoid(logits)
        levels = ops.arange(256, dtype="float32") / 255.0
        return ops.sum(ops.softmax(logits, axis=-1) * levels, axis=-1, keepdims=True)

    def _predict_frame(self, context):
        blank = ops.zeros((*ops.shape(context)[:3], self.patch_size ** 2), dtype=context.dtype)
        if self.sample:
            return self._sample_frame(context, blank)
        return self._intensity(self._logits(context, blank))

    def _sample_frame(self, context, frame):
        """Autoregressive sampling: pixel i is drawn given pixels < i (eq. 3.10).

        The order runs over (row, column, channel) of the patched frame: raster order of
        patches, then raster order within a patch (plain raster order when ``p = 1``).
        """
        height, width, channels = context.shape[1], context.shape[2], frame.shape[-1]
        noise = keras.random.uniform(ops.shape(frame), seed=self.seed_generator, dtype="float32")
        frame = ops.cast(frame, "float32")

        def draw_pixel(index, current):
            logits = self._logits(context, current)
            if self.output_distribution == "bernoulli":
                value = ops.cast(noise < ops.sigmoid(logits), "float32")
            else:
                cdf = ops.cumsum(ops.softmax(logits, axis=-1), axis=-1)
                value = ops.sum(ops.cast(cdf < noise, "float32"), axis=-1, keepdims=True) / 255.0
            pixel = ops.reshape(ops.one_hot(index, height * width * channels, dtype="float32"),
                                (1, height, width, channels))
            return current + pixel * value

        return ops.fori_loop(0, height * width * channels, draw_pixel, frame)

    def call(self, inputs, training=None):
        return self.rollout(inputs)[0]

    def rollout(self, inputs, targets=None, truth_probability=0.0):
        """Predicted frames and the frames fed back, both ``(B, output_frames, H, W, 1)``.

        With ``targets``, each fed-back step reads ``targets[:, t - 1]`` instead of the
        previous prediction with probability ``truth_probability``, drawn per sequence and
        step. The last fed frame is the last prediction (no step reads it).
        """
        batch, p = ops.shape(inputs)[0], self.patch_size
        inputs = space_to_depth(inputs, p)
        truth = None if targets is None else ops.cast(space_to_depth(targets, p), "float32")
        height, width = inputs.shape[2], inputs.shape[3]
        state = self.context.get_initial_state(batch, height, width)
        contexts, state = self.context.sequence(self._encode_sequence(inputs), state)
        context = contexts[:, -1]
        predictions, fed, weights = [], [], self.context.gate_weights()
        for step in range(self.output_frames):
            frame = self._predict_frame(context)
            predictions.append(frame)
            if step + 1 < self.output_frames:
                fed.append(frame if truth is None else self.sampled_input(truth[:, step], frame, truth_probability))
                context, state = self.context.step(self._encode(fed[-1]), state, weights)
        fed.append(frame)
        return (depth_to_space(ops.stack(predictions, axis=1), p), depth_to_space(ops.stack(fed, axis=1), p))

    def _negative_log_likelihood(self, logits, targets):
        """Per-frame NLL summed over pixels, averaged over frames: ``(N,H,W,·)``, ``(N,H,W,1)``."""
        targets = ops.cast(targets, "float32")
        if self.output_distribution == "bernoulli":
            per_pixel = ops.binary_crossentropy(targets, logits, from_logits=True)
        else:
            levels = ops.cast(ops.round(targets[..., 0] * 255.0), "int32")
            per_pixel = ops.sparse_categorical_crossentropy(levels, logits, from_logits=True)
        return ops.mean(ops.sum(ops.reshape(per_pixel, (ops.shape(logits)[0], -1)), axis=-1))

    def paper_loss(self, y_true, y_pred):
        """Evaluation-mode loss: the thesis's per-frame cross-entropy of the blank-F_t prediction."""
        return frame_cross_entropy(y_true, y_pred)

    def training_loss(self, x, y, y_pred, training):
        if not training:
            return self.paper_loss(y, y_pred)
        if self.teacher_forcing_steps:
            return self.two_pass_loss(x, y, self.rollout(x, y, self.next_truth_probability())[1])
        return self.two_pass_loss(x, y, y if self.context_frames == "true" else y_pred)

    def two_pass_loss(self, inputs, targets, previous):
        """Thesis §3.4.1: ``frame_weight·NLL(true F_t) + blank_weight·NLL(blank F_t)``.

        The context for target frame k is the ConvLSTM state after ``inputs`` and
        ``previous[:, :k]``: the true frames (teacher forcing) or the model's own predictions
        (``call``'s output, whose blank pass this recomputes exactly). Shapes: ``inputs``
        ``(B, T, H, W, 1)``, ``targets`` and ``previous`` ``(B, K, H, W, 1)``.
        """
        given = inputs.shape[1]
        inputs, targets = space_to_depth(inputs, self.patch_size), space_to_depth(targets, self.patch_size)
        previous = space_to_depth(previous, self.patch_size)
        frames = ops.concatenate([ops.cast(inputs, "float32"), ops.cast(previous[:, :-1], "float32")], axis=1)
        state = self.context.get_initial_state(ops.shape(inputs)[0], inputs.shape[2], inputs.shape[3])
        contexts, _ = self.context.sequence(self._encode_sequence(frames), state)
        context = fold_time(contexts[:, given - 1:])
        truth = fold_time(ops.cast(targets, "float32"))
        with_frame = self._negative_log_likelihood(self._logits(context, truth), truth)
        blank = self._negative_log_likelihood(self._logits(context, ops.zeros_like(truth)), truth)
        return self.frame_weight * with_frame + self.blank_weight * blank

    def get_config(self):
        config = super().get_config()
        config.update(
            filters=self.filters,
            encoder_blocks=self.encoder_blocks,
            decoder_blocks=self.decoder_blocks,
            encoder_kernel_size=self.encoder_kernel_size,
            block_kernel_size=self.block_kernel_size,
            lstm_kernel_size=self.lstm_kernel_size,
            output_filters=self.output_filters,
            output_distribution=self.output_distribution,
            peephole=self.peephole,
            frame_weight=self.frame_weight,
            blank_weight=self.blank_weight,
            output_frames=self.output_frames,
            sample=self.sample,
            seed=self.seed,
            patch_size=self.patch_size,
            context_frames=self.context_frames,
            teacher_forcing_steps=self.teacher_forcing_steps,
            initial_readout_bias=self.initial_readout_bias,
        )
        return config

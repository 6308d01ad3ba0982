"""Analytic forward-pass FLOP counts (multiply-add = 2 FLOPs; convolutions and matmuls only).

Element-wise gate arithmetic, pooling and activations are ignored: they are a few per cent
of the total for these networks. A training step is counted as 3× the forward pass (the
usual estimate: the backward pass costs about twice the forward).
"""


def conv_flops(height, width, kernel, in_channels, out_channels):
    return 2 * height * width * kernel * kernel * in_channels * out_channels


def convlstm_step_flops(height, width, kernel, in_channels, filters):
    return conv_flops(height, width, kernel, in_channels, 4 * filters) + conv_flops(
        height, width, kernel, filters, 4 * filters)


def _kernel(k):
    return k if isinstance(k, int) else k[0]


def convlstm_flops(model, input_frames, height, width, channels):
    p, k = model.patch_size, _kernel(model.kernel_size)
    h, w, in_ch = height // p, width // p, p * p * channels
    steps = input_frames + model.output_frames - 1
    total = 0
    for f in model.filters:
        total += steps * convlstm_step_flops(h, w, k, in_ch, f)
        in_ch = f
    return total + model.output_frames * conv_flops(h, w, 1, sum(model.filters), p * p * channels)


def encoder_forecaster_flops(model, input_frames, height, width, channels):
    p, k = model.patch_size, _kernel(model.kernel_size)
    h, w, in_ch = height // p, width // p, p * p * channels
    total = 0
    for f in model.filters:
        total += input_frames * convlstm_step_flops(h, w, k, in_ch, f)
        in_ch = f
    for f in reversed(model.filters):
        total += input_frames * convlstm_step_flops(h, w, k, in_ch, f)
        in_ch = f
    return total + input_frames * conv_flops(h, w, 1, sum(model.filters), p * p * channels)


def stae_flops(model, input_frames, height, width, channels):
    h, w = height // 2, width // 2
    ek, lk, fk = _kernel(model.encoder_kernel_size), _kernel(model.lstm_kernel_size), _kernel(model.flow_kernel_size)
    steps = input_frames + model.output_frames - 1
    encoder = conv_flops(height, width, ek, channels, model.encoder_filters)
    memory = convlstm_step_flops(h, w, lk, model.encoder_filters, model.lstm_filters)
    flow, in_ch = 0, model.lstm_filters
    for f in model.flow_filters:
        flow += conv_flops(h, w, fk, in_ch, f)
        in_ch = f
    flow += conv_flops(h, w, 1, in_ch, 2)
    decoder = conv_flops(height, width, ek, model.encoder_filters, channels)
    return steps * (encoder + memory) + model.output_frames * (flow + decoder)


def _residual_block_flops(h, w, filters, k):
    half = filters // 2
    return conv_flops(h, w, 1, filters, half) + conv_flops(h, w, k, half, half) + conv_flops(h, w, 1, half, filters)


def vpn_flops(model, input_frames, height, width, channels):
    f, bk = model.filters, _kernel(model.block_kernel_size)
    ek, lk = _kernel(model.encoder_kernel_size), _kernel(model.lstm_kernel_size)
    p = model.patch_size
    height, width, channels = height // p, width // p, p * p * channels
    steps = input_frames + model.output_frames - 1
    encoder = conv_flops(height, width, ek, channels, f) + model.encoder_blocks * _residual_block_flops(
        height, width, f, bk)
    context = convlstm_step_flops(height, width, lk, f, f)
    out_ch = channels if model.output_distribution == "bernoulli" else 256
    decoder = (conv_flops(height, width, ek, f + channels, f)
               + model.decoder_blocks * _residual_block_flops(height, width, f, bk)
               + conv_flops(height, width, 1, f, model.output_filters)
               + conv_flops(height, width, 1, model.output_filters, model.output_filters)
               + conv_flops(height, width, 1, model.output_filters, out_ch))
    return steps * (encoder + context) + model.output_frames * decoder


def cnn_lstm_flops(model, input_frames, height, width, channels):
    total, h, in_ch = 0, height, channels
    for layer in model.encoder:
        h //= 2
        total += conv_flops(h, h, 4, in_ch, layer.filters)
        in_ch = layer.filters
    flat = h * h * in_ch
    total += 2 * flat * model.latent_dim
    total *= input_frames
    total += input_frames * 2 * 4 * model.lstm_units * (model.latent_dim + model.lstm_units)
    total += 2 * model.lstm_units * flat
    for layer in model.decoder:
        h *= 2
        total += conv_flops(h, h, 4, in_ch, layer.filters)
        in_ch = layer.filters
    return total


_COUNTERS = {
    "convlstm": convlstm_flops,
    "encoder_forecaster": encoder_forecaster_flops,
    "stae": stae_flops,
    "vpn": vpn_flops,
    "cnn_lstm": cnn_lstm_flops,
}


def forward_flops(model, input_shape):
    """Forward FLOPs of one sequence ``input_shape = (T, H, W, C)``, or None if not counted."""
    counter = _COUNTERS.get(getattr(model, "registry_name", None))
    return None if counter is None else counter(model, *input_shape)

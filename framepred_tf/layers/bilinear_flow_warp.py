"""Per-pixel flow warping with a bilinear sampler (Patraucean et al. 2016; thesis eq. 3.2-3.5)."""
import keras
from keras import ops


@keras.saving.register_keras_serializable(package="framepred_tf")
class BilinearFlowWarp(keras.layers.Layer):
    """Warp feature maps by a dense flow field: the modified spatial transformer.

    Called as ``BilinearFlowWarp()([features, flow])`` with ``features (B, H, W, C)`` and
    ``flow (B, H, W, 2)``; returns ``(B, H, W, C)``.

    The sampling grid is the identity grid ``G`` (eq. 3.4, spanning [-1, 1] in both axes)
    translated per pixel by the flow, ``T_θ(G) = G + θ`` (eq. 3.2-3.3); flow channel 0 is
    the x (width) and channel 1 the y (height) displacement in those normalised units, so
    one pixel is ``2 / (W - 1)`` in x and ``2 / (H - 1)`` in y. The output is the bilinear
    sampler of eq. 3.5::

        V_i^c = Σ_n Σ_m U_nm^c max(0, 1 - |x_i^s - m|) max(0, 1 - |y_i^s - n|)

    Neighbours outside the image contribute 0. Only the four neighbours with non-zero
    weight are gathered, and the result is differentiable w.r.t. both the features and
    the flow. Zero flow gives exactly the input.
    """

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2:
            raise ValueError("BilinearFlowWarp is called on [features, flow]")
        features_shape, flow_shape = input_shape
        if len(features_shape) != 4 or len(flow_shape) != 4 or flow_shape[-1] != 2:
            raise ValueError(
                f"BilinearFlowWarp expects features (B, H, W, C) and flow (B, H, W, 2), "
                f"got {tuple(features_shape)} and {tuple(flow_shape)}"
            )
        self.built = True

    def call(self, inputs):
        features, flow = inputs
        batch, height, width, channels = ops.shape(features)
        # Coordinates stay float32 even under mixed precision: bf16 cannot hold
        # sub-pixel offsets of pixel indices beyond a few dozen.
        flow = ops.cast(flow, "float32")
        # G + θ mapped straight to pixel units (x_pix = j + θ_x (W - 1) / 2), avoiding the
        # round trip through [-1, 1] so that zero flow lands exactly on pixel centres.
        cols = ops.cast(ops.arange(width), "float32")[None, None, :]
        rows = ops.cast(ops.arange(height), "float32")[None, :, None]
        x = cols + flow[..., 0] * (ops.cast(width, "float32") - 1.0) / 2.0
        y = rows + flow[..., 1] * (ops.cast(height, "float32") - 1.0) / 2.0
        x0 = ops.floor(x)
        y0 = ops.floor(y)
        # max(0, 1 - |x - m|) restricted to its two non-zero neighbours m = x0, x0 + 1.
        wx1 = x - x0
        wy1 = y - y0
        flat = ops.reshape(features, (-1, channels))
        offset = (ops.arange(batch) * (height * width))[:, None, None]
        output = None
        for dy, wy in ((0.0, 1.0 - wy1), (1.0, wy1)):
            for dx, wx in ((0.0, 1.0 - wx1), (1.0, wx1)):
                xn = x0 + dx
                yn = y0 + dy
                inside = (xn >= 0) & (xn <= ops.cast(width - 1, "float32")) & (yn >= 0) & (
                    yn <= ops.cast(height - 1, "float32")
                )
                index = (
                    ops.cast(ops.clip(yn, 0, height - 1), "int32") * width
                    + ops.cast(ops.clip(xn, 0, width - 1), "int32")
                    + offset
                )
                weight = ops.where(inside, wx * wy, 0.0)
                sample = ops.take(flat, ops.reshape(index, (-1,)), axis=0)
                sample = ops.reshape(sample, (batch, height, width, channels))
                term = sample * ops.cast(weight, features.dtype)[..., None]
                output = term if output is None else output + term
        return output

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

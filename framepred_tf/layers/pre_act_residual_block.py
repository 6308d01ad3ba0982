"""Pre-activation residual block of PixelCNN / VPN (van den Oord et al. 2016; He et al. 2016)."""
import keras
from keras import ops

from .masked_conv_2d import MaskedConv2D


@keras.saving.register_keras_serializable(package="framepred_tf")
class PreActResidualBlock(keras.layers.Layer):
    """``x + conv1x1(relu(convkxk(relu(conv1x1(relu(x))))))`` with a 2h -> h -> h -> 2h bottleneck.

    The residual block of PixelCNN (van den Oord et al. 2016, fig. 5) with the
    pre-activation ordering of He et al. (2016), as used by the VPN encoder and decoder
    (thesis fig. 3.4). Shapes: ``(B, H, W, filters) -> (B, H, W, filters)``; the input
    must already have ``filters = 2h`` channels because the skip is the identity.

    Args:
        filters: ``2h``, the block's input/output channels (even).
        kernel_size: the middle convolution's size (odd when masked).
        mask_type: ``None`` (encoder) or ``"B"``: all three convolutions become
            :class:`MaskedConv2D` type B (decoder), keeping the block causal in raster order.
        color_groups: with ``mask_type="B"``, the ordered channel groups of
            :class:`MaskedConv2D` (``filters / 2`` must be divisible by the count).

    For ``filters=256, kernel_size=3`` the block has 213,504 parameters.
    """

    def __init__(self, filters, kernel_size=3, mask_type=None, color_groups=0, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(filters, int) or filters <= 0 or filters % 2:
            raise ValueError(f"filters must be a positive even int (2h), got {filters!r}")
        if mask_type not in (None, "B"):
            raise ValueError(f"mask_type must be None or 'B', got {mask_type!r}")
        self.filters = filters
        self.kernel_size = kernel_size
        self.mask_type = mask_type
        self.color_groups = int(color_groups)
        if self.color_groups > 1 and mask_type is None:
            raise ValueError("color_groups needs mask_type='B'")
        half = filters // 2
        if mask_type is None:
            def conv(n, k, name):
                return keras.layers.Conv2D(n, k, padding="same", dtype=self.dtype_policy, name=name)
        else:
            def conv(n, k, name):
                return MaskedConv2D(n, k, mask_type=mask_type, color_groups=self.color_groups,
                                    dtype=self.dtype_policy, name=name)
        self.reduce = conv(half, 1, "reduce_1x1")
        self.spatial = conv(half, kernel_size, "conv")
        self.expand = conv(filters, 1, "expand_1x1")

    def build(self, input_shape):
        if input_shape[-1] != self.filters:
            raise ValueError(
                f"PreActResidualBlock(filters={self.filters}) needs {self.filters} input channels "
                f"for its identity skip, got shape {tuple(input_shape)}"
            )
        half_shape = tuple(input_shape[:-1]) + (self.filters // 2,)
        self.reduce.build(input_shape)
        self.spatial.build(half_shape)
        self.expand.build(half_shape)
        self.built = True

    def call(self, inputs):
        x = self.reduce(ops.relu(inputs))
        x = self.spatial(ops.relu(x))
        x = self.expand(ops.relu(x))
        return inputs + x

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"filters": self.filters, "kernel_size": self.kernel_size, "mask_type": self.mask_type,
                       "color_groups": self.color_groups})
        return config

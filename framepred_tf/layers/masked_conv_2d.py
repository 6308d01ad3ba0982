"""PixelCNN masked convolution (van den Oord et al. 2016; thesis eq. 3.11-3.12)."""
import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="framepred_tf")
class MaskedConv2D(keras.layers.Conv2D):
    """``Conv2D`` whose kernel is masked so that pixel ``(i, j)`` sees only its raster past.

    For an odd ``k x k`` kernel the visible taps are the rows above the centre and the
    centre row left of the centre; the centre tap itself is visible only for mask ``"B"``.
    For 3x3 this is thesis eq. 3.11 (A) and 3.12 (B)::

        A = [[1, 1, 1],      B = [[1, 1, 1],
             [1, 0, 0],           [1, 1, 0],
             [0, 0, 0]]           [0, 0, 0]]

    Shapes as ``Conv2D`` with ``padding="same"`` (forced) and stride 1:
    ``(B, H, W, C_in) -> (B, H, W, filters)``.

    Args:
        filters, kernel_size: as ``Conv2D``; both kernel sides must be odd.
        mask_type: ``"A"`` (first layer: the current pixel is hidden) or ``"B"``.
        context_channels: the first ``n`` input channels are a fully visible context (the
            VPN decoder's ConvLSTM output, which only summarises past frames) and are not
            masked; the mask applies to the remaining ``C_in - n`` channels.
        color_groups: split the masked input channels and the output channels into ``n``
            contiguous, ordered groups; at the centre tap output group ``g`` sees input
            groups ``< g`` (A) or ``<= g`` (B), so one pixel's channels are generated in
            order. ``True`` means ``n = 3`` (R, G, B, as in PixelCNN); the VPN's
            ``patch_size=p`` uses ``n = p·p`` for the sub-pixels of a space-to-depth patch.
            ``False``/``0``/``1``: no groups. Needs both channel counts divisible by ``n``.
        **kwargs: other ``Conv2D`` arguments (initialisers, activation, ...).

    The mask is a constant built in ``build`` and multiplied into the kernel on every
    call rather than applied once to the initial weights, so neither training nor
    ``set_weights`` can open a path from the future.
    """

    def __init__(self, filters, kernel_size, mask_type="B", context_channels=0, color_groups=False, **kwargs):
        if mask_type not in ("A", "B"):
            raise ValueError(f"mask_type must be 'A' or 'B', got {mask_type!r}")
        if not isinstance(context_channels, int) or context_channels < 0:
            raise ValueError(f"context_channels must be a non-negative int, got {context_channels!r}")
        if str(kwargs.pop("padding", "same")).lower() != "same":
            raise ValueError("MaskedConv2D always uses padding='same'")
        for name in ("strides", "dilation_rate", "groups"):
            value = kwargs.get(name, 1)
            if value not in (1, (1, 1), [1, 1]):
                raise ValueError(f"MaskedConv2D supports {name}=1 only, got {value!r}")
        super().__init__(filters, kernel_size, padding="same", **kwargs)
        if any(k % 2 == 0 for k in self.kernel_size):
            raise ValueError(f"MaskedConv2D needs an odd kernel size, got {self.kernel_size}")
        groups = 3 if color_groups is True else int(color_groups)
        if groups < 0:
            raise ValueError(f"color_groups must be a bool or a non-negative int, got {color_groups!r}")
        self.color_groups = groups if groups > 1 else 0
        if self.color_groups and filters % self.color_groups:
            raise ValueError(f"color_groups={self.color_groups} needs filters divisible by {self.color_groups}, got {filters}")
        self.mask_type = mask_type
        self.context_channels = context_channels

    def build(self, input_shape):
        channel_axis = -1 if self.data_format == "channels_last" else 1
        in_channels = input_shape[channel_axis]
        if in_channels is None:
            raise ValueError(f"MaskedConv2D needs a known channel dimension, got shape {tuple(input_shape)}")
        masked = in_channels - self.context_channels
        if masked <= 0:
            raise ValueError(
                f"context_channels={self.context_channels} leaves no masked channels of the {in_channels} inputs"
            )
        if self.color_groups and masked % self.color_groups:
            raise ValueError(
                f"color_groups={self.color_groups} needs masked input channels divisible by {self.color_groups}, "
                f"got {masked}"
            )
        super().build(input_shape)
        # Kept as a NumPy constant, not a tensor: a tensor made here could belong to
        # whichever graph happened to trigger build (TF), and a variable would show up
        # in get_weights() and the parameter count.
        self.mask = self._mask_array(in_channels)

    def _mask_array(self, in_channels):
        kh, kw = self.kernel_size
        ch, cw = kh // 2, kw // 2
        mask = np.zeros((kh, kw, in_channels, self.filters), dtype="float32")
        mask[:ch] = 1.0
        mask[ch, :cw] = 1.0
        n = self.context_channels
        if self.color_groups:
            groups = self.color_groups
            in_group = np.arange(in_channels - n) // ((in_channels - n) // groups)
            out_group = np.arange(self.filters) // (self.filters // groups)
            visible = in_group[:, None] < out_group[None, :]
            if self.mask_type == "B":
                visible = in_group[:, None] <= out_group[None, :]
            mask[ch, cw, n:] = visible
        elif self.mask_type == "B":
            mask[ch, cw] = 1.0
        mask[:, :, :n] = 1.0
        return mask

    def convolution_op(self, inputs, kernel):
        return super().convolution_op(inputs, kernel * ops.convert_to_tensor(self.mask, dtype=kernel.dtype))

    def get_config(self):
        config = super().get_config()
        config.update(
            {"mask_type": self.mask_type, "context_channels": self.context_channels, "color_groups": self.color_groups}
        )
        return config

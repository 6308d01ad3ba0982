"""Space-to-depth patching of frame sequences (Shi et al. 2015 feed Moving MNIST as 4×4 patches).

The channel order is TensorFlow's space-to-depth order, the same as ``framepred_tf.data.to_patches``.
"""
from keras import ops


def space_to_depth(frames, patch):
    """``(B, T, H, W, C)`` → ``(B, T, H/p, W/p, p·p·C)``; channel index = (row·p + col)·C + c."""
    if patch == 1:
        return frames
    _, t, h, w, c = frames.shape
    x = ops.reshape(frames, (-1, t, h // patch, patch, w // patch, patch, c))
    x = ops.transpose(x, (0, 1, 2, 4, 3, 5, 6))
    return ops.reshape(x, (-1, t, h // patch, w // patch, patch * patch * c))


def depth_to_space(frames, patch):
    """Inverse of :func:`space_to_depth`."""
    if patch == 1:
        return frames
    _, t, h, w, pc = frames.shape
    c = pc // (patch * patch)
    x = ops.reshape(frames, (-1, t, h, w, patch, patch, c))
    x = ops.transpose(x, (0, 1, 2, 4, 3, 5, 6))
    return ops.reshape(x, (-1, t, h * patch, w * patch, c))


def check_divisible(height, width, patch):
    if patch < 1 or height % patch or width % patch:
        raise ValueError(f"frame size {height}x{width} is not divisible by patch_size={patch}")

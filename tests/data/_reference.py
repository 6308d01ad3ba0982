"""Independent plain-NumPy references for the data tests."""
import numpy as np

TRAVEL = 36  # 64-px canvas minus a 28-px digit


def reference_render(images, indices, positions):
    """Plain NumPy compositing: digit k's pixels at its top-left corner, overlaps by max."""
    num, length, count = positions.shape[:3]
    out = np.zeros((num, length, 64, 64), np.float32)
    for n in range(num):
        for t in range(length):
            for k in range(count):
                top, left = positions[n, t, k]
                window = out[n, t, top:top + 28, left:left + 28]
                np.maximum(window, images[indices[n, k]].astype(np.float32) / np.float32(255), out=window)
    return out


def reference_path(start, velocity, length):
    """Step-by-step elastic bounce in [0, 36], one coordinate at a time."""
    position, speed, path = float(start), float(velocity), []
    for _ in range(length):
        path.append(position)
        position += speed
        if position < 0:
            position, speed = -position, -speed
        elif position > TRAVEL:
            position, speed = 2 * TRAVEL - position, -speed
    return np.rint(path)

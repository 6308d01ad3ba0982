"""Numba kernels that paste digits onto Moving MNIST canvases (imported lazily: numba is slow to import).

Each sequence is written from its own inputs only, and pixel-wise max does not depend on
the order digits are pasted in, so every kernel gives identical output for any thread count.

Two entry points: :func:`composite_parallel` spreads sequences over numba's threads and is
for the main thread of the process that imported this module; :func:`composite_serial`
is for everything else. Numba's fallback ``workqueue`` threading layer aborts on concurrent
parallel calls (PyDataset worker threads, ``tf.data`` map threads), and GNU OpenMP aborts in
a forked child once the parent used it (``use_multiprocessing=True``); serial kernels need no
threading layer and release the GIL, so those callers still run in parallel.
"""
import os
import threading

import numpy as np
from numba import njit, prange

_IMPORT_PID = os.getpid()


def composite(images, indices, rows, cols, lut, out):
    """Fill ``out (N, T, H, W)`` with the pixel-wise max of ``K`` digits per frame.

    ``images (M, d, d) uint8``; ``indices (N, K)`` rows of ``images``; ``rows``/``cols``
    ``(N, T, K)`` top-left corners, already inside the canvas; ``lut (256,)`` maps a uint8
    intensity to ``out``'s dtype (identity for uint8, ``v / 255`` for float32).
    """
    safe = threading.current_thread() is threading.main_thread() and os.getpid() == _IMPORT_PID
    kernel = composite_parallel if safe and len(out) > 1 else composite_serial
    kernel(images, indices, rows, cols, lut, out)


@njit(cache=True, nogil=True)
def _paint(images, indices, rows, cols, lut, out, n, canvas):
    """Draw all frames of sequence ``n`` using the ``(H, W) uint8`` scratch ``canvas``."""
    length, height, width = out.shape[1:]
    size = images.shape[1]
    for t in range(length):
        canvas[:, :] = 0
        for k in range(indices.shape[1]):
            digit = images[indices[n, k]]
            top = rows[n, t, k]
            left = cols[n, t, k]
            for i in range(size):
                for j in range(size):
                    value = digit[i, j]
                    if value > canvas[top + i, left + j]:
                        canvas[top + i, left + j] = value
        for i in range(height):
            for j in range(width):
                out[n, t, i, j] = lut[canvas[i, j]]


@njit(parallel=True, cache=True, nogil=True)
def composite_parallel(images, indices, rows, cols, lut, out):
    for n in prange(out.shape[0]):
        _paint(images, indices, rows, cols, lut, out, n, np.empty(out.shape[2:], np.uint8))


@njit(cache=True, nogil=True)
def composite_serial(images, indices, rows, cols, lut, out):
    canvas = np.empty(out.shape[2:], np.uint8)
    for n in range(out.shape[0]):
        _paint(images, indices, rows, cols, lut, out, n, canvas)

"""GloVe-format word-vector files (``word v1 ... vE`` per line).

Shared by the VQA data (:mod:`framepred_tf.vqa.data`, whose vocabularies start with
:data:`PAD`) and the VQA models' embedding initialisation (``word_vectors=``), which is why
it lives here and not in either: neither package needs the other for it.
"""
import os
import sys

import numpy as np

from framepred_tf.errors import FramepredError

PAD = "<pad>"  # the padding word (id 0 of a question vocabulary); its vector is zero


def load_word_vectors(path, vocabulary, dim=None):
    """Embedding matrix ``(len(vocabulary), E)`` float32 from a GloVe-format text file.

    Each line is ``word v1 ... vE``. Words of ``vocabulary`` (a list, id order) missing from
    the file get small random vectors (seeded, so runs repeat); ``<pad>`` gets zeros.
    """
    path = os.fspath(path)
    wanted = {w: i for i, w in enumerate(vocabulary)}
    rng = np.random.default_rng(0)
    matrix, found = None, 0
    try:
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, start=1):
                fields = line.rstrip().split(" ")
                if len(fields) < 2:
                    continue
                if matrix is None:
                    width = dim or len(fields) - 1
                    matrix = rng.uniform(-0.05, 0.05, (len(vocabulary), width)).astype(np.float32)
                if len(fields) - 1 != matrix.shape[1]:
                    raise FramepredError(f"{path}: line {number} has {len(fields) - 1} values, "
                                         f"expected {matrix.shape[1]}")
                if fields[0] in wanted:
                    matrix[wanted[fields[0]]] = np.asarray(fields[1:], dtype=np.float32)
                    found += 1
    except FileNotFoundError:
        raise FramepredError(f"{path}: word-vector file not found") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise FramepredError(f"{path}: not a GloVe-format text file ({error})") from None
    if matrix is None:
        raise FramepredError(f"{path}: no word vectors in the file")
    if PAD in wanted:
        matrix[wanted[PAD]] = 0.0
    print(f"word vectors: {found} of {len(vocabulary)} words found in {path}", file=sys.stderr)
    return matrix

"""The one ``--override KEY=VALUE`` grammar of every command (train, bench model/train, vqa train, rl train).

* ``KEY`` is a Python identifier: the keyword argument of the model constructor.
* ``VALUE`` is a Python literal, read by :func:`ast.literal_eval`: ``3``, ``1e-3``,
  ``(8,8,8)`` or ``8,8,8`` (tuples), ``[64]``, ``{'a':1}``, ``'text'``, ``True``, ``False``,
  ``None``.
* Anything else that does not start with a bracket or a quote is a plain string:
  ``fusion=film``, ``word_vectors=/data/glove.txt``. Lower-case ``true``, ``false`` and
  ``none`` are strings too, because several arguments take those words as values
  (``context_frames=true``, ``conv_norm=none``); write ``True``/``False``/``None``
  for the Python values.
* A value that starts with ``(``, ``[``, ``{``, ``'`` or ``"`` but is not a valid literal is
  an error (an unbalanced ``(8,8`` is a typo, not a string); so is an empty value.
* A repeated ``KEY``: the last one counts.
"""
import ast

from framepred_tf.errors import FramepredError

_LITERAL_STARTS = ("(", "[", "{", "'", '"')


def parse_override(item, flag="--override"):
    """``"filters=(8,8)"`` -> ``("filters", (8, 8))``; a one-line error naming ``flag`` otherwise."""
    key, sep, text = item.partition("=")
    key, text = key.strip(), text.strip()
    if not sep or not key.isidentifier():
        raise FramepredError(f"{flag} {item!r}: expected KEY=VALUE with a Python identifier as KEY, "
                             "e.g. filters=(8,8,8)")
    if not text:
        raise FramepredError(f"{flag} {item!r}: no value after '='")
    try:
        return key, ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        if text.startswith(_LITERAL_STARTS):
            raise FramepredError(f"{flag} {item!r}: {text} is not a valid Python literal "
                                 "(check brackets and quotes)") from None
        return key, text


def parse_overrides(items, flag="--override"):
    """``["filters=(8,8,8)", "fusion=film"]`` -> ``{"filters": (8, 8, 8), "fusion": "film"}``."""
    return dict(parse_override(item, flag) for item in items)


def add_override_argument(parser, example="filters=(8,8,8)", what="model"):
    """The repeatable ``--override KEY=VALUE`` option, read by :func:`parse_overrides`."""
    parser.add_argument("--override", action="append", default=[], metavar="KEY=VALUE",
                        help=f"{what} constructor override, a Python literal or a bare word "
                             f"(framepred_tf/utils/overrides.py), e.g. --override {example}")

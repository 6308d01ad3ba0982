"""Model names and the modules that define them, importable without Keras.

The command line checks a model name (and its preset, from ``experiments/<model>.py``,
which imports no Keras either) before it loads TensorFlow, so ``framepred-tf train
nosuchmodel`` answers at once. :func:`framepred_tf.models.list_models` is the Keras-side
registry these names must equal (a test checks it).

Importing :mod:`framepred_tf.models` imports every model module (registering the classes
with Keras), which loads Keras. The command line imports ``framepred_tf.models.cli`` to
build its parser, so it does that inside :func:`defer_model_imports`; its handlers then
register the models on first use (``get_model``, ``framepred_tf.models.load_model``).
"""
import contextlib

from framepred_tf.errors import FramepredError

_deferred = []  # non-empty while defer_model_imports() is active

MODEL_MODULES = {
    "cnn_lstm": "framepred_tf.models.cnn_lstm",
    "convlstm": "framepred_tf.models.convlstm",
    "encoder_forecaster": "framepred_tf.models.encoder_forecaster",
    "stae": "framepred_tf.models.stae",
    "vpn": "framepred_tf.models.vpn",
    "vqa_attention_rn": "framepred_tf.models.vqa_attention_rn",
    "vqa_cnn_lstm": "framepred_tf.models.vqa_cnn_lstm",
    "vqa_lstm": "framepred_tf.models.vqa_lstm",
    "vqa_mlp": "framepred_tf.models.vqa_mlp",
    "vqa_rn": "framepred_tf.models.vqa_rn",
}


def model_names():
    """Every registered model name, sorted."""
    return sorted(MODEL_MODULES)


def check_model_name(name):
    """``name`` if it is a registered model, else a one-line error listing the models."""
    if name not in MODEL_MODULES:
        raise FramepredError(f"unknown model {name!r}; choose one of: {', '.join(model_names())}")
    return name


def check_preset(model, preset):
    """A one-line error unless ``experiments/<model>.py`` has the preset ``preset``."""
    from experiments import load_preset

    load_preset(check_model_name(model), preset)


@contextlib.contextmanager
def defer_model_imports():
    """While active, importing :mod:`framepred_tf.models` does not import the model modules."""
    _deferred.append(True)
    try:
        yield
    finally:
        _deferred.pop()


def model_imports_deferred():
    return bool(_deferred)

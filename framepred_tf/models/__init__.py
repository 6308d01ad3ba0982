"""Model registry: ``get_model(name, **overrides)`` and ``list_models()``.

Every model module registers its class with :func:`register_model`; defaults are the
paper's configuration and keyword overrides (widths, depths) give small variants for CPU
runs and tests.
"""
from framepred_tf.errors import FramepredError

_REGISTRY = {}


def register_model(name):
    """Class decorator adding a model class to the registry under ``name``."""

    def decorator(cls):
        _REGISTRY[name] = cls
        cls.registry_name = name
        return cls

    return decorator


def check_choice(name, value, choices):
    """``value`` if it is one of ``choices``, else a ValueError naming the argument ``name``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}")
    return value


def list_models():
    """Names of all registered models, sorted."""
    return sorted(_REGISTRY)


def get_model(name, **overrides):
    """Build the registered model ``name`` with keyword ``overrides`` of its defaults."""
    if name not in _REGISTRY:
        raise FramepredError(f"unknown model {name!r}; choose one of: {', '.join(list_models())}")
    try:
        return _REGISTRY[name](**overrides)
    except (TypeError, ValueError) as error:
        raise FramepredError(f"bad override for model {name!r}: {error}") from None


def model_class(name):
    if name not in _REGISTRY:
        raise FramepredError(f"unknown model {name!r}; choose one of: {', '.join(list_models())}")
    return _REGISTRY[name]




# Model modules, imported for their registration side effect (registry and Keras
# serialisation) — one line per module, appended as models land.
from framepred_tf.models import cnn_lstm, convlstm, encoder_forecaster, stae, vpn  # noqa: E402,F401
from framepred_tf.models import vqa_lstm, vqa_mlp, vqa_cnn_lstm  # noqa: E402,F401

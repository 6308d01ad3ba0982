"""Model registry: ``get_model(name, **overrides)`` and ``list_models()``.

Every model module registers its class with :func:`register_model`; defaults are the
paper's configuration and keyword overrides (widths, depths) give small variants for CPU
runs and tests. The model names and modules are listed once, Keras-free, in
:data:`framepred_tf.registry.MODEL_MODULES`.

Importing this package imports every model module, which registers its class here and
with Keras, so ``keras.saving.load_model`` finds the classes afterwards::

    import framepred_tf.models
    model = keras.saving.load_model("runs/convlstm-.../best.keras")

The one exception is the command line, which imports ``framepred_tf.models.cli`` for every
``framepred-tf --help`` without loading Keras
(:func:`framepred_tf.registry.defer_model_imports`): code that may run there loads saved
models with :func:`load_model` (or calls :func:`register_all`); :func:`get_model`,
:func:`model_class` and :func:`list_models` register the models themselves.
"""
import importlib
import inspect

from framepred_tf import registry
from framepred_tf.errors import FramepredError

_REGISTRY = {}


class ModelArgumentError(FramepredError, ValueError):
    """A model argument whose value the model cannot use: one line at the command line, a
    ``ValueError`` for library callers."""


def register_model(name):
    """Class decorator adding a model class to the registry under ``name``."""

    def decorator(cls):
        _REGISTRY[name] = cls
        cls.registry_name = name
        return cls

    return decorator


def check_choice(name, value, choices):
    """``value`` if it is one of ``choices``, else a :class:`ModelArgumentError` naming the argument ``name``."""
    if value not in choices:
        raise ModelArgumentError(f"{name} must be one of {tuple(choices)}, got {value!r}")
    return value


def register_all():
    """Import every model module, registering its class here and with Keras (cheap after the first call)."""
    for module in registry.MODEL_MODULES.values():
        importlib.import_module(module)


def list_models():
    """Names of all registered models, sorted."""
    register_all()
    return sorted(_REGISTRY)


def load_model(path, **kwargs):
    """``keras.saving.load_model(path, **kwargs)`` with every framepred_tf class registered."""
    register_all()
    import keras

    return keras.saving.load_model(path, **kwargs)


def get_model(name, /, **overrides):
    """Build the registered model ``name`` with keyword ``overrides`` of its defaults.

    Overrides the constructor does not take are a one-line :class:`FramepredError` naming
    them; errors raised while the model is built are the model's own and propagate.
    """
    cls = model_class(name)
    check_overrides(name, cls, overrides)
    return cls(**overrides)


def check_overrides(name, cls, overrides):
    """A one-line error unless ``cls(**overrides)`` matches the constructor's signature.

    Model constructors end in ``**kwargs`` for ``keras.Model`` (``name``, ``dtype``,
    ``trainable``, ...), so a misspelt argument would bind there and fail deep inside Keras:
    keywords are checked against the constructor's own parameters and ``keras.layers.Layer``'s.
    """
    signature = inspect.signature(cls)
    try:
        signature.bind(**overrides)
    except TypeError as error:
        raise FramepredError(f"bad override for model {name!r}: {error}") from None
    parameters = signature.parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        import keras

        accepted = {p.name for p in parameters if p.kind is not inspect.Parameter.VAR_KEYWORD}
        base = inspect.signature(keras.layers.Layer.__init__).parameters.values()
        unknown = sorted(set(overrides) - accepted - {p.name for p in base if p.kind is p.KEYWORD_ONLY})
        if unknown:
            raise FramepredError(f"bad override for model {name!r}: unknown argument(s) {', '.join(unknown)}; "
                                 f"{name} takes {', '.join(sorted(accepted))}")


def model_class(name):
    """The registered class of model ``name``; a one-line error listing the models if there is none."""
    if name not in _REGISTRY:
        registry.check_model_name(name)  # the one-line error that lists the models
        register_all()
    return _REGISTRY[name]


if not registry.model_imports_deferred():
    register_all()

# Shipped pretrained weights (framepred_tf/pretrained/): list_pretrained(), from_pretrained(name).
from framepred_tf.models.pretrained import from_pretrained, list_pretrained  # noqa: E402,F401

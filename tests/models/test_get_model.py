"""get_model: a bad override is a one-line error naming it; errors inside a constructor propagate."""
import keras
import pytest

from framepred_tf import models
from framepred_tf.errors import FramepredError
from framepred_tf.models import ModelArgumentError, get_model


def test_unknown_override_names_the_argument_and_the_accepted_ones():
    with pytest.raises(FramepredError, match=r"bad override for model 'convlstm': unknown argument\(s\) widths; "
                                             r"convlstm takes filters, initial_readout_bias, kernel_size, output_frames"):
        get_model("convlstm", widths=3)


def test_keras_model_keywords_are_accepted_overrides():
    model = get_model("convlstm", filters=(2,), kernel_size=3, name="tiny", trainable=False)
    assert model.name == "tiny" and not model.trainable


@pytest.fixture
def throwaway_model(monkeypatch):
    """Register ``broken``: a model whose constructor has a bug, or rejects ``size < 1``."""

    class Broken(keras.Model):
        def __init__(self, size=1, **kwargs):
            super().__init__(**kwargs)
            if size < 1:
                raise ModelArgumentError(f"size must be at least 1, got {size}")
            raise TypeError("unsupported operand type(s) for +: 'int' and 'str'")  # a genuine bug

    monkeypatch.setitem(models._REGISTRY, "broken", Broken)
    return Broken


def test_a_genuine_error_in_the_constructor_propagates(throwaway_model):
    with pytest.raises(TypeError, match="unsupported operand") as caught:
        get_model("broken")
    assert not isinstance(caught.value, FramepredError)


def test_a_bad_value_is_a_one_line_error_and_a_value_error(throwaway_model):
    with pytest.raises(ModelArgumentError, match="size must be at least 1") as caught:
        get_model("broken", size=0)
    assert isinstance(caught.value, FramepredError) and isinstance(caught.value, ValueError)


def test_a_signature_mismatch_without_kwargs_is_a_bad_override(monkeypatch):
    class Strict(keras.Model):
        def __init__(self, size=1):
            super().__init__()

    monkeypatch.setitem(models._REGISTRY, "strict", Strict)
    with pytest.raises(FramepredError, match="bad override for model 'strict': got an unexpected keyword"):
        get_model("strict", colour=2)

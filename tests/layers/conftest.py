"""Fixtures shared by the layer tests."""
import keras
import numpy as np
import pytest


@pytest.fixture
def keras_round_trip(tmp_path):
    """Save ``model`` to ``.keras``, reload it after ``import framepred_tf``, compare outputs."""

    def check(model, inputs):
        import framepred_tf  # noqa: F401  (registers the custom layers for load_model)

        expected = model(inputs)
        path = tmp_path / "model.keras"
        model.save(path)
        reloaded = keras.saving.load_model(path)
        actual = reloaded(inputs)
        for e, a in zip(keras.tree.flatten(expected), keras.tree.flatten(actual)):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(e))
        return reloaded

    return check


@pytest.fixture(autouse=True)
def _seeded():
    keras.utils.set_random_seed(1234)

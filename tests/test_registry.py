"""The Keras-free model registry matches the models, and registration for load_model works."""
import importlib
import pathlib
import subprocess
import sys
import textwrap

import pytest

from framepred_tf import registry
from framepred_tf.errors import FramepredError

REPO = pathlib.Path(__file__).resolve().parents[1]


def test_registry_names_are_the_registered_models():
    from framepred_tf.models import list_models, model_class

    assert registry.model_names() == list_models()
    for name, module in registry.MODEL_MODULES.items():
        assert model_class(name).__module__ == module
        assert importlib.import_module(module).__name__ == module


def test_unknown_model_and_preset_are_one_line_errors():
    with pytest.raises(FramepredError, match=r"unknown model 'nope'; choose one of: cnn_lstm, convlstm, "):
        registry.check_model_name("nope")
    with pytest.raises(FramepredError, match=r"unknown preset 'nope' for convlstm; choose one of: cpu, paper, quick"):
        registry.check_preset("convlstm", "nope")
    with pytest.raises(FramepredError, match=r"no experiment presets for model 'vqa_lstm'"):
        registry.check_preset("vqa_lstm", "quick")
    registry.check_preset("stae", "paper")


# A saved model loads in a fresh interpreter, however the registration was triggered.
LOAD = textwrap.dedent("""
    import sys
    {imports}
    import keras
    model = keras.saving.load_model(sys.argv[1])
    print(type(model).__name__)
""")


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    from framepred_tf.models import get_model

    path = tmp_path_factory.mktemp("saved") / "tiny.keras"
    model = get_model("convlstm", filters=(2,), kernel_size=3)
    model.build((None, 10, 64, 64, 1))
    model.save(path)
    return path


@pytest.mark.parametrize("imports", [
    "import framepred_tf.models",
    "import keras; import framepred_tf",  # Keras loaded first: the package registers everything itself
])
def test_saved_model_loads_after_importing_the_package(saved_model, imports):
    code = LOAD.format(imports=imports)
    result = subprocess.run([sys.executable, "-c", code, str(saved_model)], capture_output=True, text=True,
                            cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ConvLSTMPredictor"


def test_load_model_registers_even_when_the_imports_were_deferred(saved_model):
    code = textwrap.dedent("""
        import sys
        from framepred_tf import registry
        with registry.defer_model_imports():
            import framepred_tf.models  # what the command line does to build its parser
        assert "framepred_tf.models.convlstm" not in sys.modules and "keras" not in sys.modules
        print(type(framepred_tf.models.load_model(sys.argv[1])).__name__)
    """)
    result = subprocess.run([sys.executable, "-c", code, str(saved_model)], capture_output=True, text=True,
                            cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ConvLSTMPredictor"

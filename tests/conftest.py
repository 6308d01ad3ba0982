"""Test-suite set-up shared by every test module.

Offline data beside the checkout (``../shared/data``) is used only through the
environment variables the package reads, and only when the files exist.
"""
import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

_SHARED = pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "data"
for _var, _name in (("FRAMEPRED_MNIST_NPZ", "mnist.npz"), ("FRAMEPRED_FASHION_NPZ", "fashion_mnist.npz")):
    if _var not in os.environ and (_SHARED / _name).is_file():
        os.environ[_var] = str(_SHARED / _name)
if "FRAMEPRED_VQA_SAMPLE_DIR" not in os.environ and (_SHARED / "vqa_sample").is_dir():
    os.environ["FRAMEPRED_VQA_SAMPLE_DIR"] = str(_SHARED / "vqa_sample")

import pytest  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _isolated_data_cache(tmp_path_factory):
    """Cache generated test sets in a per-session folder, not the user's ``data/``."""
    if "FRAMEPRED_DATA_DIR" not in os.environ:
        os.environ["FRAMEPRED_DATA_DIR"] = str(tmp_path_factory.mktemp("framepred-data"))
    yield


# A tiny ConvLSTM run and its export as the pretrained model "tiny-convlstm", shared by the
# pretrained-weights and figure tests (tests/models/test_pretrained.py, tests/training/test_figures.py).
TINY_CONVLSTM_COMMAND = "framepred-tf train convlstm --preset quick --override filters=(4,) --override patch_size=4"
TINY_RESEARCH_FIGURES = {"test_set": "research", "size": 3, "cross_entropy": 600.0}


@pytest.fixture(scope="session")
def tiny_convlstm_run(tmp_path_factory):
    """A run directory shaped like a real one, with a tiny ConvLSTM (4 filters, 4x4 patches) as ``best.keras``."""
    import json

    import keras
    import numpy as np

    from framepred_tf import models

    run = tmp_path_factory.mktemp("runs") / "convlstm-20240101-000000"
    run.mkdir()
    keras.utils.set_random_seed(3)
    model = models.get_model("convlstm", filters=(4,), kernel_size=3, patch_size=4)
    model(np.zeros((1, 10, 64, 64, 1), np.float32))
    model.save(run / "best.keras")
    (run / "config.json").write_text(json.dumps({"model": "convlstm", "preset": "quick", "digits": "mnist5k"}))
    return str(run)


@pytest.fixture
def shipped_tiny_convlstm(tiny_convlstm_run, tmp_path, monkeypatch):
    """A pretrained folder holding the tiny run as ``tiny-convlstm``, made the default folder."""
    from framepred_tf.models import pretrained

    folder = tmp_path / "pretrained"
    pretrained.export_pretrained(tiny_convlstm_run, "tiny-convlstm", research_figures=TINY_RESEARCH_FIGURES,
                                 command=TINY_CONVLSTM_COMMAND, directory=folder)
    monkeypatch.setenv(pretrained.ENV_VAR, str(folder))
    return folder

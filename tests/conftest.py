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

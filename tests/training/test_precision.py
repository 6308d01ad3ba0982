"""--precision: mixed policies compute in 16 bits but keep float32 outputs; the policy is restored."""
import keras
import numpy as np

from framepred_tf.training.runtime import run_environment
from framepred_tf.training.trainer import build_model
from tests.training.conftest import TINY

CONFIG = {"model": "convlstm", "model_overrides": TINY["convlstm"], "lr": 1e-3}
INPUTS = np.random.default_rng(0).random((1, 10, 64, 64, 1), dtype=np.float32)


def test_mixed_bfloat16_outputs_float32():
    with run_environment("mixed_bfloat16", "none"):
        model = build_model(CONFIG, INPUTS)
        outputs = model(INPUTS)
    assert keras.backend.standardize_dtype(outputs.dtype) == "float32"
    assert "bfloat16" in {layer.compute_dtype for layer in model._flatten_layers()}
    assert 0.0 <= float(keras.ops.min(outputs)) and float(keras.ops.max(outputs)) <= 1.0
    assert keras.mixed_precision.dtype_policy().name == "float32"


def test_mixed_float16_scales_the_loss():
    with run_environment("mixed_float16", "none"):
        model = build_model(CONFIG, INPUTS)
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    assert keras.backend.standardize_dtype(model(INPUTS).dtype) == "float32"

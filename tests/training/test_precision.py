"""--precision: mixed policies compute in 16 bits but keep float32 outputs; the policy is restored."""
import keras
import numpy as np

from framepred_tf.training.runtime import run_environment
from framepred_tf.training.trainer import build_model
from framepred_tf.utils.keras_compat import nested_layers
from tests.training.conftest import TINY

CONFIG = {"model": "convlstm", "model_overrides": TINY["convlstm"], "lr": 1e-3}
INPUTS = np.random.default_rng(0).random((1, 10, 64, 64, 1), dtype=np.float32)


def test_mixed_bfloat16_outputs_float32():
    with run_environment("mixed_bfloat16", "none"):
        model = build_model(CONFIG, INPUTS)
        outputs = model(INPUTS)
    assert keras.backend.standardize_dtype(outputs.dtype) == "float32"
    assert "bfloat16" in {layer.compute_dtype for layer in nested_layers(model)}
    assert 0.0 <= float(keras.ops.min(outputs)) and float(keras.ops.max(outputs)) <= 1.0
    assert keras.mixed_precision.dtype_policy().name == "float32"


def test_mixed_float16_scales_the_loss():
    with run_environment("mixed_float16", "none"):
        model = build_model(CONFIG, INPUTS)
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    assert keras.backend.standardize_dtype(model(INPUTS).dtype) == "float32"


def test_auto_precision_follows_native_bfloat16():
    from framepred_tf.training.runtime import resolve_precision

    assert resolve_precision("auto", flags={"avx2", "amx_bf16"}, accelerator=False, backend="tensorflow") == (
        "mixed_bfloat16", "precision auto: mixed_bfloat16 (the CPU has amx_bf16)")
    precision, note = resolve_precision("auto", flags={"avx2", "avx512f"}, accelerator=False, backend="tensorflow")
    assert precision == "float32" and "neither AVX512_BF16 nor AMX-BF16" in note
    assert resolve_precision("auto", flags=set(), accelerator="gpu")[0] == "mixed_bfloat16"
    assert resolve_precision("float32", flags={"amx_bf16"}, accelerator=False) == ("float32", None)


def test_auto_precision_on_jax_cpu_is_float32():
    from framepred_tf.training.runtime import resolve_precision

    # XLA:CPU has no fast bfloat16 path, whatever the CPU's flags; a JAX GPU still gets bfloat16.
    precision, note = resolve_precision("auto", flags={"avx512_bf16", "amx_bf16"}, accelerator=False, backend="jax")
    assert precision == "float32" and "JAX on the CPU" in note
    assert resolve_precision("auto", flags=set(), accelerator="gpu", backend="jax")[0] == "mixed_bfloat16"


def test_precision_the_host_cannot_run_is_refused():
    import pytest

    from framepred_tf.errors import FramepredError
    from framepred_tf.training.runtime import resolve_precision

    with pytest.raises(FramepredError, match=r"^--precision mixed_float16 needs a GPU"):
        resolve_precision("mixed_float16", flags={"amx_bf16"}, accelerator=False)
    assert resolve_precision("mixed_float16", accelerator="gpu") == ("mixed_float16", None)
    with pytest.raises(FramepredError, match="--precision 'int8' is unknown"):
        resolve_precision("int8")


def test_cpu_flags_reads_the_flags_line(tmp_path):
    from framepred_tf.training.runtime import cpu_flags

    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu avx512_bf16 amx_tile\nbugs\t: none\n")
    assert cpu_flags(str(cpuinfo)) == {"fpu", "avx512_bf16", "amx_tile"}
    assert cpu_flags(str(tmp_path / "missing")) == set()

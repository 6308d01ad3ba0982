"""Run a snippet of Python under another Keras backend (a fresh interpreter).

Keras fixes its backend at import, so the JAX checks of the TensorFlow-default suite run
in a subprocess with ``KERAS_BACKEND=jax``.
"""
import importlib.util
import os
import subprocess
import sys
import textwrap

import pytest

requires_jax = pytest.mark.skipif(
    importlib.util.find_spec("jax") is None,
    reason="jax is not installed (make test installs it via the .[jax] extra)",
)


def run_on_backend(code, backend="jax", timeout=600):
    """Run ``code`` with ``KERAS_BACKEND=backend``; return its stdout, fail the test on error."""
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2", JAX_PLATFORMS="cpu")
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, timeout=timeout, env=env,
    )
    if result.returncode != 0:
        pytest.fail(f"{backend} subprocess failed (exit {result.returncode}):\n{result.stderr[-4000:]}")
    return result.stdout

"""framepred-tf bench train: a short real run prints every figure of the report."""
import re

import pytest

from tests.training.conftest import run_cli


@pytest.mark.slow
def test_bench_train_prints_rate_split_and_per_epoch_costs():
    status, out, err = run_cli(["bench", "train", "convlstm", "--preset", "quick", "--steps", "2", "--warmup", "1",
                                "--batch-size", "2", "--precision", "float32"])
    assert status == 0, err
    assert re.search(r"^sequences/s\s+\d+\.\d", out, re.M)
    for part in ("data generation", "forward", "backward", "optimizer", "validation", "checkpoints", "samples"):
        assert re.search(rf"^\s+{part}\s+-?\d+\.\d+ (ms|s)", out, re.M), part
    assert "precision float32, batch 2" in out


def test_bench_train_needs_two_steps():
    status, _, err = run_cli(["bench", "train", "convlstm", "--steps", "1"])
    assert status == 2 and "--steps must be at least 2" in err


def test_bench_train_reads_overrides_with_the_shared_parser():
    status, _, err = run_cli(["bench", "train", "convlstm", "--override", "filters=(8,8"])
    assert status == 2 and "--override" in err and "filters" in err

"""framepred-tf bench layer: the FLOP count and one timed round of every variant."""
import pytest

from framepred_tf.errors import FramepredError
from framepred_tf.models.layer_bench import CONFIGS, VARIANTS, LayerConfig, format_row, stack_flops, time_train_steps


def test_stack_flops_counts_input_and_recurrent_convolutions():
    config = LayerConfig(batch=2, steps=3, height=4, width=5, channels=6, filters=(7, 8), kernel_size=3)
    # Layer 1: 6 input + 7 state channels -> 4*7 gates; layer 2: 7 + 8 -> 4*8; 2 FLOPs per multiply-add.
    per_frame = 4 * 5 * (2 * 9 * 13 * 28 + 2 * 9 * 15 * 32)
    assert stack_flops(config) == 2 * 3 * per_frame
    assert stack_flops(CONFIGS["A"]) * 3 / 1.487 / 1e9 == pytest.approx(322, rel=0.01)  # the 322 GFLOP/s


def test_one_round_times_every_variant():
    config = LayerConfig(batch=1, steps=2, height=4, width=4, channels=2, filters=(3,), kernel_size=3)
    seconds = time_train_steps(config, "float32", rounds=1, warmup=1)
    assert set(seconds) == set(VARIANTS) and all(value > 0 for value in seconds.values())
    row = format_row("T", config, "float32", seconds)
    assert row.startswith("T  float32") and "kit+peephole" in row


def test_unknown_configuration_is_one_line_error():
    from argparse import Namespace

    from framepred_tf.models.layer_bench import run_layer_bench

    with pytest.raises(FramepredError, match="--configs: unknown configuration"):
        run_layer_bench(Namespace(configs="Q,Z", precisions="float32", rounds=1, warmup=0))

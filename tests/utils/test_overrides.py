"""The one --override grammar: Python literals, bare words as strings, clear errors."""
import pytest

from framepred_tf.errors import FramepredError
from framepred_tf.utils.overrides import parse_override, parse_overrides


@pytest.mark.parametrize("item, expected", [
    ("filters=(8,8,8)", ("filters", (8, 8, 8))),
    ("filters=8,8", ("filters", (8, 8))),  # a bare comma list is a tuple, as in Python
    ("filters=(8,)", ("filters", (8,))),
    ("mlp_units=[64, 32]", ("mlp_units", [64, 32])),
    ("kernel_size=3", ("kernel_size", 3)),
    ("lr=1e-3", ("lr", 0.001)),
    ("sample=True", ("sample", True)),
    ("sample=False", ("sample", False)),
    ("peephole=None", ("peephole", None)),
    ("fusion=film", ("fusion", "film")),
    ("fusion='film'", ("fusion", "film")),
    ("context_frames=true", ("context_frames", "true")),  # a word some arguments take, not a bool
    ("conv_norm=none", ("conv_norm", "none")),
    ("word_vectors=/data/glove.6B.50d.txt", ("word_vectors", "/data/glove.6B.50d.txt")),
    ("name=my-model", ("name", "my-model")),
    (" filters = (4,) ", ("filters", (4,))),
    ("table={'a': 1}", ("table", {"a": 1})),
])
def test_values(item, expected):
    assert parse_override(item) == expected


@pytest.mark.parametrize("item, message", [
    ("filters", "expected KEY=VALUE"),
    ("=3", "expected KEY=VALUE"),
    ("2filters=3", "expected KEY=VALUE"),
    ("bad-key=3", "expected KEY=VALUE"),
    ("filters=", "no value after '='"),
    ("filters=(8,8", r"\(8,8 is not a valid Python literal"),
    ("fusion='film", "'film is not a valid Python literal"),
    ("units=[1, 2", "not a valid Python literal"),
])
def test_bad_items_are_one_line_errors_naming_the_flag(item, message):
    with pytest.raises(FramepredError, match=message) as caught:
        parse_override(item)
    assert str(caught.value).startswith(f"--override {item!r}:") and "\n" not in str(caught.value)


def test_repeated_keys_keep_the_last_and_the_flag_is_named():
    assert parse_overrides(["filters=(4,)", "kernel_size=3", "filters=(8,)"]) == {"filters": (8,), "kernel_size": 3}
    with pytest.raises(FramepredError, match="^--set 'x': expected KEY=VALUE"):
        parse_overrides(["x"], flag="--set")


@pytest.mark.parametrize("command", [["train", "convlstm"], ["bench", "model", "convlstm"], ["vqa", "train"]])
def test_every_command_uses_this_grammar(command, capsys):
    from framepred_tf.cli import main

    assert main([*command, "--override", "filters=(8,8"]) == 2
    assert capsys.readouterr().err == ("framepred-tf: error: --override 'filters=(8,8': (8,8 is not a valid "
                                       "Python literal (check brackets and quotes)\n")


def test_vqa_train_reads_tuples_and_booleans():
    from framepred_tf.cli import build_parser
    from framepred_tf.vqa.cli import resolve_train_config

    args = build_parser().parse_args(["vqa", "train", "--override", "conv_filters=(4,4)",
                                      "--override", "question_dropout=None", "--override", "fusion=film"])
    overrides = resolve_train_config(args)["model_overrides"]
    assert overrides["conv_filters"] == (4, 4) and overrides["question_dropout"] is None
    assert overrides["fusion"] == "film"

"""``framepred-tf eval`` / ``report`` through ``cli.main``: errors are one line and exit 2."""
import os

import numpy as np
import pytest

from framepred_tf import cli
from framepred_tf.evaluation import baselines, evaluate

from .conftest import fake_loader, fake_training_generator, make_run


def _one_error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("framepred-tf: error: ")
    return err[0]


def test_eval_missing_run_dir_exits_2_with_one_line(tmp_path, capsys):
    missing = str(tmp_path / "no-such-run")
    assert cli.main(["eval", missing]) == 2
    assert missing in _one_error_line(capsys)


def test_eval_run_without_best_model_exits_2(tmp_path, capsys):
    run_dir = make_run(str(tmp_path), "convlstm-20240101-000000", "convlstm", with_model=False)
    assert cli.main(["eval", run_dir, "--test-size", "4"]) == 2
    assert os.path.join(run_dir, "best.keras") in _one_error_line(capsys)


def test_report_with_explicit_missing_run_dir_exits_2(tmp_path, capsys):
    assert cli.main(["report", str(tmp_path / "gone"), "--out", str(tmp_path / "r")]) == 2
    assert "gone" in _one_error_line(capsys)


def test_bad_test_size_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["eval", "x", "--test-size", "0"])
    assert exit_info.value.code == 2


def test_eval_and_report_commands_run(runs_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(evaluate, "load_test_set", fake_loader())
    real_stats = baselines.training_statistics
    monkeypatch.setattr(baselines, "training_statistics",
                        lambda digits, **kw: real_stats(digits, generator=fake_training_generator))
    run_dir = os.path.join(runs_dir, "convlstm-20240102-000000")
    out = tmp_path / "eval"
    assert cli.main(["eval", run_dir, "--test-set", "standard", "--test-set", "research",
                     "--test-size", "3", "--out", str(out)]) == 0
    assert "on standard (n=3)" in capsys.readouterr().out
    with np.load(out / "convlstm-20240102-000000" / "research-n3-mnist5k.npz") as stored:
        assert stored["ssim"].shape == (3, 10)
    report_dir = tmp_path / "report"
    assert cli.main(["report", "--runs", runs_dir, "--out", str(report_dir), "--test-size", "3",
                     "--test-set", "research", "--test-set", "standard", "--digits", "mnist5k"]) == 0
    assert (report_dir / "index.html").is_file() and (report_dir / "report.md").is_file()
    assert "report written to" in capsys.readouterr().out


def test_eval_needs_runs_or_baselines(capsys):
    assert cli.main(["eval"]) == 2
    assert "--baselines" in _one_error_line(capsys)


def test_eval_baselines_only(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(evaluate, "load_test_set", fake_loader())
    real_stats = baselines.training_statistics
    monkeypatch.setattr(baselines, "training_statistics",
                        lambda digits, **kw: real_stats(digits, generator=fake_training_generator))
    assert cli.main(["eval", "--baselines", "--test-size", "4", "--digits", "mnist5k", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for name in baselines.BASELINE_NAMES:
        assert f"baseline-{name} on research (n=4)" in out
        assert (tmp_path / f"baseline-{name}" / "research-n4-mnist5k.npz").is_file()

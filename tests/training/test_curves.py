"""``framepred-tf plot``: val_loss against training minutes of two fabricated runs, and its one-line errors."""
import csv
import json
import os

from tests.training.conftest import run_cli

HISTORY = "epoch,step,loss,val_loss,lr\n1,10,900.5,800.25,0.001\n2,20,700.0,650.5,0.0009\n3,30,650.0,,0.0008\n"
WALLCLOCK = "epoch,step,train_minutes\n1,10,1.5\n2,20,3.25\n3,30,4.0\n"


def _fake_run(parent, name, model, preset, history=HISTORY, wallclock=WALLCLOCK, precision="float32"):
    run = parent / name
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"model": model, "preset": preset, "precision": precision}))
    if history is not None:
        (run / "history.csv").write_text(history)
    if wallclock is not None:
        (run / "wallclock.csv").write_text(wallclock)
    return str(run)


def test_two_runs_give_a_png_and_the_plotted_points(tmp_path):
    first = _fake_run(tmp_path, "convlstm-20240101-000000", "convlstm", "quick")
    second = _fake_run(tmp_path, "stae-20240102-000000", "stae", "paper",
                       history="epoch,step,loss,val_loss,lr\n1,5,2.0,1.5,0.01\n",
                       wallclock="epoch,step,train_minutes\n1,5,0.75\n")
    out = tmp_path / "plots" / "curves.png"
    status, stdout, err = run_cli(["plot", first, second, "--out", str(out), "--baseline", "654.6",
                                   "--baseline-label", "mean training frame"])
    assert status == 0, err
    assert out.stat().st_size > 1000 and str(out) in stdout
    with open(tmp_path / "plots" / "curves.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["run", "model", "preset", "precision", "epoch", "minutes", "val_loss"]
    assert [(r["run"], r["model"], r["preset"], r["precision"], r["epoch"], float(r["minutes"]), float(r["val_loss"]))
            for r in rows] == [
        ("convlstm-20240101-000000", "convlstm", "quick", "float32", "1", 1.5, 800.25),
        ("convlstm-20240101-000000", "convlstm", "quick", "float32", "2", 3.25, 650.5),  # epoch 3 has no val_loss
        ("stae-20240102-000000", "stae", "paper", "float32", "1", 0.75, 1.5),
    ]
    assert sorted(os.listdir(tmp_path / "plots")) == ["curves.csv", "curves.png"]  # no temporaries left


def test_labels_are_model_and_preset_and_tell_apart_runs_sharing_them(tmp_path):
    from framepred_tf.training.curves import curve_labels, run_points

    runs = [run_points(_fake_run(tmp_path, name, "convlstm", "quick")) for name in ("a", "b")]
    runs.append(run_points(_fake_run(tmp_path, "c", "vpn", "quick")))
    assert curve_labels(runs) == ["convlstm quick (a)", "convlstm quick (b)", "vpn quick"]


def test_runs_sharing_model_and_preset_are_told_apart_by_precision_where_it_differs(tmp_path):
    from framepred_tf.training.curves import curve_labels, run_points

    runs = [run_points(_fake_run(tmp_path, name, "convlstm", "quick", precision=precision))
            for name, precision in (("a", "mixed_bfloat16"), ("b", "float32"), ("c", "float32"))]
    assert curve_labels(runs) == ["convlstm quick, mixed_bfloat16", "convlstm quick (b)", "convlstm quick (c)"]


def _one_line_error(argv):
    status, _, err = run_cli(argv)
    lines = err.strip().splitlines()
    assert status == 2 and len(lines) == 1 and lines[0].startswith("framepred-tf: error: "), err
    return lines[0]


def test_a_run_without_history_or_wallclock_is_one_line_naming_it(tmp_path):
    good = _fake_run(tmp_path, "good", "convlstm", "quick")
    no_history = _fake_run(tmp_path, "no-history", "convlstm", "quick", history=None)
    no_wallclock = _fake_run(tmp_path, "no-wallclock", "convlstm", "quick", wallclock=None)
    out = tmp_path / "curves.png"
    line = _one_line_error(["plot", good, no_history, "--out", str(out)])
    assert f"{no_history} has no history.csv" in line
    line = _one_line_error(["plot", no_wallclock, "--out", str(out)])
    assert f"{no_wallclock} has no wallclock.csv" in line
    assert "config.json not found" in _one_line_error(["plot", str(tmp_path), "--out", str(out)])
    assert not out.exists() and not (tmp_path / "curves.csv").exists()


def test_bad_out_and_a_label_without_a_baseline_are_one_line(tmp_path):
    run = _fake_run(tmp_path, "run", "convlstm", "quick")
    assert "must be a .png path" in _one_line_error(["plot", run, "--out", str(tmp_path / "curves.pdf")])
    assert "--baseline-label needs --baseline" in _one_line_error(
        ["plot", run, "--out", str(tmp_path / "c.png"), "--baseline-label", "x"])

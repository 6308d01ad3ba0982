"""The user script of README.md runs as written (with smaller sizes) and is quoted verbatim there."""
import csv
import os
import pathlib

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"

README_SCRIPT = '''\
import keras
import framepred_tf.training
from framepred_tf.models import get_model
from framepred_tf.data import MovingMnistSequence

# Moving MNIST: 10 input frames of two bouncing digits -> the next 10 frames.
train = MovingMnistSequence(batch_size=8, steps_per_epoch=200, seed=0)
val = MovingMnistSequence(batch_size=8, steps_per_epoch=10, seed=1)

model = get_model("convlstm", filters=(32, 32, 32))  # paper size: get_model("convlstm")
model.compile(optimizer=keras.optimizers.RMSprop(1e-3))  # the paper's loss is built in
model.fit(train, validation_data=val, epochs=3,
          callbacks=framepred_tf.training.standard_callbacks("runs/my-run"))
model.save("my-convlstm.keras")
'''

# CPU-test sizes substituted into the script; each original must occur exactly once.
SMALLER = {
    "(batch_size=8, steps_per_epoch=200,": "(batch_size=2, steps_per_epoch=2,",
    "(batch_size=8, steps_per_epoch=10,": "(batch_size=2, steps_per_epoch=1,",
    "filters=(32, 32, 32))": "filters=(4,), kernel_size=3)",
    "epochs=3,": "epochs=1,",
}


def _smaller(script):
    for original, replacement in SMALLER.items():
        assert script.count(original) == 1, f"README script no longer contains {original!r}"
        script = script.replace(original, replacement)
    return script


def test_readme_contains_the_script():
    assert README_SCRIPT in README.read_text(encoding="utf-8")


@pytest.mark.slow
def test_readme_script_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(compile(_smaller(README_SCRIPT), "README.md", "exec"), {"__name__": "__readme__"})
    run_dir = tmp_path / "runs" / "my-run"
    with open(run_dir / "history.csv", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert float(row["val_loss"]) > 0
    assert os.path.exists(run_dir / "best.keras") and os.path.exists(tmp_path / "my-convlstm.keras")
    assert sorted(os.listdir(run_dir / "checkpoints")) == ["ckpt-2.json", "ckpt-2.keras"]

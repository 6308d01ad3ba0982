"""Pretrained weights: export a tiny run, load it back by name, refuse corrupt or missing files.

No weights ship with the tests: a tiny ConvLSTM run is exported into a temporary pretrained
folder (``FRAMEPRED_PRETRAINED_DIR`` or ``directory=``), and the loaded model is compared with
the run's own ``best.keras``.
"""
import io
import json
import os
import shutil

import keras
import numpy as np
import pytest

from framepred_tf import cli, models
from framepred_tf.errors import FramepredError
from framepred_tf.evaluation import evaluate, report
from framepred_tf.models import pretrained

from tests.conftest import TINY_CONVLSTM_COMMAND, TINY_RESEARCH_FIGURES
from tests.evaluation.conftest import fake_loader, fake_training_generator, moving_squares

COMMAND, FIGURES = TINY_CONVLSTM_COMMAND, TINY_RESEARCH_FIGURES


def _frames(n=2, seed=0):
    return moving_squares(n, seed=seed)[:, :10, ..., np.newaxis]


def test_empty_folder_lists_nothing(tmp_path):
    assert models.list_pretrained(tmp_path) == []
    (tmp_path / "manifest.json").write_text('{"format": 1, "models": {}}')
    assert pretrained.list_pretrained(tmp_path) == []


def test_shipped_manifest_is_valid_and_every_file_matches_its_checksum():
    assert os.path.isfile(os.path.join(pretrained.DEFAULT_DIR, pretrained.MANIFEST_NAME))
    for name in pretrained.list_pretrained(pretrained.DEFAULT_DIR):
        path = pretrained.verified_path(name, pretrained.DEFAULT_DIR)
        assert os.path.getsize(path) <= pretrained.MAX_FILE_BYTES
        entry = pretrained.pretrained_entry(name, pretrained.DEFAULT_DIR)
        assert entry["command"].startswith("framepred-tf train") and "cross_entropy" in entry["research"]


def test_export_then_load_gives_the_runs_outputs(shipped_tiny_convlstm, tiny_convlstm_run):
    assert models.list_pretrained() == ["tiny-convlstm"]
    entry = pretrained.read_manifest()["tiny-convlstm"]
    path = shipped_tiny_convlstm / "tiny-convlstm.keras"
    assert entry["sha256"] == pretrained.file_sha256(path) and entry["bytes"] == path.stat().st_size
    assert entry["command"] == COMMAND and entry["research"] == FIGURES and entry["config"]["model"] == "convlstm"
    loaded = models.from_pretrained("tiny-convlstm")
    original = keras.saving.load_model(os.path.join(tiny_convlstm_run, "best.keras"), compile=False)
    frames = _frames()
    out = keras.ops.convert_to_numpy(loaded(frames))
    assert out.shape == (2, 10, 64, 64, 1) and out.min() >= 0 and out.max() <= 1
    np.testing.assert_array_equal(out, keras.ops.convert_to_numpy(original(frames)))


def test_corrupt_or_missing_file_is_refused_naming_it(shipped_tiny_convlstm):
    path = shipped_tiny_convlstm / "tiny-convlstm.keras"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(FramepredError, match="sha256") as error:
        models.from_pretrained("tiny-convlstm")
    assert str(path) in str(error.value) and "\n" not in str(error.value)
    path.unlink()
    with pytest.raises(FramepredError, match="missing") as error:
        models.from_pretrained("tiny-convlstm")
    assert str(path) in str(error.value)


def test_unknown_name_lists_the_known_ones(shipped_tiny_convlstm, tmp_path, capsys):
    with pytest.raises(FramepredError, match="unknown pretrained model 'nope'; known names: tiny-convlstm"):
        models.from_pretrained("nope")
    assert cli.main(["eval", "--pretrained", "nope", "--test-size", "2", "--out", str(tmp_path)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == "framepred-tf: error: unknown pretrained model 'nope'; known names: tiny-convlstm"


def test_export_refuses_what_cannot_be_shipped(tiny_convlstm_run, tmp_path, monkeypatch):
    with pytest.raises(FramepredError, match="must be lower-case"):
        pretrained.export_pretrained(tiny_convlstm_run, "Bad Name", research_figures=FIGURES, command=COMMAND,
                                     directory=tmp_path)
    with pytest.raises(FramepredError, match="pass command="):
        pretrained.export_pretrained(tiny_convlstm_run, "tiny", research_figures=FIGURES, directory=tmp_path)
    with pytest.raises(FramepredError, match="holds no research evaluation"):
        pretrained.export_pretrained(tiny_convlstm_run, "tiny", command=COMMAND, directory=tmp_path)
    wrong = tmp_path / "wrong-run"
    wrong.mkdir()
    inputs = keras.Input((16, 32, 32, 3))
    keras.Model(inputs, keras.layers.Dense(1)(inputs)).save(wrong / "best.keras")
    (wrong / "config.json").write_text('{"model": "cnn_lstm"}')
    with pytest.raises(FramepredError, match=r"does not take \(B, 10, 64, 64, 1\) frames"):
        pretrained.export_pretrained(wrong, "tiny", research_figures=FIGURES, command=COMMAND, directory=tmp_path)
    monkeypatch.setattr(pretrained, "MAX_FILE_BYTES", 1000)
    with pytest.raises(FramepredError, match="over the 0.001 MB limit"):
        pretrained.export_pretrained(tiny_convlstm_run, "tiny", research_figures=FIGURES, command=COMMAND,
                                     directory=tmp_path)
    assert pretrained.list_pretrained(tmp_path) == []  # nothing was half-exported


def test_export_reads_the_runs_stored_research_evaluation(tiny_convlstm_run, tmp_path):
    run_dir = shutil.copytree(tiny_convlstm_run, tmp_path / "run")  # its own eval/ folder
    evaluate.run_eval([run_dir], test_sets=["research"], test_size=3, batch_size=3, loader=fake_loader(),
                      stream=io.StringIO())
    with np.load(os.path.join(run_dir, "eval", "research-n3-mnist5k.npz")) as stored:
        expected = {name: float(stored[name].mean()) for name in ("cross_entropy", "ssim")}
        frame_10 = float(stored["cross_entropy"][:, -1].mean())
    pretrained.export_pretrained(run_dir, "from-eval", command=COMMAND, directory=tmp_path)
    research = pretrained.pretrained_entry("from-eval", tmp_path)["research"]
    assert research["size"] == 3 and research["digits"] == "mnist5k"
    assert research["cross_entropy"] == pytest.approx(expected["cross_entropy"])
    assert research["ssim"] == pytest.approx(expected["ssim"])
    assert research["cross_entropy_frame_10"] == pytest.approx(frame_10)


def test_eval_report_predict_and_models_accept_pretrained_names(shipped_tiny_convlstm, tiny_convlstm_run, tmp_path,
                                                                 monkeypatch, capsys):
    monkeypatch.setattr(evaluate, "load_test_set", fake_loader())
    assert cli.main(["eval", "--pretrained", "tiny-convlstm", "--test-size", "3", "--out", str(tmp_path / "e")]) == 0
    assert "pretrained-tiny-convlstm on research (n=3)" in capsys.readouterr().out
    page = report.build_report(runs_dir=str(tmp_path / "no-runs"), out=str(tmp_path / "r"), test_size=3,
                               test_sets=["research"], loader=fake_loader(), stats_generator=fake_training_generator,
                               stream=io.StringIO(), pretrained=["tiny-convlstm"])
    results = json.loads((tmp_path / "r" / "results.json").read_text())
    assert results["subjects"]["pretrained-tiny-convlstm"]["model"] == "convlstm"
    assert "tiny-convlstm (pretrained)" in open(page, encoding="utf-8").read()
    np.save(tmp_path / "seq.npy", moving_squares(2, seed=1))
    assert cli.main(["predict", "--pretrained", "tiny-convlstm", "--input", str(tmp_path / "seq.npy"),
                     "--out", str(tmp_path / "p")]) == 0
    original = keras.saving.load_model(os.path.join(tiny_convlstm_run, "best.keras"), compile=False)
    expected = keras.ops.convert_to_numpy(original(moving_squares(2, seed=1)[:, :10, ..., np.newaxis]))[..., 0]
    np.testing.assert_allclose(np.load(tmp_path / "p" / "predictions.npy"), expected, atol=1e-6)
    from framepred_tf.models.summary import print_pretrained

    capsys.readouterr()
    print_pretrained()
    listing = capsys.readouterr().out
    assert "tiny-convlstm" in listing and "600.0 (n=3)" in listing


@pytest.mark.parametrize("name", ["convlstm-cpu", "encoder_forecaster-cpu"])
def test_shipped_weights_score_what_their_manifest_says_on_research(name):
    """The shipped weights are the trained ones: on 64 research sequences they score near the
    manifest's 1,000-sequence figure and far below the mean training frame (654.6)."""
    from framepred_tf.data.test_sets import test_set

    assert name in pretrained.list_pretrained(pretrained.DEFAULT_DIR)
    entry = pretrained.pretrained_entry(name, pretrained.DEFAULT_DIR)
    model = pretrained.from_pretrained(name, pretrained.DEFAULT_DIR)
    sequences = test_set("research", size=64, digits=entry["config"]["digits"])[..., np.newaxis]
    predictions = np.clip(np.asarray(model(sequences[:, :10])), 1e-7, 1 - 1e-7)
    truth = sequences[:, 10:]
    per_frame = -(truth * np.log(predictions) + (1 - truth) * np.log(1 - predictions)).sum(axis=(2, 3, 4))
    assert per_frame.mean() < 654.6 - 50
    assert abs(per_frame.mean() - entry["research"]["cross_entropy"]) < 30


def test_export_leaves_out_the_optimizer_state_that_best_keras_keeps(tmp_path):
    """A trained run's best.keras holds Adam's moments for resuming; the shipped file holds none."""
    import zipfile

    import h5py

    run = tmp_path / "convlstm-20240101-000000"
    run.mkdir()
    model = models.get_model("convlstm", filters=(4,), kernel_size=3, patch_size=4)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    frames = _frames()
    model.train_on_batch(frames, frames)
    model.save(run / "best.keras")
    (run / "config.json").write_text('{"model": "convlstm", "preset": "quick", "digits": "mnist5k"}')

    def weight_groups(path):
        with zipfile.ZipFile(path) as archive, archive.open("model.weights.h5") as weights:
            with h5py.File(io.BytesIO(weights.read()), "r") as h5:
                return set(h5.keys())

    assert "optimizer" in weight_groups(run / "best.keras")
    path = pretrained.export_pretrained(run, "tiny", research_figures=FIGURES, command=COMMAND, directory=tmp_path)
    assert "optimizer" not in weight_groups(path)
    shipped = keras.ops.convert_to_numpy(pretrained.from_pretrained("tiny", tmp_path)(frames))
    np.testing.assert_allclose(shipped, keras.ops.convert_to_numpy(model(frames)), rtol=1e-5, atol=1e-6)

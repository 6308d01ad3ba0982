"""``framepred-tf predict`` on its three input kinds, its bad inputs, ``--force``, and the pages' links.

The model is a tiny functional Conv3D with the contract's I/O (``save_tiny_model``); the
reference predictions are that model called directly on the frames the test wrote.
"""
import html.parser
import io
import json
import os

import numpy as np
import pytest
from PIL import Image

from framepred_tf import cli
from framepred_tf.evaluation import predict as predict_lib
from framepred_tf.evaluation import figures, report

from .conftest import fake_loader, fake_training_generator, make_run, moving_squares


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return make_run(str(tmp_path_factory.mktemp("predict-runs")), "convlstm-20240101-000000", "convlstm", seed=7)


@pytest.fixture(scope="module")
def model(run_dir):
    import keras

    return keras.saving.load_model(os.path.join(run_dir, "best.keras"), compile=False)


def _reference(model, sequences):
    """The model called directly on the first 10 frames ``(n, 10, 64, 64)``."""
    import keras

    frames = np.asarray(sequences[:, :10, ..., np.newaxis], np.float32)
    return keras.ops.convert_to_numpy(model(frames))[..., 0]


def _one_error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("framepred-tf: error: "), err
    return err[0]


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        self.links += [value for name, value in attrs if name in ("src", "href") and value]


def linked_files(page):
    """Every local file ``page`` links to (``src``/``href``), as paths; asserts there is at least one."""
    parser = _Links()
    with open(page, encoding="utf-8") as f:
        parser.feed(f.read())
    local = [link for link in parser.links if "://" not in link and not link.startswith("#")]
    assert local, f"{page} links to nothing"
    return [os.path.join(os.path.dirname(page), link) for link in local]


def _assert_outputs(out, indices, frames=10):
    predictions = np.load(os.path.join(out, "predictions.npy"))
    assert predictions.shape == (len(indices), frames, 64, 64) and predictions.dtype == np.float32
    names = {f"sequence_{i:04d}.{ext}" for i in indices for ext in ("png", "gif")}
    assert names | {"predictions.npy", "predictions.json", "index.html"} == set(os.listdir(out))
    links = linked_files(os.path.join(out, "index.html"))
    assert {os.path.basename(link) for link in links} == names
    assert all(os.path.isfile(link) for link in links)
    with open(os.path.join(out, "predictions.json"), encoding="utf-8") as f:
        assert json.load(f)["indices"] == list(indices)
    return predictions


def test_named_test_set_through_the_cli(run_dir, model, tmp_path, capsys):
    out = tmp_path / "pred"
    status = cli.main(["predict", run_dir, "--input", "research", "--digits", "mnist5k", "--index", "3,0",
                       "--out", str(out)])
    assert status == 0
    assert f"predictions written to {out / 'index.html'}" in capsys.readouterr().out
    predictions = _assert_outputs(str(out), [3, 0])
    from framepred_tf.data import test_set

    sequences = test_set("research", size=4, digits="mnist5k")[[3, 0]]
    np.testing.assert_allclose(predictions, _reference(model, sequences), atol=1e-6)


def test_npy_layouts_are_detected_and_overridden(run_dir, model, tmp_path):
    sequences = (moving_squares(3, seed=4) * 255).astype(np.uint8)  # (3, 20, 64, 64): NTHW
    np.save(tmp_path / "nthw.npy", sequences)
    np.save(tmp_path / "tnhw.npy", sequences.swapaxes(0, 1))  # (20, 3, 64, 64): Srivastava's order
    expected = _reference(model, sequences.astype(np.float32) / 255)
    for name in ("nthw", "tnhw"):
        stream = io.StringIO()
        predict_lib.predict(run_dir, source=str(tmp_path / f"{name}.npy"), out=tmp_path / name, stream=stream)
        np.testing.assert_allclose(_assert_outputs(str(tmp_path / name), [0, 1, 2]), expected, atol=1e-6)
        assert f"({name.upper()}, detected from the shape" in stream.getvalue()
    # 20 x 20: a tie reads as NTHW unless --layout says otherwise
    square = (moving_squares(20, seed=5) * 255).astype(np.uint8)
    np.save(tmp_path / "square.npy", square)
    predict_lib.predict(run_dir, source=str(tmp_path / "square.npy"), out=tmp_path / "sq", layout="TNHW",
                        index=[1], stream=io.StringIO())
    np.testing.assert_allclose(_assert_outputs(str(tmp_path / "sq"), [1]),
                               _reference(model, square.swapaxes(0, 1)[[1]].astype(np.float32) / 255), atol=1e-6)


@pytest.mark.parametrize("shape, layout", [((20, 10000), "TNHW"), ((5, 20), "NTHW"), ((100, 20), "NTHW"),
                                           ((20, 20), "NTHW"), ((15, 30), "TNHW"), ((30, 12), "NTHW")])
def test_detect_layout(shape, layout):
    assert predict_lib.detect_layout(shape + (64, 64)) == layout


def _write_clip(folder, count, size=(100, 80)):
    """``count`` RGB frames ``f1.png ... f{count}.png``; frame k is a square at column 4k, intensity 10k."""
    os.makedirs(folder, exist_ok=True)
    for k in range(count):
        rgb = np.zeros((size[1], size[0], 3), np.uint8)
        rgb[10:30, 4 * k:4 * k + 20] = (10 * k + 50, 10 * k + 50, 10 * k + 50)
        Image.fromarray(rgb).save(os.path.join(folder, f"f{k + 1}.png"))


def test_frame_folder_is_one_clip_in_natural_order(run_dir, model, tmp_path):
    folder = tmp_path / "clip"
    _write_clip(folder, 12)
    stream = io.StringIO()
    source = predict_lib.read_frame_folder(str(folder), None, stream)
    assert source.sequences.shape == (1, 12, 64, 64) and source.indices == [0]
    # natural order: f2 before f10, so the squares' brightness grows frame by frame
    peaks = source.sequences[0].max(axis=(1, 2))
    assert np.all(np.diff(peaks) > 0)
    (warning,) = stream.getvalue().splitlines()
    assert warning.startswith("framepred-tf: warning: ") and "f1.png ... f12.png" in warning
    assert "converted RGB to grayscale" in warning and "resized 100x80 to 64x64" in warning
    out = tmp_path / "pred"
    predict_lib.predict(run_dir, source=str(folder), out=out, stream=io.StringIO())
    predictions = _assert_outputs(str(out), [0])
    np.testing.assert_allclose(predictions, _reference(model, source.sequences), atol=1e-6)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "over the 2 frame(s) with truth" in page  # frames 11 and 12 of the clip


def test_more_frames_feed_the_predictions_back(run_dir, model, tmp_path, monkeypatch):
    sequences = moving_squares(2, seed=6)
    np.save(tmp_path / "seq.npy", sequences)
    monkeypatch.setattr(predict_lib, "PROGRESS_DELAY", 0.0)
    stream = io.StringIO()
    predict_lib.predict(run_dir, source=str(tmp_path / "seq.npy"), out=tmp_path / "p", frames=14, batch_size=1,
                        stream=stream)
    progress = [line for line in stream.getvalue().splitlines() if line.startswith("predicting: ")]
    assert progress[-1].startswith("predicting: 2/2 (100%)") and "ETA" in progress[-1]
    predictions = _assert_outputs(str(tmp_path / "p"), [0, 1], frames=14)
    first = _reference(model, sequences)
    np.testing.assert_allclose(predictions[:, :10], first, atol=1e-6)
    context = np.concatenate([sequences[:, :10], first], axis=1)[:, -10:]
    np.testing.assert_allclose(predictions[:, 10:], _reference(model, context)[:, :4], atol=1e-5)


def test_force_replaces_only_an_earlier_prediction(run_dir, tmp_path, capsys):
    np.save(tmp_path / "seq.npy", moving_squares(1, seed=8))
    out = tmp_path / "pred"
    argv = ["predict", run_dir, "--input", str(tmp_path / "seq.npy"), "--out", str(out)]
    assert cli.main(argv) == 0
    (out / "stale.txt").write_text("from an earlier run")
    capsys.readouterr()
    assert cli.main(argv) == 2
    assert "already exists; pass --force" in _one_error_line(capsys)
    assert (out / "stale.txt").is_file()
    assert cli.main(argv + ["--force"]) == 0
    assert not (out / "stale.txt").exists() and (out / "predictions.npy").is_file()
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep me")
    capsys.readouterr()
    assert cli.main(argv[:-1] + [str(other), "--force"]) == 2
    assert "no predictions.npy" in _one_error_line(capsys) and (other / "mine.txt").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes", "pred", "seq.npy"]  # no temporary left


def _bad_inputs(tmp_path):
    """``{case: (model, source, text the error must contain)}``; every case writes its own files."""
    wrong_model = str(tmp_path / "small.keras")
    import keras

    inputs = keras.Input((10, 32, 32, 1))
    keras.Model(inputs, keras.layers.Conv3D(1, 3, padding="same", activation="sigmoid")(inputs)).save(wrong_model)
    np.save(tmp_path / "rank3.npy", np.zeros((20, 64, 64), np.uint8))
    np.save(tmp_path / "int64.npy", np.zeros((2, 20, 64, 64), np.int64))
    np.save(tmp_path / "range.npy", np.full((2, 20, 64, 64), 2.0, np.float32))
    np.save(tmp_path / "short.npy", np.zeros((2, 8, 64, 64), np.uint8))
    (tmp_path / "empty").mkdir()
    _write_clip(tmp_path / "corrupt", 12)
    (tmp_path / "corrupt" / "f5.png").write_bytes(b"this is not a PNG file")
    return {
        "model input shape": (wrong_model, "research", [wrong_model, "(B, 10, 64, 64, 1)"]),
        "npy rank": (None, "rank3.npy", ["rank3.npy", "rank 3", "expected rank 4"]),
        "npy dtype": (None, "int64.npy", ["int64.npy", "dtype int64", "uint8"]),
        "npy values": (None, "range.npy", ["range.npy", "[0, 1]"]),
        "npy frames": (None, "short.npy", ["short.npy", "at least 10"]),
        "empty folder": (None, "empty", ["empty", "holds no png"]),
        "corrupt image": (None, "corrupt", [os.path.join(str(tmp_path), "corrupt", "f5.png"), "expected an image"]),
        "unknown source": (None, "no-such-set", ["no-such-set", "research"]),
    }


def test_bad_input_is_one_line_naming_the_file_and_exit_2(run_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(predict_lib.ev, "load_test_set", fake_loader())
    for case, (model_path, source, expected) in _bad_inputs(tmp_path).items():
        path = source if source in ("research", "no-such-set") else str(tmp_path / source)
        out = tmp_path / f"out-{case.replace(' ', '-')}"
        capsys.readouterr()
        assert cli.main(["predict", model_path or run_dir, "--input", path, "--out", str(out)]) == 2, case
        line = _one_error_line(capsys)
        for text in expected:
            assert text in line, (case, line)
        assert not out.exists(), case


def test_model_arguments_are_checked(run_dir, tmp_path, capsys):
    np.save(tmp_path / "seq.npy", moving_squares(1))
    source = ["--input", str(tmp_path / "seq.npy"), "--out", str(tmp_path / "p")]
    assert cli.main(["predict", *source]) == 2
    assert "--pretrained NAME (exactly one" in _one_error_line(capsys)
    assert cli.main(["predict", str(tmp_path / "missing.keras"), *source]) == 2
    assert "missing.keras not found" in _one_error_line(capsys)
    empty_run = tmp_path / "not-a-run"
    empty_run.mkdir()
    assert cli.main(["predict", str(empty_run), *source]) == 2
    assert "not a training run directory" in _one_error_line(capsys)
    assert cli.main(["predict", run_dir, *source, "--index", "1"]) == 2
    assert "--index 1 is outside" in _one_error_line(capsys)


def _gif_frames(path):
    with Image.open(path) as image:
        frames = []
        for number in range(image.n_frames):
            image.seek(number)
            frames.append(np.asarray(image.convert("L"), dtype=float) / 255)
    return frames


def _panel(frame, column, row=0, size=64):
    """The 64x64 frame shown in panel ``column`` of row ``row`` of an animation frame (downsampled)."""
    scale, header, pad = figures._SCALE, figures._HEADER, figures._PAD
    top = pad + row * (header + size * scale + pad) + header
    left = pad + column * (size * scale + pad)
    return frame[top:top + size * scale:scale, left:left + size * scale:scale]


def test_animation_shows_inputs_then_truth_beside_prediction(tmp_path):
    sequences = moving_squares(2, seed=9)
    inputs, truth = sequences[:, :10], sequences[:, 10:16]  # six frames of truth for ten predictions
    prediction = np.clip(sequences[:, 10:] * 0.6 + 0.1, 0, 1)
    figures.animation(tmp_path / "a.gif", inputs, truth, {"model": prediction})
    frames = _gif_frames(tmp_path / "a.gif")
    assert len(frames) == 20
    tolerance = 1.5 / 255  # the fixed palette has 252 grey levels
    for row in (0, 1):
        np.testing.assert_allclose(_panel(frames[3], 0, row), inputs[row, 3], atol=tolerance)
        np.testing.assert_allclose(_panel(frames[3], 1, row), inputs[row, 3], atol=tolerance)
        np.testing.assert_allclose(_panel(frames[12], 0, row), truth[row, 2], atol=tolerance)
        np.testing.assert_allclose(_panel(frames[12], 1, row), prediction[row, 2], atol=tolerance)
        np.testing.assert_allclose(_panel(frames[17], 1, row), prediction[row, 7], atol=tolerance)
        # past the sixth true frame the truth panel is a flat grey saying "no truth"
        assert np.median(_panel(frames[17], 0, row)) == pytest.approx(60 / 255, abs=tolerance)


def test_demo_figure_gets_a_gif_beside_it(tmp_path, model):
    from framepred_tf.training.figures import gif_path, save_prediction

    sequences = moving_squares(3, seed=10)[..., np.newaxis]
    path = tmp_path / "demo_prediction.png"
    save_prediction(model, sequences[:, :10], sequences[:, 10:], path, title="demo")
    assert gif_path(path) == str(tmp_path / "demo_prediction.gif")
    frames = _gif_frames(gif_path(path))
    assert len(frames) == 20 and path.stat().st_size > 1000
    np.testing.assert_allclose(_panel(frames[15], 1, row=2), _reference(model, sequences[..., 0])[2, 5],
                               atol=1.5 / 255)


def test_report_page_links_only_existing_files_and_shows_gifs(runs_dir, tmp_path):
    out = str(tmp_path / "report")
    page = report.build_report(runs_dir=runs_dir, out=out, test_size=10, batch_size=5, test_sets=["research"],
                               loader=fake_loader(), stats_generator=fake_training_generator, stream=io.StringIO())
    links = linked_files(page)
    assert all(os.path.isfile(link) for link in links), [link for link in links if not os.path.isfile(link)]
    gifs = [link for link in links if link.endswith(".gif")]
    assert len(gifs) == len(report.reference.sample_indices(10))
    for gif in gifs:
        assert len(_gif_frames(gif)) == 20
        assert gif[:-4] + ".png" in links  # each animation sits with its sample strip


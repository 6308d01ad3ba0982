"""The report builds from two tiny fabricated runs with every table and figure."""
import io
import json
import os

import numpy as np
import pytest
from scipy import stats

from framepred_tf.evaluation import reference, report
from framepred_tf.evaluation.names import TEST_SET_NAMES

from .conftest import fake_loader, fake_training_generator

TABLE_HEADERS = (
    "Table 4.1 analogue", "Table 4.2 analogue", "Table 4.3 analogue", "Table 4.4 analogue",
    "Baselines: cross-entropy", "Models against the baselines", "Modern metrics per model and test set",
    "Test sets",
)
FIGURES = ("box_average.png", "box_frame1.png", "box_frame10.png", "error_per_frame.png",
           "error_vs_digits.png", "mnist_vs_shapes.png")


@pytest.fixture(scope="module")
def built_report(runs_dir, tmp_path_factory):
    out = str(tmp_path_factory.mktemp("report"))
    calls = []
    html = report.build_report(runs_dir=runs_dir, out=out, test_size=12, batch_size=5, test_sets=TEST_SET_NAMES,
                               loader=fake_loader(calls), stats_generator=fake_training_generator,
                               stream=io.StringIO())
    return out, html, calls


def test_discover_runs_takes_newest_and_skips_non_frame_prediction(runs_dir):
    runs, notes = report.discover_runs(runs_dir)
    assert [r.name for r in runs] == ["convlstm-20240102-000000", "stae-20240101-120000"]
    text = "\n".join(notes)
    assert "vqa_mlp-20240101-000000: VQA run" in text
    assert "cnn_lstm-20240101-000000: CNN+LSTM run" in text
    assert "vpn-20240101-000000: skipped" in text and "best.keras not found" in text
    assert "1 older run(s) ignored" in text


def test_report_contains_every_table_and_figure(built_report):
    out, html, _ = built_report
    assert html == os.path.join(out, "index.html")
    with open(os.path.join(out, "report.md"), encoding="utf-8") as f:
        markdown = f.read()
    with open(html, encoding="utf-8") as f:
        page = f.read()
    for header in TABLE_HEADERS:
        assert header in markdown and header in page
    for name in FIGURES:
        assert os.path.getsize(os.path.join(out, "figures", name)) > 1000
        assert f"figures/{name}" in markdown and f"src=\"figures/{name}\"" in page
    # thesis sample indices modulo the test size (12): 608->8, 3713->5, 4543->7, 5214->6, 5721->9
    for index in reference.sample_indices(12):
        assert os.path.isfile(os.path.join(out, "figures", f"sample_{index}.png"))
    assert reference.sample_indices(12) == [8, 5, 7, 6, 9]
    # unavailable sources are listed as skipped with their reason, not errors
    assert "skipped: mnist_test_seq.npy not found (offline)" in markdown
    assert "skipped: EMNIST not available offline" in markdown
    assert "quick (short run, not comparable with the thesis)" in markdown


def test_thesis_numbers_sit_beside_ours(built_report):
    out, _, _ = built_report
    with open(os.path.join(out, "report.md"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    convlstm_41 = next(line for line in lines if line.startswith("| convlstm (thesis: ConvLSTM) | quick"))
    assert "| 367.2 | 361.6 | 219.7 | 457.0 |" in convlstm_41
    stae_43 = [line for line in lines if line.startswith("| stae (thesis: Spatio-Temporal) |") and "354.8" in line]
    assert stae_43 and "354.7" in stae_43[0]
    assert any(line.startswith("| convlstm – stae |") and line.endswith("| 0.798 |") for line in lines)
    assert any(line.startswith("| stae (thesis: Spatio-Temporal) | ") and "1.0e+06" in line for line in lines)


def test_report_numbers_match_the_cached_arrays(built_report):
    out, _, _ = built_report
    with open(os.path.join(out, "results.json"), encoding="utf-8") as f:
        results = json.load(f)
    ce = results["subjects"]["stae-20240101-120000"]["results"]["research"]["cross_entropy"]
    with np.load(os.path.join(out, "cache", "stae-20240101-120000", "research-n12-mnist5k.npz")) as stored:
        arrays = stored["cross_entropy"]
    assert ce["average"] == pytest.approx(arrays.mean())
    assert ce["frame_10"] == pytest.approx(arrays[:, -1].mean())
    assert results["subjects"]["stae-20240101-120000"]["parameters"] == 28  # Conv3D 3x3x3x1x1 + bias
    assert results["test_sets"]["srivastava"].startswith("skipped")


def test_verdict_against_the_baselines_follows_the_numbers(built_report):
    out, _, _ = built_report
    with open(os.path.join(out, "results.json"), encoding="utf-8") as f:
        subjects = json.load(f)["subjects"]
    with open(os.path.join(out, "report.md"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    floors = {s["label"]: s["results"]["research"]["cross_entropy"]["average"]
              for s in subjects.values() if s["kind"] == "baseline"}
    strongest = min(floors, key=floors.get)
    for subject in (s for s in subjects.values() if s["kind"] == "model"):
        ours = subject["results"]["research"]["cross_entropy"]["average"]
        row = next(line for line in lines if line.startswith(f"| research | {subject['label']} ")
                   and line.count("|") == 8)
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[3:5] == [strongest, f"{floors[strongest]:.1f}"]
        assert float(cells[5]) == pytest.approx(ours - floors[strongest], abs=0.051)
        beaten_by = sorted(label for label, value in floors.items() if ours >= value)
        if beaten_by:
            assert cells[6].startswith("does not beat") and sorted(cells[6][14:].split(", ")) == beaten_by
        else:
            assert cells[6] == "beats every baseline"


def test_second_build_uses_the_cache(built_report, runs_dir):
    out, _, first_calls = built_report
    calls = []
    report.build_report(runs_dir=runs_dir, out=out, test_size=12, batch_size=5, test_sets=TEST_SET_NAMES,
                        loader=fake_loader(calls),
                        stats_generator=fake_training_generator, stream=io.StringIO())
    # Cached sets are not loaded again; only unavailable sets are retried, plus the sample strips.
    assert sorted(calls) == sorted(["srivastava", "emnist", "research"])
    assert len(first_calls) > len(calls)


def test_spearman_pairs_match_scipy_and_ranks():
    rng = np.random.default_rng(0)
    a = rng.random(40)
    b = a + 0.3 * rng.random(40)
    c = rng.random(40)
    pairs = report.spearman_pairs({"a": a, "b": b, "c": c})
    assert [(x, y) for x, y, _, _ in pairs] == [("a", "b"), ("a", "c"), ("b", "c")]
    for (x, y, rho, p), (u, v) in zip(pairs, [(a, b), (a, c), (b, c)]):
        expected = stats.spearmanr(u, v)
        assert rho == pytest.approx(expected.statistic) and p == pytest.approx(expected.pvalue)
        # Spearman = Pearson correlation of the ranks (no ties here)
        assert rho == pytest.approx(np.corrcoef(np.argsort(np.argsort(u)), np.argsort(np.argsort(v)))[0, 1])


def test_reference_file_carries_its_source_and_mapping():
    assert "Feist 2021" in reference.citation() and "University of Alberta" in reference.citation()
    assert reference.thesis_name("convlstm") == "ConvLSTM"
    assert reference.thesis_name("encoder_forecaster") is None
    assert reference.table_4_1("vpn") == {"expected": 87.6, "results": 170.3, "first_frame": 119.8,
                                          "tenth_frame": 216.1}
    assert reference.table_4_2("vpn") == 3.8e7
    assert reference.table_4_3("vpn") == {"original": 170.3, "research": 205.5}
    assert reference.table_4_4("vpn", "stae") == 0.553
    assert reference.table_4_4("convlstm", "encoder_forecaster") is None


def test_report_without_runs_or_available_sets_still_builds(tmp_path):
    out = tmp_path / "report"
    report.build_report(runs_dir=str(tmp_path / "no-runs"), out=str(out), test_size=3,
                        test_sets=["srivastava", "emnist"], loader=fake_loader(),
                        stats_generator=fake_training_generator, stream=io.StringIO())
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "no runs directory" in markdown
    assert "Sample strips skipped" in markdown and "Box plots skipped" in markdown
    for header in TABLE_HEADERS:
        assert header in markdown

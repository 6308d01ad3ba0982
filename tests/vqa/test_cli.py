"""``framepred-tf vqa ...`` end to end on tiny data (1 epoch), plus the CLI's one-line errors."""
import json
import os

import numpy as np
import pytest

from framepred_tf.cli import main

# The quick preset's default Sort-of-CLEVR model (vqa_attention_rn), shrunk.
TINY_DEFAULT = ["--override", "conv_filters=[4,4]", "--override", "embed_dim=8", "--override", "question_dim=8",
                "--override", "attention_dim=8", "--override", "g_units=[16]", "--override", "f_units=[16]"]
EVAL_KEYS = {"overall", "per_answer_type", "relational", "non_relational", "published", "table",
             "majority_baseline", "majority_baseline_per_kind",
             "question_type_prior_baseline", "question_type_prior_baseline_per_kind"}
TABLE_COLUMNS = ["ours", "majority", "question_type_prior", "Santoro CNN+MLP", "Santoro CNN+RN"]
SAMPLE = os.environ.get("FRAMEPRED_VQA_SAMPLE_DIR")


def only_run(runs):
    (name,) = os.listdir(runs)
    return runs / name


def test_synthetic_train_and_eval_write_the_fixed_files(tmp_path, capsys):
    data, runs = tmp_path / "soc", tmp_path / "runs"
    assert main(["vqa", "make-synthetic", "--out", str(data), "--train-images", "6", "--val-images", "2"]) == 0
    assert main(["vqa", "train", "--data", str(data), "--epochs", "1", "--batch-size", "40", "--out", str(runs)]
                + TINY_DEFAULT) == 0
    run = only_run(runs)
    assert run.name.startswith("vqa_attention_rn-")
    for name in ("config.json", "best.keras", "history.csv", "question_vocab.json", "answer_vocab.json"):
        assert (run / name).is_file(), name
    assert main(["vqa", "eval", "--runs", str(runs)]) == 0
    report = json.loads((run / "eval.json").read_text())
    assert EVAL_KEYS <= set(report)
    assert report["num_questions"] == 40 and report["split"] == "val"
    for key in ("overall", "relational", "non_relational"):
        assert 0.0 <= report[key] <= 100.0
    for name in ("majority_baseline", "question_type_prior_baseline"):
        assert isinstance(report[name], float) and 0.0 <= report[name] <= 100.0
        assert {"relational", "non_relational"} <= set(report[f"{name}_per_kind"])
    assert report["published"]["CNN+MLP"] == {"relational": 63.0, "non_relational": 94.0}
    # The published table: one row per kind, ours beside the baselines and Santoro et al.
    for kind, published_mlp in (("relational", 63.0), ("non_relational", 94.0)):
        row = report["table"][kind]
        assert sorted(row) == sorted(TABLE_COLUMNS)  # eval.json is written with sorted keys
        assert row["ours"] == report[kind]
        assert row["majority"] == report["majority_baseline_per_kind"][kind]
        assert row["question_type_prior"] == report["question_type_prior_baseline_per_kind"][kind]
        assert (row["Santoro CNN+MLP"], row["Santoro CNN+RN"]) == (published_mlp, 94.0)
    results = json.loads((run / "val_results.json").read_text())
    assert len(results) == 40 and all(set(r) == {"question_id", "answer"} for r in results)
    out = capsys.readouterr().out
    # The printed table carries the same figures as eval.json.
    (printed,) = [line.split() for line in out.splitlines() if line.split()[:1] == ["non-relational"]]
    row = report["table"]["non_relational"]
    assert printed[1:] == [f"{row[column]:.2f}" for column in TABLE_COLUMNS]
    assert "Santoro CNN+RN*" in out and "Q-type prior" in out


@pytest.mark.skipif(not SAMPLE, reason="VQA sample fixtures not found: set FRAMEPRED_VQA_SAMPLE_DIR "
                                       "(../shared/data/vqa_sample)")
def test_vqa_files_with_precomputed_features(tmp_path):
    """The real-VQA path: fixture JSON, an .npz of features, a held-out image split, vqa_mlp."""
    questions = os.path.join(SAMPLE, "v2_OpenEnded_mscoco_train2014_questions.json")
    annotations = os.path.join(SAMPLE, "v2_mscoco_train2014_annotations.json")
    image_ids = sorted({q["image_id"] for q in json.load(open(questions))["questions"]})
    features = tmp_path / "feats.npz"
    np.savez(features, image_ids=np.array(image_ids), features=np.random.default_rng(0).random((len(image_ids), 6)))
    runs = tmp_path / "runs"
    assert main(["vqa", "train", "--model", "vqa_mlp", "--questions", questions, "--annotations", annotations,
                 "--features", str(features), "--epochs", "1", "--out", str(runs),
                 "--override", "embed_dim=4", "--override", "mlp_units=[8]"]) == 0
    run = only_run(runs)
    assert main(["vqa", "eval", str(run)]) == 0
    report = json.loads((run / "eval.json").read_text())
    assert report["dataset"] == "vqa" and report["relational"] is None
    assert set(report["per_answer_type"]) <= {"yes/no", "number", "other"}


def test_missing_features_for_an_image_is_one_line(tmp_path, capsys):
    from framepred_tf.vqa.synthetic import split_paths

    data = tmp_path / "soc"
    main(["vqa", "make-synthetic", "--out", str(data), "--train-images", "2", "--val-images", "1"])
    features = tmp_path / "feats.npz"
    np.savez(features, image_ids=np.array([1]), features=np.ones((1, 3)))
    questions, annotations, _ = split_paths(data, "train")
    status = main(["vqa", "train", "--model", "vqa_lstm", "--questions", questions, "--annotations", annotations,
                   "--features", str(features), "--out", str(tmp_path / "runs")])
    assert status == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("framepred-tf: error: ") and "feats.npz: no image data for image_id 2" in error


def test_cli_errors(tmp_path, capsys):
    assert main(["vqa", "train", "--questions", str(tmp_path / "q.json")]) == 2
    assert "--questions and --annotations go together" in capsys.readouterr().err
    assert main(["vqa", "train", "--questions", str(tmp_path / "q.json"), "--annotations", "a.json",
                 "--features", str(tmp_path / "f.npz"), "--out", str(tmp_path / "runs")]) == 2
    assert "q.json: file not found" in capsys.readouterr().err
    assert main(["vqa", "train", "--questions", str(tmp_path / "q.json"), "--annotations", "a.json",
                 "--out", str(tmp_path / "runs")]) == 2
    assert "model vqa_lstm needs precomputed image features" in capsys.readouterr().err
    assert main(["vqa", "eval", "--runs", str(tmp_path / "none")]) == 2
    assert "runs folder not found" in capsys.readouterr().err
    assert main(["vqa", "train", "--preset", "nope"]) == 2
    assert "unknown preset 'nope'" in capsys.readouterr().err
    # vqa_rn has quick settings but none in paper: the error names the model and the preset to use.
    assert main(["vqa", "train", "--model", "vqa_rn", "--preset", "paper", "--out", str(tmp_path / "runs")]) == 2
    err = capsys.readouterr().err
    assert "model vqa_rn has no 'paper' preset" in err and "--preset quick" in err
    assert err.count("\n") == 1

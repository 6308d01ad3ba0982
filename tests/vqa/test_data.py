"""VQA JSON loading, vocabularies and bad-input errors."""
import json
import os
import pathlib

import numpy as np
import pytest

from framepred_tf.errors import FramepredError
from framepred_tf.vqa import evaluate_results
from framepred_tf.vqa.data import AnswerVocabulary, QuestionVocabulary, keep_answerable, load_split, tokenize

SAMPLE = os.environ.get("FRAMEPRED_VQA_SAMPLE_DIR")
needs_sample = pytest.mark.skipif(
    not SAMPLE, reason="VQA sample fixtures not found: set FRAMEPRED_VQA_SAMPLE_DIR (../shared/data/vqa_sample)")


def sample(name):
    return pathlib.Path(SAMPLE) / name


def write_vqa(tmp_path, questions, annotations, name="x"):
    """Write a questions and an annotations file; return their paths."""
    q_path, a_path = tmp_path / f"{name}_questions.json", tmp_path / f"{name}_annotations.json"
    q_path.write_text(json.dumps({"questions": questions}))
    a_path.write_text(json.dumps({"annotations": annotations}))
    return q_path, a_path


def question(qid, image_id=1, text="What color is it?"):
    return {"question_id": qid, "image_id": image_id, "question": text}


def annotation(qid, answer="red", image_id=1, answers=None):
    answers = [answer] * 10 if answers is None else answers
    return {"question_id": qid, "image_id": image_id, "question_type": "what color", "answer_type": "other",
            "multiple_choice_answer": answer,
            "answers": [{"answer": a, "answer_confidence": "yes", "answer_id": i + 1} for i, a in enumerate(answers)]}


@needs_sample
def test_shared_fixture_round_trip():
    train = load_split(sample("v2_OpenEnded_mscoco_train2014_questions.json"),
                       sample("v2_mscoco_train2014_annotations.json"), "train")
    assert len(train.records) == 53
    first = train.records[0]
    assert (first["question_id"], first["image_id"], first["question"]) == (6818000, 6818, "What color is the wall?")
    assert first["multiple_choice_answer"] == "white" and len(first["answers"]) == 10
    assert len(set(train.image_ids.tolist())) == 13
    test = load_split(sample("v2_OpenEnded_mscoco_test2015_questions.json"), None, "test")
    assert len(test.records) == 5 and not test.annotated


@needs_sample
def test_official_accuracy_on_the_fixture_val_split():
    val = load_split(sample("v2_OpenEnded_mscoco_val2014_questions.json"),
                     sample("v2_mscoco_val2014_annotations.json"), "val")
    results = [{"question_id": 262148000, "answer": "red"}, {"question_id": 262148001, "answer": "no"},
               {"question_id": 262148002, "answer": "table"}]
    # 7 x red -> 1.0; 1 x no -> 0.3; 3 x table -> 0.9; mean 73.33 %.
    assert evaluate_results(results, val.records)["overall"] == pytest.approx(73.33)


@needs_sample
def test_answer_vocabulary_coverage_on_the_fixture():
    train = load_split(sample("v2_OpenEnded_mscoco_train2014_questions.json"),
                       sample("v2_mscoco_train2014_annotations.json"), "train")
    vocab = AnswerVocabulary.build(train.records, 2)
    assert vocab.answers == ["yes", "no"]
    assert vocab.coverage(train.records) == pytest.approx(23 / 53)  # 14 yes + 9 no
    assert len(keep_answerable(train, vocab).records) == 23


def test_answer_vocabulary_top_k_and_encoding():
    records = [{"multiple_choice_answer": a} for a in "a a a b b c d".split()]
    vocab = AnswerVocabulary.build(records, 2)
    assert vocab.answers == ["a", "b"]
    assert vocab.coverage(records) == pytest.approx(5 / 7)
    assert vocab.encode(records).tolist() == [0, 0, 0, 1, 1, -1, -1]
    assert AnswerVocabulary.from_json(vocab.to_json()).answers == ["a", "b"]


def test_tokenize_lowercases_and_splits_punctuation():
    assert tokenize("What's the colour, Bob?") == ["what's", "the", "colour", ",", "bob", "?"]
    assert tokenize("Is it 3.5 feet-long?") == ["is", "it", "3", ".", "5", "feet", "-", "long", "?"]


def test_question_vocabulary_ids_padding_and_truncation():
    vocab = QuestionVocabulary.build(["Is it red?", "Is it blue?", "Is it red?"])
    assert vocab.words[:2] == ["<pad>", "<unk>"]
    # Frequency order, ties in first-seen order: is, it, ? (3 each), red (2), blue (1).
    assert vocab.words[2:] == ["is", "it", "?", "red", "blue"]
    encoded = vocab.encode(["Is it green?", "is it red or blue ?"], 4)
    assert encoded.dtype == np.int32
    assert encoded.tolist() == [[2, 3, 1, 4], [2, 3, 5, 1]]
    assert vocab.encode(["red?"], 4).tolist() == [[0, 0, 5, 4]]  # right-aligned
    assert QuestionVocabulary.from_json(vocab.to_json()).words == vocab.words
    assert QuestionVocabulary.build(["a b a"], min_count=2).words == ["<pad>", "<unk>", "a"]


def test_missing_key_names_file_and_id(tmp_path):
    bad = question(11)
    del bad["image_id"]
    q_path, a_path = write_vqa(tmp_path, [question(10), bad], [annotation(10), annotation(11)])
    with pytest.raises(FramepredError, match=r"x_questions\.json: question_id 11: missing key 'image_id'"):
        load_split(q_path, a_path)


def test_annotation_without_question(tmp_path):
    q_path, a_path = write_vqa(tmp_path, [question(10)], [annotation(10), annotation(12)])
    with pytest.raises(FramepredError, match=r"x_annotations\.json: question_id 12: annotation without a question"):
        load_split(q_path, a_path)


def test_question_without_annotation(tmp_path):
    q_path, a_path = write_vqa(tmp_path, [question(10), question(13)], [annotation(10)])
    with pytest.raises(FramepredError, match=r"x_questions\.json: question_id 13: question without an annotation"):
        load_split(q_path, a_path)


def test_empty_answer_list(tmp_path):
    q_path, a_path = write_vqa(tmp_path, [question(10), question(14)], [annotation(10), annotation(14, answers=[])])
    with pytest.raises(FramepredError, match=r"x_annotations\.json: question_id 14: empty 'answers' list"):
        load_split(q_path, a_path)


def test_non_utf8_text_names_the_record(tmp_path):
    q_path, a_path = write_vqa(tmp_path, [question(10), question(15, text="Is it PLACEHOLDER?")],
                               [annotation(10), annotation(15)])
    q_path.write_bytes(q_path.read_bytes().replace(b"PLACEHOLDER", b"caf\xe9"))  # Latin-1, not UTF-8
    with pytest.raises(FramepredError, match=r"x_questions\.json: question_id 15: question text is not valid UTF-8"):
        load_split(q_path, a_path)


def test_not_json_and_wrong_layout(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(FramepredError, match=r"broken\.json: not valid JSON"):
        load_split(broken)
    q_path, _ = write_vqa(tmp_path, [question(1)], [])
    with pytest.raises(FramepredError, match=r"x_questions\.json: expected a JSON object with a 'annotations' list"):
        load_split(q_path, q_path)
    with pytest.raises(FramepredError, match=r"missing\.json: file not found"):
        load_split(tmp_path / "missing.json")


def test_skip_bad_counts_and_reports_once(tmp_path, capsys):
    no_text = question(16)
    del no_text["question"]
    q_path, a_path = write_vqa(
        tmp_path, [question(10), no_text, question(17), question(18)],
        [annotation(10), annotation(16), annotation(17, answers=[]), annotation(18), annotation(19)])
    split = load_split(q_path, a_path, skip_bad=True)
    assert [r["question_id"] for r in split.records] == [10, 18]
    lines = [line for line in capsys.readouterr().err.splitlines() if "skipped" in line]
    # One line per file. Questions: 16 (no text), then 17 (its annotation was dropped).
    # Annotations: 17 (empty answers), then 16 and 19 (no question).
    assert len(lines) == 2
    assert "skipped 2 bad record(s) in" in lines[0] and "x_questions.json" in lines[0]
    assert "question_id 16: missing key 'question'" in lines[0]
    assert "skipped 3 bad record(s) in" in lines[1] and "x_annotations.json" in lines[1]
    assert "question_id 17: empty 'answers' list" in lines[1]

"""The official VQA accuracy against hand-worked cases.

Leave-one-out by hand, 10 humans of whom m give the machine's answer: leaving out one of
the m matching humans leaves m - 1 matches (m subsets), leaving out a non-matching one
leaves m (10 - m subsets); each subset scores min(1, matches / 3)::

    m = 0: 0
    m = 1: (1 * 0   + 9 * 1/3) / 10 = 0.3
    m = 2: (2 * 1/3 + 8 * 2/3) / 10 = 0.6
    m = 3: (3 * 2/3 + 7 * 1  ) / 10 = 0.9
    m = 4: (4 * 1   + 6 * 1  ) / 10 = 1.0
"""
import json

import pytest

from framepred_tf.errors import FramepredError
from framepred_tf.vqa import evaluate_results, vqa_accuracy, write_results
from framepred_tf.vqa.metric import process_punctuation


def humans(matching, count, other="other answer"):
    """``count`` copies of ``matching`` then copies of ``other`` up to 10 humans."""
    return [matching] * count + [other] * (10 - count)


@pytest.mark.parametrize("count, expected", [(0, 0.0), (1, 0.3), (2, 0.6), (3, 0.9), (4, 1.0), (7, 1.0), (10, 1.0)])
def test_leave_one_out_by_number_of_matching_humans(count, expected):
    assert vqa_accuracy("red", humans("red", count)) == pytest.approx(expected)


def test_capitalisation_only_normalised_when_humans_disagree():
    assert vqa_accuracy("Yes", humans("yes", 9, "no")) == pytest.approx(1.0)
    # All ten humans agree: the reference compares raw strings, so "Yes" != "yes".
    assert vqa_accuracy("Yes", ["yes"] * 10) == 0.0
    assert vqa_accuracy("yes", ["yes"] * 10) == 1.0


def test_number_words_become_digits():
    assert vqa_accuracy("two", humans("2", 3, "3")) == pytest.approx(0.9)
    # Humans' number words are mapped as well: 2 x "two" + 1 x "2" are three matches.
    assert vqa_accuracy("2", ["two", "two", "2"] + ["3"] * 7) == pytest.approx(0.9)
    assert vqa_accuracy("none", humans("0", 1, "1")) == pytest.approx(0.3)


def test_articles_are_removed():
    assert vqa_accuracy("a dog", humans("dog", 4, "cat")) == pytest.approx(1.0)
    assert vqa_accuracy("dog", ["the dog", "the dog"] + ["cat"] * 8) == pytest.approx(0.6)


def test_punctuation_rules():
    # A trailing period is stripped; a decimal point is kept.
    assert vqa_accuracy("yes.", humans("yes", 2, "no")) == pytest.approx(0.6)
    assert vqa_accuracy("3.5", humans("3.5", 1, "4")) == pytest.approx(0.3)
    assert vqa_accuracy("35", humans("3.5", 4, "4")) == 0.0
    # A comma between digits deletes every punctuation mark of the text.
    assert vqa_accuracy("1,000", humans("1000", 3, "many")) == pytest.approx(0.9)
    # A mark with no space beside it becomes a space; one next to a space is deleted.
    assert vqa_accuracy("black/white", humans("black white", 4, "black")) == pytest.approx(1.0)
    assert process_punctuation("hi, there-you") == "hi there you"
    assert process_punctuation("yes !") == "yes "


def test_contractions_are_expanded():
    assert vqa_accuracy("dont", humans("don't", 3, "no")) == pytest.approx(0.9)
    assert vqa_accuracy("Whats up", humans("what's up", 1, "sky")) == pytest.approx(0.3)


def test_whitespace_is_cleaned_even_when_humans_agree():
    assert vqa_accuracy(" yes\n", ["yes"] * 10) == 1.0
    assert vqa_accuracy("blue\tsky", ["blue sky"] * 10) == 1.0


def test_evaluate_results_overall_and_per_answer_type():
    annotations = [
        {"question_id": 1, "answer_type": "yes/no", "answers": [{"answer": a} for a in humans("yes", 10)]},
        {"question_id": 2, "answer_type": "number", "answers": [{"answer": a} for a in humans("2", 1, "3")]},
        {"question_id": 3, "answer_type": "number", "answers": [{"answer": a} for a in humans("4", 2, "5")]},
    ]
    results = [{"question_id": 1, "answer": "yes"}, {"question_id": 2, "answer": "two"},
               {"question_id": 3, "answer": "4"}]
    report = evaluate_results(results, annotations)
    # (1.0 + 0.3 + 0.6) / 3 = 63.33 %; number: (0.3 + 0.6) / 2 = 45 %.
    assert report["overall"] == pytest.approx(63.33)
    assert report["per_answer_type"] == {"number": pytest.approx(45.0), "yes/no": pytest.approx(100.0)}
    assert report["per_question"] == {1: 100.0, 2: 30.0, 3: 60.0}


def test_evaluate_results_groups_and_missing_answers():
    annotations = [{"question_id": q, "answer_type": "other", "reasoning": group,
                    "answers": [{"answer": "circle"}] * 10}
                   for q, group in ((1, "relational"), (2, "relational"), (3, "non-relational"))]
    results = [{"question_id": 1, "answer": "circle"}, {"question_id": 2, "answer": "square"},
               {"question_id": 3, "answer": "circle"}]
    report = evaluate_results(results, annotations, group_key="reasoning")
    assert report["per_reasoning"] == {"non-relational": 100.0, "relational": 50.0}
    with pytest.raises(FramepredError, match="question_id 3"):
        evaluate_results(results[:2], annotations)


def test_results_file_is_the_official_format(tmp_path):
    path = tmp_path / "results.json"
    write_results(path, [5, 7], ["yes", "2"])
    assert json.loads(path.read_text()) == [{"question_id": 5, "answer": "yes"}, {"question_id": 7, "answer": "2"}]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]
    with pytest.raises(FramepredError, match="results.json"):
        write_results(path, [1, 2], ["yes"])

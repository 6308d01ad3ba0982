"""VQA v1/v2 question and annotation files: validated loading, vocabularies and encoding.

File format (official field names, used unchanged by the synthetic Sort-of-CLEVR set):

* questions file: ``{"questions": [{"question_id", "image_id", "question"}, ...], ...}``
* annotations file: ``{"annotations": [{"question_id", "image_id", "question_type",
  "answer_type", "multiple_choice_answer", "answers": [{"answer", "answer_confidence",
  "answer_id"} x 10]}, ...], ...}``

Bad input (missing keys, wrong types, non-UTF-8 text, empty answer lists, questions without
annotations and vice versa) raises one :class:`FramepredError` line naming the file and the
first offending id. With ``skip_bad=True`` the bad records are dropped, counted, and reported
in one summary line per file instead.
"""
import collections
import dataclasses
import json
import os
import re
import sys

import numpy as np

from framepred_tf.errors import FramepredError
from framepred_tf.utils.word_vectors import PAD, load_word_vectors  # noqa: F401  (part of this module's API)

UNK = "<unk>"
QUESTION_KEYS = ("question_id", "image_id", "question")
ANNOTATION_KEYS = ("question_id", "image_id", "question_type", "answer_type",
                   "multiple_choice_answer", "answers")
# Lower-cased words (apostrophes kept inside words: "what's") or single punctuation marks.
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[^\w\s]|_")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclasses.dataclass
class VQASplit:
    """Questions of one split joined with their annotations (``None`` for test splits).

    ``records``: list of dicts with the question fields plus, when annotated, the annotation
    fields (``answers``, ``multiple_choice_answer``, ``answer_type``, ...), in file order.
    """

    name: str
    records: list
    questions_path: str
    annotations_path: str = None

    @property
    def question_ids(self):
        return np.array([r["question_id"] for r in self.records], dtype=np.int64)

    @property
    def image_ids(self):
        return np.array([r["image_id"] for r in self.records], dtype=np.int64)

    @property
    def annotated(self):
        return self.annotations_path is not None

    def subset(self, keep):
        """A split holding only ``records[i]`` for which ``keep[i]`` is true."""
        kept = [r for r, k in zip(self.records, keep) if k]
        return dataclasses.replace(self, records=kept)


class _BadRecords:
    """Raise on the first bad record, or count them when ``skip_bad`` (one summary line)."""

    def __init__(self, path, skip_bad):
        self.path, self.skip_bad = os.fspath(path), skip_bad
        self.count, self.first = 0, None

    def report(self, what):
        if not self.skip_bad:
            raise FramepredError(f"{self.path}: {what}")
        self.count += 1
        self.first = self.first or what

    def summary(self):
        if self.count:
            print(f"vqa data: skipped {self.count} bad record(s) in {self.path} (first: {self.first})",
                  file=sys.stderr)


def read_vqa_json(path, list_key, id_key="question_id"):
    """The list ``list_key`` of a VQA JSON file; non-UTF-8 bytes are kept as surrogates.

    Records whose text holds undecodable bytes are found later by :func:`_has_bad_text`
    so that the error can name the offending id instead of a byte offset.
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise FramepredError(f"{path}: file not found") from None
    except OSError as error:
        raise FramepredError(f"{path}: cannot read ({error.strerror})") from None
    text = raw.decode("utf-8", errors="surrogateescape")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise FramepredError(f"{path}: not valid JSON ({where}: {error.msg})") from None
    if not isinstance(document, dict) or not isinstance(document.get(list_key), list):
        raise FramepredError(f"{path}: expected a JSON object with a '{list_key}' list (VQA {list_key} file)")
    return document[list_key]


def load_questions(path, skip_bad=False, bad=None):
    """Validated question records ``{question_id, image_id, question}`` of one file, in order.

    ``bad``: a shared bad-record counter (:func:`load_split` reports once per file).
    """
    return _load_records(path, "questions", _question_problem,
                         lambda item: {key: item[key] for key in QUESTION_KEYS}, skip_bad, bad)


def load_annotations(path, skip_bad=False, bad=None):
    """Validated annotation records of one file, in order (extra fields are kept)."""
    return _load_records(path, "annotations", _annotation_problem, dict, skip_bad, bad)


def _load_records(path, list_key, problem_of, keep, skip_bad, bad):
    """Records of ``path[list_key]`` that ``problem_of`` accepts, passed through ``keep``."""
    own = bad is None
    bad = bad or _BadRecords(path, skip_bad)
    records, seen = [], set()
    for index, item in enumerate(read_vqa_json(path, list_key)):
        problem = problem_of(item, seen)
        if problem:
            bad.report(f"{_record_name(item, index)}: {problem}")
            continue
        seen.add(item["question_id"])
        records.append(keep(item))
    if own:
        bad.summary()
    return records


def load_split(questions_path, annotations_path=None, name="", skip_bad=False):
    """Join a questions file with its annotations file (``None``: unannotated test split).

    Every question needs exactly one annotation with the same ``image_id`` and vice versa;
    otherwise the error names the file holding the unmatched record and its question id.
    """
    if annotations_path is None:
        return VQASplit(name, load_questions(questions_path, skip_bad), os.fspath(questions_path))
    bad_q, bad_a = _BadRecords(questions_path, skip_bad), _BadRecords(annotations_path, skip_bad)
    questions = load_questions(questions_path, skip_bad, bad_q)
    annotations = {a["question_id"]: a for a in load_annotations(annotations_path, skip_bad, bad_a)}
    records = _join(questions, annotations, questions_path, annotations_path, bad_q, bad_a)
    bad_q.summary()
    bad_a.summary()
    return VQASplit(name, records, os.fspath(questions_path), os.fspath(annotations_path))


def _join(questions, annotations, questions_path, annotations_path, bad_q, bad_a):
    question_ids = {q["question_id"] for q in questions}
    for qid in annotations:
        if qid not in question_ids:
            bad_a.report(f"question_id {qid}: annotation without a question in {os.fspath(questions_path)}")
    records = []
    for question in questions:
        qid = question["question_id"]
        annotation = annotations.get(qid)
        if annotation is None:
            bad_q.report(f"question_id {qid}: question without an annotation in {os.fspath(annotations_path)}")
        elif annotation["image_id"] != question["image_id"]:
            bad_a.report(f"question_id {qid}: image_id {annotation['image_id']} differs from the "
                         f"question's {question['image_id']}")
        else:
            records.append({**annotation, **question})
    return records


def _record_name(item, index):
    if isinstance(item, dict) and "question_id" in item:
        return f"question_id {item['question_id']}"
    return f"record {index} (no question_id)"


def _id_problem(item, seen):
    for key in ("question_id", "image_id"):
        if isinstance(item[key], bool) or not isinstance(item[key], int):
            return f"'{key}' must be an integer, got {item[key]!r}"
    if item["question_id"] in seen:
        return "duplicate question_id"
    return None


def _record_problem(item, seen, required_keys):
    """Problems shared by question and annotation records: shape, keys and ids."""
    if not isinstance(item, dict):
        return "not a JSON object"
    missing = [key for key in required_keys if key not in item]
    if missing:
        return f"missing key '{missing[0]}'"
    return _id_problem(item, seen)


def _question_problem(item, seen):
    problem = _record_problem(item, seen, QUESTION_KEYS)
    if problem:
        return problem
    if not isinstance(item["question"], str) or not item["question"].strip():
        return "'question' must be a non-empty string"
    if _has_bad_text(item["question"]):
        return "question text is not valid UTF-8"
    return None


def _annotation_problem(item, seen):
    problem = _record_problem(item, seen, ANNOTATION_KEYS)
    if problem:
        return problem
    answers = item["answers"]
    if not isinstance(answers, list) or not answers:
        return "empty 'answers' list"
    if any(not isinstance(a, dict) or not isinstance(a.get("answer"), str) for a in answers):
        return "every entry of 'answers' needs an 'answer' string"
    texts = [item["multiple_choice_answer"], item["answer_type"], item["question_type"]]
    texts += [a["answer"] for a in answers]
    if any(not isinstance(t, str) for t in texts[:3]):
        return "'multiple_choice_answer', 'answer_type' and 'question_type' must be strings"
    if any(_has_bad_text(t) for t in texts):
        return "answer text is not valid UTF-8"
    return None


def _has_bad_text(text):
    """True for undecodable bytes (kept as lone surrogates) or escaped lone surrogates."""
    return _SURROGATE.search(text) is not None


def tokenize(text):
    """Lower-case, then split into words and single punctuation marks.

    ``"What's the colour, Bob?"`` -> ``["what's", "the", "colour", ",", "bob", "?"]``.
    """
    return _TOKEN.findall(text.lower())


class QuestionVocabulary:
    """Question words <-> ids: ``<pad>`` = 0, ``<unk>`` = 1, then training words by frequency."""

    def __init__(self, words):
        self.words = [PAD, UNK] + [w for w in words if w not in (PAD, UNK)]
        self.index = {w: i for i, w in enumerate(self.words)}

    @classmethod
    def build(cls, questions, min_count=1):
        """Vocabulary of the words seen at least ``min_count`` times in ``questions`` (strings).

        Ties in frequency keep first-seen order so the ids are deterministic.
        """
        counts = collections.Counter(w for q in questions for w in tokenize(q))
        return cls([w for w, c in counts.most_common() if c >= min_count])

    def __len__(self):
        return len(self.words)

    def encode(self, questions, max_length):
        """Word ids ``(N, max_length)`` int32, right-aligned (left-padded with ``<pad>`` = 0).

        Right alignment puts every question's last word at the last step, so an LSTM's final
        state is the question encoding; the models reset the state at the first real word
        so the padding has no influence. Longer questions keep their first ``max_length`` words.
        """
        out = np.zeros((len(questions), max_length), dtype=np.int32)
        unk = self.index[UNK]
        for row, question in enumerate(questions):
            ids = [self.index.get(w, unk) for w in tokenize(question)][:max_length]
            if ids:
                out[row, max_length - len(ids):] = ids
        return out

    def to_json(self):
        return {"words": self.words}

    @classmethod
    def from_json(cls, data):
        return cls(data["words"][2:])


class AnswerVocabulary:
    """The K most frequent ``multiple_choice_answer`` strings of the training split."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.index = {a: i for i, a in enumerate(self.answers)}

    @classmethod
    def build(cls, records, num_answers=1000):
        """Top-``num_answers`` answers (ties: first seen first) of annotated ``records``."""
        counts = collections.Counter(r["multiple_choice_answer"] for r in records)
        return cls([a for a, _ in counts.most_common(num_answers)])

    def __len__(self):
        return len(self.answers)

    def coverage(self, records):
        """Fraction of ``records`` whose ``multiple_choice_answer`` is in the vocabulary."""
        if not records:
            return 0.0
        return sum(r["multiple_choice_answer"] in self.index for r in records) / len(records)

    def encode(self, records):
        """Class ids ``(N,)`` int32 of the records' answers; -1 where outside the vocabulary."""
        return np.array([self.index.get(r["multiple_choice_answer"], -1) for r in records], dtype=np.int32)

    def decode(self, class_ids):
        return [self.answers[int(i)] for i in class_ids]

    def to_json(self):
        return {"answers": self.answers}

    @classmethod
    def from_json(cls, data):
        return cls(data["answers"])


def keep_answerable(split, answer_vocab):
    """Training questions whose answer is in the vocabulary (the rest cannot be learned)."""
    return split.subset([r["multiple_choice_answer"] in answer_vocab.index for r in split.records])

"""The official VQA accuracy (Antol et al. 2015), re-implemented from its published rules.

Rules of the reference evaluation (GT-Vision-Lab/VQA ``vqaEval.py``, current master):

1. Newlines and tabs in the machine answer and in every human answer become spaces, and
   outer whitespace is stripped.
2. Only when the human answers are *not all identical* are the machine answer and every human
   answer normalised: punctuation handling, then lower-casing, number words to digits,
   removal of the articles a/an/the and the contractions map. When all humans agree, the
   comparison is an exact string match ("Yes" scores 0 against ten "yes").
3. For each of the 10 leave-one-out subsets of 9 humans the machine scores
   ``min(1, matches / 3)``; the question's accuracy is the mean over the 10 subsets.
   With 10 humans, m matching humans give 0, 0.3, 0.6, 0.9, 1.0 for m = 0, 1, 2, 3, >= 4.

An older revision of the reference (still in some forks) always normalised the machine answer
and applied only the punctuation step to the humans; that variant is not implemented here.
"""
import collections
import os
import re

from framepred_tf.errors import FramepredError
from framepred_tf.utils.io import write_json_atomic

# Characters the reference deletes (if followed/preceded by a space anywhere in the text, or
# if the text holds a digit-comma-digit group) or else replaces by a space.
_PUNCTUATION = (";", "/", "[", "]", '"', "{", "}", "(", ")", "=", "+", "\\", "_", "-",
                ">", "<", "@", "`", ",", "?", "!")
_COMMA_BETWEEN_DIGITS = re.compile(r"(\d)(,)(\d)")
# The reference's lookbehind is misspelt "(?!<=\d)", which makes it a no-op lookahead: every
# period not followed by a digit is removed ("3.5" keeps its point, "yes." loses it).
_PERIOD_NOT_BEFORE_DIGIT = re.compile(r"(?!<=\d)(\.)(?!\d)")
# The reference passes re.UNICODE (== 32) positionally, i.e. as the substitution *count*;
# kept so that answers with more than 32 periods score exactly as officially.
_PERIOD_SUB_COUNT = int(re.UNICODE)

_NUMBER_WORDS = {"none": "0", "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4",
                 "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10"}
_ARTICLES = frozenset(("a", "an", "the"))


def _contractions():
    """Missing-apostrophe spellings -> contraction, as in the reference table.

    Written as ``spelling=contraction`` pairs to keep the table readable; keys with capitals
    (``Im``, ``Ive``) can never match after lower-casing, exactly as in the reference.
    """
    pairs = """
    aint=ain't arent=aren't cant=can't couldve=could've couldnt=couldn't couldn'tve=couldn't've
    couldnt've=couldn't've didnt=didn't doesnt=doesn't dont=don't hadnt=hadn't hadnt've=hadn't've
    hadn'tve=hadn't've hasnt=hasn't havent=haven't hed=he'd hed've=he'd've he'dve=he'd've hes=he's
    howd=how'd howll=how'll hows=how's Id've=I'd've I'dve=I'd've Im=I'm Ive=I've isnt=isn't
    itd=it'd itd've=it'd've it'dve=it'd've itll=it'll let's=let's maam=ma'am mightnt=mightn't
    mightnt've=mightn't've mightn'tve=mightn't've mightve=might've mustnt=mustn't mustve=must've
    neednt=needn't notve=not've oclock=o'clock oughtnt=oughtn't ow's'at='ow's'at 'ows'at='ow's'at
    'ow'sat='ow's'at shant=shan't shed've=she'd've she'dve=she'd've she's=she's shouldve=should've
    shouldnt=shouldn't shouldnt've=shouldn't've shouldn'tve=shouldn't've somebody'd=somebodyd
    somebodyd've=somebody'd've somebody'dve=somebody'd've somebodyll=somebody'll
    somebodys=somebody's someoned=someone'd someoned've=someone'd've someone'dve=someone'd've
    someonell=someone'll someones=someone's somethingd=something'd somethingd've=something'd've
    something'dve=something'd've somethingll=something'll thats=that's thered=there'd
    thered've=there'd've there'dve=there'd've therere=there're theres=there's theyd=they'd
    theyd've=they'd've they'dve=they'd've theyll=they'll theyre=they're theyve=they've
    twas='twas wasnt=wasn't wed've=we'd've we'dve=we'd've weve=we've werent=weren't
    whatll=what'll whatre=what're whats=what's whatve=what've whens=when's whered=where'd
    wheres=where's whereve=where've whod=who'd whod've=who'd've who'dve=who'd've wholl=who'll
    whos=who's whove=who've whyll=why'll whyre=why're whys=why's wont=won't wouldve=would've
    wouldnt=wouldn't wouldnt've=wouldn't've wouldn'tve=wouldn't've yall=y'all yall'll=y'all'll
    y'allll=y'all'll yall'd've=y'all'd've y'alld've=y'all'd've y'all'dve=y'all'd've youd=you'd
    youd've=you'd've you'dve=you'd've youll=you'll youre=you're youve=you've
    """
    return dict(pair.split("=", 1) for pair in pairs.split())


_CONTRACTIONS = _contractions()


def clean_whitespace(text):
    """Tabs/newlines to spaces, outer whitespace stripped (applied to every answer)."""
    return text.replace("\n", " ").replace("\t", " ").strip()


def process_punctuation(text):
    """The reference's punctuation step (see the module docstring for its quirks)."""
    delete_all = _COMMA_BETWEEN_DIGITS.search(text) is not None
    out = text
    for mark in _PUNCTUATION:
        # The condition looks at the *input* text, the replacement acts on the running output.
        if delete_all or (mark + " ") in text or (" " + mark) in text:
            out = out.replace(mark, "")
        else:
            out = out.replace(mark, " ")
    return _PERIOD_NOT_BEFORE_DIGIT.sub("", out, count=_PERIOD_SUB_COUNT)


def process_digit_article(text):
    """Lower-case, number words to digits, drop articles, then expand contractions."""
    words = [_NUMBER_WORDS.get(word, word) for word in text.lower().split()]
    words = [word for word in words if word not in _ARTICLES]
    return " ".join(_CONTRACTIONS.get(word, word) for word in words)


def normalize_answer(text):
    """Full normalisation used when the human answers disagree."""
    return process_digit_article(process_punctuation(text))


def vqa_accuracy(answer, human_answers):
    """Official VQA accuracy of one machine ``answer`` against the human answers (0..1).

    ``human_answers`` is the list of (normally 10) strings from ``annotations[].answers``.
    Returns the mean over the leave-one-out subsets of ``min(1, matches / 3)``.
    """
    if not human_answers:
        raise FramepredError("vqa_accuracy needs at least one human answer")
    answer = clean_whitespace(answer)
    humans = [clean_whitespace(h) for h in human_answers]
    if len(set(humans)) > 1:
        humans = [normalize_answer(h) for h in humans]
        answer = normalize_answer(answer)
    total_matches = sum(h == answer for h in humans)
    # Leaving out human i removes one match exactly when human i itself matched.
    scores = [min(1.0, (total_matches - (h == answer)) / 3.0) for h in humans]
    return sum(scores) / len(scores)


def evaluate_results(results, annotations, group_key=None):
    """Official-style accuracy of ``results`` against ``annotations``, in percent.

    ``results``: ``[{"question_id", "answer"}]`` (the official results format).
    ``annotations``: VQA annotation records (``question_id``, ``answer_type``, ``answers``),
    as a list or a ``{question_id: record}`` dict. Every annotated question must be answered.
    ``group_key``: optional annotation field (e.g. ``"relational"``) whose values get their own
    accuracy under ``"per_<group_key>"``.
    Returns ``{"overall", "per_answer_type": {type: acc}, "per_question": {qid: acc}}``,
    percentages rounded to 2 decimals as the reference does.
    """
    by_id = annotations if isinstance(annotations, dict) else {a["question_id"]: a for a in annotations}
    answers = _answers_by_question(results)
    missing = [qid for qid in by_id if qid not in answers]
    if missing:
        raise FramepredError(f"results have no answer for question_id {missing[0]} "
                             f"({len(missing)} of {len(by_id)} questions unanswered)")
    if not by_id:
        raise FramepredError("no annotated questions to evaluate")
    per_question = {qid: vqa_accuracy(answers[qid], [a["answer"] for a in ann["answers"]])
                    for qid, ann in by_id.items()}
    report = {
        "overall": _percent(per_question.values()),
        "per_answer_type": _grouped(per_question, by_id, "answer_type"),
        "per_question": {qid: round(100.0 * acc, 2) for qid, acc in per_question.items()},
    }
    if group_key is not None:
        report["per_" + group_key] = _grouped(per_question, by_id, group_key)
    return report


def write_results(path, question_ids, answers):
    """Write predictions atomically in the official results format ``[{question_id, answer}]``."""
    if len(question_ids) != len(answers):
        raise FramepredError(f"{os.fspath(path)}: {len(question_ids)} question ids but {len(answers)} answers")
    records = [{"question_id": int(qid), "answer": str(ans)} for qid, ans in zip(question_ids, answers)]
    write_json_atomic(path, records, indent=None)
    return records


def _answers_by_question(results):
    answers = {}
    for index, record in enumerate(results):
        if not isinstance(record, dict) or "question_id" not in record or "answer" not in record:
            raise FramepredError(f"results entry {index} lacks 'question_id'/'answer'")
        answers[record["question_id"]] = record["answer"]
    return answers


def _grouped(per_question, by_id, key):
    groups = collections.defaultdict(list)
    for qid, acc in per_question.items():
        groups[str(by_id[qid].get(key))].append(acc)
    return {name: _percent(values) for name, values in sorted(groups.items())}


def _percent(values):
    values = list(values)
    return round(100.0 * sum(values) / len(values), 2)

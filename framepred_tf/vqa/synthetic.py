"""Sort-of-CLEVR (Santoro et al., 2017) written as a VQA-format data set.

Each 75x75 image holds 6 non-overlapping objects, one per colour (red, blue, green, orange,
yellow, gray), each a square (side 10) or a circle (diameter 10) on a white background.
Per image there are 10 non-relational and 10 relational questions, each about one colour:

=============  ==============================================================  ==============
family         question                                                        answers
=============  ==============================================================  ==============
shape          What is the shape of the red object?                            square, circle
left           Is the red object on the left side of the image?                yes, no
top            Is the red object on the top side of the image?                 yes, no
closest        What is the shape of the object closest to the red object?      square, circle
furthest       What is the shape of the object furthest from the red object?   square, circle
count          How many objects have the same shape as the red object,         1 .. 6
               including it?
=============  ==============================================================  ==============

The first three are non-relational, the last three relational. Distances are between
object centres; scenes with a tie for closest or furthest are redrawn so every answer is
unique. Files (``DIR`` = ``--out``)::

    DIR/sort_of_clevr_{train,val}_questions.json     VQA questions format
    DIR/sort_of_clevr_{train,val}_annotations.json   VQA annotations, 10 identical answers
    DIR/images/{train,val}/SOC_{split}_{image_id:012d}.png
    DIR/manifest.json                                 written last: the set is complete

Annotations keep the VQA ``answer_type`` (yes/no, number, other) and add ``reasoning``
("relational" / "non-relational") and ``question_family``.
"""
import dataclasses
import os

import numpy as np

from framepred_tf.errors import FramepredError
from framepred_tf.utils.io import write_json_atomic

IMAGE_SIZE = 75
OBJECT_HALF = 5  # squares span 2 * 5 pixels, circles have radius 5
COLOURS = {"red": (255, 0, 0), "blue": (0, 0, 255), "green": (0, 200, 0),
           "orange": (255, 140, 0), "yellow": (255, 255, 0), "gray": (128, 128, 128)}
SHAPES = ("square", "circle")
NON_RELATIONAL = ("shape", "left", "top")
RELATIONAL = ("closest", "furthest", "count")
_TEMPLATES = {
    "shape": "What is the shape of the {} object?",
    "left": "Is the {} object on the left side of the image?",
    "top": "Is the {} object on the top side of the image?",
    "closest": "What is the shape of the object closest to the {} object?",
    "furthest": "What is the shape of the object furthest from the {} object?",
    "count": "How many objects have the same shape as the {} object, including it?",
}
_ANSWER_TYPES = {"shape": "other", "left": "yes/no", "top": "yes/no",
                 "closest": "other", "furthest": "other", "count": "number"}
MANIFEST = "manifest.json"
SPLITS = ("train", "val")


@dataclasses.dataclass(frozen=True)
class SceneObject:
    """One object: its colour name, shape name and centre (x = column, y = row, pixels)."""

    colour: str
    shape: str
    x: int
    y: int


def question_text(family, colour):
    return _TEMPLATES[family].format(colour)


def reasoning(family):
    """"relational" or "non-relational" for a question family."""
    return "relational" if family in RELATIONAL else "non-relational"


def answer(scene, family, colour, image_size=IMAGE_SIZE):
    """The correct answer (string) to question ``family`` about ``colour`` in ``scene``."""
    target = next(o for o in scene if o.colour == colour)
    if family == "shape":
        return target.shape
    if family == "left":
        return "yes" if target.x < image_size / 2 else "no"
    if family == "top":
        return "yes" if target.y < image_size / 2 else "no"
    if family == "count":
        return str(sum(o.shape == target.shape for o in scene))
    others = sorted((o for o in scene if o is not target), key=lambda o: _squared_distance(o, target))
    return others[0].shape if family == "closest" else others[-1].shape


def _squared_distance(a, b):
    return (a.x - b.x) ** 2 + (a.y - b.y) ** 2


def random_scene(rng, image_size=IMAGE_SIZE, half=OBJECT_HALF):
    """Six objects, one per colour, random shapes, non-overlapping, unambiguous distances."""
    while True:
        centres = _place_centres(rng, len(COLOURS), image_size, half)
        if centres is None or _has_distance_tie(centres):
            continue
        shapes = rng.integers(0, len(SHAPES), len(COLOURS))
        return [SceneObject(colour, SHAPES[s], int(x), int(y))
                for colour, s, (x, y) in zip(COLOURS, shapes, centres)]


def _place_centres(rng, count, image_size, half, attempts=200):
    """Centres whose 2*half boxes are at least 1 pixel apart (so no shapes overlap)."""
    centres = []
    for _ in range(attempts):
        candidate = rng.integers(half, image_size - half, 2)
        if all(max(abs(candidate[0] - x), abs(candidate[1] - y)) > 2 * half for x, y in centres):
            centres.append((int(candidate[0]), int(candidate[1])))
            if len(centres) == count:
                return centres
    return None


def _has_distance_tie(centres):
    """True if some object has two equally near or two equally far other objects."""
    points = np.asarray(centres)
    squared = ((points[:, None, :] - points[None, :, :]) ** 2).sum(-1)
    for row, distances in enumerate(squared):
        others = np.sort(np.delete(distances, row))
        if others[0] == others[1] or others[-1] == others[-2]:
            return True
    return False


def render(scene, image_size=IMAGE_SIZE, half=OBJECT_HALF):
    """The scene as uint8 RGB (H, W, 3): white background, filled squares and discs."""
    image = np.full((image_size, image_size, 3), 255, dtype=np.uint8)
    rows, cols = np.mgrid[:image_size, :image_size]
    for obj in scene:
        if obj.shape == "square":
            inside = (np.abs(cols - obj.x + 0.5) <= half) & (np.abs(rows - obj.y + 0.5) <= half)
        else:
            inside = (cols - obj.x + 0.5) ** 2 + (rows - obj.y + 0.5) ** 2 <= half ** 2
        image[inside] = COLOURS[obj.colour]
    return image


def make_questions(scene, rng, per_group=10):
    """``per_group`` non-relational then ``per_group`` relational ``(family, colour)`` pairs."""
    colours = list(COLOURS)
    picks = []
    for families in (NON_RELATIONAL, RELATIONAL):
        for _ in range(per_group):
            picks.append((families[rng.integers(len(families))], colours[rng.integers(len(colours))]))
    return picks


def _records(image_id, scene, picks):
    questions, annotations = [], []
    for k, (family, colour) in enumerate(picks):
        qid = image_id * 1000 + k  # the VQA rule question_id = image_id * 1000 + k
        reply = answer(scene, family, colour)
        questions.append({"image_id": image_id, "question": question_text(family, colour), "question_id": qid})
        annotations.append({
            "question_id": qid, "image_id": image_id, "question_type": family,
            "answer_type": _ANSWER_TYPES[family], "multiple_choice_answer": reply,
            "answers": [{"answer": reply, "answer_confidence": "yes", "answer_id": i + 1} for i in range(10)],
            "reasoning": reasoning(family), "question_family": family,
        })
    return questions, annotations


def split_paths(directory, split):
    """``(questions_json, annotations_json, image_folder)`` of one split of a generated set."""
    directory = os.fspath(directory)
    return (os.path.join(directory, f"sort_of_clevr_{split}_questions.json"),
            os.path.join(directory, f"sort_of_clevr_{split}_annotations.json"),
            os.path.join(directory, "images", split))


def image_path(directory, split, image_id):
    return os.path.join(split_paths(directory, split)[2], f"SOC_{split}_{image_id:012d}.png")


def _write_split(directory, split, first_id, count, rng, per_group):
    from PIL import Image

    questions_path, annotations_path, image_dir = split_paths(directory, split)
    os.makedirs(image_dir, exist_ok=True)
    questions, annotations = [], []
    for image_id in range(first_id, first_id + count):
        scene = random_scene(rng)
        # Plain writes (no per-file fsync): the manifest, written last, marks a complete set.
        Image.fromarray(render(scene)).save(image_path(directory, split, image_id), format="PNG")
        q, a = _records(image_id, scene, make_questions(scene, rng, per_group))
        questions += q
        annotations += a
    header = {"info": {"description": "Sort-of-CLEVR (Santoro et al. 2017), generated by framepred-tf"},
              "data_type": "sort_of_clevr", "data_subtype": split, "license": {"name": "generated data"}}
    write_json_atomic(questions_path, {**header, "task_type": "Open-Ended", "questions": questions}, indent=None)
    write_json_atomic(annotations_path, {**header, "annotations": annotations}, indent=None)
    return len(questions)


def generate(directory, train_images=9800, val_images=200, seed=0, per_group=10):
    """Write a Sort-of-CLEVR set to ``directory``; returns the manifest dict.

    Image ids run 1..train_images for train and continue for val, so ids are unique.
    """
    if train_images < 1 or val_images < 1 or per_group < 1:
        raise FramepredError("make-synthetic needs at least 1 train image, 1 val image and 1 question per group")
    rng = np.random.default_rng(seed)
    counts = {"train": (1, train_images), "val": (train_images + 1, val_images)}
    questions = {split: _write_split(directory, split, first, n, rng, per_group)
                 for split, (first, n) in counts.items()}
    manifest = {"dataset": "sort_of_clevr", "seed": seed, "image_size": IMAGE_SIZE,
                "images": {split: n for split, (_, n) in counts.items()}, "questions": questions,
                "questions_per_image": {"non-relational": per_group, "relational": per_group}}
    write_json_atomic(os.path.join(os.fspath(directory), MANIFEST), manifest)
    return manifest


def read_manifest(directory):
    """The manifest of a complete generated set, or None when ``directory`` holds none."""
    import json

    path = os.path.join(os.fspath(directory), MANIFEST)
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)

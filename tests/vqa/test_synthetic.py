"""Sort-of-CLEVR: answers on hand-placed scenes, rendering, and the generated VQA files."""
import json
import math

import numpy as np
import pytest

from framepred_tf.vqa import synthetic
from framepred_tf.vqa.data import load_split
from framepred_tf.vqa.synthetic import SceneObject, answer

# Hand-placed scene (x = column, y = row). Squared distances worked out by hand:
#   from red (10, 12):  gray 18^2+13^2 = 493, orange 30^2+33^2 = 1989, green 2^2+48^2 = 2308,
#                       blue 52^2+2^2 = 2708, yellow 53^2+52^2 = 5513
#   from blue (62, 10): gray 34^2+15^2 = 1381, orange 22^2+35^2 = 1709, red 2708,
#                       yellow 1^2+54^2 = 2917, green 50^2+50^2 = 5000
SCENE = [SceneObject("red", "square", 10, 12), SceneObject("blue", "circle", 62, 10),
         SceneObject("green", "square", 12, 60), SceneObject("orange", "square", 40, 45),
         SceneObject("yellow", "square", 63, 64), SceneObject("gray", "circle", 28, 25)]


def nearest_and_furthest(scene, colour):
    """Independent computation: brute-force Euclidean distances between centres."""
    me = next(o for o in scene if o.colour == colour)
    others = [(math.hypot(o.x - me.x, o.y - me.y), o.shape) for o in scene if o.colour != colour]
    return min(others)[1], max(others)[1]


def test_hand_placed_scene_answers():
    assert nearest_and_furthest(SCENE, "red") == ("circle", "square")  # gray, yellow
    assert nearest_and_furthest(SCENE, "blue") == ("circle", "square")  # gray, green
    expected = {
        ("shape", "red"): "square", ("shape", "blue"): "circle",
        ("left", "red"): "yes", ("left", "blue"): "no", ("left", "orange"): "no",
        ("top", "red"): "yes", ("top", "green"): "no", ("top", "gray"): "yes",
        ("closest", "red"): "circle", ("furthest", "red"): "square",
        ("closest", "blue"): "circle", ("furthest", "blue"): "square",
        ("closest", "gray"): "square",  # red at 493 beats orange (12^2+20^2 = 544)
        ("count", "red"): "4", ("count", "blue"): "2",  # 4 squares, 2 circles
    }
    for (family, colour), reply in expected.items():
        assert answer(SCENE, family, colour) == reply, (family, colour)


def test_question_texts_and_groups():
    expected = "What is the shape of the object furthest from the gray object?"
    assert synthetic.question_text("furthest", "gray") == expected
    assert synthetic.reasoning("count") == "relational" and synthetic.reasoning("top") == "non-relational"


def test_render_draws_squares_and_circles():
    image = synthetic.render(SCENE)
    assert image.shape == (75, 75, 3) and image.dtype == np.uint8
    assert image[12, 10].tolist() == list(synthetic.COLOURS["red"])
    assert image[0, 37].tolist() == [255, 255, 255]
    # The square fills its corner pixel (x-5, y-5); the circle leaves it white.
    assert image[12 - 5, 10 - 5].tolist() == list(synthetic.COLOURS["red"])
    assert image[10 - 5, 62 - 5].tolist() == [255, 255, 255]
    red = np.all(image == synthetic.COLOURS["red"], axis=-1)
    blue = np.all(image == synthetic.COLOURS["blue"], axis=-1)
    assert red.sum() == 100 and 70 < blue.sum() < 100


def test_random_scenes_do_not_overlap():
    rng = np.random.default_rng(5)
    for _ in range(20):
        scene = synthetic.random_scene(rng)
        assert sorted(o.colour for o in scene) == sorted(synthetic.COLOURS)
        for i, a in enumerate(scene):
            for b in scene[i + 1:]:
                assert max(abs(a.x - b.x), abs(a.y - b.y)) > 2 * synthetic.OBJECT_HALF


def objects_from_png(image):
    """Independent decoding of a rendered image: centre and shape of each colour's pixels."""
    found = []
    for colour, rgb in synthetic.COLOURS.items():
        rows, cols = np.nonzero(np.all(image == rgb, axis=-1))
        shape = "square" if rows.size == 100 else "circle"
        found.append(SceneObject(colour, shape, cols.mean() + 0.5, rows.mean() + 0.5))
    return found


def expected_answer(scene, family, colour):
    me = next(o for o in scene if o.colour == colour)
    if family == "shape":
        return me.shape
    if family in ("left", "top"):
        return "yes" if (me.x if family == "left" else me.y) < 37.5 else "no"
    if family == "count":
        return str(sum(o.shape == me.shape for o in scene))
    return nearest_and_furthest(scene, colour)[0 if family == "closest" else 1]


def test_generated_set_is_vqa_format_with_correct_answers(tmp_path):
    from PIL import Image

    manifest = synthetic.generate(tmp_path, train_images=4, val_images=2, seed=3)
    assert manifest["questions"] == {"train": 80, "val": 40}
    for split in ("train", "val"):
        questions_path, annotations_path, _ = synthetic.split_paths(tmp_path, split)
        loaded = load_split(questions_path, annotations_path, split)
        assert len(loaded.records) == manifest["questions"][split]
        for record in loaded.records:
            image_id = record["image_id"]
            assert record["question_id"] // 1000 == image_id
            assert [a["answer"] for a in record["answers"]] == [record["multiple_choice_answer"]] * 10
            family = record["question_family"]
            colour = next(c for c in synthetic.COLOURS if f" {c} " in record["question"])
            pixels = np.asarray(Image.open(synthetic.image_path(tmp_path, split, image_id)).convert("RGB"))
            assert record["multiple_choice_answer"] == expected_answer(objects_from_png(pixels), family, colour)
            assert record["reasoning"] == ("relational" if family in synthetic.RELATIONAL else "non-relational")
        groups = [r["reasoning"] for r in loaded.records]
        assert groups.count("relational") == groups.count("non-relational") == len(groups) // 2
    assert json.loads((tmp_path / "manifest.json").read_text())["images"] == {"train": 4, "val": 2}
    assert synthetic.read_manifest(tmp_path / "nothing") is None


def test_generation_is_seeded(tmp_path):
    synthetic.generate(tmp_path / "a", 2, 1, seed=9)
    synthetic.generate(tmp_path / "b", 2, 1, seed=9)
    for name in ("sort_of_clevr_train_annotations.json", "images/val/SOC_val_000000000003.png"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@pytest.mark.parametrize("sizes", [(0, 1), (1, 0)])
def test_generation_rejects_empty_splits(tmp_path, sizes):
    from framepred_tf.errors import FramepredError

    with pytest.raises(FramepredError, match="at least 1"):
        synthetic.generate(tmp_path, *sizes)

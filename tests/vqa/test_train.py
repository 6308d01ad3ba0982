"""Training-path helpers: batch plans, baselines, held-out split, batch-norm re-estimation."""
import keras
import numpy as np
import pytest

from framepred_tf.vqa import train
from framepred_tf.vqa.data import VQASplit
from framepred_tf.vqa.features import ImageTable


def encoded_split(image_rows, pixels=True):
    """An EncodedSplit over a 3-image table with the given question -> image rows."""
    rows = np.asarray(image_rows)
    data = np.zeros((3, 4, 4, 3), np.uint8) if pixels else np.zeros((3, 2), np.float32)
    table = ImageTable(np.array([10, 11, 12]), data, "table")
    records = [{"question_id": i, "image_id": 10 + r, "question": "q"} for i, r in enumerate(rows)]
    return train.EncodedSplit(VQASplit("s", records, "q.json"), np.zeros((len(rows), 2), np.int32),
                              np.arange(len(rows), dtype=np.int32), rows, table)


def test_pixel_batches_hold_whole_images_and_index_them():
    encoded = encoded_split([0, 1, 0, 2, 1, 0])  # 3 images with 3, 2 and 1 questions
    plan = train.batch_plan(encoded, batch_size=4)  # 2 questions per image -> 2 images per batch
    assert [sorted(batch.tolist()) for batch in plan] == [[0, 1, 2, 4, 5], [3]]
    inputs = encoded.inputs(plan[0])
    assert inputs["image"].shape == (2, 4, 4, 3) and inputs["image"].dtype == np.float32
    assert inputs["image_index"].tolist() == [0, 0, 0, 1, 1]  # questions sorted by image: 0 2 5 | 1 4


def test_questions_per_image_draws_a_subset_each_epoch():
    encoded = encoded_split([0] * 5 + [1] * 5 + [2] * 5)
    rng = np.random.default_rng(0)
    plans = [train.batch_plan(encoded, 4, rng, questions_per_image=2) for _ in range(2)]
    for plan in plans:
        asked = np.concatenate(plan)
        assert len(plan) == 2 and len(asked) == 6 and len(set(asked.tolist())) == 6
        assert sorted(np.bincount(encoded.image_rows[asked]).tolist()) == [2, 2, 2]
    assert sorted(np.concatenate(plans[0]).tolist()) != sorted(np.concatenate(plans[1]).tolist())


def test_feature_batches_are_plain_question_batches():
    encoded = encoded_split([0, 1, 2, 0, 1], pixels=False)
    plan = train.batch_plan(encoded, 2)
    assert [b.tolist() for b in plan] == [[0, 1], [2, 3], [4]]
    assert set(encoded.inputs(plan[0])) == {"question", "image"}


def test_baselines_by_hand():
    records = [{"question_id": i, "question_type": t, "multiple_choice_answer": a, "reasoning": g,
                "answer_type": "other", "answers": [{"answer": a}] * 10}
               for i, (t, a, g) in enumerate([("shape", "square", "non-relational"), ("shape", "square", "non-relational"),
                                              ("left", "yes", "non-relational"), ("count", "3", "relational"),
                                              ("count", "3", "relational"), ("closest", "circle", "relational")])]
    baselines = train.compute_baselines(records)
    assert baselines["majority"] == "square"  # 2 x square, 2 x 3: the first seen wins the tie
    assert baselines["majority_by_reasoning"] == {"non-relational": "square", "relational": "3"}
    assert baselines["question_type_prior"] == {"closest": "circle", "count": "3", "left": "yes", "shape": "square"}
    report = train.baseline_reports(baselines, records)
    # The fixed eval.json contract: the overall figure is a float, the kinds sit beside it.
    assert isinstance(report["majority_baseline"], float)
    assert report["majority_baseline"] == pytest.approx(100 * 2 / 6, abs=0.01)
    # Each kind scored with its own majority answer: square 2 of 3, "3" 2 of 3.
    assert report["majority_baseline_per_kind"]["relational"] == pytest.approx(100 * 2 / 3, abs=0.01)
    assert report["majority_baseline_per_kind"]["non_relational"] == pytest.approx(100 * 2 / 3, abs=0.01)
    assert report["majority_baseline_per_kind"]["per_answer_type"] == {"other": pytest.approx(100 * 2 / 6, abs=0.01)}
    assert report["question_type_prior_baseline"] == 100.0
    assert report["question_type_prior_baseline_per_kind"]["relational"] == 100.0
    assert set(report) == {"majority_baseline", "majority_baseline_per_kind", "question_type_prior_baseline",
                           "question_type_prior_baseline_per_kind"}


def test_holdout_split_keeps_images_apart():
    records = [{"question_id": i, "image_id": i // 3} for i in range(30)]  # 10 images
    parts = train.holdout_split(VQASplit("train", records, "q.json", "a.json"), 0.2, seed=1)
    train_images, val_images = set(parts["train"].image_ids.tolist()), set(parts["val"].image_ids.tolist())
    assert len(val_images) == 2 and not train_images & val_images and len(train_images) == 8


def test_recalibrated_batch_norm_statistics_are_the_batch_average():
    inputs = keras.Input((1,))
    model = keras.Model(inputs, keras.layers.BatchNormalization(momentum=0.99)(inputs))
    batches = [(np.full((4, 1), value, np.float32) + np.array([[-1], [1], [-1], [1]], np.float32), None)
               for value in (2.0, 4.0, 9.0)]
    train.recalibrate_batch_norm(model, batches, steps=3)
    layer = train.batch_norm_layers(model)[0]
    # Batch means 2, 4, 9 -> 5; every batch variance is 1.
    assert float(keras.ops.convert_to_numpy(layer.moving_mean)[0]) == pytest.approx(5.0)
    assert float(keras.ops.convert_to_numpy(layer.moving_variance)[0]) == pytest.approx(1.0)
    assert layer.momentum == 0.99

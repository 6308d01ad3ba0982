"""The PPO2 and A2C losses against a hand computation (plain Python floats) on a fixed batch."""
import math

import numpy as np
import pytest

from framepred_tf.rl.algorithms import a2c_loss, entropy, neglogp, ppo2_loss

CLIP, ENT, VF = 0.1, 0.01, 0.5


def _batch():
    logits = np.array([[0.2, -0.4, 1.0], [1.5, 0.0, -1.0], [0.0, 0.0, 0.0], [-2.0, 0.5, 0.3]], "float32")
    actions = np.array([2, 0, 1, 1], "int32")
    # Old log-probabilities chosen so the ratios fall inside, above and below the clip range.
    old_neglogp = np.array([0.60, 0.45, 1.0986, 0.9], "float32")
    values = np.array([0.5, -0.2, 1.2, 0.0], "float32")
    batch = {"actions": actions, "old_neglogp": old_neglogp,
             "advantages": np.array([1.0, -0.5, 2.0, -1.5], "float32"),
             "returns": np.array([1.0, -1.0, 0.9, 0.4], "float32"),
             "old_values": np.array([0.45, 0.1, 1.0, 0.2], "float32")}
    return logits, values, batch


def _log_softmax(row):
    top = max(row)
    norm = math.log(sum(math.exp(x - top) for x in row)) + top
    return [x - norm for x in row]


def _hand_ppo2(logits, values, b):
    pg, vf, ent, kl, clipped = [], [], [], [], []
    for i, row in enumerate(logits.tolist()):
        logp = _log_softmax(row)
        nlp = -logp[b["actions"][i]]
        ratio = math.exp(float(b["old_neglogp"][i]) - nlp)
        adv = float(b["advantages"][i])
        pg.append(max(-adv * ratio, -adv * min(max(ratio, 1 - CLIP), 1 + CLIP)))
        v, v_old, ret = float(values[i]), float(b["old_values"][i]), float(b["returns"][i])
        v_clip = v_old + min(max(v - v_old, -CLIP), CLIP)
        vf.append(max((v - ret) ** 2, (v_clip - ret) ** 2))
        ent.append(-sum(math.exp(lp) * lp for lp in logp))
        kl.append((nlp - float(b["old_neglogp"][i])) ** 2)
        clipped.append(abs(ratio - 1) > CLIP)
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    policy, value, entropy_ = mean(pg), 0.5 * mean(vf), mean(ent)
    return policy - ENT * entropy_ + VF * value, {
        "policy_loss": policy, "value_loss": value, "entropy": entropy_, "approx_kl": 0.5 * mean(kl),
        "clip_fraction": mean([float(c) for c in clipped])}


def test_ppo2_loss_equals_the_hand_computation():
    logits, values, batch = _batch()
    loss, metrics = ppo2_loss((logits, values, None), batch, clip_range=CLIP, ent_coef=ENT, vf_coef=VF)
    expected_loss, expected = _hand_ppo2(logits, values, batch)
    assert float(loss) == pytest.approx(expected_loss, rel=1e-5)
    for key, value in expected.items():
        assert float(metrics[key]) == pytest.approx(value, rel=1e-5, abs=1e-7), key
    # The batch exercises both clips: some ratios and one value step fall outside the range.
    assert 0 < expected["clip_fraction"] < 1


def test_a2c_loss_equals_the_hand_computation():
    logits, values, batch = _batch()
    loss, metrics = a2c_loss((logits, values, None), batch, ent_coef=ENT, vf_coef=VF)
    pg = ent = vf = 0.0
    for i, row in enumerate(logits.tolist()):
        logp = _log_softmax(row)
        pg += float(batch["advantages"][i]) * -logp[batch["actions"][i]] / 4
        ent += -sum(math.exp(lp) * lp for lp in logp) / 4
        vf += (float(values[i]) - float(batch["returns"][i])) ** 2 / 4
    assert float(metrics["policy_loss"]) == pytest.approx(pg, rel=1e-5)
    assert float(metrics["entropy"]) == pytest.approx(ent, rel=1e-5)
    assert float(metrics["value_loss"]) == pytest.approx(vf, rel=1e-5)
    assert float(loss) == pytest.approx(pg - ENT * ent + VF * vf, rel=1e-5)


def test_neglogp_and_entropy_of_a_uniform_policy():
    logits = np.zeros((2, 6), "float32")
    np.testing.assert_allclose(np.asarray(neglogp(logits, np.array([0, 5]))), [math.log(6)] * 2, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(entropy(logits)), [math.log(6)] * 2, rtol=1e-6)


def test_numpy_neglogp_of_acting_matches_the_loss_one():
    from framepred_tf.rl.rollout import neglogp_numpy

    logits, _, batch = _batch()
    np.testing.assert_allclose(neglogp_numpy(logits, batch["actions"]),
                               np.asarray(neglogp(logits, batch["actions"])), rtol=1e-5)

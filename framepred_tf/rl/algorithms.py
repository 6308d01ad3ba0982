"""PPO2 (Schulman et al. 2017) and A2C (Mnih et al. 2016) as in OpenAI baselines, for recurrent policies.

Each algorithm turns a :class:`~framepred_tf.rl.rollout.Rollout` into gradient steps:

* **PPO2**: GAE advantages; ``n_epochs`` passes over ``n_minibatches`` minibatches made of
  whole env sequences with their initial LSTM states (baselines' recurrent ``ppo2``);
  advantages normalised per minibatch; clipped surrogate, clipped value loss; Adam.
* **A2C**: n-step returns; one step on the whole rollout; RMSProp with TensorFlow 1's
  slot initialisation (see :class:`TF1RMSprop`).

The losses are ``keras.ops`` functions of the policy outputs and a batch dict, so one
definition serves both backends (see :mod:`framepred_tf.rl.compiled`).
"""
import keras
import numpy as np
from keras import ops

from framepred_tf.errors import FramepredError
from framepred_tf.rl.choices import check_algorithm
from framepred_tf.rl.compiled import CompiledPolicy
from framepred_tf.rl.returns import explained_variance, gae_advantages, n_step_returns

def neglogp(logits, actions):
    """``-log π(a|s)`` of integer ``actions (B,)`` under categorical ``logits (B, A)``."""
    log_probs = ops.log_softmax(ops.cast(logits, "float32"), axis=-1)
    return -ops.squeeze(ops.take_along_axis(log_probs, ops.cast(actions, "int32")[:, None], axis=-1), axis=-1)


def entropy(logits):
    """Entropy of each categorical distribution ``(B, A) -> (B,)``."""
    log_probs = ops.log_softmax(ops.cast(logits, "float32"), axis=-1)
    return -ops.sum(ops.exp(log_probs) * log_probs, axis=-1)


def ppo2_loss(outputs, batch, *, clip_range, ent_coef, vf_coef):
    """baselines ``ppo2`` loss: ``L = L_clip - c_ent H + c_vf L_vf`` (Schulman et al. 2017, eqs. 7 and 9).

    ``L_clip = mean(max(-A r, -A clip(r, 1 ± ε)))`` with ``r = exp(old_neglogp - neglogp)``;
    ``L_vf = ½ mean(max((V - R)², (V_old + clip(V - V_old, ±ε) - R)²))``.
    """
    logits, values, _ = outputs
    new_neglogp = neglogp(logits, batch["actions"])
    ratio = ops.exp(batch["old_neglogp"] - new_neglogp)
    advantages, returns, old_values = batch["advantages"], batch["returns"], batch["old_values"]
    policy_loss = ops.mean(ops.maximum(-advantages * ratio,
                                       -advantages * ops.clip(ratio, 1.0 - clip_range, 1.0 + clip_range)))
    clipped_values = old_values + ops.clip(values - old_values, -clip_range, clip_range)
    value_loss = 0.5 * ops.mean(ops.maximum(ops.square(values - returns), ops.square(clipped_values - returns)))
    mean_entropy = ops.mean(entropy(logits))
    metrics = {
        "policy_loss": policy_loss,
        "value_loss": value_loss,
        "entropy": mean_entropy,
        "approx_kl": 0.5 * ops.mean(ops.square(new_neglogp - batch["old_neglogp"])),
        "clip_fraction": ops.mean(ops.cast(ops.abs(ratio - 1.0) > clip_range, "float32")),
    }
    return policy_loss - ent_coef * mean_entropy + vf_coef * value_loss, metrics


def a2c_loss(outputs, batch, *, ent_coef, vf_coef):
    """baselines ``a2c`` loss: ``mean(A · -log π(a|s)) - c_ent H + c_vf mean((V - R)²)``, ``A = R - V_old``."""
    logits, values, _ = outputs
    policy_loss = ops.mean(batch["advantages"] * neglogp(logits, batch["actions"]))
    value_loss = ops.mean(ops.square(values - batch["returns"]))
    mean_entropy = ops.mean(entropy(logits))
    metrics = {"policy_loss": policy_loss, "value_loss": value_loss, "entropy": mean_entropy}
    return policy_loss - ent_coef * mean_entropy + vf_coef * value_loss, metrics


@keras.saving.register_keras_serializable(package="framepred_tf")
class TF1RMSprop(keras.optimizers.RMSprop):
    """RMSProp whose mean-square slots start at 1, as TensorFlow 1's ``RMSPropOptimizer`` (baselines A2C).

    Keras starts them at 0, which makes the first updates about ``1 / sqrt(1 - rho)`` = 10
    times the learning rate for every weight; the update rule itself,
    ``lr · g / sqrt(ms + ε)``, is the same.
    """

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        if name == "velocity":
            initializer = "ones"
        return super().add_variable_from_reference(reference_variable, name=name, initializer=initializer)


def make_optimizer(config):
    """The optimizer of ``config['algo']`` with baselines' settings; the learning rate is set per update."""
    lr, clip = config["lr"], config["max_grad_norm"]
    if config["algo"] == "ppo2":
        return keras.optimizers.Adam(learning_rate=lr, epsilon=1e-5, global_clipnorm=clip)
    return TF1RMSprop(learning_rate=lr, rho=config["rms_alpha"], epsilon=config["rms_epsilon"], global_clipnorm=clip)


def learning_rate(config, update):
    """baselines' linear decay: ``lr · (1 - update / n_updates)`` for the 0-based ``update``."""
    return config["lr"] * (1.0 - update / n_updates(config))


def n_updates(config):
    return max(1, config["timesteps"] // (config["n_envs"] * config["n_steps"]))


def recurrent_minibatches(n_envs, n_steps, n_minibatches, rng=np.random):
    """Row indices ``[(env_ids, flat_rows)]`` of one epoch: whole env sequences, envs shuffled.

    ``flat_rows`` index the env-major batch (row ``env * n_steps + t``), so each minibatch
    holds ``n_envs / n_minibatches`` complete sequences, and ``env_ids`` pick their
    initial LSTM states.
    """
    if n_envs % n_minibatches:
        raise FramepredError(f"--envs {n_envs} is not divisible by the {n_minibatches} minibatches; "
                             f"use a multiple of {n_minibatches}")
    order = rng.permutation(n_envs)
    rows = np.arange(n_envs * n_steps).reshape(n_envs, n_steps)
    size = n_envs // n_minibatches
    return [(order[i:i + size], rows[order[i:i + size]].ravel()) for i in range(0, n_envs, size)]


class PPO2:
    """Recurrent PPO2 on ``model`` (a compiled policy): :meth:`update` does all epochs of one rollout."""

    name = "ppo2"

    def __init__(self, model, config):
        self.config = config
        self.policy = CompiledPolicy(model, self.loss)

    def loss(self, outputs, batch):
        c = self.config
        return ppo2_loss(outputs, batch, clip_range=c["clip_range"], ent_coef=c["ent_coef"], vf_coef=c["vf_coef"])

    def targets(self, rollout):
        c = self.config
        return gae_advantages(rollout.rewards, rollout.values, rollout.starts, rollout.last_values,
                              rollout.last_starts, c["gamma"], c["lam"])

    def update(self, rollout):
        advantages, returns = self.targets(rollout)
        data = rollout.training_batch(advantages=advantages, returns=returns)
        c = self.config
        metrics = []
        for _ in range(c["n_epochs"]):
            for envs, rows in recurrent_minibatches(rollout.n_envs, rollout.n_steps, c["n_minibatches"]):
                batch = {key: value[rows] for key, value in data.items() if key != "states"}
                batch["states"] = data["states"][envs]
                advantages = batch["advantages"]
                batch["advantages"] = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
                metrics.append(self.policy.update(batch))
        summary = {key: float(np.mean([m[key] for m in metrics])) for key in metrics[0]}
        summary["explained_variance"] = explained_variance(data["old_values"], data["returns"])
        return summary


class A2C:
    """Recurrent A2C on ``model``: :meth:`update` takes one gradient step on the whole rollout."""

    name = "a2c"

    def __init__(self, model, config):
        self.config = config
        self.policy = CompiledPolicy(model, self.loss)

    def loss(self, outputs, batch):
        return a2c_loss(outputs, batch, ent_coef=self.config["ent_coef"], vf_coef=self.config["vf_coef"])

    def targets(self, rollout):
        returns = n_step_returns(rollout.rewards, rollout.starts, rollout.last_values, rollout.last_starts,
                                 self.config["gamma"])
        return returns - rollout.values, returns

    def update(self, rollout):
        advantages, returns = self.targets(rollout)
        data = rollout.training_batch(advantages=advantages, returns=returns)
        summary = self.policy.update(data)
        summary["explained_variance"] = explained_variance(data["old_values"], data["returns"])
        return summary


def make_algorithm(model, config):
    """PPO2 or A2C for ``config['algo']`` over the compiled ``model``."""
    return {"ppo2": PPO2, "a2c": A2C}[check_algorithm(config["algo"])](model, config)

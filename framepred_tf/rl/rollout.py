"""Collecting rollouts: ``n_steps`` acting steps of ``n_envs`` games with the recurrent policy.

Actions are sampled in NumPy from the policy's logits with the global ``np.random``
generator, whose state every checkpoint saves, so a resumed run draws the same stream.
"""
import dataclasses

import numpy as np


def sample_actions(logits, rng=np.random):
    """One action per row of ``logits (n, A)`` by the Gumbel-max trick (baselines' ``sample``)."""
    noise = rng.random_sample(logits.shape)
    return np.argmax(logits - np.log(-np.log(noise)), axis=-1).astype(np.int32)


def neglogp_numpy(logits, actions):
    """``-log softmax(logits)[a]`` per row, in float64."""
    logits = np.asarray(logits, np.float64)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=-1))
    return log_norm - shifted[np.arange(len(actions)), actions]


@dataclasses.dataclass
class Rollout:
    """One rollout, time-major: arrays ``(n_steps, n_envs, ...)``.

    ``starts[t]`` flags frames that begin an episode (the LSTM state is zeroed before them);
    ``initial_state (n_envs, 2U)`` is the LSTM state before step 0; ``last_values`` and
    ``last_starts`` describe the frame after the rollout, for bootstrapping.
    """

    observations: np.ndarray
    starts: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    values: np.ndarray
    neglogp: np.ndarray
    initial_state: np.ndarray
    last_values: np.ndarray
    last_starts: np.ndarray

    @property
    def n_steps(self):
        return self.rewards.shape[0]

    @property
    def n_envs(self):
        return self.rewards.shape[1]

    def training_batch(self, **time_major):
        """The policy inputs and loss targets in baselines' env-major layout (row ``env * n_steps + t``).

        ``time_major`` arrays ``(n_steps, n_envs)`` (advantages, returns) are flattened the
        same way; ``states`` are the ``(n_envs, 2U)`` initial states of the sequences.
        """
        arrays = {"observations": self.observations, "starts": self.starts, "actions": self.actions,
                  "old_values": self.values, "old_neglogp": self.neglogp, **time_major}
        batch = {key: env_major(value) for key, value in arrays.items()}
        batch["states"] = self.initial_state
        return batch


def env_major(array):
    """``(n_steps, n_envs, ...)`` -> ``(n_envs * n_steps, ...)`` (baselines' ``sf01``)."""
    array = np.asarray(array)
    return np.swapaxes(array, 0, 1).reshape(-1, *array.shape[2:])


class Runner:
    """Steps ``envs`` with ``forward`` (a compiled policy's forward pass), carrying the LSTM state.

    The games start with seeds ``seed``, ``seed + 1``, ...; their first frames count as
    episode starts. The env state is not part
    of a checkpoint: a resumed run starts new games with a fresh LSTM state.
    """

    def __init__(self, envs, forward, initial_state, n_steps, seed):
        self.envs = envs
        self.forward = forward
        self.n_steps = int(n_steps)
        self.observations = envs.reset(seed)
        self.state = np.asarray(initial_state, np.float32)
        self.starts = np.ones(envs.n_envs, np.float32)

    def run(self):
        """Act for ``n_steps`` and return the :class:`Rollout`."""
        columns = {key: [] for key in ("observations", "starts", "actions", "rewards", "values", "neglogp")}
        initial_state = self.state
        for _ in range(self.n_steps):
            logits, values, state = self.forward(self.observations, self.state, self.starts)
            actions = sample_actions(logits)
            columns["observations"].append(self.observations)
            columns["starts"].append(self.starts)
            columns["actions"].append(actions)
            columns["values"].append(values)
            columns["neglogp"].append(neglogp_numpy(logits, actions).astype(np.float32))
            self.observations, rewards, dones, _ = self.envs.step(actions)
            columns["rewards"].append(rewards)
            self.state, self.starts = state, dones.astype(np.float32)
        _, last_values, _ = self.forward(self.observations, self.state, self.starts)
        return Rollout(**{key: np.stack(value) for key, value in columns.items()}, initial_state=initial_state,
                       last_values=last_values, last_starts=self.starts)

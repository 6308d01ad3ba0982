"""Atari through ale-py's native vector environment, set up like baselines' ``PongNoFrameskip-v4``.

``ale_py.vector_env.AtariVectorEnv`` runs the sub-environments and their preprocessing in
C++ threads, so no OpenCV and no Python wrappers are involved. The settings equal the
baselines pipeline (``make_atari`` + ``wrap_deepmind``): 4 frames skipped per action with
a max-pool over the last two, ``repeat_action_probability=0``, up to 30 no-op actions
after a reset, FIRE on reset, 84×84 grayscale, and rewards clipped to their sign for
training. The episodes end with the game (Pong has no lives, so baselines' end-of-life
episodes do not apply). Frames are stacked ``frame_stack`` deep (default 1: the LSTM has
to remember the motion, as in CleanRL's ``ppo_atari_lstm.py``).

ale-py and gymnasium are imported here only, on first use, so the rest of the package
works without them.
"""
import collections
import os

import numpy as np

from framepred_tf.errors import FramepredError
from framepred_tf.rl.choices import GAMES, check_game

RECENT_EPISODES = 100  # the mean reward of the console line is over the last 100 episodes
_INSTALL_HINT = 'pip install "ale-py>=0.12" "gymnasium>=1.1" (or pip install -e . in the checkout)'


def import_ale():
    """The ``ale_py.vector_env`` module, or a one-line error saying how to install ale-py."""
    try:
        from ale_py import vector_env
    except ImportError as error:
        raise FramepredError(f"the Atari environments need ale-py and gymnasium ({error}); install them with "
                             f"{_INSTALL_HINT}") from None
    return vector_env


class AtariEnvs:
    """``n_envs`` Atari games stepped together; observations ``(n_envs, 84, 84, frame_stack)`` uint8.

    :meth:`step` returns ``(observations, clipped_rewards, dones, finished_returns)``. An
    ended game is reset in the same step (ALE's ``SameStep`` autoreset, as baselines'
    ``VecEnv``): the observation returned for it is the first frame of the next episode.
    ``finished_returns`` lists the raw (unclipped) returns of the episodes that ended in
    this step; :attr:`recent_returns` keeps the last 100 and :attr:`episodes` counts them.
    Truncated games (ALE's 108,000-frame cap) count as ended, as in baselines.
    """

    def __init__(self, game, n_envs, frame_stack=1, threads=None, clip_rewards=True):
        vector_env = import_ale()
        check_game(game)
        if frame_stack not in (1, 4):
            raise FramepredError(f"--frame-stack must be 1 or 4, got {frame_stack!r}")
        self.n_envs = int(n_envs)
        self.clip_rewards = clip_rewards
        self._envs = vector_env.AtariVectorEnv(
            GAMES[game], self.n_envs, stack_num=frame_stack, frameskip=4, maxpool=True, noop_max=30,
            use_fire_reset=True, repeat_action_probability=0.0, img_height=84, img_width=84, grayscale=True,
            episodic_life=False, reward_clipping=False, autoreset_mode="SameStep",
            num_threads=threads or min(self.n_envs, os.cpu_count() or 1))
        self.n_actions = int(self._envs.single_action_space.n)
        self.observation_shape = (84, 84, frame_stack)
        self._returns = np.zeros(self.n_envs)
        self.recent_returns = collections.deque(maxlen=RECENT_EPISODES)
        self.episodes = 0

    def reset(self, seed):
        """Start every game (seeds ``seed``, ``seed + 1``, ...); return the first observations."""
        observations, _ = self._envs.reset(seed=int(seed))
        self._returns[:] = 0.0
        return _channels_last(observations)

    def step(self, actions):
        observations, rewards, terminated, truncated, _ = self._envs.step(np.asarray(actions, dtype=np.int32))
        rewards = np.asarray(rewards, dtype=np.float64)
        dones = np.logical_or(terminated, truncated)
        self._returns += rewards
        finished = self._returns[dones].tolist()
        self._returns[dones] = 0.0
        self.recent_returns.extend(finished)
        self.episodes += len(finished)
        clipped = np.sign(rewards) if self.clip_rewards else rewards
        return _channels_last(observations), clipped.astype(np.float32), dones, finished

    def mean_recent_return(self):
        """Mean raw return of the last 100 finished episodes (NaN before the first one ends)."""
        return float(np.mean(self.recent_returns)) if self.recent_returns else float("nan")

    def restore_episode_log(self, recent_returns, episodes):
        """Continue the return statistics of a resumed run (the games themselves restart)."""
        self.recent_returns.clear()
        self.recent_returns.extend(float(r) for r in recent_returns)
        self.episodes = int(episodes)

    def close(self):
        self._envs.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _channels_last(observations):
    # ALE stacks frames on axis 1: (n, stack, 84, 84) -> Keras' (n, 84, 84, stack).
    return np.ascontiguousarray(np.moveaxis(observations, 1, -1))

"""Recurrent actor-critic on Atari Pong: PPO2 and A2C with the ``cnn_lstm`` policy (seed 001).

Run (``framepred-tf rl train``, see :mod:`framepred_tf.rl.cli`)::

    framepred-tf rl train pong --algo ppo2 --preset paper      # make train-pong
    framepred-tf rl train pong --algo a2c --preset paper
    framepred-tf rl train pong --algo ppo2 --preset quick      # a few minutes: the pipeline, not learning

``PRESETS[preset][algo]`` is the run configuration (keys below). ``paper`` is OpenAI
baselines' defaults for Atari with the recurrent policy (``baselines/ppo2/defaults.py``
``atari()``, ``baselines/a2c/a2c.py`` ``learn()``; ``--num_timesteps`` 1e6 of
``baselines/common/cmd_util.py``, also the length of the seed's runs); the seed's policy is
the LSTM of 256 units. ``quick`` is a smaller network on fewer, shorter rollouts.

Result: ``--algo ppo2 --preset paper``, 1 M timesteps on the 2-core Ice Lake Xeon (float32,
2026-12-07, one --time-limit stop and --resume): mean return of the last 100 episodes -20.3
at 41k, -18.2 at 600k, -16.7 at 1 M, about 250 steps/s (docs/RESULTS.md, with the curve).

Keys: ``algo``, ``policy`` and ``policy_overrides`` (arguments of
:class:`framepred_tf.rl.policy.CnnLstmPolicy`), ``n_envs``, ``n_steps`` (rollout length),
``timesteps`` (total agent steps), ``lr`` (initial learning rate, decayed linearly to 0),
``gamma``, ``lam`` (GAE, PPO2), ``clip_range``, ``n_epochs``, ``n_minibatches`` (PPO2),
``ent_coef``, ``vf_coef``, ``max_grad_norm``, ``rms_alpha``, ``rms_epsilon`` (A2C),
``frame_stack`` (1 or 4), ``log_every`` (timesteps between console lines),
``checkpoint_every`` (updates), ``keep_checkpoints``, ``seed``, ``precision``.
"""

COMMON = {
    "policy": "cnn_lstm",
    "policy_overrides": {"lstm_units": 256},  # the seed: LSTM of 256, fused weights (256, 1024)
    "timesteps": 1_000_000,
    "gamma": 0.99,
    "ent_coef": 0.01,
    "vf_coef": 0.5,
    "max_grad_norm": 0.5,
    "frame_stack": 1,  # the LSTM remembers the motion (CleanRL ppo_atari_lstm); 4 as in baselines
    "log_every": 40_000,  # the seed's interval
    "keep_checkpoints": 3,
    "seed": 0,
    # mixed_bfloat16 where the CPU has AVX512_BF16/AMX (or on a GPU), else float32: the
    # convolutions' forward and backward ran 2.1x faster in bfloat16 on the dev box.
    "precision": "auto",
}

PPO2 = {
    **COMMON,
    "algo": "ppo2",
    "n_envs": 8,
    "n_steps": 128,
    "n_minibatches": 4,  # of whole env sequences: 2 envs x 128 steps each
    "n_epochs": 4,
    "lr": 2.5e-4,
    "clip_range": 0.1,
    "lam": 0.95,
    "checkpoint_every": 40,  # updates: about 41,000 timesteps
}

A2C = {
    **COMMON,
    "algo": "a2c",
    "n_envs": 16,
    "n_steps": 5,
    "lr": 7e-4,
    "rms_alpha": 0.99,
    "rms_epsilon": 1e-5,
    "checkpoint_every": 500,  # updates: 40,000 timesteps
}

# Small enough to show the whole pipeline (logs, checkpoints, curve) in minutes on a CPU.
QUICK_POLICY = {"lstm_units": 64, "dense_units": 128, "conv_filters": (16, 32, 32)}

PRESETS = {
    "paper": {"ppo2": PPO2, "a2c": A2C},
    "quick": {
        "ppo2": {**PPO2, "policy_overrides": QUICK_POLICY, "n_envs": 4, "n_steps": 32, "n_minibatches": 2,
                 "n_epochs": 2, "timesteps": 20_480, "log_every": 2_048, "checkpoint_every": 10},
        "a2c": {**A2C, "policy_overrides": QUICK_POLICY, "n_envs": 4, "timesteps": 20_000, "log_every": 2_000,
                "checkpoint_every": 100},
    },
}

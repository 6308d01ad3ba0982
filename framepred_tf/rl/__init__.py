"""Recurrent actor-critic on Atari (seed 001): the ``cnn_lstm`` policy on the kit's fused LSTM, PPO2 and A2C.

Modules: :mod:`~framepred_tf.rl.env` (ale-py's vector env, baselines' Pong settings),
:mod:`~framepred_tf.rl.policy` (``CnnLstmPolicy``), :mod:`~framepred_tf.rl.rollout`
(acting), :mod:`~framepred_tf.rl.returns` (GAE, n-step returns),
:mod:`~framepred_tf.rl.algorithms` (losses, PPO2, A2C), :mod:`~framepred_tf.rl.compiled`
(the compiled forward pass and gradient step per backend), :mod:`~framepred_tf.rl.train`
(runs, resume, time limit), :mod:`~framepred_tf.rl.evaluate`, :mod:`~framepred_tf.rl.plot`,
:mod:`~framepred_tf.rl.bench` and the command line :mod:`~framepred_tf.rl.cli`. Importing
this package loads nothing heavy; ale-py is imported only when an environment is made.
"""

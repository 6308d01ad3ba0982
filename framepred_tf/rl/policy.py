"""The ``cnn_lstm`` actor-critic of OpenAI baselines (``cnn_lstm`` policy) on the kit's fused LSTM."""
import keras
import numpy as np
from keras import ops

from framepred_tf.errors import FramepredError
from framepred_tf.layers import LSTM, batch_to_seq, seq_to_batch

POLICIES = ("cnn_lstm",)


@keras.saving.register_keras_serializable(package="framepred_tf")
class CnnLstmPolicy(keras.Model):
    """Nature CNN (Mnih et al. 2015) → Dense → the kit's fused ``LSTM`` → policy and value heads.

    Layers: conv 32·8×8/4, 64·4×4/2, 64·3×3/1 (ReLU), Dense ``dense_units`` (ReLU), LSTM of
    ``lstm_units`` with the packed state ``concat([c, h])``, then logits over ``n_actions``
    and a scalar value. Initialisation as in baselines: orthogonal with gain √2 for the
    trunk, 0.01 for the logits, 1 for the value.

    ``call((observations, state, starts))``, with ``n_envs`` rows of ``state``:

    * ``observations (n_envs * n_steps, H, W, C)`` uint8 frames in baselines' env-major
      layout (row ``env * n_steps + t``); ``n_steps = 1`` is one acting step;
    * ``state (n_envs, 2 * lstm_units)`` float32, the packed state before the first step;
    * ``starts (n_envs * n_steps,)``: 1 where that frame is the first of a new episode,
      so the state is zeroed before it (baselines' ``masks``).

    Returns ``logits (n_envs * n_steps, n_actions)`` and ``values (n_envs * n_steps,)`` in
    float32 and the final packed ``state (n_envs, 2 * lstm_units)``. Under a mixed dtype
    policy only the convolutions and the dense layer compute in bfloat16. The convolutions run
    on all frames at once; :func:`batch_to_seq` / :func:`seq_to_batch` cut the features into
    ``n_envs`` sequences of ``n_steps`` for the LSTM and join its outputs again.
    """

    def __init__(self, n_actions, lstm_units=256, dense_units=512, conv_filters=(32, 64, 64), **kwargs):
        super().__init__(**kwargs)
        self.n_actions = int(n_actions)
        self.lstm_units = int(lstm_units)
        self.dense_units = int(dense_units)
        self.conv_filters = tuple(int(f) for f in conv_filters)
        if len(self.conv_filters) != 3:
            raise ValueError(f"conv_filters needs the widths of the three Nature-CNN layers, got {conv_filters!r}")
        trunk = keras.initializers.Orthogonal(gain=np.sqrt(2.0))
        self.convs = [
            keras.layers.Conv2D(filters, kernel, strides=stride, activation="relu", kernel_initializer=trunk,
                                name=f"conv_{i + 1}")
            for i, (filters, kernel, stride) in enumerate(zip(self.conv_filters, (8, 4, 3), (4, 2, 1)))
        ]
        self.flatten = keras.layers.Flatten(name="flatten")
        self.dense = keras.layers.Dense(self.dense_units, activation="relu", kernel_initializer=trunk, name="dense")
        # Unrolled on TensorFlow (its while-loop gradient ran 3x slower on the dev box), scanned
        # on JAX (XLA compiles the scan in a second; 128 unrolled steps and their gradient
        # took more than 100 CPU-seconds). The LSTM stays float32 under mixed precision: its
        # time goes into per-step op overhead, not arithmetic, and the state is carried for
        # hundreds of steps.
        self.lstm = LSTM(self.lstm_units, return_sequences=True, return_state=True, kernel_initializer="orthogonal",
                         unroll=keras.backend.backend() != "jax", dtype="float32", name="lstm")
        # The read-out stays float32 under mixed precision: softmax and value regression.
        self.policy_head = keras.layers.Dense(self.n_actions, kernel_initializer=keras.initializers.Orthogonal(0.01),
                                              dtype="float32", name="policy_logits")
        self.value_head = keras.layers.Dense(1, kernel_initializer=keras.initializers.Orthogonal(1.0),
                                             dtype="float32", name="value")

    def build(self, observation_shape):
        """Create every variable for frames ``(None, H, W, C)``."""
        shape = (None, *tuple(observation_shape)[1:])
        if len(shape) != 4:
            raise ValueError(f"CnnLstmPolicy expects frames (None, H, W, C), got {tuple(observation_shape)}")
        for conv in self.convs:
            conv.build(shape)
            shape = conv.compute_output_shape(shape)
        self.flatten.build(shape)
        self.dense.build(self.flatten.compute_output_shape(shape))
        self.lstm.build((None, None, self.dense_units))
        self.policy_head.build((None, self.lstm_units))
        self.value_head.build((None, self.lstm_units))
        self.built = True

    def call(self, inputs, training=None):
        observations, state, starts = inputs
        n_envs = state.shape[0]
        n_steps = observations.shape[0] // n_envs
        x = ops.cast(observations, self.compute_dtype) / 255.0
        for conv in self.convs:
            x = conv(x)
        features = self.dense(self.flatten(x))
        sequences = ops.stack(batch_to_seq(features, n_envs, n_steps), axis=1)
        resets = ops.stack(batch_to_seq(starts, n_envs, n_steps), axis=1)
        hidden, state = self.lstm(sequences, initial_state=state, mask=resets)
        hidden = seq_to_batch(ops.unstack(hidden, axis=1))
        logits = self.policy_head(hidden)
        values = ops.squeeze(self.value_head(hidden), axis=-1)
        return logits, values, ops.cast(state, "float32")

    def initial_state(self, n_envs):
        """Zero packed LSTM state ``(n_envs, 2 * lstm_units)`` (NumPy float32)."""
        return np.zeros((n_envs, 2 * self.lstm_units), dtype="float32")

    def get_config(self):
        config = super().get_config()
        config.update(n_actions=self.n_actions, lstm_units=self.lstm_units, dense_units=self.dense_units,
                      conv_filters=list(self.conv_filters))
        return config


def make_policy(name, observation_shape, n_actions, **overrides):
    """The built policy ``name`` for frames ``observation_shape (H, W, C)``; a one-line error for bad names."""
    if name not in POLICIES:
        raise FramepredError(f"unknown policy {name!r}; choose one of: {', '.join(POLICIES)}")
    try:
        policy = CnnLstmPolicy(n_actions, **overrides)
    except (TypeError, ValueError) as error:
        raise FramepredError(f"bad policy override for {name}: {error}") from None
    policy.build((None, *observation_shape))
    return policy

"""Fused LSTM with a packed ``[c, h]`` state and episode resets (OpenAI baselines ``lstm``)."""
import keras
from keras import ops


def batch_to_seq(x, n_envs, n_steps):
    """Split a rollout batch into a list of ``n_steps`` tensors ``(n_envs, ...)``.

    OpenAI baselines layout: ``x`` is ``(n_envs * n_steps, ...)`` with batch index
    ``env * n_steps + step``, so row ``env * n_steps + t`` goes to ``seq[t][env]``.
    """
    x = ops.reshape(x, (n_envs, n_steps) + tuple(ops.shape(x)[1:]))
    return [x[:, t] for t in range(n_steps)]


def seq_to_batch(seq):
    """Inverse of :func:`batch_to_seq`: list of ``n_steps`` ``(n_envs, ...)`` -> ``(n_envs * n_steps, ...)``."""
    x = ops.stack(seq, axis=1)
    return ops.reshape(x, (-1,) + tuple(ops.shape(x)[2:]))


def _positive_units(units):
    if not isinstance(units, int) or units <= 0:
        raise ValueError(f"units must be a positive int, got {units!r}")
    return units


@keras.saving.register_keras_serializable(package="framepred_tf")
class LSTMCell(keras.layers.Layer):
    """One step of the fused LSTM of OpenAI baselines policies (Hochreiter & Schmidhuber 1997).

    ``z = x W + h U + b`` split into gates in Keras order i, f, c, o::

        c_t = σ(z_f) ∘ c_{t-1} + σ(z_i) ∘ tanh(z_c),   h_t = σ(z_o) ∘ tanh(c_t)

    Variables: ``kernel (D, 4U)``, ``recurrent_kernel (U, 4U)``, ``bias (4U)``: one matmul
    for the four input gates and one for the recurrent part.

    ``call(x_t (B, D), state_packed (B, 2U), done=None (B,))`` returns
    ``(h_t (B, U), new_state_packed (B, 2U))`` where the packed state is
    ``concat([c, h], axis=-1)``. ``done[b] = 1`` zeroes the state of row ``b`` before the
    step (baselines: ``state * (1 - done)``), i.e. the episode ended before this step.
    """

    def __init__(
        self,
        units,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = _positive_units(units)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.unit_forget_bias = bool(unit_forget_bias)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"LSTMCell needs a known feature dimension, got shape {tuple(input_shape)}")
        units = self.units
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, 4 * units), initializer=self.kernel_initializer)
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel", shape=(units, 4 * units), initializer=self.recurrent_initializer
        )
        self.bias = self.add_weight(name="bias", shape=(4 * units,), initializer=self._bias_initializer)
        self.built = True

    def _bias_initializer(self, shape, dtype=None):
        if not self.unit_forget_bias:
            return self.bias_initializer(shape, dtype=dtype)
        units = self.units
        return ops.concatenate(
            [
                self.bias_initializer((units,), dtype=dtype),
                ops.ones((units,), dtype=dtype),
                self.bias_initializer((2 * units,), dtype=dtype),
            ]
        )

    def compute_weights(self):
        """``(kernel, recurrent_kernel, bias)`` cast to the compute dtype (mixed precision)."""
        dtype = self.compute_dtype
        return ops.cast(self.kernel, dtype), ops.cast(self.recurrent_kernel, dtype), ops.cast(self.bias, dtype)

    def recurrent_step(self, x_gates, c, h, recurrent_kernel, keep=None):
        """Advance ``(c, h)`` given the precomputed input part ``x_gates = x W + b (B, 4U)``.

        ``keep (B, 1)`` is ``1 - done``; multiplying the state by it is the reset.
        """
        if keep is not None:
            c = c * keep
            h = h * keep
        z = x_gates + ops.matmul(h, recurrent_kernel)
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        c = ops.sigmoid(z_f) * c + ops.sigmoid(z_i) * ops.tanh(z_c)
        h = ops.sigmoid(z_o) * ops.tanh(c)
        return c, h

    def get_initial_state(self, batch_size):
        """Zero packed state ``(batch_size, 2U)`` in the compute dtype."""
        return ops.zeros((batch_size, 2 * self.units), dtype=self.compute_dtype)

    def call(self, x_t, state_packed, done=None):
        kernel, recurrent_kernel, bias = self.compute_weights()
        x_t = ops.cast(x_t, self.compute_dtype)
        c, h = ops.split(ops.cast(state_packed, self.compute_dtype), 2, axis=-1)
        keep = None if done is None else 1.0 - ops.reshape(ops.cast(done, self.compute_dtype), (-1, 1))
        c, h = self.recurrent_step(ops.matmul(x_t, kernel) + bias, c, h, recurrent_kernel, keep)
        return h, ops.concatenate([c, h], axis=-1)

    def compute_output_shape(self, x_t_shape, state_packed_shape, done_shape=None):
        return (x_t_shape[0], self.units), (x_t_shape[0], 2 * self.units)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer),
                "unit_forget_bias": self.unit_forget_bias,
            }
        )
        return config


@keras.saving.register_keras_serializable(package="framepred_tf")
class LSTM(keras.layers.Layer):
    """Sequence version of :class:`LSTMCell` with baselines-style episode resets.

    Shapes: ``inputs (B, T, D)``; ``initial_state (B, 2U)`` packed ``concat([c, h])``;
    ``mask (B, T)`` float or bool where 1 means "the episode ended before step t": the
    state is zeroed before step ``t`` is processed (baselines ``state * (1 - done)``).
    Note this is *not* the Keras masking convention; pass ``mask`` explicitly and keep
    Keras-masked tensors (``Masking``, ``mask_zero``) away from this layer's input.

    Returns ``(B, T, U)`` with ``return_sequences`` else the last ``(B, U)``; with
    ``return_state`` also the final packed state ``(B, 2U)``. Without a mask and with the
    same weights it equals ``keras.layers.LSTM`` (same variables and gate order i, f, c, o).
    The input projection runs once for all steps; only ``h U`` is left in the loop.

    ``unroll=True`` (default) unrolls the loop when the number of steps is known and scans
    otherwise; ``unroll=False`` always scans (``ops.scan``), which keeps the compiled graph
    small for long sequences (XLA on JAX needs minutes to compile 128 unrolled steps and
    their gradient).
    """

    def __init__(
        self,
        units,
        return_sequences=False,
        return_state=False,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
        unroll=True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = _positive_units(units)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.unroll = bool(unroll)
        self.cell = LSTMCell(
            units,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
            dtype=self.dtype_policy,
            name="lstm_cell",
        )
        self.input_spec = keras.layers.InputSpec(ndim=3)

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"LSTM expects inputs (B, T, D), got shape {tuple(input_shape)}")
        self.cell.build((input_shape[0], input_shape[2]))
        self.built = True

    def get_initial_state(self, batch_size):
        """Zero packed state ``(batch_size, 2U)``."""
        return self.cell.get_initial_state(batch_size)

    def call(self, inputs, initial_state=None, mask=None, training=None):
        kernel, recurrent_kernel, bias = self.cell.compute_weights()
        inputs = ops.cast(inputs, self.compute_dtype)
        batch, steps = ops.shape(inputs)[0], ops.shape(inputs)[1]
        if initial_state is None:
            initial_state = self.get_initial_state(batch)
        c, h = ops.split(ops.cast(initial_state, self.compute_dtype), 2, axis=-1)
        x_gates = ops.matmul(inputs, kernel) + bias
        keep = None if mask is None else 1.0 - ops.cast(mask, self.compute_dtype)[:, :, None]
        if isinstance(steps, int) and self.unroll:
            outputs = []
            for t in range(steps):
                c, h = self.cell.recurrent_step(
                    x_gates[:, t], c, h, recurrent_kernel, None if keep is None else keep[:, t]
                )
                outputs.append(h)
            outputs = ops.stack(outputs, axis=1)
        else:
            # Time length unknown while tracing: scan instead of unrolling. Keras's TF scan
            # needs per-step outputs shaped like the carry (so c is emitted and dropped)
            # and fails on several unknown-length inputs (so keep rides along as a column).
            if keep is None:
                keep = ops.ones_like(x_gates[:, :, :1])
            units4 = 4 * self.units

            def body(carry, xs):
                carry = self.cell.recurrent_step(xs[:, :units4], carry[0], carry[1], recurrent_kernel, xs[:, units4:])
                return carry, carry

            (c, h), (_, outputs) = ops.scan(body, (c, h), ops.moveaxis(ops.concatenate([x_gates, keep], -1), 1, 0))
            outputs = ops.moveaxis(outputs, 0, 1)
        output = outputs if self.return_sequences else h
        if self.return_state:
            return [output, ops.concatenate([c, h], axis=-1)]
        return output

    def compute_output_shape(self, inputs_shape, initial_state_shape=None, mask_shape=None):
        batch, steps, _ = inputs_shape
        output_shape = (batch, steps, self.units) if self.return_sequences else (batch, self.units)
        if self.return_state:
            return [output_shape, (batch, 2 * self.units)]
        return output_shape

    def compute_mask(self, inputs, previous_mask=None):
        # ``mask`` here means episode resets, not padding: nothing to propagate.
        return None

    def get_config(self):
        config = super().get_config()
        cell_config = self.cell.get_config()
        config.update(
            {
                "units": self.units,
                "return_sequences": self.return_sequences,
                "return_state": self.return_state,
                "unroll": self.unroll,
                "kernel_initializer": cell_config["kernel_initializer"],
                "recurrent_initializer": cell_config["recurrent_initializer"],
                "bias_initializer": cell_config["bias_initializer"],
                "unit_forget_bias": cell_config["unit_forget_bias"],
            }
        )
        return config

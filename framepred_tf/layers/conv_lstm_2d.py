"""Convolutional LSTM with peephole connections (Shi et al. 2015; thesis eq. 3.1)."""
import keras
from keras import ops

_GATES = ("input", "forget", "cell", "output")
_PEEPHOLE_GATES = ("input", "forget", "output")


def _kernel_pair(kernel_size):
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    kernel_size = tuple(kernel_size)
    if len(kernel_size) != 2 or not all(isinstance(k, int) and k > 0 for k in kernel_size):
        raise ValueError(f"kernel_size must be a positive int or a pair of positive ints, got {kernel_size!r}")
    return kernel_size


@keras.saving.register_keras_serializable(package="framepred_tf")
class ConvLSTM2D(keras.layers.Layer):
    """ConvLSTM of Shi et al. (2015) with peepholes, 'same' padding and stride 1.

    Thesis eq. 3.1 (``*`` convolution, ``∘`` Hadamard product)::

        i_t = σ(W_xi * X_t + W_hi * H_{t-1} + W_ci ∘ C_{t-1} + b_i)
        f_t = σ(W_xf * X_t + W_hf * H_{t-1} + W_cf ∘ C_{t-1} + b_f)
        C_t = f_t ∘ C_{t-1} + i_t ∘ tanh(W_xc * X_t + W_hc * H_{t-1} + b_c)
        o_t = σ(W_xo * X_t + W_ho * H_{t-1} + W_co ∘ C_t + b_o)
        H_t = o_t ∘ tanh(C_t)

    Shapes: inputs ``(B, T, H, W, C)``; optional ``initial_state=[h, c]`` each
    ``(B, H, W, F)``. Output ``(B, T, H, W, F)`` with ``return_sequences`` else the last
    ``(B, H, W, F)``; with ``return_state`` the layer returns ``[output, h, c]``.

    Args:
        filters: ``F``, hidden/cell channels.
        kernel_size: int or ``(kh, kw)``; used by both the input and the recurrent conv.
        peephole: ``"channel"`` (weights ``(F,)``), ``"spatial"`` (weights
            ``(1, H, W, F)``, so ``H`` and ``W`` must be known at build) or ``None``.
        gate_variables: ``"fused"``: ``kernel (kh, kw, C, 4F)``, ``recurrent_kernel
            (kh, kw, F, 4F)``, ``bias (4F)`` in Keras gate order i, f, c, o, so the
            weights of ``keras.layers.ConvLSTM2D`` load directly when ``peephole=None``.
            ``"per_gate"``: the TF1 layout of the seed Neural Scene checkpoints, for each
            gate ``g`` in (input, forget, cell, output) ``{g}x2state_kernel (kh, kw, C, F)``,
            ``{g}h2state_kernel (kh, kw, F, F)``, ``{g}h2state_bias (F)``. Either way the
            peephole variables ``peephole_input``, ``peephole_forget``,
            ``peephole_output`` come last, and the compute is one fused input conv and
            one fused recurrent conv.
        unit_forget_bias: start the forget-gate bias at 1 (Jozefowicz et al. 2015), as
            Keras does.

    ``step``, ``sequence`` and ``get_initial_state`` are public so models can run the
    recurrence themselves, e.g. feeding predictions back as inputs.
    """

    def __init__(
        self,
        filters,
        kernel_size,
        peephole="channel",
        return_sequences=False,
        return_state=False,
        gate_variables="fused",
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
        peephole_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"filters must be a positive int, got {filters!r}")
        if peephole not in ("channel", "spatial", None):
            raise ValueError(f"peephole must be 'channel', 'spatial' or None, got {peephole!r}")
        if gate_variables not in ("fused", "per_gate"):
            raise ValueError(f"gate_variables must be 'fused' or 'per_gate', got {gate_variables!r}")
        self.filters = filters
        self.kernel_size = _kernel_pair(kernel_size)
        self.peephole = peephole
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.gate_variables = gate_variables
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.peephole_initializer = keras.initializers.get(peephole_initializer)
        self.input_spec = keras.layers.InputSpec(ndim=5)

    def build(self, input_shape):
        if len(input_shape) != 5:
            raise ValueError(f"ConvLSTM2D expects inputs (B, T, H, W, C), got shape {tuple(input_shape)}")
        height, width, channels = input_shape[2], input_shape[3], input_shape[4]
        if channels is None:
            raise ValueError(f"ConvLSTM2D needs a known channel dimension, got shape {tuple(input_shape)}")
        if self.peephole == "spatial" and (height is None or width is None):
            raise ValueError(f"peephole='spatial' needs known H and W at build, got shape {tuple(input_shape)}")
        kh, kw = self.kernel_size
        units = self.filters
        if self.gate_variables == "fused":
            self.kernel = self.add_weight(
                name="kernel", shape=(kh, kw, channels, 4 * units), initializer=self.kernel_initializer
            )
            self.recurrent_kernel = self.add_weight(
                name="recurrent_kernel", shape=(kh, kw, units, 4 * units), initializer=self.recurrent_initializer
            )
            self.bias = self.add_weight(name="bias", shape=(4 * units,), initializer=self._fused_bias_initializer)
        else:
            self._gate_weights = []
            for gate in _GATES:
                bias_init = "ones" if (gate == "forget" and self.unit_forget_bias) else self.bias_initializer
                self._gate_weights.append(
                    (
                        self.add_weight(
                            name=f"{gate}x2state_kernel", shape=(kh, kw, channels, units),
                            initializer=self.kernel_initializer,
                        ),
                        self.add_weight(
                            name=f"{gate}h2state_kernel", shape=(kh, kw, units, units),
                            initializer=self.recurrent_initializer,
                        ),
                        self.add_weight(name=f"{gate}h2state_bias", shape=(units,), initializer=bias_init),
                    )
                )
        self.peepholes = None
        if self.peephole is not None:
            shape = (units,) if self.peephole == "channel" else (1, height, width, units)
            self.peepholes = [
                self.add_weight(name=f"peephole_{gate}", shape=shape, initializer=self.peephole_initializer)
                for gate in _PEEPHOLE_GATES
            ]
        self.built = True

    def _fused_bias_initializer(self, shape, dtype=None):
        if not self.unit_forget_bias:
            return self.bias_initializer(shape, dtype=dtype)
        units = self.filters
        return ops.concatenate(
            [
                self.bias_initializer((units,), dtype=dtype),
                ops.ones((units,), dtype=dtype),
                self.bias_initializer((2 * units,), dtype=dtype),
            ]
        )

    def _weights_for_compute(self):
        # Explicit casts: step()/sequence() may be called outside __call__, where Keras's
        # mixed-precision autocast of variables is not active.
        if self.gate_variables == "fused":
            kernel, recurrent_kernel, bias = self.kernel, self.recurrent_kernel, self.bias
        else:
            kernel = ops.concatenate([g[0] for g in self._gate_weights], axis=-1)
            recurrent_kernel = ops.concatenate([g[1] for g in self._gate_weights], axis=-1)
            bias = ops.concatenate([g[2] for g in self._gate_weights], axis=-1)
        dtype = self.compute_dtype
        peepholes = None if self.peepholes is None else [ops.cast(p, dtype) for p in self.peepholes]
        return ops.cast(kernel, dtype), ops.cast(recurrent_kernel, dtype), ops.cast(bias, dtype), peepholes

    def _cell(self, x_gates, h, c, recurrent_kernel, peepholes):
        z = x_gates + ops.conv(h, recurrent_kernel, padding="same")
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        if peepholes is not None:
            z_i = z_i + peepholes[0] * c
            z_f = z_f + peepholes[1] * c
        c = ops.sigmoid(z_f) * c + ops.sigmoid(z_i) * ops.tanh(z_c)
        if peepholes is not None:
            # The output gate peeks at the *new* cell state (eq. 3.1), unlike i and f.
            z_o = z_o + peepholes[2] * c
        h = ops.sigmoid(z_o) * ops.tanh(c)
        return h, c

    def get_initial_state(self, batch_size, height, width):
        """Zero ``[h, c]``, each ``(batch_size, height, width, F)`` in the compute dtype."""
        shape = (batch_size, height, width, self.filters)
        return [ops.zeros(shape, dtype=self.compute_dtype), ops.zeros(shape, dtype=self.compute_dtype)]

    def step(self, x_t, state):
        """One time step: ``x_t (B, H, W, C)``, ``state=[h, c]`` -> ``(h_t, [h_t, c_t])``."""
        kernel, recurrent_kernel, bias, peepholes = self._weights_for_compute()
        x_t = ops.cast(x_t, self.compute_dtype)
        h, c = (ops.cast(s, self.compute_dtype) for s in state)
        x_gates = ops.conv(x_t, kernel, padding="same") + bias
        h, c = self._cell(x_gates, h, c, recurrent_kernel, peepholes)
        return h, [h, c]

    def sequence(self, inputs, state):
        """Run ``inputs (B, T, H, W, C)`` from ``state=[h, c]``.

        Returns ``(outputs (B, T, H, W, F), [h_T, c_T])``. The input convolution does not
        depend on the state, so it runs once over all ``B*T`` frames; only the recurrent
        convolution is left inside the time loop.
        """
        kernel, recurrent_kernel, bias, peepholes = self._weights_for_compute()
        inputs = ops.cast(inputs, self.compute_dtype)
        h, c = (ops.cast(s, self.compute_dtype) for s in state)
        batch, steps, height, width, channels = ops.shape(inputs)
        frames = ops.reshape(inputs, (-1, height, width, channels))
        x_gates = ops.conv(frames, kernel, padding="same") + bias
        x_gates = ops.reshape(x_gates, (batch, steps, height, width, 4 * self.filters))
        if isinstance(steps, int):
            outputs = []
            for t in range(steps):
                h, c = self._cell(x_gates[:, t], h, c, recurrent_kernel, peepholes)
                outputs.append(h)
            return ops.stack(outputs, axis=1), [h, c]

        # Time length unknown while tracing (e.g. a graph retraced with a relaxed shape):
        # fall back to scan. Its TF version needs per-step outputs shaped like the carry,
        # so c is emitted too and dropped.
        def body(carry, x_t):
            carry = self._cell(x_t, carry[0], carry[1], recurrent_kernel, peepholes)
            return carry, carry

        (h, c), (outputs, _) = ops.scan(body, (h, c), ops.moveaxis(x_gates, 1, 0))
        return ops.moveaxis(outputs, 0, 1), [h, c]

    def call(self, inputs, initial_state=None, training=None):
        if initial_state is None:
            batch, _, height, width, _ = ops.shape(inputs)
            initial_state = self.get_initial_state(batch, height, width)
        outputs, (h, c) = self.sequence(inputs, initial_state)
        output = outputs if self.return_sequences else h
        if self.return_state:
            return [output, h, c]
        return output

    def compute_output_shape(self, inputs_shape, initial_state_shape=None):
        batch, steps, height, width, _ = inputs_shape
        state_shape = (batch, height, width, self.filters)
        output_shape = (batch, steps, height, width, self.filters) if self.return_sequences else state_shape
        if self.return_state:
            return [output_shape, state_shape, state_shape]
        return output_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "peephole": self.peephole,
                "return_sequences": self.return_sequences,
                "return_state": self.return_state,
                "gate_variables": self.gate_variables,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer),
                "unit_forget_bias": self.unit_forget_bias,
                "peephole_initializer": keras.initializers.serialize(self.peephole_initializer),
            }
        )
        return config

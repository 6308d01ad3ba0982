"""Convolutional LSTM with peephole connections (Shi et al. 2015; thesis eq. 3.1)."""
import keras
from keras import ops

_GATES = ("input", "forget", "cell", "output")
_PEEPHOLE_GATES = ("input", "forget", "output")
_IMPLEMENTATIONS = ("auto", "per_gate", "stacked")


def _xla_fuses_across_steps():
    """Whether the cell state needs a fusion barrier: JAX on the CPU (see ``ConvLSTM2D._fusion_barrier``)."""
    if keras.backend.backend() != "jax":
        return False
    return all(device.startswith("cpu") for device in keras.distribution.list_devices())


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
    ``(B, H, W, F)`` (``c`` is kept in float32 under mixed precision). Output ``(B, T, H, W, F)`` with ``return_sequences`` else the last
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
            ``peephole_output`` come last. The compute is the same for both layouts.
        unit_forget_bias: start the forget-gate bias at 1 (Jozefowicz et al. 2015), as
            Keras does.
        implementation: how the convolutions run, as Keras's ``LSTM(implementation=)``
            once did; the result is the same. ``"per_gate"``: per time step, one
            ``F``-channel convolution of the input and one of the state for each gate, as
            ``keras.layers.ConvLSTM2D`` does. ``"stacked"``: one ``4F``-channel
            convolution of the concatenated ``[x_t, h_{t-1}]``. ``"auto"`` (default):
            ``per_gate`` in float32, ``stacked`` under a 16-bit compute dtype, the faster
            of the two in each on oneDNN CPUs (``framepred-tf bench layer``).

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
        implementation="auto",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"filters must be a positive int, got {filters!r}")
        if peephole not in ("channel", "spatial", None):
            raise ValueError(f"peephole must be 'channel', 'spatial' or None, got {peephole!r}")
        if gate_variables not in ("fused", "per_gate"):
            raise ValueError(f"gate_variables must be 'fused' or 'per_gate', got {gate_variables!r}")
        if implementation not in _IMPLEMENTATIONS:
            raise ValueError(f"implementation must be one of {_IMPLEMENTATIONS}, got {implementation!r}")
        self.filters = filters
        self.implementation = implementation
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
        self._cut_fusion = _xla_fuses_across_steps()
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

    def _conv_layout(self):
        if self.implementation != "auto":
            return self.implementation
        # Measured with `framepred-tf bench layer` on an AMX/AVX512-BF16 Xeon (docs/RESULTS.md):
        # in float32 four F-channel convolutions per input train fastest, in bfloat16 the
        # single 4F-channel convolution of the stacked input and state does.
        return "per_gate" if self.compute_dtype == "float32" else "stacked"

    def _weights_for_compute(self):
        """The gate weights in the layout of :meth:`_conv_layout`, cast to the compute dtype, and the peepholes.

        ``per_gate``: ``(kernels, recurrent_kernels, biases)``, lists in gate order i, f, c, o.
        ``stacked``: ``(kernel (kh, kw, C + F, 4F), bias (4F,))``, the input and recurrent
        kernels stacked along the input channels so one convolution of ``[x_t, h]`` gives
        all four gates. Explicit casts: ``step()``/``sequence()`` may be called outside
        ``__call__``, where Keras's mixed-precision autocast of variables is not active.
        """
        dtype = self.compute_dtype
        cast = lambda tensors: [ops.cast(t, dtype) for t in tensors]  # noqa: E731
        if self.gate_variables == "fused":
            kernel, recurrent_kernel, bias = cast((self.kernel, self.recurrent_kernel, self.bias))
        else:
            kernel, recurrent_kernel, bias = (
                ops.concatenate(cast(part), axis=-1) for part in zip(*self._gate_weights)
            )
        peepholes = None if self.peepholes is None else [ops.cast(p, "float32") for p in self.peepholes]
        if self._conv_layout() == "stacked":
            return ("stacked", ops.concatenate([kernel, recurrent_kernel], axis=2), bias), peepholes
        split = lambda tensor: ops.split(tensor, 4, axis=-1)  # noqa: E731
        return ("per_gate", split(kernel), split(recurrent_kernel), split(bias)), peepholes

    def _gate_inputs(self, x_t, h, weights):
        """``z_i, z_f, z_c, z_o``: the convolution terms and biases of eq. 3.1, each ``(B, H, W, F)``."""
        if weights[0] == "stacked":
            _, kernel, bias = weights
            z = ops.conv(ops.concatenate([x_t, h], axis=-1), kernel, padding="same") + bias
            return ops.split(z, 4, axis=-1)
        _, kernels, recurrent_kernels, biases = weights
        return [
            ops.conv(x_t, kernel, padding="same") + bias + ops.conv(h, recurrent_kernel, padding="same")
            for kernel, recurrent_kernel, bias in zip(kernels, recurrent_kernels, biases)
        ]

    def _cell(self, x_t, h, c, weights, peepholes):
        """Eq. 3.1 for one time step: ``x_t (B, H, W, C)``, ``h``, ``c`` ``(B, H, W, F)`` -> ``(h_t, c_t)``.

        The convolutions run in the compute dtype; the gates and the cell state in float32,
        as cuDNN's LSTMs keep them. Under mixed bfloat16 that is both more exact (``c`` sums
        over many steps) and faster: TensorFlow's CPU kernels for bfloat16 element-wise ops
        are slower than its float32 ones.
        """
        z_i, z_f, z_c, z_o = (ops.cast(z, "float32") for z in self._gate_inputs(x_t, h, weights))
        c = ops.cast(c, "float32")
        if peepholes is not None:
            z_i = z_i + peepholes[0] * c
            z_f = z_f + peepholes[1] * c
        c = ops.sigmoid(z_f) * c + ops.sigmoid(z_i) * ops.tanh(z_c)
        if peepholes is not None:
            # The output gate peeks at the *new* cell state (eq. 3.1), unlike i and f.
            z_o = z_o + peepholes[2] * c
        h = ops.cast(ops.sigmoid(z_o) * ops.tanh(c), self.compute_dtype)
        if self._cut_fusion:
            c = self._fusion_barrier(c)
        return h, c

    def _fusion_barrier(self, c):
        """``c`` unchanged, through a product with the identity matrix.

        XLA:CPU fuses the element-wise chain of the cell-state gradient through all time
        steps and copies it into each step's consumer, so the backward pass does O(T²)
        element-wise work in fusions of over a hundred inputs: JAX's train step was
        2.8–6× TensorFlow's (docs/RESULTS.md). XLA does not fuse through a matrix
        product, so this one per step cuts the chain. In float32 on the CPU it is exact
        (each output is one input times 1 plus zeros); it costs ``B·H·W·F²``
        multiply-adds, a few per cent of the step's convolutions.
        """
        shape = ops.shape(c)
        flat = ops.reshape(c, (-1, self.filters))
        return ops.reshape(ops.matmul(flat, ops.eye(self.filters, dtype="float32")), shape)

    def get_initial_state(self, batch_size, height, width):
        """Zero ``[h, c]``, each ``(batch_size, height, width, F)``: ``h`` in the compute dtype, ``c`` in float32."""
        shape = (batch_size, height, width, self.filters)
        return [ops.zeros(shape, dtype=self.compute_dtype), ops.zeros(shape, dtype="float32")]

    def gate_weights(self):
        """The weights :meth:`step` computes with, prepared once: pass them to each ``step`` of a loop.

        A model that runs the recurrence itself (feeding predictions back) calls this once
        per forward pass instead of once per step, which saves the casts and the kernel
        split or concatenation of every step, and their gradients.
        """
        return self._weights_for_compute()

    def step(self, x_t, state, weights=None):
        """One time step: ``x_t (B, H, W, C)``, ``state=[h, c]`` -> ``(h_t, [h_t, c_t])``.

        ``weights``: the result of :meth:`gate_weights` (computed here if not given).
        """
        weights, peepholes = weights or self._weights_for_compute()
        h, c = state
        h, c = self._cell(ops.cast(x_t, self.compute_dtype), ops.cast(h, self.compute_dtype), c, weights, peepholes)
        return h, [h, c]

    def sequence(self, inputs, state):
        """Run ``inputs (B, T, H, W, C)`` from ``state=[h, c]``.

        Returns ``(outputs (B, T, H, W, F), [h_T, c_T])``. With a known ``T`` the loop is
        unrolled over ``ops.unstack``: slicing ``inputs[:, t]`` instead would make each
        slice's gradient a full ``(B, T, H, W, C)`` tensor, ``T²`` work in the backward
        pass; and convolving all ``B·T`` frames at once before the loop trained slower
        than convolving each frame inside it (both measured, docs/RESULTS.md).
        """
        weights, peepholes = self._weights_for_compute()
        inputs = ops.cast(inputs, self.compute_dtype)
        h, c = ops.cast(state[0], self.compute_dtype), ops.cast(state[1], "float32")
        if isinstance(inputs.shape[1], int):
            outputs = []
            for x_t in ops.unstack(inputs, axis=1):
                h, c = self._cell(x_t, h, c, weights, peepholes)
                outputs.append(h)
            return ops.stack(outputs, axis=1), [h, c]

        # Time length unknown while tracing (e.g. a graph retraced with a relaxed shape):
        # fall back to scan. Its TF version needs per-step outputs shaped like the carry,
        # so c is emitted too and dropped.
        def body(carry, x_t):
            carry = self._cell(x_t, carry[0], carry[1], weights, peepholes)
            return carry, carry

        (h, c), (outputs, _) = ops.scan(body, (h, c), ops.moveaxis(inputs, 1, 0))
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
                "implementation": self.implementation,
            }
        )
        return config

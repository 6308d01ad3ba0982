"""Every layer under KERAS_BACKEND=jax, in ONE subprocess (interpreter start-ups are costly)."""
import json
import pathlib

from tests.backend_utils import requires_jax, run_on_backend

REPO = pathlib.Path(__file__).resolve().parents[2]

JAX_CHECKS = """
import json, sys
sys.path.insert(0, REPO)
import jax, keras, numpy as np
assert keras.backend.backend() == "jax"
import framepred_tf  # noqa: F401
from framepred_tf.layers import (BilinearFlowWarp, ConvLSTM2D, LSTM, LSTMCell, MaskedConv2D,
                                 PreActResidualBlock, batch_to_seq, flow_smoothness_penalty, seq_to_batch)
from tests.layers._reference import (conv_lstm_numpy, raster_future_mask, smoothness_numpy, warp_scipy)


def jit(fn, *args):
    # Every forward pass runs under jax.jit: it proves the layers trace and compile, and one
    # XLA compile per function is far cheaper than op-by-op eager dispatch.
    return jax.tree_util.tree_map(np.asarray, jax.jit(fn)(*args))


keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
err, ok = {}, {}
B, T, H, W, C, F = 2, 3, 5, 6, 2, 4
x = rng.normal(size=(B, T, H, W, C)).astype("float32")

# ConvLSTM2D vs keras.layers.ConvLSTM2D (no peepholes), both return modes from one reference.
ref = keras.layers.ConvLSTM2D(F, 3, padding="same", return_sequences=True, bias_initializer="random_normal")
ref.build(x.shape)
expected = jit(ref, x)
for seq in (False, True):
    layer = ConvLSTM2D(F, 3, peephole=None, return_sequences=seq)
    layer.build(x.shape)
    layer.set_weights(ref.get_weights())
    err[f"convlstm_vs_keras_seq{int(seq)}"] = float(np.abs(jit(layer, x) - (expected if seq else expected[:, -1])).max())

# Eq. 3.1 with channel and spatial peepholes vs NumPy; per-gate vs fused; step vs call.
for mode in ("channel", "spatial"):
    layer = ConvLSTM2D(F, 3, peephole=mode, return_sequences=True, bias_initializer="random_normal",
                       peephole_initializer="random_normal")
    layer.build(x.shape)
    k, rk, b, *p = [w.astype(np.float64) for w in layer.get_weights()]
    err[f"convlstm_numpy_{mode}"] = float(np.abs(jit(layer, x) - conv_lstm_numpy(x, k, rk, b, p)[0]).max())
per_gate = ConvLSTM2D(F, 3, peephole="channel", gate_variables="per_gate", return_sequences=True,
                      peephole_initializer="random_normal")
per_gate.build(x.shape)
pg_out = jit(per_gate, x)
w = per_gate.get_weights()
fused = ConvLSTM2D(F, 3, peephole="channel", return_sequences=True)
fused.build(x.shape)
fused.set_weights([np.concatenate([w[3 * g + i] for g in range(4)], -1) for i in range(3)] + w[12:])
err["convlstm_per_gate_vs_fused"] = float(np.abs(jit(fused, x) - pg_out).max())


def stepped(a):
    state = per_gate.get_initial_state(B, H, W)
    outs = []
    for t in range(T):
        h, state = per_gate.step(a[:, t], state)
        outs.append(h)
    return keras.ops.stack(outs, axis=1)


err["convlstm_step_vs_call"] = float(np.abs(jit(stepped, x) - pg_out).max())
mixed = ConvLSTM2D(F, 3, return_sequences=True, dtype="mixed_bfloat16")
mixed.build(x.shape)
mixed.set_weights(fused.get_weights())
mixed_out = jax.jit(mixed)(x)
ok["convlstm_bf16_dtype"] = keras.backend.standardize_dtype(mixed_out.dtype) == "bfloat16"
err["convlstm_bf16_vs_f32"] = float(np.abs(np.asarray(mixed_out, np.float32) - jit(fused, x)).max())

# On the CPU the cell state passes a fusion barrier; outputs and gradients equal those
# without it (and the NumPy checks above already ran through it).
ok["convlstm_cuts_fusion_on_cpu"] = fused._cut_fusion is True
uncut = ConvLSTM2D(F, 3, peephole="channel", return_sequences=True)
uncut.build(x.shape)
uncut.set_weights(fused.get_weights())
uncut._cut_fusion = False


def loss_grads(layer):
    values = [v.value for v in layer.trainable_variables]
    loss = lambda vs, a: (layer.stateless_call(vs, [], a)[0] ** 2).sum()  # noqa: E731
    return jax.jit(jax.grad(loss, argnums=(0, 1)))(values, x)


cut_grads, uncut_grads = loss_grads(fused), loss_grads(uncut)
err["convlstm_barrier_grads"] = float(max(np.abs(np.asarray(a) - np.asarray(b)).max()
                                          for a, b in zip(jax.tree_util.tree_leaves(cut_grads),
                                                          jax.tree_util.tree_leaves(uncut_grads))))

# LSTM vs keras.layers.LSTM; mask reset equals a fresh run; batch_to_seq round trip.
xs = rng.normal(size=(3, 5, 4)).astype("float32")
ref = keras.layers.LSTM(6, return_sequences=True, bias_initializer="random_normal")
ref.build(xs.shape)
lstm = LSTM(6, return_sequences=True, return_state=True)
lstm.build(xs.shape)
lstm.set_weights(ref.get_weights())
seq_out, packed = jit(lstm, xs)
err["lstm_vs_keras"] = float(np.abs(seq_out - jit(ref, xs)).max())
ok["lstm_packed_shape"] = packed.shape == (3, 12)
mask = np.zeros((3, 5), "float32")
mask[0, 2] = 1.0
masked = jit(lambda a, m: lstm(a, initial_state=keras.ops.ones((3, 12)), mask=m)[0], xs, mask)
err["lstm_mask_reset"] = float(np.abs(masked[0, 2:] - jit(lstm, xs[:, 2:])[0][0]).max())
flat = rng.normal(size=(12, 3)).astype("float32")
err["batch_to_seq_round_trip"] = float(np.abs(jit(lambda a: seq_to_batch(batch_to_seq(a, 3, 4)), flat) - flat).max())
cell = LSTMCell(6)
cell.build((None, 4))
h, new = jit(cell, xs[:, 0], np.zeros((3, 12), "float32"))
ok["lstm_cell_shapes"] = h.shape == (3, 6) and new.shape == (3, 12)

# BilinearFlowWarp vs SciPy, identity, gradient w.r.t. flow by central differences.
feats = rng.normal(size=(2, 5, 7, 3)).astype("float32")
flow = (0.4 * rng.normal(size=(2, 5, 7, 2))).astype("float32")
warp = BilinearFlowWarp()
warp_jit = jax.jit(lambda f, fl: warp([f, fl]))
err["warp_vs_scipy"] = float(np.abs(np.asarray(warp_jit(feats, flow)) - warp_scipy(feats, flow)).max())
ok["warp_identity_exact"] = bool(np.array_equal(np.asarray(warp_jit(feats, np.zeros_like(flow))), feats))
weights = rng.normal(size=feats.shape).astype("float32")
objective = jax.jit(lambda fl: (warp([feats, fl]) * weights).sum())
grad = np.asarray(jax.jit(jax.grad(objective))(flow))
fd = []
for idx in [(0, 1, 2, 0), (1, 3, 5, 1), (0, 4, 0, 1), (1, 0, 6, 0)]:
    plus, minus = flow.copy(), flow.copy()
    plus[idx] += 1e-3
    minus[idx] -= 1e-3
    numeric = (float(objective(plus)) - float(objective(minus))) / 2e-3
    fd.append(abs(numeric - grad[idx]) / max(1.0, abs(numeric)))
err["warp_grad_fd"] = float(max(fd))

# MaskedConv2D causality: the full Jacobian (one jax.jacrev per layer) with a random
# kernel set after build; frame channels masked, channel 0 is visible context.
img = rng.normal(size=(1, 5, 6, 4)).astype("float32")
causal = True
for mask_type, k in (("A", 5), ("B", 3), ("B", 1)):
    conv = MaskedConv2D(3, k, mask_type=mask_type, context_channels=1)
    conv.build(img.shape)
    conv.set_weights([rng.normal(size=v.shape).astype("float32") for v in conv.get_weights()])
    jac = np.abs(jit(jax.jacrev(lambda a: conv(a)[0].sum(-1)), img))[:, :, 0]  # (5, 6, 5, 6, 4)
    for i in range(5):
        for j in range(6):
            frame = jac[i, j, ..., 1:].sum(-1)
            causal &= bool(np.all(frame[raster_future_mask(5, 6, i, j, mask_type == "A")] == 0))
            causal &= bool(frame[i, j] > 0) == (mask_type == "B")
    if k > 1:
        causal &= bool(jac[2, 3, 3, 3, 0] > 0)  # context below the pixel is visible
ok["masked_conv_causal"] = causal

# PreActResidualBlock equals ReLU -> conv three times plus the identity skip, using its own
# sub-layers as the convolutions; the masked variant runs.
block = PreActResidualBlock(4, 3)
block.build((None, 5, 6, 4))
res_in = rng.normal(size=(2, 5, 6, 4)).astype("float32")
y = res_in
for conv in (block.reduce, block.spatial, block.expand):
    y = jit(conv, np.maximum(y, 0.0))
err["residual_block"] = float(np.abs(jit(block, res_in) - (res_in + y)).max())
masked_block = PreActResidualBlock(4, 3, mask_type="B")
masked_block.build((None, 5, 6, 4))
ok["residual_block_masked_runs"] = jit(masked_block, res_in).shape == (2, 5, 6, 4)

# Smoothness penalty vs NumPy.
fl = (rng.normal(size=(3, 6, 7, 2)) * np.where(rng.random((3, 6, 7, 2)) < 0.5, 1e-4, 0.5)).astype("float32")
pen = jax.jit(flow_smoothness_penalty)(fl)
ok["smoothness_float32_scalar"] = tuple(pen.shape) == () and keras.backend.standardize_dtype(pen.dtype) == "float32"
reference = smoothness_numpy(fl, 1e-3)
err["smoothness_rel"] = float(abs(float(pen) - reference) / reference)
print(json.dumps({"err": err, "ok": ok}))
"""

TOLERANCES = {
    "convlstm_vs_keras_seq0": 1e-5,
    "convlstm_vs_keras_seq1": 1e-5,
    "convlstm_numpy_channel": 1e-5,
    "convlstm_numpy_spatial": 1e-5,
    "convlstm_per_gate_vs_fused": 1e-6,
    "convlstm_step_vs_call": 1e-6,
    "convlstm_bf16_vs_f32": 5e-2,
    "convlstm_barrier_grads": 1e-5,
    "lstm_vs_keras": 1e-5,
    "lstm_mask_reset": 1e-6,
    "batch_to_seq_round_trip": 0.0,
    "warp_vs_scipy": 1e-5,
    "warp_grad_fd": 2e-2,
    "smoothness_rel": 1e-5,
    "residual_block": 1e-5,
}


@requires_jax
def test_layers_on_jax_backend():
    stdout = run_on_backend(f"REPO = {str(REPO)!r}\n" + JAX_CHECKS, backend="jax")
    result = json.loads(stdout.strip().splitlines()[-1])
    assert set(result["err"]) == set(TOLERANCES)
    for name, tol in TOLERANCES.items():
        assert result["err"][name] <= tol, (name, result["err"][name])
    assert result["ok"] and all(result["ok"].values()), result["ok"]

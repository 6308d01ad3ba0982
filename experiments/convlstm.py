"""ConvLSTM (Shi et al., 2015) on Moving MNIST.

Paper: three ConvLSTM layers of 128/64/64 channels with 5x5 kernels (the model defaults),
RMSProp at 1e-3, mini-batches of 16 (Shi et al.), 10,000 training sequences per epoch
(625 steps), 2,000 validation sequences, learning rate ×0.9 per epoch.
"""
PRESETS = {
    "paper": {
        "model_overrides": {},
        "digits": "mnist",
        "batch_size": 16,
        "epochs": 30,
        "steps_per_epoch": 625,
        "lr": 1e-3,
        "decay_steps": None,  # ×0.9 once per epoch
        "decay_rate": 0.9,
        "val_size": 2000,
        "checkpoint_every": 200,
        "keep_checkpoints": 3,
        "sample_every": 1,
        "log_every": 30,
    },
    "quick": {
        # Two 8-channel layers: ~1.7 s/step at batch 4 on a busy 2-core CPU.
        "model_overrides": {"filters": (8, 8), "kernel_size": 3},
        "digits": "mnist5k",
        "batch_size": 4,
        "epochs": 4,
        "steps_per_epoch": 40,
        "lr": 1e-3,
        "decay_steps": None,  # ×0.9 once per epoch
        "decay_rate": 0.9,
        "val_size": 32,
        "checkpoint_every": 20,
        "keep_checkpoints": 3,
        "sample_every": 1,
        "log_every": 10,
    },
}

"""Encoding-forecasting ConvLSTM (Shi et al., 2015, Fig. 3; the seed's ``NS_L3_BN`` network).

Paper: 4x4 patches, encoder and forecaster stacks of 128/64/64-channel ConvLSTMs with 5x5
kernels (the model defaults), RMSProp at 1e-3, mini-batches of 16, 625 steps (10,000
sequences) per epoch, learning rate ×0.9 per epoch.
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
        "model_overrides": {"filters": (32, 32, 32), "kernel_size": 3},
        "digits": "mnist5k",
        "batch_size": 8,
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

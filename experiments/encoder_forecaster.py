"""Encoding-forecasting ConvLSTM (Shi et al., 2015, Fig. 3; the seed's ``NS_L3_BN`` network).

Paper: 4x4 patches, encoder and forecaster stacks of 128/64/64-channel ConvLSTMs with 5x5
kernels (the model defaults), RMSProp at 1e-3, mini-batches of 16, 625 steps (10,000
sequences) per epoch, learning rate ×0.9 per epoch.
"""
from experiments import PAPER_SCHEDULE, QUICK_SCHEDULE

PRESETS = {
    "paper": {
        **PAPER_SCHEDULE,
        "model_overrides": {},
        "lr": 1e-3,
    },
    "quick": {
        **QUICK_SCHEDULE,
        "model_overrides": {"filters": (32, 32, 32), "kernel_size": 3},
        "batch_size": 8,
        "epochs": 4,
        "steps_per_epoch": 40,
        "lr": 1e-3,
    },
}

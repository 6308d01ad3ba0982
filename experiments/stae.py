"""Spatio-temporal video autoencoder (Patraucean et al., 2016) on Moving MNIST.

Paper: the model defaults (16-channel 7x7 encoder, 64-channel 7x7 ConvLSTM, 15x15 optical
flow layers, Huber flow-smoothness penalty), RMSProp at 1e-4 (the thesis follows the
authors' hyper-parameters). Patraucean et al. do not state a mini-batch size; we use 16,
as for Shi et al., so the three networks see the same data per step. 625 steps
(10,000 sequences) per epoch, learning rate ×0.9 per epoch.
"""
from experiments import PAPER_SCHEDULE, QUICK_SCHEDULE

PRESETS = {
    "paper": {
        **PAPER_SCHEDULE,
        "model_overrides": {},
        "lr": 1e-4,
    },
    "quick": {
        **QUICK_SCHEDULE,
        # The paper's 1e-4 barely moves a small model in 160 steps; the quick run uses 1e-3.
        "model_overrides": {"encoder_filters": 8, "encoder_kernel_size": 5, "lstm_filters": 8,
                            "lstm_kernel_size": 5, "flow_filters": (2, 2), "flow_kernel_size": 5},
        "batch_size": 4,
        "epochs": 4,
        "steps_per_epoch": 50,
        "lr": 1e-3,
    },
}

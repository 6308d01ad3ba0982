"""ConvLSTM (Shi et al., 2015) on Moving MNIST.

Paper: three ConvLSTM layers of 128/64/64 channels with 5x5 kernels (the model defaults),
RMSProp at 1e-3, mini-batches of 16 (Shi et al.), 10,000 training sequences per epoch
(625 steps), 2,000 validation sequences, learning rate ×0.9 per epoch.
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
        # Shi et al.'s 4x4 patches (16x16x16 tensors) and three 32-channel layers: the
        # full-resolution stack learns too slowly on 2 CPU cores to beat the mean frame.
        "model_overrides": {"filters": (32, 32, 32), "kernel_size": 3, "patch_size": 4},
        "batch_size": 8,
        "epochs": 7,
        "steps_per_epoch": 50,
        "lr": 2e-3,  # 1e-3 reached only 667 nats in 250 steps (still above the mean frame)
    },
}

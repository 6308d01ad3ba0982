"""Spatio-temporal video autoencoder (Patraucean et al., 2016) on Moving MNIST.

Paper: the model defaults (16-channel 7x7 encoder, 64-channel 7x7 ConvLSTM, 15x15 optical
flow layers, Huber flow-smoothness penalty), RMSProp at 1e-4 (the thesis follows the
authors' hyper-parameters). Patraucean et al. do not state a mini-batch size; we use 16,
as for Shi et al., so the three networks see the same data per step. 625 steps
(10,000 sequences) per epoch, learning rate ×0.9 per epoch.
"""
PRESETS = {
    "paper": {
        "model_overrides": {},
        "digits": "mnist",
        "batch_size": 16,
        "epochs": 30,
        "steps_per_epoch": 625,
        "lr": 1e-4,
        "decay_steps": None,  # ×0.9 once per epoch
        "decay_rate": 0.9,
        "val_size": 2000,
        "checkpoint_every": 200,
        "keep_checkpoints": 3,
        "sample_every": 1,
        "log_every": 30,
    },
    "quick": {
        # The paper's 1e-4 barely moves a small model in 160 steps; the quick run uses 1e-3.
        "model_overrides": {"encoder_filters": 8, "encoder_kernel_size": 5, "lstm_filters": 8,
                            "lstm_kernel_size": 5, "flow_filters": (2, 2), "flow_kernel_size": 5},
        "digits": "mnist5k",
        "batch_size": 4,
        "epochs": 4,
        "steps_per_epoch": 50,
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

"""Video Pixel Network (Kalchbrenner et al., 2017) on Moving MNIST.

Paper: the model defaults (256 channels, 16 encoder and 24 decoder residual blocks,
Bernoulli output), RMSProp at 3e-4 (Kalchbrenner et al. and the thesis). The thesis does
not state its mini-batch size; we use 16 as for the other networks — on four GPUs
(``--strategy mirrored``) that is 4 sequences per GPU. 625 steps (10,000 sequences) per
epoch, learning rate ×0.9 per epoch. The thesis trained it for weeks on four P100s.
"""
PRESETS = {
    "paper": {
        "model_overrides": {},
        "digits": "mnist",
        "batch_size": 16,
        "epochs": 30,
        "steps_per_epoch": 625,
        "lr": 3e-4,
        "decay_steps": None,  # ×0.9 once per epoch
        "decay_rate": 0.9,
        "val_size": 2000,
        "checkpoint_every": 200,
        "keep_checkpoints": 3,
        "sample_every": 1,
        "log_every": 30,
    },
    "quick": {
        # At full 64x64 resolution even one 16-channel block each costs ~3.4 s/step at batch 2
        # here and stays above the mean-frame baseline after 10 minutes. 4x4 patches (the
        # decoder masks order a patch's 16 pixels as colour groups) make it 16x cheaper.
        "model_overrides": {"filters": 64, "encoder_blocks": 2, "decoder_blocks": 2, "lstm_kernel_size": 3,
                            "output_filters": 64, "patch_size": 4},
        "digits": "mnist5k",
        "batch_size": 8,
        "epochs": 5,
        "steps_per_epoch": 30,  # ~3 s/step here
        "lr": 3e-4,  # the paper's; at 1e-3 the free-running val_loss rose (1424.6 -> 1918.2)
        "decay_steps": None,  # ×0.9 once per epoch
        "decay_rate": 0.9,
        "val_size": 32,
        "checkpoint_every": 20,
        "keep_checkpoints": 3,
        "sample_every": 1,
        "log_every": 10,
    },
}

"""Video Pixel Network (Kalchbrenner et al., 2017) on Moving MNIST.

Paper: the model defaults (256 channels, 16 encoder and 24 decoder residual blocks,
Bernoulli output), RMSProp at 3e-4 (Kalchbrenner et al. and the thesis). The thesis does
not state its mini-batch size; we use 16 as for the other networks — on four GPUs
(``--strategy mirrored``) that is 4 sequences per GPU. 625 steps (10,000 sequences) per
epoch, learning rate ×0.9 per epoch. The thesis trained it for weeks on four P100s.
"""
from experiments import PAPER_SCHEDULE, QUICK_SCHEDULE

PRESETS = {
    "paper": {
        **PAPER_SCHEDULE,
        "model_overrides": {},
        "lr": 3e-4,
    },
    "quick": {
        **QUICK_SCHEDULE,
        # At full 64x64 resolution even one 16-channel block each costs ~3.4 s/step at batch 2
        # here and stays above the mean-frame baseline after 10 minutes. 4x4 patches (the
        # decoder masks order a patch's 16 pixels as colour groups) make it 16x cheaper.
        "model_overrides": {"filters": 64, "encoder_blocks": 2, "decoder_blocks": 2, "lstm_kernel_size": 3,
                            "output_filters": 64, "patch_size": 4},
        "batch_size": 8,
        "epochs": 5,
        "steps_per_epoch": 30,  # ~3 s/step here
        "lr": 3e-4,  # the paper's; at 1e-3 the free-running val_loss rose (1424.6 -> 1918.2)
    },
}

"""Video Pixel Network (Kalchbrenner et al., 2017) on Moving MNIST.

Paper: the model defaults (256 channels, 16 encoder and 24 decoder residual blocks,
Bernoulli output), RMSProp at 3e-4 (Kalchbrenner et al. and the thesis). The thesis does
not state its mini-batch size; we use 16 as for the other networks — on four GPUs
(``--strategy mirrored``) that is 4 sequences per GPU. 625 steps (10,000 sequences) per
epoch and 2,000 validation sequences (Shi et al.'s Moving MNIST split), learning rate ×0.9
once per epoch (the thesis says only "decaying"; the factor is the seed "Neural Scene"
log's, seed 000, once per epoch our choice), 30 epochs (our choice); see
``PAPER_SCHEDULE`` in ``experiments/__init__.py``. The thesis trained it for weeks on four
P100s. The context ConvLSTM reads the true previous frames while training
(``context_frames="true"``), as in Kalchbrenner et al.'s likelihood training.

Quick preset: ``framepred-tf train vpn --preset quick``. On the 2-core AMD EPYC (Zen 4,
avx512_bf16; mixed_bfloat16 by ``precision: auto``, 2026-12-08) it ran all 1,000 steps in
8 min 0.5 s for the whole command and scored 508.3 nats/frame on ``research`` (1,000
sequences; frame 1 378.0, frame 10 577.1; mean training frame 654.6). The preset before
(RMSProp-style ×0.9 decay, float32, no scheduled sampling, 500 steps) scored 600.7
(docs/RESULTS.md).
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
        # The context reads the model's own predictions while training, as at evaluation: a
        # teacher-forced quick run predicted frame 1 well (515 nats) and frame 10 badly (1466).
        "model_overrides": {"filters": 32, "encoder_blocks": 2, "decoder_blocks": 2, "lstm_kernel_size": 3,
                            "output_filters": 32, "patch_size": 4, "context_frames": "predicted",
                            "teacher_forcing_steps": 650, "initial_readout_bias": -3.0},
        "precision": "auto",
        "batch_size": 8,
        "epochs": 20,
        "steps_per_epoch": 50,
        # 64 channels at the paper's 3e-4 (150 steps) reached 889 nats, at 1e-3 (300 steps) ~700;
        # 32 channels are 2x cheaper per step and at 2e-3 reach ~610 in 500 steps.
        # The convlstm's recipe (issue 13): batches of 8, a read-out bias at the mean pixel,
        # scheduled sampling over 650 of 1,000 steps, Adam with warm-up and a cosine decay to
        # 10 %. It took the score from 600.7 to 508.3 (frame 10 577.1).
        "optimizer": "adam",
        "lr": 2e-3,
        "schedule": "cosine",
        "warmup_steps": 30,
        "lr_floor": 0.1,
        "time_limit": 9.0,
    },
}

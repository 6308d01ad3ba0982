"""Encoding-forecasting ConvLSTM (Shi et al., 2015, Fig. 3; the seed's ``NS_L3_BN`` network).

Paper preset, value by value: 4x4 patches, encoder and forecaster stacks of
128/64/64-channel ConvLSTMs with 5x5 kernels (the model defaults: the seed's parameter
printout, seed 000); learning rate 1e-3 decayed ×0.9 (the seed's log reads 1e-3 * 0.9 **
floor(step / 9), seed 000; once per epoch instead is our choice); RMSProp (the thesis's
optimizer, §3.4: the seed log does not name its own); mini-batches of 16, 625 steps (10,000
sequences) per epoch and 2,000 validation sequences (Shi et al. 2015's set-up, see
``PAPER_SCHEDULE`` in ``experiments/__init__.py``); 30 epochs (our choice).

Quick preset: ``framepred-tf train encoder_forecaster --preset quick``: the convlstm quick
recipe (batches of 8, the read-out bias, 1,250 steps of Adam with a warm-up cosine). On the 2-core
AMD EPYC (Zen 4, avx512_bf16, 2026-12-08) it finished all 1,250 steps in 8 min 26 s and scored
487.4 nats/frame on ``research`` (1,000 sequences; frame 1 331.5, frame 10 582.3; mean training
frame 654.6); the 2 and 0 stay two blobs to frame 7. With 1,000 steps (2026-12-07): 7 min 05 s,
502.7 (frame 1 338.0, frame 10 600.4).
The previous quick preset (batches of 32, 600 steps, no read-out bias) was cut by the 9-minute
limit at step 479 on an AMD EPYC box (2026-12-02) and scored 575.2 (frame 10 649.1). Its
forecaster reads no frames, so there is no fed-back prediction to schedule (docs/RESULTS.md).

CPU preset: ``framepred-tf train encoder_forecaster --preset cpu``, batches of 8 and the
read-out bias for 55 minutes. On the 2-core Ice Lake Xeon (float32, 2026-12-07) it stopped
after step 4,706 and scored 400.5 on ``research`` (frame 1 288.5, frame 10 466.0; mean
training frame 654.6); two blobs on the true paths to frame 6-8. Its weights ship as
``from_pretrained("encoder_forecaster-cpu")`` (docs/RESULTS.md, with its curve).
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
        # The read-out starts at the mean pixel (logit -3) instead of 0.5 everywhere.
        "model_overrides": {"filters": (32, 32, 32), "kernel_size": 3, "initial_readout_bias": -3.0},
        # bfloat16 where the CPU has it, batches of 8 (on 2 cores learning is bound by the number
        # of updates), Adam with a warm-up cosine schedule: the convlstm quick preset's recipe.
        # The time limit keeps the run inside 10 minutes on slower CPUs.
        "precision": "auto",
        "batch_size": 8,
        "epochs": 25,
        "steps_per_epoch": 50,
        "optimizer": "adam",
        "lr": 2e-3,
        "schedule": "cosine",
        "warmup_steps": 30,
        "lr_floor": 0.1,
        "time_limit": 9.0,
    },
}
# The quick recipe for one hour: 5,000 planned steps and a 128-sequence validation set for the
# learning curve. No scheduled sampling: the forecaster reads no frames.
PRESETS["cpu"] = {
    **PRESETS["quick"],
    "epochs": 50,
    "steps_per_epoch": 100,
    "val_size": 128,
    "checkpoint_every": 100,
    "time_limit": 55.0,
}

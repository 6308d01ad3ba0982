"""ConvLSTM (Shi et al., 2015) on Moving MNIST.

Paper preset, value by value: three ConvLSTM layers of 128/64/64 channels with 5x5
kernels (the model defaults; thesis §3.2.1); RMSProp at 1e-3 (thesis §3.4); mini-batches
of 16, 10,000 training sequences per epoch (625 steps) and 2,000 validation sequences
(Shi et al. 2015; the thesis states none of them); learning rate ×0.9 once per epoch (the
factor from the seed "Neural Scene" log, seed 000; once per epoch is our choice); 30
epochs (our choice). See ``PAPER_SCHEDULE`` in ``experiments/__init__.py``.

Quick preset: ``framepred-tf train convlstm --preset quick`` (``make demo``): 1,600 planned
steps of 8 with scheduled sampling over the first 600, stopped by a 9-minute limit. On the
2-core AMD EPYC (Zen 4, avx512_bf16, so bfloat16; 2026-12-08) the limit stopped it at step
1,471, 9 min 18 s for ``make demo``'s whole command, and it scored 487.3 nats/frame on
``research`` (1,000 sequences; frame 1 331.8, frame 10 573.8; mean training frame 654.6). The
two digits stay two blobs to frame 4-5, then travel on as one smear along their paths. With
sampling over 1,000 steps instead: 488.0 (frame 1 319.5, frame 10 584.2), step 1,466.

Earlier versions (docs/RESULTS.md): 1,000 steps with sampling over 650 finished in 5 min 27 s
on that box and scored 510.3 (frame 10 606.1), the same in float32 (510.5); on the Ice Lake
Xeon (float32, no bf16) the 9-minute limit stopped that version at step 603 (541.5, frame 10
645.1); 300 steps of 32 in the same time there reached 609.1 (frame 10 661.4).

CPU preset: ``framepred-tf train convlstm --preset cpu``, the quick recipe for 55 minutes. On
the Ice Lake Xeon (2026-12-07) it stopped after step 4,101 and scored 404.7 on ``research`` (frame 1
272.3, frame 10 486.5), keeping both digits as blobs on their paths to frame 8-10; its
weights ship as ``from_pretrained("convlstm-cpu")`` (docs/RESULTS.md, with its curve).
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
        # The read-out starts at the mean pixel (logit -3) instead of 0.5 everywhere.
        "model_overrides": {"filters": (32, 32, 32), "kernel_size": 3, "patch_size": 4,
                            "teacher_forcing_steps": 600, "initial_readout_bias": -3.0},
        "precision": "auto",
        # Batches of 8: early on, learning is bound by the number of updates, not their size.
        # In the same ~10 minutes of float32 on the Ice Lake Xeon, 300 steps of 32 reached
        # 609.1 on research (frame 10 661.4) and ~650 steps of 8 reached 534.8 (frame 10 640.9).
        "batch_size": 8,
        "epochs": 32,
        "steps_per_epoch": 50,
        # Adam with a 30-step warm-up and a cosine decay to 10 % keeps a usable rate to the end;
        # scheduled sampling over the first 600 steps (teacher_forcing_steps above) lets it learn
        # one-step motion from sharp true frames before it runs on its own blurred ones.
        "optimizer": "adam",
        "lr": 2e-3,
        "schedule": "cosine",
        "warmup_steps": 30,
        "lr_floor": 0.1,
        # Stops at the step reached after 9 minutes of training, whatever the CPU.
        "time_limit": 9.0,
    },
}
# The quick recipe for one hour: the same model, 5,000 planned steps of 8, sampling annealed
# over 3,000 of them, a 128-sequence validation set for the learning curve.
PRESETS["cpu"] = {
    **PRESETS["quick"],
    "model_overrides": {**PRESETS["quick"]["model_overrides"], "teacher_forcing_steps": 3000},
    "epochs": 50,
    "steps_per_epoch": 100,
    "val_size": 128,
    "checkpoint_every": 100,
    "time_limit": 55.0,
}

"""CNN encoder + LSTM + deconvolution decoder (seed 002): 16 RGB frames -> the 17th.

Data: sequences of 17 consecutive frames from a folder of clips (``--frames-dir``) or a
list of sequences (``--frames-index``); without either, Moving MNIST clips rendered in
RGB into the run directory. Paper preset, value by value: 16 input frames of 128x128 and
100 epochs (the seed's notes: "one hundred is enough"); the model defaults (ours: the seed
gives no layer sizes); batch 8 (ours: the seed has a BATCH_SIZE setting but no value);
RMSProp at 1e-3 with ×0.9 once per epoch (ours, borrowed from the ConvLSTM's paper preset:
the seed says only that its learning rate was tuned by trial). ``steps_per_epoch: None``
means one pass over the training sequences, ``decay_steps: None`` one decay per epoch.
"""
PRESETS = {
    "paper": {
        "data": "frame_folder",
        "model_overrides": {},
        "image_size": 128,
        "clips": 64,
        "frames_per_clip": 24,
        "val_fraction": 0.1,
        "digits": "mnist",
        "batch_size": 8,
        "epochs": 100,
        "steps_per_epoch": None,
        "lr": 1e-3,
        "decay_steps": None,  # ×0.9 once per epoch
        "decay_rate": 0.9,
        "checkpoint_every": 200,
        "keep_checkpoints": 3,
        "sample_every": 5,
        "log_every": 20,
    },
    "quick": {
        "data": "frame_folder",
        "model_overrides": {"base_filters": 8, "latent_dim": 64, "lstm_units": 64},
        "image_size": 64,
        "clips": 12,
        "frames_per_clip": 24,
        "val_fraction": 0.15,
        "digits": "mnist5k",
        "batch_size": 8,
        "epochs": 60,
        "steps_per_epoch": None,
        "lr": 1e-3,
        "decay_steps": None,  # ×0.9 once per epoch
        "decay_rate": 0.9,
        "checkpoint_every": 20,
        "keep_checkpoints": 3,
        "sample_every": 5,
        "log_every": 10,
    },
}

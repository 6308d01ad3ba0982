"""VQA presets (``framepred-tf vqa train --preset quick|paper``).

Keys: ``synthetic`` (Sort-of-CLEVR sizes generated when no VQA files are given),
``default_model`` per data kind, ``models`` (``get_model`` overrides per model),
``num_answers`` (K), ``max_length`` (question words kept), ``min_word_count``, ``epochs``,
``batch_size``, ``questions_per_image`` (pixel models: questions drawn per image per epoch;
None = all), ``optimizer`` (``name``, ``learning_rate``, optional ``decay_rate`` per step,
``clipvalue``/``clipnorm``), ``val_fraction`` (images held out when no val files are
given), ``image_size`` (pixels for vqa_cnn_lstm on VQA images), ``log_every``,
``checkpoint_every`` (steps), ``seed``.

``quick``: Santoro et al.'s Sort-of-CLEVR with ``vqa_attention_rn``: the small Santoro CNN,
questions as a bag of words (Santoro et al. coded Sort-of-CLEVR questions as fixed 11-bit
strings), question attention picking the object asked about, and an RN over (that object, each
object) pairs. ``--model vqa_cnn_lstm`` (a reduced CNN+MLP-style baseline with FiLM) and
``--model vqa_rn`` (a small full Relation Network) have quick settings too.
Command: ``framepred-tf vqa train --preset quick`` then ``framepred-tf vqa eval``.
Result (2026-12-07, 2-core Ice Lake Xeon): 7 min 34 s with data generation; 88.67 % overall,
78.05 % relational, 99.30 % non-relational (docs/RESULTS.md, "VQA: the quick preset").
The previous default, ``vqa_cnn_lstm`` for 8 epochs, stalled at 68.47 % overall (73.50
relational, 63.45 non-relational), as CNN+MLP reimplementations of Santoro et al. do.

``paper``: Antol et al. (2015) "deeper LSTM Q + norm I" as released in GT-Vision-Lab's
VQA_LSTM_CNN: 200-d word embedding with tanh, 2 x 512 LSTM whose final cell and hidden
states (2048-d) map to 1024-d, image fc7 4096-d L2-normalised mapped to 1024-d, element-wise
product, 2 x 1000 tanh hidden layers (the paper's text), dropout 0.5, K = 1000 answers,
questions up to 26 words, RMSProp 3e-4 with the per-iteration decay 0.99997592083 (halves
every ~28.8k steps), gradients clipped to +-10, batch 500, 150k iterations (~350 epochs of
the ~215k VQA v1 train questions kept; we use epochs). On Sort-of-CLEVR the paper preset
trains Santoro et al.'s full-size CNN+MLP-style baseline on their 9,800 training images.
"""
# Santoro et al.'s CNN (4 x 24 kernels) with batch norm; vqa train re-estimates its statistics
# before each validation (vqa.train.recalibrate_batch_norm). Instance/group norm or none learned
# far slower. Shared by both pixel models of the quick preset.
_QUICK_PIXELS = {"conv_filters": [24, 24, 24, 24], "conv_norm": "batch", "embed_dim": 32}
# FiLM fusion: the question scales/shifts the CNN's feature-map channels. On Sort-of-CLEVR it
# learned the non-relational questions faster than concat or product fusion in our CPU trials.
_QUICK_CNN_LSTM = {**_QUICK_PIXELS, "lstm_units": 32, "lstm_layers": 2, "common_dim": 128, "fusion": "film",
                   "mlp_units": [256, 256], "mlp_activation": "relu", "dropout": 0.1}
# The attention RN, no dropout (the quick runs underfit rather than overfit). A bag of words
# learns in half the step time of the LSTM, and the LSTM's colour words did not steer the
# attention within the budget (68.5 % at epoch 7; docs/RESULTS.md).
_QUICK_ATTENTION_RN = {**_QUICK_PIXELS, "question_encoder": "bag_of_words", "question_dim": 64,
                       "attention_dim": 64, "g_units": [128, 128, 128], "f_units": [256, 256], "dropout": 0.0}
_QUICK_RN = {**_QUICK_PIXELS, "lstm_units": 64, "lstm_layers": 1, "g_units": [64, 64, 64, 64],
             "f_units": [128, 128], "dropout": 0.1}

PRESETS = {
    "quick": {
        # Santoro et al.'s 9,800 / 200 split. All 20 questions of each image share one batch, so
        # the CNN runs once per 20 questions: 5,800 questions/s here against 2,600 when 4 of
        # each image's questions were drawn per epoch, and the same accuracy in half the time
        # (docs/RESULTS.md, "VQA: what holds the quick preset back").
        "synthetic": {"train_images": 9800, "val_images": 200, "seed": 0},
        "questions_per_image": None,
        "default_model": {"synthetic": "vqa_attention_rn", "vqa": "vqa_lstm"},
        "models": {
            "vqa_attention_rn": _QUICK_ATTENTION_RN,
            "vqa_cnn_lstm": _QUICK_CNN_LSTM,
            "vqa_rn": _QUICK_RN,
            "vqa_lstm": {"embed_dim": 64, "lstm_units": 128, "lstm_layers": 2, "common_dim": 256,
                         "mlp_units": [256], "dropout": 0.3},
            "vqa_mlp": {"embed_dim": 64, "mlp_units": [256, 256], "dropout": 0.3},
        },
        "num_answers": 1000,
        "max_length": 16,
        "min_word_count": 1,
        # 12 epochs of 613 steps: the attention RN takes off at epoch 4-5 and levels off by 10.
        "epochs": 12,
        # Questions per batch: the 20 questions of each of 16 images.
        "batch_size": 320,
        "optimizer": {"name": "adam", "learning_rate": 1e-3, "clipnorm": 5.0},
        "val_fraction": 0.1,
        "image_size": 64,
        "log_every": 100,
        "checkpoint_every": 2000,
        "seed": 0,
    },
    "paper": {
        "synthetic": {"train_images": 9800, "val_images": 200, "seed": 0},
        "default_model": {"synthetic": "vqa_cnn_lstm", "vqa": "vqa_lstm"},
        "models": {
            "vqa_lstm": {"embed_dim": 200, "lstm_units": 512, "lstm_layers": 2, "common_dim": 1024,
                         "fusion": "product", "mlp_units": [1000, 1000], "dropout": 0.5},
            # The seed's model 2: 300-d word vectors summed, 3 x 1024 tanh, dropout 0.5.
            "vqa_mlp": {"embed_dim": 300, "mlp_units": [1024, 1024, 1024], "dropout": 0.5},
            # Santoro et al.'s CNN (4 x 24 kernels) with the seed's concat fusion.
            "vqa_cnn_lstm": {"conv_filters": [24, 24, 24, 24], "embed_dim": 32, "lstm_units": 128,
                             "lstm_layers": 2, "common_dim": 256, "fusion": "concat", "mlp_units": [256, 256],
                             "mlp_activation": "relu", "dropout": 0.5},
        },
        "num_answers": 1000,
        "max_length": 26,
        "min_word_count": 1,
        "epochs": 350,
        "batch_size": 500,
        "optimizer": {"name": "rmsprop", "learning_rate": 3e-4, "decay_rate": 0.99997592083, "clipvalue": 10.0},
        "val_fraction": 0.1,
        "image_size": 224,
        "log_every": 100,
        "checkpoint_every": 25000,
        "seed": 123,
    },
}

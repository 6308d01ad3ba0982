"""Visual question answering: VQA v1/v2 data, the official accuracy, Sort-of-CLEVR, training.

Public API: :func:`vqa_accuracy`, :func:`evaluate_results`, :func:`write_results` (official
metric and results format). Data loading lives in :mod:`framepred_tf.vqa.data`, image
features in :mod:`framepred_tf.vqa.features`, the synthetic benchmark in
:mod:`framepred_tf.vqa.synthetic`, training/evaluation in :mod:`framepred_tf.vqa.train`.
"""
from framepred_tf.vqa.metric import evaluate_results, vqa_accuracy, write_results  # noqa: F401

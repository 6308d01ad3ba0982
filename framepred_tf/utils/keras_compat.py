"""What framepred_tf needs from Keras beyond its documented API, built from public parts.

* :func:`scale_loss_for_distribution`: a model that computes its own loss
  (:class:`~framepred_tf.models.base.PaperLossModel`) must return, on TensorFlow under a
  ``tf.distribute`` strategy, the per-replica loss divided by the number of replicas, as
  Keras' own ``Loss`` objects do; Keras multiplies it back for the loss it reports and
  sums the replicas' gradients. Keras keeps that function private
  (``keras.src.losses.loss``), so it is rebuilt here on the public
  ``tf.distribute.get_strategy()``.
* :func:`nested_layers`: every layer inside a model, through the public ``Model.layers``
  (Keras' own recursive walk is private).

``tests/utils/test_keras_compat.py`` checks both against what Keras itself does, so a Keras
release that changes the convention fails there, loudly, before a training run goes wrong.
"""
import keras
from keras import ops


def scale_loss_for_distribution(loss):
    """``loss / num_replicas_in_sync`` inside a TensorFlow distribution strategy, else ``loss``."""
    if keras.backend.backend() != "tensorflow":
        return loss  # as Keras: JAX's DataParallel computes one loss over the whole sharded batch
    import tensorflow as tf

    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    if replicas > 1:
        loss = ops.multiply(loss, ops.cast(1.0 / replicas, loss.dtype))
    return loss


def nested_layers(model):
    """Every layer of ``model`` and, recursively, of the models among them (depth first).

    Layers nested in a plain custom ``Layer`` (not a ``Model``) are not seen: Keras has no
    public way to list them.
    """
    found = []
    for layer in model.layers:
        found.append(layer)
        if isinstance(layer, keras.Model):
            found.extend(nested_layers(layer))
    return found

"""Base class for models that declare the training loss of their paper."""
import keras
from keras import ops

from framepred_tf.utils.keras_compat import scale_loss_for_distribution

# What a recurrent predictor reads while training: the true previous frames (teacher
# forcing) or its own predictions, as it does at evaluation.
CONTEXT_FRAMES = ("true", "predicted")


class PaperLossModel(keras.Model):
    """A ``keras.Model`` whose ``compile(optimizer=...)`` alone trains with the paper's loss.

    Subclasses define ``paper_loss(y_true, y_pred) -> scalar``. Losses a layer adds with ``add_loss`` (the
    STAE's flow-smoothness term) are added to it. If the user passes ``loss=`` to
    ``compile``, Keras' own loss handling takes over unchanged.
    """

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if self.loss is not None:  # compile(loss=...) was given
            return super().compute_loss(x, y, y_pred, sample_weight=sample_weight, training=training)
        total = self.training_loss(x, y, y_pred, training)
        for extra in self.losses:
            total = total + ops.sum(ops.cast(extra, "float32"))
        # Keras reports and differentiates per-replica losses divided by the replica count
        # (its own Loss objects and add_loss terms are scaled so); without it a
        # MirroredStrategy run would sum the replicas' losses.
        return scale_loss_for_distribution(total)

    def training_loss(self, x, y, y_pred, training):
        """The paper's loss of one batch; models whose training pass differs override this."""
        return self.paper_loss(y, y_pred)

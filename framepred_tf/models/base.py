"""Base class for models that declare the training loss of their paper."""
import keras
from keras import ops
from keras.src.losses.loss import scale_loss_for_distribution

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
        if self._compile_loss is not None:
            return super().compute_loss(x, y, y_pred, sample_weight=sample_weight, training=training)
        # Keras reports and differentiates per-replica losses divided by the replica count
        # (its own Loss objects do this); without it a MirroredStrategy run would sum the
        # replicas' losses.
        total = scale_loss_for_distribution(self.training_loss(x, y, y_pred, training))
        for extra in self.losses:
            total = total + ops.cast(self._aggregate_additional_loss(extra), "float32")
        return total

    def training_loss(self, x, y, y_pred, training):
        """The paper's loss of one batch; models whose training pass differs override this."""
        return self.paper_loss(y, y_pred)

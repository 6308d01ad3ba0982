"""Base class for models that declare the training loss of their paper."""
import keras
from keras import ops


class PaperLossModel(keras.Model):
    """A ``keras.Model`` whose ``compile(optimizer=...)`` alone trains with the paper's loss.

    Subclasses define ``paper_loss(y_true, y_pred) -> scalar``. Losses a layer adds with ``add_loss`` (the
    STAE's flow-smoothness term) are added to it. If the user passes ``loss=`` to
    ``compile``, Keras' own loss handling takes over unchanged.
    """

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if self._compile_loss is not None:
            return super().compute_loss(x, y, y_pred, sample_weight=sample_weight, training=training)
        total = self.paper_loss(y, y_pred)
        for extra in self.losses:
            total = total + ops.cast(self._aggregate_additional_loss(extra), "float32")
        return total

"""Scheduled sampling (Bengio et al. 2015) for predictors that feed their own frames back."""
import keras
from keras import ops

from framepred_tf.models import ModelArgumentError


class ScheduledSampling:
    """Mixin of a ``keras.Model`` that feeds its predictions back as inputs.

    With ``teacher_forcing_steps=N > 0``, at optimizer step ``i`` each fed-back step of each
    sequence reads the true previous frame with probability ``max(0, 1 - i / N)`` and the
    model's own prediction otherwise (Bengio et al. 2015, §2.4, with a linear decay). So
    training starts teacher-forced, where one-step motion is easy to learn, and ends
    free-running, exactly as evaluated. ``i`` is counted by the model's ``sampling_step``
    variable: it is saved with the weights and updated on every backend (JAX's train step
    does not expose ``optimizer.iterations`` to the loss). Under a distribution strategy each
    replica draws for its own slice of the batch, so a mirrored run matches a single-device
    one in distribution, not draw for draw.

    The model sets ``output_frames`` and calls :meth:`init_sampling` in ``__init__``,
    :meth:`build_sampling` in ``build``, :meth:`next_truth_probability` once per training
    step and :meth:`sampled_input` for each fed-back frame.
    """

    def init_sampling(self, teacher_forcing_steps, context_frames="predicted"):
        """Validate ``teacher_forcing_steps`` and keep it.

        ``context_frames``: what the model otherwise reads while training; the schedule
        anneals into the free run, so it needs ``"predicted"``.
        """
        self.teacher_forcing_steps = int(teacher_forcing_steps)
        if self.teacher_forcing_steps < 0:
            raise ModelArgumentError(f"teacher_forcing_steps must be >= 0, got {teacher_forcing_steps}")
        if self.teacher_forcing_steps and context_frames != "predicted":
            raise ModelArgumentError(f"{self.registry_name}: teacher_forcing_steps anneals into the free run, "
                                     "so it needs context_frames='predicted'")
        self.sampling_seed = keras.random.SeedGenerator(0) if self.teacher_forcing_steps else None

    def build_sampling(self):
        if self.teacher_forcing_steps:
            self.sampling_step = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                                 aggregation="only_first_replica", name="sampling_step")

    def next_truth_probability(self):
        """Advance the schedule by one step; the probability that a fed-back frame is the true one."""
        step = ops.convert_to_tensor(self.sampling_step)
        self.sampling_step.assign(step + 1.0)
        # The draws depend on the step alone, so a resumed run draws what an uninterrupted
        # one would (the seed generator's own state is not part of the saved weights).
        seed_state = self.sampling_seed.state
        seed_state.assign(ops.cast(ops.stack([0.0, step * self.output_frames]), seed_state.dtype))
        return ops.maximum(0.0, 1.0 - step / float(self.teacher_forcing_steps))

    def sampled_input(self, truth, prediction, truth_probability):
        """``truth`` or ``prediction`` (both ``(B, ...)``), drawn per sequence."""
        shape = (ops.shape(prediction)[0],) + (1,) * (len(prediction.shape) - 1)
        draw = keras.random.uniform(shape, seed=self.sampling_seed)
        return ops.where(draw < truth_probability, ops.cast(truth, prediction.dtype), prediction)

"""The policy's forward pass and gradient step, compiled for the current Keras backend.

Acting runs a forward pass per environment step, so it must never run eagerly (about 5×
slower). The gradient step is written once, as a backend-neutral loss over the policy's
outputs (``loss_fn(outputs, batch) -> (loss, metrics)`` in ``keras.ops``); only the way
gradients are taken differs:

* TensorFlow: ``tf.function`` around a ``tf.GradientTape`` and ``optimizer.apply``, which
  updates the Keras variables in place (what Keras' own TF ``train_step`` does).
* JAX: ``jax.jit`` around ``jax.value_and_grad`` of ``model.stateless_call`` and
  ``optimizer.stateless_apply``; the new values are written back into the Keras
  variables after each call, so checkpoints, ``model.save`` and the other backend see one
  state (what Keras' JAX trainer does at the end of ``fit``).

Neither path uses XLA on TensorFlow: its compile time for the 128-step unrolled LSTM and
its gradient was several minutes on the dev box.
"""
import keras
import numpy as np

from framepred_tf.errors import FramepredError

BACKENDS = ("tensorflow", "jax")


def check_backend():
    backend = keras.backend.backend()
    if backend not in BACKENDS:
        raise FramepredError(f"framepred-tf rl needs KERAS_BACKEND=tensorflow or jax, not {backend}")
    return backend


def forward_function(model):
    """``forward(observations, state, starts) -> (logits, values, state)`` in NumPy, compiled."""
    forward = (_tensorflow_forward if check_backend() == "tensorflow" else _jax_forward)(model)
    return lambda *inputs: tuple(np.asarray(x) for x in forward(*inputs))


def update_function(model, loss_fn):
    """``update(batch) -> {metric: float}``: one compiled gradient step of ``loss_fn`` with ``model.optimizer``.

    ``batch`` holds the policy inputs ``observations``, ``states``, ``starts`` and whatever
    ``loss_fn(outputs, batch) -> (loss, metrics)`` reads; the metrics include ``loss``.
    """
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    update = (_tensorflow_update if check_backend() == "tensorflow" else _jax_update)(model, loss_fn)
    return lambda batch: {key: float(value) for key, value in update(batch).items()}


class CompiledPolicy:
    """The compiled :attr:`forward` and :attr:`update` of a compiled policy ``model``."""

    def __init__(self, model, loss_fn):
        self.forward = forward_function(model)
        self.update = update_function(model, loss_fn)


def _inputs(batch):
    return batch["observations"], batch["states"], batch["starts"]


def _tensorflow_forward(model):
    import tensorflow as tf

    return tf.function(lambda observations, state, starts: model((observations, state, starts), training=False),
                       reduce_retracing=True)


def _tensorflow_update(model, loss_fn):
    import tensorflow as tf

    @tf.function(reduce_retracing=True)
    def update(batch):
        with tf.GradientTape() as tape:
            loss, metrics = loss_fn(model(_inputs(batch), training=True), batch)
        gradients = tape.gradient(loss, model.trainable_variables)
        model.optimizer.apply(gradients, model.trainable_variables)
        return dict(metrics, loss=loss)

    return update


def _jax_forward(model):
    import jax

    @jax.jit
    def forward_stateless(trainable, non_trainable, observations, state, starts):
        outputs, _ = model.stateless_call(trainable, non_trainable, (observations, state, starts), training=False)
        return outputs

    def forward(observations, state, starts):
        return forward_stateless(_values(model.trainable_variables), _values(model.non_trainable_variables),
                                 observations, state, starts)

    return forward


def _jax_update(model, loss_fn):
    import jax

    optimizer = model.optimizer

    def loss_stateless(trainable, non_trainable, batch):
        outputs, non_trainable = model.stateless_call(trainable, non_trainable, _inputs(batch), training=True)
        loss, metrics = loss_fn(outputs, batch)
        return loss, (dict(metrics, loss=loss), non_trainable)

    gradient_fn = jax.value_and_grad(loss_stateless, has_aux=True)

    @jax.jit
    def update_stateless(trainable, non_trainable, optimizer_values, batch):
        (_, (metrics, non_trainable)), gradients = gradient_fn(trainable, non_trainable, batch)
        trainable, optimizer_values = optimizer.stateless_apply(optimizer_values, gradients, trainable)
        return trainable, non_trainable, optimizer_values, metrics

    def update(batch):
        trainable, non_trainable, optimizer_values, metrics = update_stateless(
            _values(model.trainable_variables), _values(model.non_trainable_variables),
            _values(optimizer.variables), batch)
        for variables, values in ((model.trainable_variables, trainable),
                                  (model.non_trainable_variables, non_trainable),
                                  (optimizer.variables, optimizer_values)):
            for variable, value in zip(variables, values):
                variable.assign(value)
        return metrics

    return update


def _values(variables):
    return [variable.value for variable in variables]

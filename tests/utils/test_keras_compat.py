"""framepred_tf.utils.keras_compat agrees with what Keras itself does.

If a Keras release changes how its own losses are scaled across replicas, or how nested
models list their layers, these tests fail before a training run silently goes wrong.
"""
import json
import os
import pathlib
import subprocess
import sys
import textwrap

import keras
import pytest

from framepred_tf.utils.keras_compat import nested_layers, scale_loss_for_distribution

REPO = pathlib.Path(__file__).resolve().parents[2]


def test_nested_layers_walks_models_inside_models():
    inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.BatchNormalization()],
                             name="inner")
    inputs = keras.Input((4,))
    outer = keras.Model(inputs, keras.layers.Dense(2, name="head")(inner(inputs)))
    found = nested_layers(outer)
    assert inner in found and inner.layers[1] in found and outer.get_layer("head") in found
    assert sum(isinstance(layer, keras.layers.BatchNormalization) for layer in found) == 1


def test_outside_a_strategy_the_loss_is_unchanged():
    loss = keras.ops.convert_to_tensor(2.5)
    assert float(scale_loss_for_distribution(loss)) == 2.5


# Logical devices must be configured before TensorFlow initialises, hence a fresh interpreter.
TWO_REPLICAS = textwrap.dedent("""
    import json
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    from framepred_tf.utils.keras_compat import scale_loss_for_distribution

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    y_true, y_pred = tf.ones((4, 3)), tf.zeros((4, 3))

    def step():
        keras_loss = keras.losses.MeanSquaredError()(y_true, y_pred)  # Keras scales its own losses
        ours = scale_loss_for_distribution(keras.ops.mean(keras.ops.square(y_true - y_pred)))
        return keras_loss, ours

    keras_loss, ours = strategy.run(step)
    print(json.dumps({"replicas": strategy.num_replicas_in_sync,
                      "keras": [float(v) for v in strategy.experimental_local_results(keras_loss)],
                      "ours": [float(v) for v in strategy.experimental_local_results(ours)]}))
""")


@pytest.mark.slow
def test_replica_scaling_matches_keras_own_losses():
    env = dict(os.environ, PYTHONPATH=str(REPO), KERAS_BACKEND="tensorflow")
    result = subprocess.run([sys.executable, "-c", TWO_REPLICAS], capture_output=True, text=True, env=env,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["replicas"] == 2
    assert values["keras"] == pytest.approx([0.5, 0.5])  # MSE 1.0 over 2 replicas
    assert values["ours"] == pytest.approx(values["keras"])

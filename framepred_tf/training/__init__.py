"""framepred_tf.training."""

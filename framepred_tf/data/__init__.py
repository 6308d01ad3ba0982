"""framepred_tf.data."""

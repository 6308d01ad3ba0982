"""framepred_tf.evaluation."""

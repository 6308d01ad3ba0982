"""framepred_tf.vqa."""

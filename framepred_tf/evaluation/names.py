"""Test-set and digits-source names for the evaluation command line.

Read from :mod:`framepred_tf.data.test_sets` (which costs NumPy, not Keras), so the names
that ``--test-set`` and ``--digits`` accept are the ones the data package generates.
"""
from framepred_tf.data.test_sets import DIGITS_SOURCES, list_test_sets

TEST_SET_NAMES = tuple(list_test_sets())

__all__ = ["DIGITS_SOURCES", "TEST_SET_NAMES"]

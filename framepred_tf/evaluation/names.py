"""Test-set and digits-source names, importable without NumPy/SciPy (for fast ``--help``)."""

TEST_SET_NAMES = (
    "standard", "research", "digits-1", "digits-2", "digits-3", "digits-4",
    "emnist", "fashion", "glyphs", "srivastava",
)
DIGITS_SOURCES = ("mnist", "mnist5k")

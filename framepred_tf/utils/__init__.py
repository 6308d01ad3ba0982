"""Small shared utilities (atomic file writes)."""
from framepred_tf.utils.io import atomic_path, save_npz_atomic, write_json_atomic, write_text_atomic

__all__ = ["atomic_path", "save_npz_atomic", "write_json_atomic", "write_text_atomic"]

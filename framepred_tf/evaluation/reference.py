"""The thesis's published numbers, read from ``thesis_reference.json``.

Every reference value lives in that one data file (with its source: Feist 2021, MSc
thesis, University of Alberta, and the table number), so the report can print it beside
measured values without ever mixing the two.
"""
import functools
import json
import os

REFERENCE_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "thesis_reference.json")


@functools.lru_cache(maxsize=1)
def load_reference():
    """The parsed reference file (a dict; treat it as read-only)."""
    with open(REFERENCE_FILE, encoding="utf-8") as f:
        return json.load(f)


def thesis_name(model):
    """Thesis network name for a registry model name, or ``None`` (e.g. encoder_forecaster)."""
    return load_reference()["model_names"].get(model)


def citation():
    return load_reference()["source"]["citation"]


def table_source(table):
    """``"Table 4.1: Comparison of Results"`` for ``table="table_4_1"``."""
    return load_reference()[table]["source"]


def table_4_1(model):
    """``{"expected", "results", "first_frame", "tenth_frame"}`` for ``model``, or ``None``."""
    return _row("table_4_1", model)


def table_4_2(model):
    """Thesis parameter count for ``model`` (float), or ``None``."""
    return _row("table_4_2", model)


def table_4_3(model):
    """``{"original", "research"}`` thesis cross-entropy for ``model``, or ``None``."""
    return _row("table_4_3", model)


def table_4_4(model_a, model_b):
    """Thesis Spearman rho between two models (order-free), or ``None``."""
    names = {thesis_name(model_a), thesis_name(model_b)}
    if None in names:
        return None
    for row in load_reference()["table_4_4"]["rows"]:
        if {row["a"], row["b"]} == names:
            return row["rho"]
    return None


def sample_indices(test_size):
    """The thesis's sample indices (Figs 4.4-4.8) modulo ``test_size``, duplicates dropped."""
    indices = []
    for index in load_reference()["sample_indices"]["indices"]:
        index %= test_size
        if index not in indices:
            indices.append(index)
    return indices


def _row(table, model):
    name = thesis_name(model)
    if name is None:
        return None
    return load_reference()[table]["rows"].get(name)

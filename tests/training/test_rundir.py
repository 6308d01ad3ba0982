"""Run directories: the one rule for which run is the newest, and the readers."""
import json
import os

import pytest

from framepred_tf.errors import FramepredError
from framepred_tf.training import rundir


def make_run(parent, name, mtime=None, **config):
    path = parent / name
    path.mkdir()
    (path / rundir.CONFIG_NAME).write_text(json.dumps({"model": name.split("-")[0], **config}))
    if mtime is not None:
        os.utime(path / rundir.CONFIG_NAME, (mtime, mtime))
    return str(path)


def test_created_names_follow_the_pattern(tmp_path):
    first = rundir.create_run_dir(tmp_path, "pong-dqn")
    second = rundir.create_run_dir(tmp_path, "pong-dqn")
    for path in (first, second):
        rundir.write_config(path, {"model": "pong-dqn"})
    assert rundir.RUN_NAME.match(os.path.basename(first))["prefix"] == "pong-dqn"
    assert rundir.newest_run(tmp_path, prefix="pong-dqn") in (first, second)
    if os.path.basename(second) == os.path.basename(first) + "-2":  # the same second
        assert rundir.newest_run(tmp_path, prefix="pong-dqn") == second


def test_newest_is_by_the_name_time_then_the_same_second_index(tmp_path):
    old = make_run(tmp_path, "convlstm-20261130-235959", mtime=2_000_000_000)  # touched later: ignored
    make_run(tmp_path, "convlstm-20261201-120000")
    same_second = make_run(tmp_path, "convlstm-20261201-120000-2")
    assert rundir.list_runs(tmp_path)[0] == old
    assert rundir.newest_run(tmp_path, prefix="convlstm") == same_second
    assert rundir.newest_run(tmp_path, prefix="convlstm", accept=lambda p: not p.endswith("-2")).endswith(
        "convlstm-20261201-120000")


def test_prefixes_with_dashes_do_not_catch_longer_names(tmp_path):
    dqn = make_run(tmp_path, "pong-dqn-20261201-120000")
    make_run(tmp_path, "pong-dqn-large-20261202-120000")
    make_run(tmp_path, "pong-20261203-120000")
    assert rundir.newest_run(tmp_path, prefix="pong-dqn") == dqn
    assert rundir.newest_run(tmp_path, prefix=("pong-dqn", "pong-dqn-large")).endswith("pong-dqn-large-20261202-120000")
    assert rundir.newest_run(tmp_path, prefix="pong").endswith("pong-20261203-120000")


def test_a_renamed_run_counts_from_its_config_time_and_only_without_prefix(tmp_path):
    make_run(tmp_path, "convlstm-20261201-120000")
    renamed = make_run(tmp_path, "my-best-run", mtime=4_000_000_000)  # in 2096: newer than 2026
    (tmp_path / "not-a-run").mkdir()  # no config.json
    assert rundir.newest_run(tmp_path) == renamed
    assert rundir.newest_run(tmp_path, prefix="convlstm").endswith("convlstm-20261201-120000")
    assert rundir.newest_run(tmp_path / "missing") is None and rundir.list_runs(tmp_path / "missing") == []


def test_read_config_errors_name_the_file(tmp_path):
    with pytest.raises(FramepredError, match=r"config.json not found: .* is not a training run directory"):
        rundir.read_config(tmp_path)
    (tmp_path / rundir.CONFIG_NAME).write_text("{broken")
    with pytest.raises(FramepredError, match=r"cannot read .*config.json"):
        rundir.read_config(tmp_path)

"""The shared progress line: ETA arithmetic, terminal and log output, delay, byte counting."""
import io
import math

import numpy as np
import pytest

from framepred_tf.utils.progress import Progress, ProgressReader, eta_seconds, format_line


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_eta_is_the_remaining_work_at_the_rate_so_far():
    assert eta_seconds(25, 100, 10.0) == pytest.approx(30.0)  # 2.5 units/s, 75 left
    assert eta_seconds(1, 3, 2.0) == pytest.approx(4.0)
    assert eta_seconds(0, 100, 5.0) == math.inf
    assert eta_seconds(100, 100, 5.0) == 0.0


def test_line_format():
    assert format_line("research", 250, 1000, 10.0) == "research: 250/1000 (25%) 25.0 seq/s ETA 0:00:30"
    assert format_line("x", 0, 10, 0.0) == "x: 0/10 (0%) 0.0 seq/s ETA ?"
    assert format_line("read", 3 * 2**20, 12 * 2**20, 2.0, unit="MiB", scale=2**20) == (
        "read: 3.0/12.0 (25%) 1.5 MiB/s ETA 0:00:06")
    assert format_line("long", 1, 7201, 1.0).endswith("ETA 2:00:00")


def test_log_output_is_about_ten_lines_with_the_right_eta():
    stream, clock = io.StringIO(), Clock()
    progress = Progress(200, "eval", stream=stream, clock=clock)
    for done in range(1, 201):
        clock.now += 0.5  # 2 sequences/s
        progress.update(done)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[0] == "eval: 20/200 (10%) 2.0 seq/s ETA 0:01:30"
    assert lines[-1] == "eval: 200/200 (100%) 2.0 seq/s ETA 0:00:00"


def test_terminal_output_rewrites_one_line_and_ends_it():
    stream, clock = Terminal(), Clock()
    progress = Progress(3, "gen", stream=stream, clock=clock)
    for _ in range(3):
        clock.now += 1.0
        progress.advance()
    progress.advance()  # past the end: ignored
    text = stream.getvalue()
    assert text.count("\r") == 3 and text.endswith("gen: 3/3 (100%) 1.0 seq/s ETA 0:00:00\n") and text.count("\n") == 1


def test_terminal_redraws_at_most_every_tenth_of_a_second():
    stream, clock = Terminal(), Clock()
    progress = Progress(1000, "fast", stream=stream, clock=clock)
    for done in range(1, 1000):
        clock.now += 0.001
        progress.update(done)
    assert 9 <= stream.getvalue().count("\r") <= 11  # 1 s of work: about one draw per 0.1 s, not 999


def test_delay_keeps_quick_work_silent():
    stream, clock = io.StringIO(), Clock()
    quick = Progress(10, "quick", stream=stream, delay=1.0, clock=clock)
    for done in range(1, 11):
        clock.now += 0.05
        quick.update(done)
    assert stream.getvalue() == ""
    slow = Progress(10, "slow", stream=stream, delay=1.0, clock=clock)
    for done in range(1, 11):
        clock.now += 0.5
        slow.update(done)
    assert stream.getvalue().splitlines()[0].startswith("slow: 2/10 (20%)")  # first tenth after the delay


def test_reader_counts_the_bytes_np_load_reads(tmp_path):
    path = tmp_path / "a.npz"
    np.savez_compressed(path, x=np.arange(10000))
    stream = io.StringIO()
    progress = Progress(path.stat().st_size, "read", stream=stream)
    with ProgressReader(open(path, "rb"), progress) as file, np.load(file) as data:
        np.testing.assert_array_equal(data["x"], np.arange(10000))
    assert 0.5 * progress.total < progress.done <= progress.total

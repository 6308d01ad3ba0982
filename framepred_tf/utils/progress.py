"""The one progress display of long work (eval, report, test sets, VQA features, predict).

A line reads ``LABEL: DONE/TOTAL (P%) RATE UNIT/s ETA H:MM:SS``. The ETA assumes the rate
so far holds: ``(total - done) / (done / elapsed)``; it is ``?`` before anything is done.

Lines go to stderr (stdout stays the command's result). On a terminal one line is
rewritten in place (``\\r``), at most every :data:`REDRAW_SECONDS` and once at the end. In a
log (no terminal) a new line is printed each time another tenth of the work is done, so a
task leaves about ten lines however long it runs. With ``delay`` nothing is shown for that
many seconds, so work that turns out quick (a small cached test set) prints nothing.
"""
import math
import sys
import time

from framepred_tf.training.console import format_duration

REDRAW_SECONDS = 0.1


def eta_seconds(done, total, elapsed):
    """Seconds left at the rate so far; ``inf`` before anything is done, 0 once all is."""
    if done >= total:
        return 0.0
    if done <= 0 or elapsed <= 0:
        return math.inf
    return (total - done) * elapsed / done


def format_line(label, done, total, elapsed, unit="seq", scale=1):
    """``label: done/total (p%) rate unit/s ETA H:MM:SS``; counts are divided by ``scale`` for display."""
    eta = eta_seconds(done, total, elapsed)
    rate = done / scale / elapsed if elapsed > 0 else 0.0
    shown = f"{done}/{total}" if scale == 1 else f"{done / scale:.1f}/{total / scale:.1f}"
    return (f"{label}: {shown} ({100 * done / total:.0f}%) {rate:.1f} {unit}/s "
            f"ETA {format_duration(eta) if math.isfinite(eta) else '?'}")


class Progress:
    """Progress of ``total`` units of work, told with :meth:`update` (units done so far) or :meth:`advance`.

    ``unit`` names what is counted (``seq``, ``img``, ``MiB``), ``scale`` how many counted
    units make one shown unit (``2**20`` for bytes shown as MiB), ``delay`` the seconds of
    silence before the first line. ``clock`` is for tests.
    """

    def __init__(self, total, label, stream=None, *, unit="seq", scale=1, steps=10, delay=0.0,
                 clock=time.monotonic):
        self.total = max(int(total), 1)
        self.label, self.unit, self.scale = label, unit, scale
        self.steps, self.delay, self.clock = steps, delay, clock
        self.stream = sys.stderr if stream is None else stream
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = clock()
        self.done = 0
        self._next_step = 1
        self._last_draw = -math.inf

    def update(self, done):
        """``done`` units are finished (a running total; counts past ``total`` are ignored)."""
        if self.done >= self.total:
            return  # finished: nothing more to show
        self.done = min(int(done), self.total)
        now = self.clock()
        finished = self.done >= self.total
        if now - self.start < self.delay:
            return
        if self.tty:
            if finished or now - self._last_draw >= REDRAW_SECONDS:
                self._last_draw = now
                self._write("\r" + self.line(now) + ("\n" if finished else ""))
        elif self.done * self.steps >= self._next_step * self.total:
            self._write(self.line(now) + "\n")
            self._next_step = self.done * self.steps // self.total + 1

    def advance(self, count=1):
        self.update(self.done + count)

    def line(self, now=None):
        elapsed = (self.clock() if now is None else now) - self.start
        return format_line(self.label, self.done, self.total, elapsed, self.unit, self.scale)

    def _write(self, text):
        self.stream.write(text)
        self.stream.flush()


class ProgressReader:
    """A read-only file wrapper that reports the bytes read to a :class:`Progress` (e.g. for ``np.load``)."""

    def __init__(self, file, progress):
        self._file, self._progress = file, progress

    def read(self, size=-1):
        data = self._file.read(size)
        self._progress.advance(len(data))
        return data

    def __getattr__(self, name):  # seek, tell, seekable, close, ...
        return getattr(self._file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._file.close()

"""User-facing errors.

A :class:`FramepredError` carries a one-line message that names the file or argument at
fault and what to do about it. The CLI prints it as ``framepred-tf: error: ...`` and exits
with status 2; library users get an ordinary exception.
"""


class FramepredError(Exception):
    """Bad input or a missing resource, explained in one line."""


class DataSourceError(FramepredError, FileNotFoundError):
    """A named data source (digits, test set, frame folder) is not available."""

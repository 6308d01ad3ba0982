"""The console line of the thesis' training script, e.g.::

    2018/7/5 17:01:41 Step:30 Loss:46551884.000000 (Training Loss:430186956.800) Epoch:1 LR:0.000729
    (4.125sec/step) Estimated:0:06:31

(one line, wrapped here). ``Loss`` is the loss of the latest step, ``Training Loss`` the running mean over the
epoch, ``Estimated`` the time left for the remaining steps at the current speed.
"""
import datetime
import math
import numbers


def format_timestamp(moment):
    """``YYYY/M/D H:MM:SS`` (the seed log leaves month, day and hour unpadded)."""
    return f"{moment.year}/{moment.month}/{moment.day} {moment.hour}:{moment.minute:02d}:{moment.second:02d}"


def format_duration(seconds):
    """``H:MM:SS`` for a non-negative number of seconds."""
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def format_step_line(*, step, loss, mean_loss, epoch, lr, sec_per_step, remaining_steps, moment=None):
    """One progress line in the seed's format."""
    moment = moment or datetime.datetime.now()
    estimated = format_duration(sec_per_step * remaining_steps) if math.isfinite(sec_per_step) else "?"
    return (f"{format_timestamp(moment)} Step:{step} Loss:{loss:.6f} (Training Loss:{mean_loss:.3f}) "
            f"Epoch:{epoch} LR:{lr:.3g} ({sec_per_step:.3f}sec/step) Estimated:{estimated}")


def format_epoch_line(*, epoch, logs, moment=None):
    """The end-of-epoch summary: every logged value (``loss``, ``val_loss``, ...)."""
    moment = moment or datetime.datetime.now()
    values = " ".join(f"{key}:{value:.6f}" for key, value in sorted(logs.items()) if _is_number(value))
    return f"{format_timestamp(moment)} Epoch:{epoch} done {values}".rstrip()


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)

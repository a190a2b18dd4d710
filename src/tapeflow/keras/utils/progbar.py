"""``keras.utils.Progbar``: the progress bar that ``fit``/``evaluate``/``predict`` print.

The text is Keras 3's: ``step/steps``, a bar of 20 ``━`` characters (green for
done, white for to do), the ETA (or elapsed seconds at the end), time per step
and the averaged metrics, each as ``%.4f`` (``%.4e`` below 1e-3).

On a terminal (or in a notebook) each update rewrites the line in place with
``\\b`` and ``\\r``, exactly as Keras 3 does. On any other stream (a file, a
pipe, a captured stdout) each displayed update is one plain line ending in a
newline, and an intermediate update of the last step (which the final one
repeats) is not shown. Keras 3 writes the terminal form on every POSIX system,
even into files; we write plain lines there so that logs stay readable.
"""
import math
import os
import sys
import time

import numpy as np

_BOLD, _RESET, _GREEN, _WHITE = "\x1b[1m", "\x1b[0m", "\x1b[32m", "\x1b[37m"


def _is_dynamic(stream):
    isatty = getattr(stream, "isatty", None)
    try:
        tty = bool(isatty()) if isatty is not None else False
    except (ValueError, OSError):
        tty = False
    return tty or "ipykernel" in sys.modules or "PYCHARM_HOSTED" in os.environ


def _format_time(seconds, unit_name):
    """`` 12ms/step``-style time per unit, in s, ms or us as Keras chooses."""
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit_name}"
    return f" {seconds * 1e6:.0f}us/{unit_name}"


def _format_value(avg, signed=True):
    return f" {avg:.4f}" if (abs(avg) if signed else avg) > 1e-3 else f" {avg:.4e}"


class Progbar:
    """Displays a progress bar.

    Args:
      target: total number of steps expected, None if unknown.
      width: bar width in characters.
      verbose: 0 (silent), 1 (bar), 2 (one line when finished).
      interval: minimum seconds between two displayed updates.
      stateful_metrics: names of metrics shown as given (others are averaged
        over the steps by the bar before display).
      stateless_metrics: names of metrics to average (the others shown as
        given); give at most one of the two lists.
      unit_name: display name of a step (``"step"`` or ``"sample"``).
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step"):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Only one of `stateful_metrics` and `stateless_metrics` may be "
                             "provided.")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics is not None else (
            None if stateless_metrics is not None else set())
        self.stateless_metrics = set(stateless_metrics) if stateless_metrics is not None \
            else None
        self.stream = sys.stdout
        self._dynamic_display = _is_dynamic(self.stream)
        self._seen_so_far = 0
        self._values = {}
        self._values_order = []
        self._start = time.time()
        self._last_update = 0
        self._time_after_first_step = None
        self._prev_total_width = 0

    def _accumulate(self, current, values, finalize):
        for k, v in values:
            if k not in self._values:
                self._values_order.append(k)
            if self.stateful_metrics is not None:
                averaged = k not in self.stateful_metrics
            else:
                averaged = k in self.stateless_metrics
            if averaged and not finalize:
                # Weighted by the number of steps since the last update.
                n = max(current - self._seen_so_far, 1)
                acc = self._values.get(k)
                if acc is None:
                    self._values[k] = [v * n, n]
                else:
                    acc[0] += v * n
                    acc[1] += n
            else:
                self._values[k] = [v, 1]
        self._seen_so_far = current

    def _average(self, k):
        total, count = self._values[k]
        if not isinstance(total, float):
            total = float(np.mean(total))
        return total / max(1, count)

    def update(self, current, values=None, finalize=None):
        """Updates the bar to step ``current``.

        Args:
          current: index of the current step.
          values: list of ``(name, value_for_last_step)`` pairs.
          finalize: whether this is the last update; defaults to
            ``current >= target``.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        if values:
            self._accumulate(current, values, finalize)
        else:
            self._seen_so_far = current
        now = time.time()
        per_unit = self._step_duration(current, now)
        if self.verbose == 1:
            if not finalize and (now - self._last_update < self.interval or (
                    not self._dynamic_display and self.target and current >= self.target)):
                return
            self._write(self._line(current, now, per_unit, finalize))
        elif self.verbose == 2 and finalize and self.target:
            digits = int(math.log10(self.target)) + 1
            info = f"%{digits}d/%d - {now - self._start:.0f}s" % (current, self.target)
            info += " -" + _format_time(per_unit, self.unit_name)
            for k in self._values_order:
                info += f" - {k}:" + _format_value(self._average(k), signed=False)
            self._write(info + "\n")
        self._last_update = now

    def _line(self, current, now, per_unit, finalize):
        dynamic = self._dynamic_display
        msg = ("\b" * self._prev_total_width + "\r") if dynamic else ""
        hidden = 0  # characters of colour codes, which take no width on screen
        if self.target:
            digits = int(math.log10(self.target)) + 1
            bar = f"{_BOLD}%{digits}d/%d{_RESET} " % (current, self.target)
            hidden += 8
            done = int(self.width * float(current) / self.target)
            if done > 0:
                bar += f"{_GREEN}{'━' * done}{_RESET}"
                hidden += 9
            bar += f"{_WHITE}{'━' * (self.width - done)}{_RESET}"
            hidden += 9
        else:
            bar = "%7d/Unknown" % current
        if self.target and not finalize:
            eta = per_unit * (self.target - current)
            if eta > 3600:
                eta_text = "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
            elif eta > 60:
                eta_text = "%d:%02d" % (eta // 60, eta % 60)
            else:
                eta_text = "%ds" % eta
            info = f" {_BOLD}{eta_text}{_RESET}"
        else:
            info = f" {_BOLD}{now - self._start:.0f}s{_RESET}"
        hidden += 8
        info += _format_time(per_unit, self.unit_name)
        for k in self._values_order:
            info += f" - {k}:" + _format_value(self._average(k))
        width = len(bar) + len(info) - hidden
        tail = " " * (self._prev_total_width - width) if dynamic and \
            self._prev_total_width > width else ""
        self._prev_total_width = width
        return msg + bar + info + tail + ("\n" if finalize or not dynamic else "")

    def _write(self, text):
        self.stream.write(text)
        self.stream.flush()

    def add(self, n, values=None):
        """Advances the bar by ``n`` steps."""
        self.update(self._seen_so_far + n, values)

    def _step_duration(self, current, now):
        # The first step (often slow: building, first allocations) is left out
        # of the estimate once later steps exist.
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_unit

"""Progress of long runs. Commands say how far through their work they are; whoever runs them
decides whether and how to show it (the CLI: a bar on a terminal's stderr), so the model stays pure."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import IO, TypeVar

from llmcost import defaults

T = TypeVar("T")
Reporter = Callable[[str, int, int], None]  # (what, steps done, steps in all)

_reporter: ContextVar[Reporter | None] = ContextVar("llmcost_progress", default=None)


def steps(items: Sequence[T], what: str) -> Iterator[T]:
    """Yield `items`, telling the active reporter (if any) before each one and when all are done."""
    report = _reporter.get()
    if report is None:
        yield from items
        return
    for i, item in enumerate(items):
        report(what, i, len(items))
        yield item
    report(what, len(items), len(items))


@contextmanager
def reporting(report: Reporter) -> Iterator[None]:
    """Send the progress of the work done inside the block to `report`."""
    token = _reporter.set(report)
    try:
        yield
    finally:
        _reporter.reset(token)


class Bar:
    """A one-line bar, drawn only once a run has lasted `delay_s` and erased when its steps are done
    (so the answer printed next starts on a clean line). ASCII, to suit any terminal encoding."""

    def __init__(
        self,
        stream: IO[str],
        *,
        width: int = 80,
        delay_s: float = defaults.PROGRESS_DELAY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream, self.width, self.delay_s, self.clock = stream, max(width, 40), delay_s, clock
        self.started = clock()
        self.drawn_at: float | None = None
        self.shown = 0  # characters on the line now

    def __call__(self, what: str, done: int, total: int) -> None:
        now = self.clock()
        if done >= total:
            self.erase()
            return
        if now - self.started < self.delay_s:
            return
        if self.drawn_at is not None and now - self.drawn_at < defaults.PROGRESS_REDRAW_S:
            return
        self.drawn_at = now
        count = f" {done}/{total}"
        label = what[: self.width // 3]
        cells = self.width - 1 - len(label) - len(count) - 3  # "label [###---] n/N", one column spare
        filled = cells * done // max(total, 1)
        line = f"{label} [{'#' * filled}{'-' * (cells - filled)}]{count}"
        self._write("\r" + line.ljust(self.shown))
        self.shown = len(line)

    def erase(self) -> None:
        """Blank the bar's line, if one is drawn (also when a run stops early, before its error line)."""
        if self.shown:
            self._write("\r" + " " * self.shown + "\r")
            self.shown = 0

    def _write(self, text: str) -> None:
        with suppress(OSError, ValueError):  # a closed or broken stderr must not stop the answer
            self.stream.write(text)
            self.stream.flush()

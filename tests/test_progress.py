"""The progress bar: silent for short runs and off a terminal, one erased line on a terminal."""

from __future__ import annotations

import io
import itertools
import os
import pty
import subprocess
import sys

from llmcost.progress import Bar, reporting, steps


def test_no_reporter_means_the_items_pass_through_untouched():
    assert list(steps([1, 2, 3], "x")) == [1, 2, 3]


def test_a_slow_run_draws_a_bar_that_fits_and_is_erased_when_done():
    out = io.StringIO()
    clock = itertools.count(0.0, 0.5).__next__  # each report half a second after the last
    with reporting(Bar(out, width=60, clock=clock)):
        assert list(steps(range(10), "breakeven")) == list(range(10))
    text = out.getvalue()
    drawn = [line for line in text.split("\r") if line.strip()]
    assert drawn and all(len(line) < 60 for line in drawn)
    assert drawn[0].startswith("breakeven [") and drawn[-1].endswith("/10")
    assert "#" in drawn[-1] and drawn[-1].count("#") > drawn[0].count("#")
    assert text.endswith("\r") and text.rsplit("\r", 2)[-2].strip() == ""  # the line is blanked


def test_a_run_shorter_than_the_delay_draws_nothing():
    out = io.StringIO()
    with reporting(Bar(out, clock=lambda: 0.0)):
        list(steps(range(100), "compare"))
    assert out.getvalue() == ""


def test_a_broken_stderr_does_not_stop_the_work():
    class Broken(io.StringIO):
        def write(self, s: str) -> int:
            raise OSError("gone")

    clock = itertools.count(0.0, 2.0).__next__
    with reporting(Bar(Broken(), clock=clock)):
        assert list(steps([1, 2], "x")) == [1, 2]


# the real CLI, with the bar's delay at zero so a quick run shows it too
NO_DELAY = (
    "import functools, sys\n"
    "from llmcost import cli, progress\n"
    "progress.Bar = functools.partial(progress.Bar, delay_s=0)\n"
    "sys.exit(cli.main(sys.argv[1:]))\n"
)


def _run(argv: list[str], *, terminal: bool) -> str:
    """stderr of `llmcost argv`, through a pseudo-terminal or a pipe."""
    cmd = [sys.executable, "-c", NO_DELAY, *argv]
    if not terminal:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stderr
    leader, follower = pty.openpty()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert proc.wait() == 0
    os.close(leader)
    return b"".join(chunks).decode()


def test_the_cli_shows_the_bar_on_a_terminal_and_never_in_a_pipe():
    argv = ["breakeven", "--monte-carlo", "2000", "--format", "json"]
    assert _run(argv, terminal=False) == ""
    shown = _run(argv, terminal=True)
    assert "breakeven [" in shown and shown.endswith("\r")  # drawn, then erased


def test_a_run_that_stops_early_leaves_no_bar_before_its_error_line():
    out = io.StringIO()
    clock = itertools.count(0.0, 2.0).__next__
    bar = Bar(out, clock=clock)
    try:
        with reporting(bar):
            for i in steps(range(10), "compare"):
                if i == 3:
                    raise ValueError("stop")
    except ValueError:
        bar.erase()  # what the CLI does however a run ends
    assert "compare [" in out.getvalue() and out.getvalue().rsplit("\r", 2)[-2].strip() == ""

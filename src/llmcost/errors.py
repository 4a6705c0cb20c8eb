"""Named errors. The CLI turns each into one line on stderr and an exit code."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class LLMCostError(ValueError):
    """Base class: a problem a user can act on. `exit_code` is 2 for usage, 1 for data and output.

    `param` names the Python parameter (or scenario setting) at fault, so the command line can
    say which flag it was.
    """

    exit_code = 2

    def __init__(self, message: str, *, param: str | None = None) -> None:
        from llmcost.text import shown

        super().__init__(shown(message, 2000))  # one line, whatever values it quotes
        self.param = param


class UsageError(LLMCostError):
    """A command-line or API argument is invalid (out of range, wrong combination)."""


class UnknownIdError(UsageError):
    """An id (model, GPU, API, quantization, ...) that the catalog does not know."""

    def __init__(self, kind: str, value: str, valid: Iterable[str], *, param: str | None = None) -> None:
        from llmcost.text import shown

        valid = sorted(valid)
        text = value if isinstance(value, str) else repr(value)
        close = difflib.get_close_matches(text.lower(), valid, n=3, cutoff=0.4)
        hint = f"did you mean {', '.join(close)}?" if close else f"valid: {', '.join(valid[:12])}"
        if not close and len(valid) > 12:
            hint += ", ..."
        super().__init__(f"unknown {kind} '{shown(text, 80)}'; {hint}", param=param)
        self.kind, self.value, self.closest = kind, value, close


class CatalogError(LLMCostError):
    """A data file is missing, malformed, oversized or inconsistent."""

    exit_code = 1


class OutputError(LLMCostError):
    """An output file or stream cannot be written."""

    exit_code = 1


class InfeasibleError(LLMCostError):
    """A deployment cannot be built (does not fit in memory, no offer for the GPU, ...).

    `short_gb` is how much memory per GPU is missing when memory is the reason (None otherwise),
    so the closest miss can be reported."""

    def __init__(self, message: str, *, short_gb: float | None = None) -> None:
        ValueError.__init__(self, message)  # our own wording, raised per configuration tried: not re-escaped
        self.param, self.short_gb = None, short_gb

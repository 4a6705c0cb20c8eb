"""Named errors. The CLI turns each into one line on stderr and an exit code."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class LLMCostError(Exception):
    """Base class: a problem a user can act on. `exit_code` is 2 for usage, 1 for data."""

    exit_code = 2


class UsageError(LLMCostError):
    """A command-line or API argument is invalid (out of range, wrong combination)."""


class UnknownIdError(UsageError):
    """An id (model, GPU, API, quantization, ...) that the catalog does not know."""

    def __init__(self, kind: str, value: str, valid: Iterable[str]) -> None:
        valid = sorted(valid)
        close = difflib.get_close_matches(value.lower(), valid, n=3, cutoff=0.4)
        hint = f"did you mean {', '.join(close)}?" if close else f"valid: {', '.join(valid[:12])}"
        if not close and len(valid) > 12:
            hint += ", ..."
        super().__init__(f"unknown {kind} '{value}'; {hint}")
        self.kind, self.value, self.closest = kind, value, close


class CatalogError(LLMCostError):
    """A data file is missing, malformed, oversized or inconsistent."""

    exit_code = 1


class InfeasibleError(LLMCostError):
    """A deployment cannot be built (does not fit in memory, no offer for the GPU, ...)."""

"""Demand: the workload, how many queries, how many tokens each, and how the month is counted."""

from __future__ import annotations

import math
from dataclasses import dataclass

from llmcost import defaults
from llmcost.errors import UsageError


def check_positive(name: str, value: object, *, allow_zero: bool = False) -> float:
    """Return `value` as a finite float > 0 (or >= 0), else raise a UsageError naming it."""
    from llmcost.text import shown

    got = shown(repr(value), 60)
    try:
        if isinstance(value, bool | str | bytes):
            raise TypeError
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise UsageError(f"{name} must be a number, got {got}", param=name) from None
    if not math.isfinite(x):
        raise UsageError(f"{name} must be finite, got {got}", param=name)
    if x < 0 or (x == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise UsageError(f"{name} must be {bound}, got {got}", param=name)
    return x


def check_fraction(name: str, value: object) -> float:
    """Return `value` as a float in [0, 1], else raise a UsageError naming it."""
    x = check_positive(name, value, allow_zero=True)
    if x > 1:
        raise UsageError(f"{name} must be between 0 and 1, got {value!r}")
    return x


@dataclass(frozen=True)
class Workload:
    """Query volume and token mix. Token counts are per-query means."""

    queries_per_day: float
    input_tokens: float = defaults.INPUT_TOKENS
    output_tokens: float = defaults.OUTPUT_TOKENS
    cached_input_share: float = defaults.CACHED_INPUT_SHARE  # share of input tokens from the prompt cache
    days_per_month: float = defaults.DAYS_PER_MONTH

    def __post_init__(self) -> None:
        for name in ("queries_per_day", "input_tokens", "output_tokens", "days_per_month"):
            object.__setattr__(self, name, check_positive(name, getattr(self, name)))
        object.__setattr__(self, "cached_input_share", check_fraction("cached_input_share", self.cached_input_share))

    @property
    def queries_per_month(self) -> float:
        return self.queries_per_day * self.days_per_month

    @property
    def average_requests_per_s(self) -> float:
        return self.queries_per_day / defaults.SECONDS_PER_DAY

    def to_dict(self) -> dict[str, float]:
        return {
            "queries_per_day": self.queries_per_day,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cached_input_share": self.cached_input_share,
            "days_per_month": self.days_per_month,
            "queries_per_month": self.queries_per_month,
        }

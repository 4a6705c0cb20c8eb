"""Reasoning tokens per option: which effort is costed, and how many hidden tokens it spends.

An option reasons if reasoning.yaml has figures for it (an API id, or the open model an API hosts
or a deployment serves). The costed effort is, in order: the one the user asked for (one effort
for every option that has it, or per option), the provider's documented default, the source's
'unspecified' row, or else the measured effort nearest to medium (ties go to the higher effort, so
a cost is not understated). `--reasoning-tokens` replaces the figure outright.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from llmcost.errors import UsageError
from llmcost.records import ReasoningFigure
from llmcost.uncertainty import Uncertain, central

# an order over effort names, to find the one nearest to medium when no default is documented
EFFORT_RANK = {
    "none": 0, "thinking-off": 0, "minimal": 1, "low": 2, "medium": 3, "unspecified": 3, "high": 4,
    "thinking-on": 4, "xhigh": 5, "max": 6,
}  # fmt: skip
MEDIUM = EFFORT_RANK["medium"]


@dataclass(frozen=True)
class Reasoning:
    """The reasoning an option is costed with. `tokens` is the point value, `drawn` what Monte
    Carlo draws (the figure's spread across workloads)."""

    effort: str | None  # None: the option does not reason (or its tokens were given outright)
    tokens: float
    drawn: Uncertain
    why: str  # "not a reasoning model" | "provider default" | "--reasoning-effort" | ...
    source: str | None = None
    is_default: bool = False  # the provider's documented default (what a call without settings gets)

    @property
    def how(self) -> str:
        """The costed setting in words: 'at medium effort', 'with thinking on', 'as given'."""
        if self.effort is None:
            return "as given"
        return {
            "thinking-on": "with thinking on",
            "thinking-off": "with thinking off",
            "unspecified": "at the source's unnamed effort",
            "none": "with reasoning off",
        }.get(self.effort, f"at {self.effort} effort")

    def to_dict(self) -> dict[str, object]:
        return {"effort": self.effort, "reasoning_tokens": self.tokens, "why": self.why, "source": self.source}


NONE = Reasoning(None, 0.0, 0.0, "not a reasoning model")


def _figure(f: ReasoningFigure, why: str) -> Reasoning:
    drawn = f.spread.get("reasoning_tokens_per_request", f.reasoning_tokens_per_request)
    return Reasoning(f.effort, f.reasoning_tokens_per_request, drawn, why, f.source, f.provider_default_effort is True)


def default_effort(figures: Mapping[str, ReasoningFigure]) -> tuple[ReasoningFigure, str]:
    """The figure a call without reasoning settings is costed at, and why that one."""
    documented = [f for f in figures.values() if f.provider_default_effort is True]
    if documented:
        return documented[0], "provider default"
    if "unspecified" in figures:
        return figures["unspecified"], "the source's run names no effort"
    best = min(
        figures.values(),
        key=lambda f: (abs(EFFORT_RANK.get(f.effort, MEDIUM) - MEDIUM), -EFFORT_RANK.get(f.effort, MEDIUM)),
    )
    return best, "no documented default: the measured effort nearest to medium"


def choose(
    option: str,
    figures: Mapping[str, ReasoningFigure],
    effort: str | None = None,
    tokens: Uncertain | None = None,
    *,
    named: bool = False,
) -> Reasoning:
    """The reasoning `option` is costed with. `effort` asked for everywhere (`named` False: an
    option without that effort keeps its default) or for this option (`named` True: it must exist)."""
    if tokens is not None:
        return Reasoning(effort, central(tokens), tokens, "--reasoning-tokens")
    if not figures:
        if named and effort is not None:
            raise UsageError(f"{option} has no reasoning figures: it does not reason, so it has no effort '{effort}'",
                             param="reasoning_effort")  # fmt: skip
        return NONE
    if effort is not None and effort in figures:
        return _figure(figures[effort], "--reasoning-effort")
    if effort is not None and named:
        valid = ", ".join(sorted(figures, key=lambda e: EFFORT_RANK.get(e, MEDIUM)))
        raise UsageError(f"{option} has no reasoning effort '{effort}'; valid: {valid}", param="reasoning_effort")
    figure, why = default_effort(figures)
    return _figure(figure, why)

"""Demand: the workload, how many queries, how many tokens each, and how the month is counted."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

from llmcost import defaults
from llmcost.errors import UsageError

if TYPE_CHECKING:
    from llmcost.numeric import Number


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
    """Query volume and token mix. Token counts are per-query means; visible output only (each
    option's reasoning tokens are its own, see llmcost.reasoning).

    The prompt cache is described one of two ways: a cached share of every prompt (multi-turn chat:
    each turn reads the conversation so far from the cache and writes its new tokens to it), or a
    prefix every request shares (a system prompt and tool definitions), cached while traffic keeps
    it warm. `prompt_mix` spreads the prompts over sizes (share of requests, tokens): providers
    apply long-context tiers and cache minimums per request, not to the mean."""

    queries_per_day: float
    input_tokens: float = defaults.INPUT_TOKENS
    output_tokens: float = defaults.OUTPUT_TOKENS
    cached_input_share: float = defaults.CACHED_INPUT_SHARE  # share of input tokens from the prompt cache
    days_per_month: float = defaults.DAYS_PER_MONTH
    shared_prefix_tokens: float = 0.0  # a prefix every request shares (instead of a cached share)
    prompt_mix: tuple[tuple[float, float], ...] = ()  # (share of requests, prompt tokens); () = all at the mean

    def __post_init__(self) -> None:
        for name in ("queries_per_day", "input_tokens", "output_tokens", "days_per_month"):
            object.__setattr__(self, name, check_positive(name, getattr(self, name)))
        object.__setattr__(self, "cached_input_share", check_fraction("cached_input_share", self.cached_input_share))
        prefix = check_positive("shared_prefix_tokens", self.shared_prefix_tokens, allow_zero=True)
        object.__setattr__(self, "shared_prefix_tokens", prefix)
        if prefix and self.cached_input_share:
            raise UsageError(
                "give a cached share or a shared prefix, not both (the share follows from the prefix)",
                param="shared_prefix_tokens",
            )
        if self.prompt_mix:
            mix = tuple((check_positive("prompt_mix share", a), check_positive("prompt_mix tokens", b))
                        for a, b in self.prompt_mix)  # fmt: skip
            total = sum(a for a, _ in mix)
            mix = tuple((a / total, b) for a, b in mix)
            object.__setattr__(self, "prompt_mix", mix)
            object.__setattr__(self, "input_tokens", sum(a * b for a, b in mix))
        shortest = min(b for _, b in self.prompt_buckets)
        if prefix > shortest:
            raise UsageError(
                f"shared_prefix_tokens ({prefix:,.0f}) is longer than the prompt ({shortest:,.0f} tokens)",
                param="shared_prefix_tokens",
            )

    @property
    def prompt_buckets(self) -> tuple[tuple[float, float], ...]:
        """(share of requests, prompt tokens), summing to one share."""
        return self.prompt_mix or ((1.0, self.input_tokens),)

    @property
    def cached_share_wanted(self) -> float:
        """The share of input tokens the workload would read from a prompt cache."""
        return self.shared_prefix_tokens / self.input_tokens if self.shared_prefix_tokens else self.cached_input_share

    def warm_share(self, ttl_s: float) -> float:
        """Share of requests that find the shared prefix still cached: with Poisson arrivals at the
        mean rate, the gap since the previous request is shorter than the TTL [0-1]."""
        return 1.0 - math.exp(-self.average_requests_per_s * ttl_s)

    def cache_plan(self, prompt_tokens: Number, charges_writes: bool, ttl_s: float) -> tuple[Number, float, Number]:
        """For a prompt of `prompt_tokens`: (the prefix a request would read from the cache, the share
        of requests that find it there, tokens written to the cache per request)."""
        if self.shared_prefix_tokens:
            warm = self.warm_share(ttl_s)
            writes = self.shared_prefix_tokens * (1 - warm) if charges_writes else 0.0
            return self.shared_prefix_tokens, warm, writes
        s = self.cached_input_share
        return prompt_tokens * s, 1.0, prompt_tokens * (1 - s) if charges_writes and s > 0 else 0.0

    @property
    def queries_per_month(self) -> float:
        return self.queries_per_day * self.days_per_month

    @property
    def average_requests_per_s(self) -> float:
        return self.queries_per_day / defaults.SECONDS_PER_DAY

    def to_dict(self) -> dict[str, Any]:
        return {
            "queries_per_day": self.queries_per_day,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cached_input_share": self.cached_input_share,
            "shared_prefix_tokens": self.shared_prefix_tokens,
            "prompt_mix": [list(b) for b in self.prompt_mix],
            "days_per_month": self.days_per_month,
            "queries_per_month": self.queries_per_month,
        }


ServiceTierName = Literal["standard", "flex", "priority"]
CacheTtl = Literal["5m", "1h"]
SERVICE_TIERS: tuple[str, ...] = get_args(ServiceTierName)
CACHE_TTLS: tuple[str, ...] = get_args(CacheTtl)
CACHE_TTL_S = {"5m": 300.0, "1h": 3600.0}  # prompt-cache lifetimes [s]


@dataclass(frozen=True)
class Billing:
    """How the API calls are made: batch API or not, service tier, prompt-cache TTL."""

    batch: bool = False
    service_tier: ServiceTierName = defaults.SERVICE_TIER
    cache_ttl: CacheTtl = defaults.CACHE_TTL

    def __post_init__(self) -> None:
        if self.service_tier not in SERVICE_TIERS:
            raise UsageError(
                f"unknown service tier '{self.service_tier}'; valid: {', '.join(SERVICE_TIERS)}", param="service_tier"
            )
        if self.cache_ttl not in CACHE_TTLS:
            raise UsageError(f"unknown cache TTL '{self.cache_ttl}'; valid: {', '.join(CACHE_TTLS)}", param="cache_ttl")
        if self.batch and self.service_tier != "standard":
            raise UsageError(
                "the batch API is its own tier: choose batch or a service tier, not both", param="service_tier"
            )

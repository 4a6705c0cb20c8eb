"""API cost: token prices times token volumes. Linear in volume by construction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from llmcost.catalog import ApiModel

if TYPE_CHECKING:
    from llmcost.workload import Number, Workload

TOKENS_PER_MTOK = 1_000_000


@dataclass(frozen=True)
class TokenPrices:
    """The per-million-token prices that apply to one workload (after tier and batch choice)."""

    input_usd_per_mtok: float
    cached_input_usd_per_mtok: float
    output_usd_per_mtok: float
    tier: str  # "standard" or "long_context"
    batch: bool
    notes: tuple[str, ...] = ()


def effective_prices(
    api: ApiModel, input_tokens: float, batch: bool = False, cached_input_share: float = 0.0
) -> TokenPrices:
    """Pick the price tier for a mean prompt size and apply the batch discount if asked."""
    notes: list[str] = []
    p_in, p_out, p_cached = api.input_usd_per_mtok, api.output_usd_per_mtok, api.cached_input_usd_per_mtok
    tier = "standard"
    lc = api.long_context
    if lc is not None and input_tokens > lc.above_prompt_tokens:
        tier = "long_context"
        p_in, p_out, p_cached = lc.input_usd_per_mtok, lc.output_usd_per_mtok, lc.cached_input_usd_per_mtok
        notes.append(f"prompts above {lc.above_prompt_tokens:,} tokens are billed at the long-context tier")
    if p_cached is None:
        p_cached = p_in  # no cache discount published: cached tokens cost full price
        if cached_input_share > 0:
            notes.append("no cached-input price: cached tokens billed at the input price")
    factor = 1.0
    if batch:
        if api.batch_discount is None:
            notes.append("no batch discount published: list prices used")
        else:
            factor = 1.0 - api.batch_discount
    return TokenPrices(p_in * factor, p_cached * factor, p_out * factor, tier, batch, tuple(notes))


def per_mtok(prices: TokenPrices) -> dict[str, float]:
    """The three prices as a mapping, the shape results and Monte Carlo use."""
    return {
        "input": prices.input_usd_per_mtok,
        "cached_input": prices.cached_input_usd_per_mtok,
        "output": prices.output_usd_per_mtok,
    }


def cost_per_query_usd(
    prices: TokenPrices, input_tokens: Number, output_tokens: Number, cached_input_share: Number
) -> Number:
    """USD per query: uncached input + cached input + output tokens at their prices [USD]."""
    uncached = input_tokens * (1 - cached_input_share)
    cached = input_tokens * cached_input_share
    return (
        uncached * prices.input_usd_per_mtok
        + cached * prices.cached_input_usd_per_mtok
        + output_tokens * prices.output_usd_per_mtok
    ) / TOKENS_PER_MTOK


def monthly_api_cost_usd(
    prices: TokenPrices,
    queries_per_day: Number,
    input_tokens: Number,
    output_tokens: Number,
    cached_input_share: Number = 0.0,
    days_per_month: Number = 365 / 12,
) -> Number:
    """Monthly API bill [USD/month] for a volume; accepts scalars or numpy arrays."""
    per_query = cost_per_query_usd(prices, input_tokens, output_tokens, cached_input_share)
    return per_query * queries_per_day * days_per_month


def api_usd_per_query(api: ApiModel, workload: Workload, batch: bool = False) -> float:
    """USD per query of an API for a workload's token mix (tier, cache share and batch applied)."""
    prices = effective_prices(api, workload.input_tokens, batch, workload.cached_input_share)
    return float(cost_per_query_usd(prices, workload.input_tokens, workload.output_tokens, workload.cached_input_share))

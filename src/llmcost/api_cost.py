"""API cost: token prices times token volumes. Linear in volume by construction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from llmcost import defaults
from llmcost.notes import Note
from llmcost.records import ApiModel

if TYPE_CHECKING:
    from llmcost.demand import Workload
    from llmcost.numeric import Number

TOKENS_PER_MTOK = 1_000_000


@dataclass(frozen=True)
class TokenPrices:
    """The per-million-token prices that apply to one workload (after tier and batch choice)."""

    input_usd_per_mtok: Number
    cached_input_usd_per_mtok: Number
    output_usd_per_mtok: Number
    tier: str  # "standard" or "long_context"
    batch: bool
    notes: tuple[Note, ...] = ()

    def scaled(self, factors: Mapping[str, Number]) -> TokenPrices:
        """Each price times its factor ('input', 'cached_input', 'output'; floats or draws)."""
        return replace(
            self,
            input_usd_per_mtok=self.input_usd_per_mtok * factors.get("input", 1.0),
            cached_input_usd_per_mtok=self.cached_input_usd_per_mtok * factors.get("cached_input", 1.0),
            output_usd_per_mtok=self.output_usd_per_mtok * factors.get("output", 1.0),
        )


def effective_prices(
    api: ApiModel, input_tokens: float, batch: bool = False, cached_input_share: float = 0.0
) -> TokenPrices:
    """Pick the price tier for a mean prompt size and apply the batch discount if asked."""
    notes: list[Note] = []
    p_in, p_out, p_cached = api.input_usd_per_mtok, api.output_usd_per_mtok, api.cached_input_usd_per_mtok
    tier = "standard"
    lc = api.long_context
    if lc is not None and input_tokens > lc.above_prompt_tokens:
        tier = "long_context"
        p_in, p_out, p_cached = lc.input_usd_per_mtok, lc.output_usd_per_mtok, lc.cached_input_usd_per_mtok
        notes.append(Note("long_context_tier", {"above_prompt_tokens": lc.above_prompt_tokens}))
    if p_cached is None:
        p_cached = p_in  # no cache discount published: cached tokens cost full price
        if cached_input_share > 0:
            notes.append(Note("no_cached_price"))
    factor = 1.0
    if batch:
        if api.batch_discount is None:
            notes.append(Note("no_batch_discount"))
        else:
            factor = 1.0 - api.batch_discount
    return TokenPrices(p_in * factor, p_cached * factor, p_out * factor, tier, batch, tuple(notes))


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
    cached_input_share: Number = defaults.CACHED_INPUT_SHARE,
    days_per_month: Number = defaults.DAYS_PER_MONTH,
) -> Number:
    """Monthly API bill [USD/month] for a volume; accepts scalars or numpy arrays."""
    per_query = cost_per_query_usd(prices, input_tokens, output_tokens, cached_input_share)
    return per_query * queries_per_day * days_per_month


def api_usd_per_query(api: ApiModel, workload: Workload, batch: bool = False) -> float:
    """USD per query of an API for a workload's token mix (tier, cache share and batch applied)."""
    prices = effective_prices(api, workload.input_tokens, batch, workload.cached_input_share)
    return float(cost_per_query_usd(prices, workload.input_tokens, workload.output_tokens, workload.cached_input_share))


def api_usd_per_qpd(api: ApiModel, workload: Workload, batch: bool = False) -> float:
    """An API's monthly cost per query-per-day [USD/month per query/day]: the slope of A(q)."""
    return api_usd_per_query(api, workload, batch) * workload.days_per_month

"""API bills as providers compute them: per request, per token class, per price tier.

A request's tokens fall in five classes: uncached input, cached input (read from the prompt cache),
cache writes, and output (the visible answer plus hidden reasoning tokens, which every provider in
the data bills as output). Each class has its own price; which prices apply is decided per request:

- long-context tier: a request whose prompt exceeds the tier's threshold bills every token at the
  tier's prices (applied to each prompt-size bucket, never to the mean prompt);
- prompt caching: nothing is cached below the model's minimum cacheable prompt, and a cached prefix
  is a whole multiple of the provider's caching granularity; where the provider charges writes,
  the tokens added to the cache bill at the write price of the chosen TTL (5 minutes or 1 hour);
- batch: the discount reaches only the token classes the provider lists (`batch_applies_to`);
- service tiers (flex, priority): their own prices, or one multiplier over the standard ones.

Everything accepts floats or numpy arrays (one element per Monte Carlo draw), so the point answer
and every draw come from the same arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from llmcost.demand import CACHE_TTL_S, Billing
from llmcost.notes import Note
from llmcost.numeric import as_float, floor, where

if TYPE_CHECKING:
    from llmcost.demand import Workload
    from llmcost.numeric import Number
    from llmcost.records import ApiModel, LongContextTier

TOKENS_PER_MTOK = 1_000_000


@dataclass(frozen=True)
class Rates:
    """USD per million tokens of each token class, as billed under one tier and billing choice."""

    input: float
    cached_input: float
    cache_write: float
    output: float


def rates(api: ApiModel, billing: Billing, long_context: bool = False) -> tuple[Rates, tuple[Note, ...]]:
    """The per-class prices of `api` under `billing`, in its standard or long-context tier."""
    notes: list[Note] = []
    lc: LongContextTier | None = api.long_context if long_context else None
    src = lc if lc is not None else api
    inp, out = src.input_usd_per_mtok, src.output_usd_per_mtok
    cached = src.cached_input_usd_per_mtok
    if cached is None:
        cached = inp  # no cache discount published: cached tokens cost full price
        notes.append(Note("no_cached_price"))
    ttl_1h = billing.cache_ttl == "1h"
    write = src.cache_write_1h_usd_per_mtok if ttl_1h else src.cache_write_usd_per_mtok
    if write is None and lc is not None:
        write = api.cache_write_1h_usd_per_mtok if ttl_1h else api.cache_write_usd_per_mtok
    if write is None and ttl_1h and api.cache_write_usd_per_mtok is not None:
        notes.append(Note("no_1h_write_price"))
        write = api.cache_write_usd_per_mtok
    write_price = write if write is not None else 0.0  # providers without a write price do not charge writes
    r = Rates(inp, cached, write_price, out)
    if billing.batch:
        if api.batch_discount is None:
            notes.append(Note("no_batch_discount"))
        else:
            off = 1.0 - api.batch_discount
            covered = set(api.batch_applies_to or ("input", "cached_input", "cache_write", "cache_write_1h", "output"))
            write_class = "cache_write_1h" if ttl_1h else "cache_write"
            r = Rates(
                r.input * off if "input" in covered else r.input,
                r.cached_input * off if "cached_input" in covered else r.cached_input,
                r.cache_write * off if write_class in covered else r.cache_write,
                r.output * off if "output" in covered else r.output,
            )
            if "cached_input" not in covered:
                notes.append(Note("batch_keeps_cached_price"))
    elif billing.service_tier != "standard":
        tiers = api.service_tiers
        tier = getattr(tiers, billing.service_tier) if tiers is not None else None
        if tier is None:
            notes.append(Note("no_service_tier", {"service_tier": billing.service_tier}))
        elif tier.multiplier is not None:
            m = tier.multiplier
            r = Rates(r.input * m, r.cached_input * m, r.cache_write * m, r.output * m)
        elif lc is not None:
            notes.append(Note("service_tier_long_context", {"service_tier": billing.service_tier}))
        else:
            assert tier.input_usd_per_mtok is not None and tier.output_usd_per_mtok is not None
            tier_cached = tier.cached_input_usd_per_mtok
            # a tier's own write price is the default-TTL one; a 1-hour write keeps the standard price
            tier_write = tier.cache_write_usd_per_mtok if not ttl_1h else None
            r = Rates(
                tier.input_usd_per_mtok,
                tier_cached if tier_cached is not None else tier.input_usd_per_mtok,
                tier_write if tier_write is not None else r.cache_write,
                tier.output_usd_per_mtok,
            )
    return r, tuple(notes)


# ---------------------------------------------------------------- one request


@dataclass(frozen=True)
class RequestTokens:
    """One request's tokens as a provider's usage object reports them."""

    input_tokens: Number  # every prompt token, cache reads and cache writes included
    cache_read_tokens: Number = 0.0
    cache_write_tokens: Number = 0.0
    output_tokens: Number = 0.0  # visible answer + reasoning tokens (reasoning bills as output)


def tokens_usd(r: Rates, t: RequestTokens, factors: Mapping[str, Number] | None = None) -> Number:
    """USD of one request's tokens at per-class rates; `factors` scale the input / cached_input /
    output prices (Monte Carlo draws; cache writes follow the input price)."""
    f = factors or {}
    fin, fcached, fout = f.get("input", 1.0), f.get("cached_input", 1.0), f.get("output", 1.0)
    uncached = t.input_tokens - t.cache_read_tokens - t.cache_write_tokens
    usd = (
        uncached * r.input * fin
        + t.cache_read_tokens * r.cached_input * fcached
        + t.cache_write_tokens * r.cache_write * fin
        + t.output_tokens * r.output * fout
    )
    return usd / TOKENS_PER_MTOK


def request_usd(
    api: ApiModel, tokens: RequestTokens, *, batch: bool = False, service_tier: str = "standard", cache_ttl: str = "5m"
) -> float:
    """USD of one request as the provider bills it: the long-context tier if this prompt exceeds
    its threshold, the batch or service tier asked for. Cache reads/writes are taken as given."""
    billing = Billing(batch, service_tier, cache_ttl)  # type: ignore[arg-type]
    lc = api.long_context is not None and float(tokens.input_tokens) > api.long_context.above_prompt_tokens
    r, _ = rates(api, billing, long_context=lc)
    return float(tokens_usd(r, tokens))


# ---------------------------------------------------------------- a workload's bill


@dataclass(frozen=True)
class Bill:
    """An API's bill per query for a workload (floats, or arrays over Monte Carlo draws)."""

    usd_per_query: Number
    input_tokens: Number  # mean prompt tokens per query
    cached_tokens: Number  # of which read from the cache (what the prompt can reach)
    cache_write_tokens: Number
    output_tokens: Number  # visible
    reasoning_tokens: Number
    long_context_share: Number  # share of requests billed at the long-context tier
    notes: tuple[Note, ...] = ()

    @property
    def cached_share(self) -> Number:
        return self.cached_tokens / self.input_tokens


def cached_tokens(api: ApiModel, prompt_tokens: Number, wanted: Number) -> Number:
    """The prefix of a prompt the provider can serve from its cache when `wanted` tokens would be:
    none below the minimum cacheable prompt (the cached prefix itself must reach it), whole
    multiples of the caching granularity above it."""
    got = wanted
    if api.cache_granularity_tokens:
        g = api.cache_granularity_tokens
        got = floor(got / g) * g
    if api.min_cacheable_prompt_tokens:
        got = where(got >= api.min_cacheable_prompt_tokens, got, 0.0)
    return got


def bill(
    api: ApiModel,
    workload: Workload,
    billing: Billing,
    reasoning_tokens: Number = 0.0,
    *,
    input_scale: Number = 1.0,
    output_tokens: Number | None = None,
    price_factors: Mapping[str, Number] | None = None,
) -> Bill:
    """The bill per query of `workload` on `api`: each prompt-size bucket priced on its own (tier,
    cache minimum), cache writes where the provider charges them, reasoning billed as output.
    `input_scale` scales every prompt (a drawn mean over the central one); `output_tokens` replaces
    the visible output (a draw)."""
    out_visible = workload.output_tokens if output_tokens is None else output_tokens
    billed_output = out_visible + reasoning_tokens
    std, std_notes = rates(api, billing)
    notes = list(std_notes)
    lc_rates = rates(api, billing, long_context=True) if api.long_context is not None else None
    usd: Number = 0.0
    prompt: Number = 0.0
    cached: Number = 0.0
    written: Number = 0.0
    lc_share: Number = 0.0
    charges_writes = std.cache_write > 0
    lost: Number = 0.0  # share of requests whose wanted cache the minimum cacheable prompt rules out
    for share, bucket_tokens in workload.prompt_buckets:
        p = bucket_tokens * input_scale
        wanted, hit, writes = workload.cache_plan(p, charges_writes, CACHE_TTL_S[billing.cache_ttl])
        prefix = cached_tokens(api, p, wanted)
        lost = lost + share * as_float((wanted > 0) & (prefix <= 0))
        c = prefix * hit
        # a prefix too short to cache is not written either
        w = where(prefix > 0, writes, 0.0) if api.min_cacheable_prompt_tokens else writes
        t = RequestTokens(p, c, w, billed_output)
        cost = tokens_usd(std, t, price_factors)
        if lc_rates is not None and api.long_context is not None:
            above = p > api.long_context.above_prompt_tokens
            cost = where(above, tokens_usd(lc_rates[0], t, price_factors), cost)
            lc_share = lc_share + share * as_float(above)
        usd = usd + share * cost
        prompt, cached, written = prompt + share * p, cached + share * c, written + share * w
    if lc_rates is not None and _any(lc_share):
        threshold = api.long_context.above_prompt_tokens  # type: ignore[union-attr]
        notes.append(Note("long_context_tier", {"above_prompt_tokens": threshold, "share": _mean(lc_share)}))
        notes.extend(n for n in lc_rates[1] if n not in notes)
    if not _any(workload.cached_share_wanted):
        notes = [n for n in notes if n.code != "no_cached_price"]
    elif _any(lost):
        values = {
            "wanted": workload.cached_share_wanted,
            "attainable": float(_mean(cached / prompt)),
            "min_cacheable_prompt_tokens": api.min_cacheable_prompt_tokens,
        }
        notes.append(Note("cache_share_unattainable", values))
    return Bill(usd, prompt, cached, written, out_visible, reasoning_tokens, lc_share, tuple(notes))


def _any(x: object) -> bool:
    if isinstance(x, bool | int | float):
        return x > 0
    import numpy as np

    return bool(np.any(np.asarray(x) > 0))


def _mean(x: Number) -> float:
    if isinstance(x, int | float):
        return float(x)
    import numpy as np

    return float(np.mean(x))

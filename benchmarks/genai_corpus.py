"""Per-request prices: llmcost against genai-prices' dataset of real provider usages.

    python -m benchmarks.genai_corpus                  # the copied subset, tests/fixtures/genai_prices_usages.json
    python -m benchmarks.genai_corpus --usages PATH    # the whole set: a copy of pydantic/genai-prices
                                                       # tests/dataset/usages.json (needs genai-prices installed)

genai-prices' `tests/dataset/usages.json` holds ~1,600 response bodies recorded by pydantic-ai's tests
(real provider answers), each parsed by every usage extractor genai-prices has, with the price
genai-prices computes for each (provider, extractor) at one fixed instant: 2025-11-06 12:00 UTC
(`tests/dataset/extract_usages.py`). A usage is genai-prices' own shape: `input_tokens` is every
prompt token, cache reads and writes included (`cache_read_tokens`, `cache_write_tokens` are parts
of it); `output_tokens` includes reasoning (`output_reasoning_tokens` is a part of it).

For every body whose model both genai-prices (on the model's own provider) and llmcost's API catalog
know (`MAPPING`), llmcost's `request_usd` is compared with genai-prices' total price, to 1e-9
relative. Prints: bodies total, bodies on a mapped model, pass, fail, and each failure with its cause
where a rule below recognises it (`explain`): a non-token fee, a modality price, a long-context tier
one side lacks, or a per-token price that differs.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from llmcost.billing import RequestTokens, request_usd
from llmcost.catalog import Catalog, load_catalog
from llmcost.records import ApiModel

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "genai_prices_usages.json"
# tests/dataset/extract_usages.py prices every usage at this instant (not the request's own date)
PRICED_AT = datetime(2025, 11, 6, 12, 0, 0, tzinfo=UTC)
REL_TOL = 1e-9

# genai-prices provider -> the API flavours of that provider's own API. A body is parsed by every
# extractor that can read it; the others are not this provider's answer (openai's 'embeddings'
# extractor also reads a chat completion, without its output tokens).
NATIVE_FLAVORS: dict[str, frozenset[str]] = {
    "openai": frozenset({"chat", "responses"}),
    "anthropic": frozenset({"default"}),
    "google": frozenset({"default"}),
    "mistral": frozenset({"default"}),
    "deepseek": frozenset({"chat"}),
    "groq": frozenset({"default"}),
}  # the dataset has no Together or Fireworks body

# (genai-prices provider, genai-prices model id) -> llmcost api id: the models both know. The
# genai-prices id is what its own matcher (`Provider.find_model`) resolves the body's model to.
MAPPING: dict[tuple[str, str], str] = {
    ("openai", "gpt-4o"): "openai/gpt-4o",
    ("openai", "gpt-4o-mini"): "openai/gpt-4o-mini",
    ("openai", "gpt-4.1"): "openai/gpt-4.1",
    ("openai", "gpt-4.1-mini"): "openai/gpt-4.1-mini",
    ("openai", "gpt-5"): "openai/gpt-5",
    ("openai", "gpt-5-mini"): "openai/gpt-5-mini",
    ("openai", "o3"): "openai/o3",
    ("openai", "o4-mini"): "openai/o4-mini",
    ("anthropic", "claude-sonnet-4-0"): "anthropic/claude-sonnet-4",
    ("anthropic", "claude-sonnet-4-5"): "anthropic/claude-sonnet-4.5",
    ("anthropic", "claude-haiku-4-5"): "anthropic/claude-haiku-4.5",
    ("anthropic", "claude-3-5-haiku-latest"): "anthropic/claude-haiku-3.5",
    ("anthropic", "claude-3-5-sonnet"): "anthropic/claude-sonnet-3.5",
    ("anthropic", "claude-opus-4-0"): "anthropic/claude-opus-4",
    ("anthropic", "claude-opus-4-1"): "anthropic/claude-opus-4.1",
    ("anthropic", "claude-opus-4-5"): "anthropic/claude-opus-4.5",
    ("google", "gemini-2.5-pro"): "google/gemini-2.5-pro",
    ("google", "gemini-2.5-flash"): "google/gemini-2.5-flash",
    ("deepseek", "deepseek-chat"): "deepseek/deepseek-chat",
    ("deepseek", "deepseek-reasoner"): "deepseek/deepseek-reasoner",
    # genai-prices' mistral-large matches mistral-large-latest, -2407 and -2411: Mistral Large 2's prices
    ("mistral", "mistral-large"): "mistral/mistral-large-2",
    # the alias was Small 3.2 at PRICED_AT; genai-prices moves it to Small 4's prices from 2026-03-16
    ("mistral", "mistral-small-latest"): "mistral/mistral-small-3.2",
    ("mistral", "mistral-small-3.2-24b-instruct"): "mistral/mistral-small-3.2",
    ("mistral", "mistral-large-2512"): "mistral/mistral-large-3",
    ("mistral", "mistral-small-2603"): "mistral/mistral-small-4",
    ("groq", "llama-3.3-70b-versatile"): "groq/llama-3.3-70b",
    ("groq", "llama-3.1-8b-instant"): "groq/llama-3.1-8b",
}

# Model references genai-prices' matcher sends to a mapped model although they name another model.
NOT_THE_MODEL: dict[str, str] = {
    "deepseek-r1-distill-llama-70b": "a Llama-70B distill (Groq, OVHcloud); genai-prices' deepseek provider "
    "matches any 'deepseek-r1*' to deepseek-reasoner",
}

# Usage keys llmcost's RequestTokens carries (the parts below are read for their totals only).
_TOKEN_TOTALS = ("input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens")


@dataclass(frozen=True)
class Case:
    """One body's usage as its model's own provider reports it, and genai-prices' price for it."""

    key: str  # the fixture's id, or '#<index in usages.json>'
    file: str  # the pydantic-ai cassette the body came from
    provider_id: str
    api_flavor: str
    model_ref: str
    genai_model_id: str
    api_id: str
    usage: dict[str, int]
    input_price: Decimal
    output_price: Decimal
    total_price: Decimal


@dataclass(frozen=True)
class Outcome:
    case: Case
    ours: float
    theirs: float
    causes: tuple[Cause, ...] = ()  # why they differ (empty: equal, or not looked for)

    @property
    def passed(self) -> bool:
        return same(self.ours, self.theirs)

    @property
    def reason(self) -> str:
        return "; ".join(c.detail for c in self.causes) or "?"

    @property
    def kinds(self) -> str:
        return " + ".join(c.kind for c in self.causes) or "?"

    @property
    def ratio(self) -> float:
        return self.ours / self.theirs if self.theirs else math.inf


def same(a: float, b: float, rel: float = REL_TOL) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-15)


def load_usages(path: Path) -> list[dict[str, Any]]:
    """The rows of a usages.json (a list), or of the fixture (an object whose 'usages' is that list)."""
    data = json.loads(path.read_text())
    rows = data["usages"] if isinstance(data, dict) else data
    assert isinstance(rows, list), f"{path}: expected a list of usage rows"
    return rows


def genai_resolver() -> Callable[[str, str], str | None]:
    """(provider id, model ref) -> genai-prices model id, by the installed package's own matcher."""
    from genai_prices.data_snapshot import get_snapshot

    snapshot = get_snapshot()

    def resolve(provider_id: str, model_ref: str) -> str | None:
        provider = snapshot.find_provider(None, provider_id, None)
        model = provider.find_model(model_ref)
        return None if model is None else str(model.id)

    return resolve


def cases(rows: Iterable[dict[str, Any]], resolve: Callable[[str, str], str | None] | None = None) -> list[Case]:
    """Every (body, mapped model) with a price from the model's own provider: at most one per body and
    provider (the dataset has no body whose native flavours disagree on the usage). Without `resolve`
    a row's stored 'genai_model_id' (the fixture's) names the model."""
    out: list[Case] = []
    for index, row in enumerate(rows):
        model_ref = row.get("model")
        if not model_ref or model_ref in NOT_THE_MODEL:
            continue
        seen: set[str] = set()
        for extracted in row["extracted"]:
            for ex in extracted["extractors"]:
                provider_id, flavor = ex["provider_id"], ex["api_flavor"]
                if flavor not in NATIVE_FLAVORS.get(provider_id, ()) or "input_price" not in ex:
                    continue
                if provider_id in seen:
                    continue
                model_id = resolve(provider_id, model_ref) if resolve else row.get("genai_model_id")
                api_id = MAPPING.get((provider_id, model_id)) if model_id else None
                if api_id is None:
                    continue
                seen.add(provider_id)
                inp, outp = Decimal(ex["input_price"]), Decimal(ex["output_price"])
                out.append(
                    Case(
                        key=row.get("id", f"#{index}"),
                        file=row["body"].get("file", ""),
                        provider_id=provider_id,
                        api_flavor=flavor,
                        model_ref=model_ref,
                        genai_model_id=str(model_id),
                        api_id=api_id,
                        usage=dict(extracted["usage"]),
                        input_price=inp,
                        output_price=outp,
                        total_price=Decimal(ex.get("total_price", inp + outp)),
                    )
                )
    return out


def request_tokens(usage: dict[str, int]) -> RequestTokens:
    """genai-prices' usage -> llmcost's: the same totals (input with its cache reads and writes inside,
    output with its reasoning inside). Modality parts (audio, image, ...) and tool calls have no place
    in RequestTokens; they are priced as the text tokens they are counted in."""
    cache_write = usage.get(
        "cache_write_tokens", usage.get("cache_write_5m_tokens", 0) + usage.get("cache_write_1h_tokens", 0)
    )
    return RequestTokens(
        input_tokens=float(usage.get("input_tokens", 0)),
        cache_read_tokens=float(usage.get("cache_read_tokens", 0)),
        cache_write_tokens=float(cache_write),
        output_tokens=float(usage.get("output_tokens", 0)),
    )


def ours(cat: Catalog, case: Case) -> float:
    return float(request_usd(cat.apis[case.api_id], request_tokens(case.usage)))


# ---------------------------------------------------------------- why a price differs


def _usd_per_mtok(price: Any, input_tokens: int) -> float | None:
    """A genai-prices price (Decimal, or TieredPrices: the tier this prompt reaches) as a float."""
    if price is None:
        return None
    tiers = getattr(price, "tiers", None)
    if tiers is None:
        return float(price)
    value = price.base
    for tier in tiers:
        if input_tokens > tier.start:
            value = tier.price
    return float(value)


def _our_rates(api: ApiModel, input_tokens: int) -> tuple[dict[str, float | None], bool]:
    """llmcost's per-Mtok prices for a prompt of `input_tokens`, and whether its long-context tier applies."""
    lc = api.long_context
    in_tier = lc is not None and input_tokens > lc.above_prompt_tokens
    src: Any = lc if in_tier else api
    return {
        "input": src.input_usd_per_mtok,
        "output": src.output_usd_per_mtok,
        "cache read": src.cached_input_usd_per_mtok,
        "cache write": src.cache_write_usd_per_mtok or api.cache_write_usd_per_mtok,
    }, in_tier


@dataclass(frozen=True)
class Cause:
    kind: str  # the failure class: 'non-token fee', 'modality price', 'long-context tier', 'per-token price', '?'
    detail: str


def explain(cat: Catalog, case: Case, ours_usd: float) -> tuple[Cause, ...]:
    """Why llmcost's price for `case` differs from genai-prices' (needs genai-prices installed). Peels
    the difference in layers, each checked against genai-prices' own arithmetic:
    1. a non-token fee (web searches) in genai-prices' total: set aside, compare the token prices;
    2. a modality-specific price (audio input): price the usage's totals alone with genai-prices;
    3. what is left: a long-context tier one side has and the other lacks for this prompt, or
       per-token prices that differ at PRICED_AT (a price change, a stale entry); '?' if neither."""
    from genai_prices import Usage, calc_price
    from genai_prices.data_snapshot import get_snapshot

    causes: list[Cause] = []
    usage = case.usage
    target = float(case.total_price)
    tokens_only = case.input_price + case.output_price
    if case.total_price != tokens_only:
        fees = {k: v for k, v in usage.items() if not k.endswith("_tokens")}
        causes.append(
            Cause(
                "non-token fee",
                f"genai-prices adds ${float(case.total_price - tokens_only):.4g} for {fees}; llmcost prices tokens",
            )
        )
        target = float(tokens_only)
    model = get_snapshot().find_provider(None, case.provider_id, None).find_model(case.model_ref)
    assert model is not None
    theirs = model.get_prices(PRICED_AT)
    if not same(ours_usd, target):
        totals = {k: usage[k] for k in _TOKEN_TOTALS if k in usage}
        t = calc_price(Usage(**totals), case.model_ref, provider_id=case.provider_id, genai_request_timestamp=PRICED_AT)
        totals_usd = float(t.total_price)
        if not same(totals_usd, target):
            parts = sorted(
                k for k in usage if k not in _TOKEN_TOTALS and getattr(theirs, k.replace("_tokens", "_mtok"), None)
            )
            causes.append(
                Cause("modality price", f"genai-prices prices {', '.join(parts)} apart; llmcost bills them as text")
            )
            target = totals_usd
    if not same(ours_usd, target):
        n_in = usage.get("input_tokens", 0)
        mine, in_tier = _our_rates(cat.apis[case.api_id], n_in)
        tiered = getattr(theirs.input_mtok, "tiers", None)
        their_tier = bool(tiered) and any(n_in > t.start for t in tiered or ())
        if their_tier and not in_tier:
            causes.append(
                Cause(
                    "long-context tier",
                    f"{n_in:,}-token prompt: genai-prices bills its long-context tier "
                    f"({_usd_per_mtok(theirs.input_mtok, n_in):g}/{_usd_per_mtok(theirs.output_mtok, n_in):g}); "
                    f"llmcost's {case.api_id} has no long_context",
                )
            )
        elif in_tier and not their_tier:
            causes.append(
                Cause(
                    "long-context tier",
                    f"{n_in:,}-token prompt: llmcost's long_context tier applies; genai-prices has none for "
                    f"{case.provider_id}/{model.id}",
                )
            )
        else:
            theirs_rates = {
                "input": _usd_per_mtok(theirs.input_mtok, n_in),
                "output": _usd_per_mtok(theirs.output_mtok, n_in),
                "cache read": _usd_per_mtok(theirs.cache_read_mtok, n_in),
                "cache write": _usd_per_mtok(theirs.cache_write_mtok, n_in),
            }
            differ = [
                f"{name} {mine[name]:g} vs {value:g}"
                for name, value in theirs_rates.items()
                if value is not None and (ours_rate := mine[name]) is not None and not same(ours_rate, value)
            ]
            if differ:
                causes.append(
                    Cause(
                        "per-token price",
                        f"USD/Mtok llmcost vs genai-prices at {PRICED_AT:%Y-%m-%d %H:%M} UTC: " + ", ".join(differ),
                    )
                )
            else:
                causes.append(Cause("?", "no rule explains it"))
    return tuple(causes)


# ---------------------------------------------------------------- run


def run(cat: Catalog, found: Sequence[Case], with_reasons: bool = True) -> list[Outcome]:
    outcomes = []
    for case in found:
        usd = ours(cat, case)
        theirs = float(case.total_price)
        causes = explain(cat, case, usd) if with_reasons and not same(usd, theirs) else ()
        outcomes.append(Outcome(case, usd, theirs, causes))
    return outcomes


def recomputed(found: Sequence[Case]) -> int:
    """How many of the dataset's prices the installed genai-prices reproduces at PRICED_AT."""
    from genai_prices import Usage, calc_price

    agree = 0
    for case in found:
        p = calc_price(
            Usage(**case.usage), case.model_ref, provider_id=case.provider_id, genai_request_timestamp=PRICED_AT
        )
        agree += p.total_price == case.total_price
    return agree


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--usages", type=Path, default=FIXTURE, help="usages.json, or the fixture (default)")
    args = parser.parse_args(argv)
    rows = load_usages(args.usages)
    try:
        import genai_prices

        resolve: Callable[[str, str], str | None] | None = genai_resolver()
        how = f"genai-prices {genai_prices.__version__}'s model matcher"
    except ImportError:
        resolve = None
        how = "the fixture's stored genai_model_id (genai-prices not installed)"
        if args.usages != FIXTURE:
            sys.exit("matching the whole usages.json needs genai-prices: pip install 'llmcost[genai]'")
    cat = load_catalog()
    found = cases(rows, resolve)
    outcomes = run(cat, found, with_reasons=resolve is not None)
    failed = [o for o in outcomes if not o.passed]
    print(f"usages: {args.usages}")
    print(f"models resolved by {how}; genai-prices' prices are at {PRICED_AT:%Y-%m-%d %H:%M} UTC")
    print(f"bodies total: {len(rows)}")
    excluded = sum(1 for r in rows if r.get("model") in NOT_THE_MODEL)
    if excluded:
        wrong = ", ".join(NOT_THE_MODEL)
        print(f"left out: {excluded} bodies of models genai-prices matches to a mapped one wrongly ({wrong})")
    print(f"bodies on a model both know: {len(found)} ({len({c.api_id for c in found})} llmcost models)")
    print(f"pass: {len(outcomes) - len(failed)}")
    print(f"fail: {len(failed)}")
    if resolve is not None:
        print(f"the installed genai-prices reproduces {recomputed(found)} of the {len(found)} expected prices")
    per_model = Counter(o.case.api_id for o in outcomes)
    per_model_fail = Counter(o.case.api_id for o in failed)
    print(f"{'llmcost model':<30}{'usages':>8}{'fail':>6}")
    for api_id, n in sorted(per_model.items()):
        print(f"{api_id:<30}{n:>8}{per_model_fail[api_id]:>6}")
    if failed:
        print(f"{'usage':<22}{'model':<30}{'ours':>12}{'theirs':>12}{'ratio':>8}  reason")
        for o in failed:
            print(
                f"{o.case.key[:21]:<22}{o.case.api_id:<30}{o.ours:>12.6g}{o.theirs:>12.6g}{o.ratio:>8.3f}  {o.reason}"
            )
        print("failure classes:")
        for kinds, n in Counter(o.kinds for o in failed).most_common():
            print(f"  {n:>4}  {kinds}")


if __name__ == "__main__":
    main()

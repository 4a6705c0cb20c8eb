"""Notes on results: a code and the numbers behind it. The model attaches them; `message` words
them (the one place that does), so JSON carries both and renderers never parse a sentence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_WORDS: dict[str, str] = {
    "long_context_tier": "{share:.0%} of requests have prompts above {above_prompt_tokens:,} tokens: billed at the "
    "long-context tier",
    "no_cached_price": "no cached-input price: cached tokens billed at the input price",
    "no_batch_discount": "no batch discount published: list prices used",
    "batch_keeps_cached_price": "the batch discount does not reach cached input (billed at the standard cache price)",
    "no_1h_write_price": "no 1-hour cache-write price: writes billed at the 5-minute price",
    "no_service_tier": "no {service_tier} tier published: standard prices used",
    "service_tier_long_context": "no {service_tier} prices for the long-context tier: long-context list prices used",
    "cache_share_unattainable": "a {wanted:.0%} cached share is out of reach (a cached prefix under "
    "{min_cacheable_prompt_tokens:,} tokens is not cached): billed at the attainable {attainable:.0%}",
    "reasoning": "{reasoning_tokens:,.0f} reasoning tokens per query {how}, billed as output",
    "reasoning_decode": "{reasoning_tokens:,.0f} reasoning tokens per query {how}, run as decode steps",
    "price_reversal": "lower list price than {other}, yet {ratio:.1f}x its cost once reasoning tokens are counted",
    "no_effort_quality": "no quality score at {effort} effort (the score is for {scored}): left out of pairing",
    "retired": "retired on {retirement_date}: kept for history, left out of defaults",
    "deprecated": "deprecated on {deprecation_date} (retires {retirement_date})",
    "context_window": "a query exceeds the {context_window_tokens:,}-token context window",
    "undated_price": "price source is undated",
    "undated_rental": "rental price {offer} is from an undated source",
    "weight_only": "{gpu} has no {precision} tensor cores: {quantization} runs weight-only (weights stored at "
    "{bits:g} bits, matmuls at 16-bit)",
    "tp_link": "{gpus} x {gpu}: tensor-parallel all-reduces over {fabric} at {gb_per_s:g} GB/s{why}",
    "amd_fitted_on_nvidia": "{gpu}: the throughput model's factors are fitted on NVIDIA GPUs; published vLLM "
    "ROCm runs on 8 x MI300X reach less than it predicts at large batches (README: Accuracy at a given concurrency)",
    "non_commercial": "{model}: licence '{licence}' does not permit commercial use",
    "autoscaled": "autoscaled ({profile} profile, {low}-{high} replicas): GPUs ${autoscaled_usd:,.0f}/month vs "
    "${fixed_usd:,.0f} fixed for the peak",
}


@dataclass(frozen=True)
class Note:
    """A note on a result: a code and the numbers behind it, worded by `message`."""

    code: str
    values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return _WORDS[self.code].format(**self.values)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.values}

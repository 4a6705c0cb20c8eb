"""Notes on results: a code and the numbers behind it. The model attaches them; `message` words
them (the one place that does), so JSON carries both and renderers never parse a sentence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_WORDS: dict[str, str] = {
    "long_context_tier": "prompts above {above_prompt_tokens:,} tokens are billed at the long-context tier",
    "no_cached_price": "no cached-input price: cached tokens billed at the input price",
    "no_batch_discount": "no batch discount published: list prices used",
    "context_window": "a query exceeds the {context_window_tokens:,}-token context window",
    "undated_price": "price source is undated",
    "undated_rental": "rental price {offer} is from an undated source",
    "weight_only": "{gpu} has no {precision} tensor cores: {quantization} runs weight-only (weights stored at "
    "{bits:g} bits, matmuls at 16-bit)",
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

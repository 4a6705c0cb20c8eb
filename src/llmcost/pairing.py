"""Which APIs a self-hosted model should be compared with: quality-matched pairings.

Quality is LMArena's style-controlled Elo (every API and open model in the data carries one, with
its source). Quantization costs quality: a format that keeps r% of the bf16 model's benchmark
scores (data/quantization.yaml, measured medians) is treated as r% as strong in the Bradley-Terry
sense behind Elo, i.e. 400 * log10(r / 100) Elo lower (int4 at 98.9% -> -1.9 Elo; fp4 at 95.7%
-> -7.6 Elo). Gaps under the leaderboard's confidence interval count as ties.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from llmcost.defaults import QUALITY_TOLERANCE_ELO
from llmcost.notes import Note
from llmcost.quantization import Quantization
from llmcost.reasoning import Reasoning
from llmcost.records import ApiModel, ApiQuality, OpenModel, Quality


def costed_elo(quality: Quality | ApiQuality | None, reasoning: Reasoning) -> tuple[float | None, Note | None]:
    """The Elo of the product that is costed: a score measured at another reasoning effort than the
    costed one describes a different product, so it is not used (and a note says why)."""
    if quality is None:
        return None, None
    scored = quality.effort
    if scored is None or reasoning.effort is None or scored == reasoning.effort:
        return quality.lmarena_elo, None
    # "default": the arena ran the API as it comes; so does a figure chosen as the default, or one
    # whose source names no effort either
    if scored == "default" and (reasoning.is_default or reasoning.effort == "unspecified"):
        return quality.lmarena_elo, None
    return None, Note("no_effort_quality", {"effort": reasoning.effort, "scored": scored})


def quantized_elo(
    model: OpenModel, quant: Quantization, recovery_pct: Mapping[str, float], reasoning: Reasoning | None = None
) -> float | None:
    """The model's Elo at a quantization and the costed effort (None when it has no such score)."""
    elo = model.quality.lmarena_elo if model.quality else None
    if reasoning is not None:
        elo = costed_elo(model.quality, reasoning)[0]
    if elo is None:
        return None
    recovery = recovery_pct.get(quant.id, 100.0)
    return elo + 400 * math.log10(min(recovery, 100.0) / 100)


@dataclass(frozen=True)
class Pairing:
    api: str
    reason: str


def pair_apis(
    apis: Mapping[str, ApiModel],
    model: OpenModel,
    elo: float | None,
    usd_per_query: Mapping[str, float],
    api_elo: Mapping[str, float | None],
) -> list[Pairing]:
    """Hosted versions of the same model, the cheapest API at least as good, and the API closest in
    quality, among the APIs in `usd_per_query` (API id -> cost per query for the workload);
    `api_elo` is each API's Elo at its costed reasoning effort."""
    out = [Pairing(a, "hosted version of the same model") for a in usd_per_query if apis[a].open_model == model.id]
    if elo is None:
        return out
    rated = {a: e for a in usd_per_query if (e := api_elo.get(a)) is not None}
    good = [a for a, e in rated.items() if e >= elo - QUALITY_TOLERANCE_ELO]
    chosen = {p.api for p in out}
    if good:
        best = min(good, key=lambda a: usd_per_query[a])
        if best not in chosen:
            out.append(Pairing(best, f"cheapest API at least as good (Elo {rated[best]:.0f} vs {elo:.0f})"))
            chosen.add(best)
    if rated:
        near = min(rated, key=lambda a: abs(rated[a] - elo))
        if near not in chosen:
            out.append(Pairing(near, f"closest in quality (Elo {rated[near]:.0f} vs {elo:.0f})"))
    return out

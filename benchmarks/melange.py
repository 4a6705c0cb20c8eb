"""Mélange's scenario with llmcost's own physics and prices: how much does mixing GPU types save?

    python benchmarks/melange.py

Mélange (Griggs et al., arXiv 2404.14527; github.com/tyler-griggs/melange-release, blog
melange/blog/melange-blog.md) serves Llama2-7b on L4, A10G, A100-80GB and H100 at TPOT SLOs of 40 and
120 ms, on short chat requests (Chatbot Arena), long documents (PubMed summarization) and an 80/20 blend,
and reports cost reductions against the best single GPU type of 15-77% (Arena, 120 ms), 9-68% (Arena,
40 ms), 15-33% (PubMed, 120 ms), 2-22% (PubMed, 40 ms), 13-51% (mixed, 120 ms), 4-51% (mixed, 40 ms)
over request rates from 1 to 32 req/s.

What differs here, so the comparison is of direction and size, not of figures:
- the model is Llama-2-7b as its published architecture (benchmarks/melange_data/models.yaml, merged over
  the shipped catalog for this script only); a second run with llama-3.1-8b (grouped-query attention: a
  quarter of the KV cache) shows how much the answer depends on the model, and llama-3.1-70b stands in
  for Llama-2-70b (the same 80 layers, 8 KV heads and FFN width; a larger vocabulary and context);
- throughput and TPOT come from llmcost's roofline model (throughput.py), not measurements; TPOT there
  includes the stalls of prefills interleaved with decoding;
- prices are the cheapest shipped on-demand offer of each GPU (data/pricing.yaml), not Mélange's;
- the request-size buckets are assumed shapes with chat-like and document-like sizes (below), not the
  datasets' histograms, which are not in the catalog;
- instances are loaded to the capacity that meets the SLO (utilization 1.0), as Mélange loads GPUs to
  their profiled SLO-meeting throughput; bf16 weights and vLLM, as in Mélange.
"""

from __future__ import annotations

from pathlib import Path

from llmcost.catalog import load_catalog
from llmcost.commands.common import inputs_for
from llmcost.commands.plan import plan_fleet
from llmcost.fleet import RequestBucket
from llmcost.records import PRICING_MODELS

GPUS = ["l4", "a10g", "a100-80gb", "h100-sxm"]
# (share of requests, prompt tokens, output tokens): assumed shapes, see the module docstring
ARENA = [(0.45, 40, 150), (0.30, 150, 250), (0.18, 400, 350), (0.07, 1200, 400)]  # short chat
PUBMED = [(0.15, 1000, 200), (0.35, 2000, 250), (0.35, 3000, 250), (0.15, 3500, 300)]  # long documents (4k context)
MIXED = [(0.8 * s, i, o) for s, i, o in ARENA] + [(0.2 * s, i, o) for s, i, o in PUBMED]
DATASETS = {"arena": ARENA, "pubmed": PUBMED, "mixed": MIXED}
PUBLISHED = {("arena", 120): (15, 77), ("arena", 40): (9, 68), ("pubmed", 120): (15, 33), ("pubmed", 40): (2, 22),
             ("mixed", 120): (13, 51), ("mixed", 40): (4, 51)}  # fmt: skip
RATES = (1, 2, 4, 8, 16, 32)  # requests/s
DATA = Path(__file__).parent / "melange_data"


def saving(model: str, dataset: str, slo_ms: float, rate: float) -> tuple[float, str, dict[str, float]]:
    """(mixed cost per month, its fleet, each GPU type's own cheapest fleet cost) at `rate` requests/s."""
    cat = load_catalog([DATA])
    inp = inputs_for("plan", None, cat, {"qpd": rate * 86_400, "models": [model], "gpus": GPUS, "quants": ["bf16"],
                                         "engine": "vllm", "pricing": "on_demand", "max_tpot_ms": slo_ms,
                                         "utilization": 1.0})  # fmt: skip
    offers = {g.id: list(cat.offers_for(g.id, "on_demand")) for g in inp.gpus}
    buckets = [RequestBucket(s, i, o) for s, i, o in DATASETS[dataset]]
    r = plan_fleet(inp, [inp.selfhost.engine], offers, ["on_demand"], buckets)
    assert "on_demand" in PRICING_MODELS and r.feasible, r.reason
    fleet = " + ".join(f"{x.gpus}x {x.gpu}" for x in r.rows)  # GPUs, not instances (8-GPU nodes are common)
    alone = {s["gpu"]: s["monthly_cost_usd"] for s in r.single_types if s["monthly_cost_usd"] is not None}
    return r.monthly_cost_usd or 0.0, fleet, alone


def run(model: str) -> None:
    print(f"\n{model} on L4 / A10G / A100-80GB / H100, cheapest shipped on-demand prices. 'best': 1 - mixed / "
          "best single GPU type; 'range': 1 - mixed / each single type that can serve the load")  # fmt: skip
    for dataset in DATASETS:
        for slo in (120.0, 40.0):
            best, each = [], []
            print(f"{dataset}, TPOT <= {slo:g} ms", flush=True)
            for rate in RATES:
                mixed, fleet, alone = saving(model, dataset, slo, rate)
                top = min(alone.values())
                best.append(1 - mixed / top)
                each += [1 - mixed / c for c in alone.values()]
                worst = max(alone, key=lambda g: alone[g])
                first = min(alone, key=lambda g: alone[g])
                print(f"  {rate:>3} req/s: mixed ${mixed:>7,.0f} ({fleet}); best single {first} ${top:>7,.0f} "
                      f"(saving {1 - mixed / top:.0%}); dearest {worst} ${alone[worst]:,.0f}")  # fmt: skip
            lo, hi = PUBLISHED[(dataset, int(slo))]
            print(f"  saving vs best single type {min(best):.0%}-{max(best):.0%}; vs each type {min(each):.0%}-"
                  f"{max(each):.0%}; Mélange published {lo}-{hi}%")  # fmt: skip


def main() -> None:
    run("llama-2-7b")
    run("llama-3.1-8b")
    run("llama-3.1-70b")  # Llama-2-70b's shape (80 layers, 8 KV heads, 28,672 FFN) with a 128k vocabulary


if __name__ == "__main__":
    main()

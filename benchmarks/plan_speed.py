"""Speed of the fleet search (`llmcost plan`).

    python benchmarks/plan_speed.py [RUNS]

- Full plan: `llmcost plan` for llama-3.1-70b over the shipped catalog (every GPU with an offer, every
  quantization, engine, TP size and pricing model), 4 request-size buckets and a 60 ms TPOT target:
  in-process, and as a command in a fresh interpreter (imports, catalog, search, 30-odd MILPs, table).
- Per configuration: the capacity profiling alone (one configuration = one GPU x TP x quantization x
  engine x request-size bucket, with every TPOT target of the frontier at once), divided by their count.
- MILP: one exact solve for 12 GPU types x 20 request-size buckets (llama-3.1-8b, a 20-point prompt mix
  from 100 to 30,000 tokens, 12 GPU types with offers, the undominated options of each type).
Each figure is the median of RUNS runs (default 5).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from llmcost import defaults
from llmcost.catalog import load_catalog
from llmcost.commands.common import inputs_for
from llmcost.commands.plan import plan, replica_profiles
from llmcost.fleet import fleet_options, slo_exempt, solve_assignment, undominated, workload_buckets
from llmcost.records import PRICING_MODELS

FULL: dict[str, Any] = {
    "models": ["llama-3.1-70b"],
    "prompt_mix": [[0.5, 300], [0.3, 1500], [0.15, 6000], [0.05, 20000]],
    "output_tokens": 300,
    "max_tpot_ms": 60,
}
TWELVE = ["t4", "l4", "a10g", "l40s", "a100-40gb", "a100-80gb", "h100-pcie", "h100-sxm", "h200", "b200", "mi300x",
          "rtx-4090"]  # fmt: skip


def median_s(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    cat = load_catalog()
    result = plan(1_000_000, catalog=cat, **FULL)
    full = median_s(lambda: plan(1_000_000, catalog=cat, **FULL), runs)
    s = result.searched
    print(f"plan llama-3.1-70b, 1,000,000 queries/day, 4 buckets, TPOT <= 60 ms, shipped catalog: "
          f"{s['configurations']:,} configurations, {s['options']:,} options "
          f"({s['options_after_pruning']} kept)")  # fmt: skip
    print(f"  in-process: median {full:.2f} s")
    cmd = ["llmcost", "plan", "--model", "llama-3.1-70b", "--qpd", "1000000", "--prompt-mix",
           "0.5:300,0.3:1500,0.15:6000,0.05:20000", "--output-tokens", "300", "--max-tpot-ms", "60"]  # fmt: skip
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)  # warm-up: bytecode, catalog cache

    def cli() -> None:
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)

    print(f"  `llmcost plan ...` in a fresh interpreter: median {median_s(cli, runs):.2f} s")

    inp = inputs_for("plan", None, cat, {"qpd": 1_000_000, **FULL})
    buckets = workload_buckets(inp.workload)
    targets = (60.0, *sorted(set(defaults.FRONTIER_TPOT_MS) - {60.0}), None)
    offers = {g.id: [o for p in PRICING_MODELS for o in cat.offers_for(g.id, p)] for g in inp.gpus}
    engines = list(cat.engines.values())
    _, configs = replica_profiles(inp, engines, offers, buckets, targets)
    prof = median_s(lambda: replica_profiles(inp, engines, offers, buckets, targets), runs)
    print(f"profiling alone: median {prof * 1e3:.0f} ms for {configs:,} configurations = "
          f"{prof / configs * 1e3:.3f} ms per configuration ({len(targets)} TPOT targets each)")  # fmt: skip

    mix = [[1 / 20, float(t)] for t in np.geomspace(100, 30_000, 20).round()]
    opts: dict[str, Any] = {
        "models": ["llama-3.1-8b"],
        "gpus": TWELVE,
        "prompt_mix": mix,
        "output_tokens": 300,
        "max_tpot_ms": 60,
    }
    inp = inputs_for("plan", None, cat, {"qpd": 5_000_000, **opts})
    buckets = workload_buckets(inp.workload)
    offers = {g.id: [o for p in PRICING_MODELS for o in cat.offers_for(g.id, p)] for g in inp.gpus}
    profiles, _ = replica_profiles(inp, engines, offers, buckets, (60.0, None))
    options = fleet_options(profiles, offers, 24 * inp.workload.days_per_month)
    exempt = slo_exempt(buckets, defaults.SLO_SHARE)
    usd = np.array([o.usd_per_instance_month for o in options])
    caps = np.stack([o.requests_per_s() for o in options])
    caps = np.where(exempt[None, None, :] > 0, caps[:, -1:, :], caps)[:, 0, :]
    kept: list[int] = []
    for g in {o.profile.gpu.id for o in options}:
        idx = [i for i, o in enumerate(options) if o.profile.gpu.id == g]
        kept += [idx[k] for k in undominated(usd[idx], caps[idx])]
    load = np.full(20, inp.workload.average_requests_per_s / 20)
    types = len({options[i].profile.gpu.id for i in kept})
    sol = solve_assignment(usd[kept], caps[kept], load, 0.7)
    milp = median_s(lambda: solve_assignment(usd[kept], caps[kept], load, 0.7), runs)
    print(f"MILP {types} GPU types x 20 buckets ({len(kept)} options, {int((caps[kept] > 0).sum())} assignment "
          f"variables): median {milp * 1e3:.0f} ms, optimum ${sol.monthly_cost_usd:,.0f}/month")  # fmt: skip


if __name__ == "__main__":
    main()

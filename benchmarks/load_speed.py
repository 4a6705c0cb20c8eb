"""Speed of the latency-at-load model, per configuration evaluated.

    python benchmarks/load_speed.py [RUNS]

Over 1,000 configurations spread evenly through those `compare --qpd 50000` can size (each model x
quantization x GPU x tensor-parallel size that runs on the shipped catalog, about 15,000), times:
- one evaluation: the per-batch curve (throughput.load_curve: rates and TTFT at every batch
  1..max batch) plus the P50/P90/P99 TTFT and TPOT at 70% of saturated capacity (throughput.at_rate);
- the P99 sizing search (throughput.max_rate_meeting for P99 TTFT <= 2 s and TPOT <= 100 ms: a
  bisection over the rate, one at_rate per step) on top of one curve.
Each configuration's time is the median of RUNS repetitions (default 50); the figures printed are
the median and the 90th percentile over configurations. Budget: 0.1 ms per configuration evaluated.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from llmcost.catalog import load_catalog
from llmcost.commands.common import inputs_for
from llmcost.defaults import PREFILL_CHUNK_TOKENS
from llmcost.errors import UsageError
from llmcost.selfhost import Replica, replica, sized_configs
from llmcost.throughput import at_rate, load_curve, max_rate_meeting


def per_call_s(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    cat = load_catalog()
    inp = inputs_for("compare", None, cat, {"qpd": 50_000})  # every model, quantization and GPU
    reps: list[Replica] = []
    for model in inp.models:
        configs, _ = sized_configs(model, inp.quants, inp.gpus, inp.workload, inp.selfhost)
        for c in configs:
            reps.append(
                replica(
                    c.model,
                    c.quant,
                    c.gpu,
                    c.gpus_per_replica,
                    inp.workload.input_tokens,
                    inp.workload.output_tokens,
                    inp.selfhost,
                )
            )
    reps = reps[:: max(len(reps) // 1000, 1)][:1000]
    evaluate, search = [], []
    for r in reps:

        def one(r: Replica = r) -> None:
            curve = load_curve(r.shape, r.max_batch, r.efficiency, PREFILL_CHUNK_TOKENS)
            at_rate(curve, 0.7 * curve.saturated_requests_per_s)

        def sizing(r: Replica = r) -> None:
            curve = load_curve(r.shape, r.max_batch, r.efficiency, PREFILL_CHUNK_TOKENS)
            # a target a configuration cannot meet even idle is still a full evaluation
            with contextlib.suppress(UsageError):
                max_rate_meeting(curve, 2000.0, 100.0)

        evaluate.append(per_call_s(one, runs))
        search.append(per_call_s(sizing, max(runs // 10, 5)))
    batches = sorted(r.max_batch for r in reps)
    print(f"{len(reps)} configurations (max batch {batches[0]}-{batches[-1]}, median {statistics.median(batches):.0f})")
    for name, times in (("curve + P50/P90/P99 at one rate", evaluate), ("P99 sizing search", search)):
        ordered = sorted(times)
        p90 = ordered[int(0.9 * (len(ordered) - 1))]
        print(f"{name}: median {statistics.median(times) * 1e3:.3f} ms per configuration, P90 {p90 * 1e3:.3f} ms")


if __name__ == "__main__":
    main()

"""Speed of the serving-platform bill and of `llmcost platforms`.

    python benchmarks/platforms_speed.py [RUNS]

- one platform's monthly bill over the 24-hour profile: one volume, and 100,000 draws at once;
- the whole `platforms` command in-process (catalog loaded once) for llama-3.3-70b at 20,000
  queries/day: every platform x configuration, spot, reserved plus burst, and the crossings up to
  10M queries/day.
Each figure is the median of RUNS runs (default 7).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

from llmcost.catalog import load_catalog
from llmcost.commands.platforms import platforms
from llmcost.platforms import Replica, platform_bill, rules_for

PROFILE = [0, 0, 0, 0, 0, 0, 1, 3, 8, 10, 9, 6, 5, 7, 9, 8, 5, 3, 2, 1, 1, 0, 0, 0]


def median_s(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(runs: int = 7) -> None:
    cat = load_catalog()
    rules = rules_for(cat.platform("modal"), "h100-sxm", 1)
    rep = Replica(1.0, 1.4, 10.0, 200.0, 120.0, {"model_load": 120.0})
    w = tuple(x / sum(PROFILE) for x in PROFILE)
    draws = np.random.default_rng(0).uniform(1e3, 1e6, 100_000)
    one = median_s(lambda: platform_bill(rules, rep, 20_000.0, w, 30.4), runs)
    many = median_s(lambda: platform_bill(rules, rep, draws, w, 30.4), runs)
    cmd = median_s(
        lambda: platforms(20_000, models=["llama-3.3-70b"], apis=["groq/llama-3.3-70b"], profile=PROFILE, catalog=cat),
        runs,
    )
    print(f"platform bill, one volume:      {one * 1e6:8.1f} us (median of {runs})")
    print(f"platform bill, 100,000 draws:   {many * 1e3:8.1f} ms ({many / 1e5 * 1e6:.2f} us per draw)")
    print(f"platforms command, in-process:  {cmd:8.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)

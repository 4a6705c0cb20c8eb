"""Cold start of `llmcost compare --qpd 50000` against a bare `python -c "import typer, rich"`.

    python benchmarks/speed.py [RUNS]

Each command runs RUNS times (default 7) in a fresh interpreter; the script prints the medians and
their ratio. The machine's other load moves single runs, so compare medians, not single timings.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def median_seconds(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    baseline = median_seconds([sys.executable, "-c", "import typer, rich"], runs)
    compare = median_seconds([sys.executable, "-m", "llmcost", "compare", "--qpd", "50000"], runs)
    print(f"python -c 'import typer, rich': median {baseline * 1e3:.0f} ms over {runs} runs")
    print(f"llmcost compare --qpd 50000:    median {compare * 1e3:.0f} ms over {runs} runs")
    print(f"ratio: {compare / baseline:.1f}x")


if __name__ == "__main__":
    main()

"""How close is the throughput model to published measurements?

    python benchmarks/throughput_accuracy.py          # accuracy of the shipped efficiency factors
    python benchmarks/throughput_accuracy.py --fit    # refit the factors, then hold-out checks

Prints, for every usable row of benchmarks/published_throughput.csv (a copy of
shared/reference/published_throughput.csv), the predicted and published figure and the error;
then the median absolute error and the share of rows within 1.5x (targets: <= 15%, >= 90%).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.calibration import Row, calibration_catalog, errors, fit, load_rows, predict, summary
from llmcost.catalog import Catalog
from llmcost.defaults import Efficiency


def report(cat: Catalog, rows: list[Row], eff: Efficiency, title: str, per_row: bool = True) -> None:
    err = errors(cat, rows, eff)
    if per_row:
        print(f"{'kind':<19}{'row':<92}{'published':>12}{'predicted':>12}{'error':>8}")
        for row, e in zip(rows, err, strict=True):
            predicted = predict(cat, row, eff)
            print(f"{row.kind:<19}{row.label[:90]:<92}{row.published:>12,.1f}{predicted:>12,.1f}{e:>+8.0%}")
    median, within = summary(err)
    print(f"{title}: {len(rows)} rows, median absolute error {median:.1%}, within 1.5x {within:.0%}")


def main() -> None:
    cat = calibration_catalog()
    rows, skipped = load_rows()
    eff = Efficiency()
    if "--fit" in sys.argv:
        eff = fit(cat, rows)
        print(f"fitted on all {len(rows)} rows: {eff}")
        for name, train, test in (
            (
                "H100 rows -> other GPUs",
                [r for r in rows if r.gpu == "h100-sxm"],
                [r for r in rows if r.gpu != "h100-sxm"],
            ),
            (
                "non-fp8 rows -> fp8 rows",
                [r for r in rows if r.quant != "fp8"],
                [r for r in rows if r.quant == "fp8"],
            ),
        ):
            held = fit(cat, train)
            report(cat, test, held, f"hold-out {name} (fitted {held})", per_row=False)
    report(cat, rows, eff, "all usable rows")
    err = errors(cat, rows, eff)
    worst = sorted(zip(rows, err, strict=True), key=lambda x: -abs(x[1]))[:5]
    print("worst rows:")
    for row, e in worst:
        print(f"  {e:+.0%}  {row.label}")
    for s in skipped:
        print(f"skipped {s.label}: {s.reason}")


if __name__ == "__main__":
    main()

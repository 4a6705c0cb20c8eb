"""How close is the throughput model to published measurements?

    python benchmarks/throughput_accuracy.py          # accuracy of the shipped efficiency factors
    python benchmarks/throughput_accuracy.py --fit    # refit the factors, then hold-out checks

Prints, for every usable row of benchmarks/published_throughput.csv (a copy of
shared/reference/published_throughput.csv), the predicted and published figure and the error;
then the median absolute error and the share of rows within 1.5x (targets: <= 15%, >= 90%).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.calibration import (
    Row,
    calibration_catalog,
    errors,
    fit,
    load_rows,
    predict,
    sets_a_release_cost,
    summary,
)
from benchmarks.concurrency_calibration import Scored, load_measurements, score_concurrency, score_saturation_set, stats
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
            unset = [r for r in test if not sets_a_release_cost(r)]  # the rest set a release's fixed cost
            report(cat, unset, held, "  of which the rows that set no release's fixed cost", per_row=False)
    report(cat, rows, eff, "all usable rows")
    err = errors(cat, rows, eff)
    worst = sorted(zip(rows, err, strict=True), key=lambda x: -abs(x[1]))[:5]
    print("worst rows:")
    for row, e in worst:
        print(f"  {e:+.0%}  {row.label}")
    for s in skipped:
        print(f"skipped {s.label}: {s.reason}")
    concurrency_report(cat, eff)


def concurrency_report(cat: Catalog, eff: Efficiency) -> None:
    """Both data sets, every measurement, then the breakdown by GPU, precision, engine and regime."""
    measurements, skipped = load_measurements()
    conc = score_concurrency(cat, eff, measurements)
    print(f"\npublished_concurrency.csv: {len({m.line for m in measurements})} rows used "
          f"({len(measurements)} measurements), {len(skipped)} skipped")  # fmt: skip
    print(f"{'metric':<11}{'regime':<11}{'row':<100}{'published':>11}{'predicted':>11}{'error':>8}")
    for s in conc:
        shown = "-" if s.predicted is None else f"{s.predicted:,.1f}"
        err = "  n/a" if s.predicted is None else f"{s.error:+.0%}"
        print(f"{s.metric:<11}{s.regime:<11}{s.label[:98]:<100}{s.published:>11,.1f}{shown:>11}{err:>8}")
    reasons: dict[str, int] = {}
    for k in skipped:
        reasons[k.reason] = reasons.get(k.reason, 0) + 1
    for reason, n in reasons.items():
        print(f"skipped {n} rows: {reason}")
    scored = score_saturation_set(cat, eff) + conc
    print("\nbreakdown (both data sets; n, median absolute error, share within 1.5x)")
    for metric in ("throughput", "ttft", "tpot"):
        of = [s for s in scored if s.metric == metric]
        print(f"{metric}: all {_cell(of)}")
        keys: tuple[tuple[str, Callable[[Scored], str]], ...] = (
            ("gpu", lambda s: s.gpu),
            ("precision", lambda s: s.quant),
            ("engine", lambda s: s.engine),
            ("regime", lambda s: s.regime),
            ("data set", lambda s: s.dataset),
        )
        for name, key in keys:
            groups: dict[str, list[Scored]] = {}
            for s in of:
                groups.setdefault(key(s), []).append(s)
            print(f"  by {name}: " + "; ".join(f"{g} {_cell(v)}" for g, v in sorted(groups.items())))
    print("worst measurements at a given concurrency:")
    worst = sorted((s for s in conc if s.predicted is not None), key=lambda s: -abs(s.error))[:8]
    for s in worst:
        print(f"  {s.error:+.0%}  {s.metric} {s.regime}: {s.label}")


def _cell(scored: list[Scored]) -> str:
    n, median, within = stats(scored)
    return f"n={n} {median:.1%} {within:.0%}" if n else "n=0"


if __name__ == "__main__":
    main()

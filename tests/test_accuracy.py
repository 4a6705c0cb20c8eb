"""The throughput model against published measurements (benchmarks/published_throughput.csv)."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.calibration import calibration_catalog, errors, fit, load_rows, summary
from llmcost.defaults import Efficiency


@pytest.fixture(scope="module")
def data():
    rows, skipped = load_rows()
    return calibration_catalog(), rows, skipped


def test_every_reference_row_is_used(data):
    _, rows, skipped = data
    assert len(rows) == 72 and not skipped


def test_shipped_factors_meet_the_accuracy_targets(data):
    cat, rows, _ = data
    median, within = summary(errors(cat, rows, Efficiency()))
    assert median <= 0.15
    assert within >= 0.90


@pytest.mark.parametrize(
    ("train", "test"),
    [
        (lambda r: r.gpu == "h100-sxm", lambda r: r.gpu != "h100-sxm"),  # unseen GPUs
        (lambda r: r.quant != "fp8", lambda r: r.quant == "fp8"),  # an unseen precision
    ],
    ids=["fit-on-h100-test-other-gpus", "fit-without-fp8-test-fp8"],
)
def test_factors_fitted_on_one_part_hold_on_the_rest(data, train, test):
    cat, rows, _ = data
    eff = fit(cat, [r for r in rows if train(r)], sweeps=2, points=21)
    median, within = summary(errors(cat, [r for r in rows if test(r)], eff))
    assert median <= 0.15 and within >= 0.90


def test_shipped_factors_are_what_the_fit_finds(data):
    cat, rows, _ = data
    fitted = fit(cat, rows)
    assert fitted.to_dict() == pytest.approx(Efficiency().to_dict(), rel=0.02)


def test_throughput_spread_used_by_monte_carlo_matches_the_benchmark(data):
    from llmcost.defaults import THROUGHPUT_LOG_SD

    cat, rows, _ = data
    assert np.std(np.log1p(errors(cat, rows, Efficiency())), ddof=1) == pytest.approx(THROUGHPUT_LOG_SD, abs=0.005)

"""Total cost over time: monthly volumes growing at a fixed rate, one-time set-up and recurring
model-update work on the self-hosted side, and the month in which self-hosting pays back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from llmcost.inputs import Autoscaling
from llmcost.selfhost import CostCurve, Factors, fleet_cost_usd

if TYPE_CHECKING:
    from llmcost.numeric import FloatArray, Number


@dataclass(frozen=True, eq=False)
class Timeline:
    """Month-by-month costs; arrays are (months,) for a point answer, (months, draws) for Monte Carlo."""

    qpd: FloatArray
    api_usd: FloatArray
    self_hosted_usd: FloatArray
    replicas: FloatArray

    @property
    def cumulative_api_usd(self) -> FloatArray:
        return np.cumsum(self.api_usd, axis=0)

    @property
    def cumulative_self_hosted_usd(self) -> FloatArray:
        return np.cumsum(self.self_hosted_usd, axis=0)

    @property
    def payback_month(self) -> int | None:
        """First month (1-based) whose cumulative self-hosted cost is at or below the API's (point answer)."""
        ok = np.flatnonzero(self.cumulative_self_hosted_usd <= self.cumulative_api_usd)
        return int(ok[0]) + 1 if ok.size else None


def timeline(
    alpha: Number,
    curve: CostCurve,
    qpd0: Number,
    months: int,
    growth: float,
    setup_usd: float,
    updates_usd_per_month: float,
    f: Factors,
    autoscaling: Autoscaling | None = None,
) -> Timeline:
    """Month-by-month costs for volume qpd0 * (1 + growth)^m, m = 0 .. months-1 (floats or draws)."""
    m = np.arange(months, dtype=np.float64).reshape((months,) + (1,) * np.ndim(qpd0))
    qpd = np.asarray(qpd0) * (1.0 + growth) ** m
    own = np.asarray(fleet_cost_usd(curve, qpd, f, autoscaling)) + updates_usd_per_month
    own = own + np.where(m == 0, setup_usd, 0.0)
    return Timeline(qpd, np.asarray(alpha) * qpd, own, np.asarray(curve.replicas(qpd, f)))

"""Total cost over time: monthly volumes growing at a fixed rate, one-time set-up and recurring
model-update work on the self-hosted side, and the month in which self-hosting pays back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from llmcost.api_cost import api_usd_per_query
from llmcost.catalog import Catalog
from llmcost.errors import UsageError
from llmcost.result import Result
from llmcost.scenario import Scenario, make_scenario, setup
from llmcost.selfhost import CostCurve, curves

if TYPE_CHECKING:
    from llmcost.workload import FloatArray

WORKING_DAYS_PER_WEEK = 5


@dataclass(frozen=True)
class Timeline:
    qpd: FloatArray
    api_usd: FloatArray
    self_hosted_usd: FloatArray
    replicas: FloatArray

    @property
    def cumulative_api_usd(self) -> FloatArray:
        return np.cumsum(self.api_usd)

    @property
    def cumulative_self_hosted_usd(self) -> FloatArray:
        return np.cumsum(self.self_hosted_usd)

    @property
    def payback_month(self) -> int | None:
        """First month (1-based) whose cumulative self-hosted cost is at or below the API's."""
        ok = np.flatnonzero(self.cumulative_self_hosted_usd <= self.cumulative_api_usd)
        return int(ok[0]) + 1 if ok.size else None


def timeline(
    api_usd_per_qpd: float,
    curve: CostCurve,
    qpd0: float,
    months: int,
    growth: float,
    setup_usd: float,
    updates_usd_per_month: float,
) -> Timeline:
    """Month-by-month costs for volume qpd0 * (1 + growth)^m, m = 0 .. months-1."""
    qpd = qpd0 * (1.0 + growth) ** np.arange(months, dtype=np.float64)
    own = np.asarray(curve.monthly_cost_usd(qpd)) + updates_usd_per_month
    own[0] += setup_usd
    return Timeline(qpd, api_usd_per_qpd * qpd, own, np.asarray(curve.replicas(qpd)))


def tco(
    qpd: float | None = None,
    *,
    scenario: Scenario | Mapping[str, Any] | None = None,
    catalog: Catalog | None = None,
    **options: Any,
) -> Result:
    """Cumulative cost of one API and one self-hosted model over `months` of growing volume."""
    st = setup(make_scenario(scenario, qpd=qpd, **options), catalog)
    sc, cat, w = st.scenario, st.catalog, st.workload
    apis, models = st.api_ids(), st.model_ids()
    if len(models) != 1 or not sc.apis or len(apis) != 1:
        raise UsageError("tco needs one --model (with optional --quant/--gpu) and one --api")
    eng = cat.engineering
    day_usd = sc.engineer_usd_per_day if sc.engineer_usd_per_day is not None else eng.loaded_usd_per_engineer_day.mid
    weeks = sc.setup_weeks if sc.setup_weeks is not None else eng.setup_weeks.mid
    days_per_update = sc.days_per_update if sc.days_per_update is not None else eng.days_per_model_update.mid
    setup_usd = weeks * WORKING_DAYS_PER_WEEK * day_usd
    updates_usd = sc.updates_per_year * days_per_update * day_usd / 12
    per_query = api_usd_per_query(cat.api(apis[0]), w, sc.batch_api)
    alpha = per_query * w.days_per_month
    found, fails = curves(
        cat, cat.model(models[0]), st.quant_list(), st.gpu_list(), w, st.assumptions, st.hidden_usd_per_month
    )
    if not found:
        raise UsageError(f"{models[0]} cannot run on the selected GPUs: {fails[-1][2] if fails else 'none selected'}")
    runs = [(c, timeline(alpha, c, w.queries_per_day, sc.months, sc.growth, setup_usd, updates_usd)) for c in found]
    curve, t = min(runs, key=lambda r: float(r[1].cumulative_self_hosted_usd[-1]))
    payback = t.payback_month
    reason = (
        f"self-hosting has cost no more than the API, in total, since month {payback}"
        if payback is not None
        else f"self-hosting does not pay back within {sc.months} months"
    )
    rows = [
        {
            "month": i + 1,
            "queries_per_day": float(t.qpd[i]),
            "api_usd": float(t.api_usd[i]),
            "self_hosted_usd": float(t.self_hosted_usd[i]),
            "replicas": int(t.replicas[i]),
            "cumulative_api_usd": float(t.cumulative_api_usd[i]),
            "cumulative_self_hosted_usd": float(t.cumulative_self_hosted_usd[i]),
        }
        for i in range(sc.months)
    ]
    return Result(
        {
            "workload": w.to_dict(),
            "assumptions": {
                **st.assumptions_dict(),
                "months": sc.months,
                "growth_per_month": sc.growth,
                "engineer_usd_per_day": day_usd,
                "setup_weeks": weeks,
                "updates_per_year": sc.updates_per_year,
                "days_per_update": days_per_update,
            },
            "api": apis[0],
            "self_hosted": curve.config.id,
            "one_time_setup_usd": setup_usd,
            "model_updates_usd_per_month": updates_usd,
            "total_api_usd": float(t.cumulative_api_usd[-1]),
            "total_self_hosted_usd": float(t.cumulative_self_hosted_usd[-1]),
            "payback_month": payback,
            "reason": reason,
            "months": rows,
        }
    )

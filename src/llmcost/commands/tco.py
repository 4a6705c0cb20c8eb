"""`tco`: cumulative cost of an API and a self-hosted model over months of growing volume."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from llmcost.catalog import Catalog
from llmcost.commands.common import alpha, assumptions, factors, inputs_for, one_pair, runnable
from llmcost.inputs import Scenario
from llmcost.montecarlo import api_usd_per_qpd, draw_inputs, quantiles
from llmcost.montecarlo import factors as draw_factors
from llmcost.progress import steps
from llmcost.results.decisions import Month, TcoResult
from llmcost.timeline import timeline


def tco(
    qpd: Any = None,
    *,
    scenario: Scenario | Mapping[str, Any] | None = None,
    catalog: Catalog | None = None,
    **options: Any,
) -> TcoResult:
    """Cumulative cost of one API and one self-hosted model over `months` of growing volume, with
    one-time set-up and model-update work; the configuration is the cheapest over the horizon.
    Options are scenario settings (months, growth, setup_weeks, autoscale, monte_carlo, ...)."""
    inp = inputs_for("tco", scenario, catalog, {"qpd": qpd, **options})
    api, model = one_pair(inp)
    t_in = inp.tco
    assert t_in is not None
    w, f, a = inp.workload, factors(inp), alpha(inp, api)

    def run(c: Any) -> Any:
        return timeline(
            a, c, w.queries_per_day, t_in.months, t_in.growth_per_month, t_in.setup_usd,
            t_in.updates_usd_per_month, f, inp.autoscaling,
        )  # fmt: skip

    runs = [(c, run(c)) for c in steps(runnable(inp, model), "tco")]
    curve, t = min(runs, key=lambda r: float(r[1].cumulative_self_hosted_usd[-1]))
    rows = tuple(
        Month(
            month=i + 1,
            queries_per_day=float(t.qpd[i]),
            api_usd=float(t.api_usd[i]),
            self_hosted_usd=float(t.self_hosted_usd[i]),
            replicas=int(t.replicas[i]),
            cumulative_api_usd=float(t.cumulative_api_usd[i]),
            cumulative_self_hosted_usd=float(t.cumulative_self_hosted_usd[i]),
        )
        for i in range(t_in.months)
    )
    mc, drawn = None, None
    if inp.monte_carlo:
        d = draw_inputs(inp, inp.monte_carlo, inp.seed, [curve.config.gpu.id], [api.id])
        td = timeline(
            api_usd_per_qpd(inp, api.id, d), curve, d.qpd, t_in.months, t_in.growth_per_month, t_in.setup_usd,
            t_in.updates_usd_per_month, draw_factors(curve, d, inp), inp.autoscaling,
        )  # fmt: skip
        api_total, own_total = td.cumulative_api_usd[-1], td.cumulative_self_hosted_usd[-1]
        drawn = (d, td.qpd, td.api_usd)
        paid = td.cumulative_self_hosted_usd <= td.cumulative_api_usd
        month = np.where(paid.any(axis=0), paid.argmax(axis=0) + 1, np.nan)
        mc = {
            **quantiles(api_total, "total_api_usd"),
            **quantiles(own_total, "total_self_hosted_usd"),
            "p_self_hosted_cheaper_over_horizon": float(np.mean(own_total < api_total)),
            "p_payback_within_horizon": float(np.mean(np.isfinite(month))),
            "payback_month_p50": float(np.nanmedian(month)) if np.isfinite(month).any() else None,
        }
    return TcoResult(
        workload=w.to_dict(),
        assumptions={
            **assumptions(inp),
            "months": t_in.months,
            "growth_per_month": t_in.growth_per_month,
            "engineer_usd_per_day": t_in.engineer_usd_per_day,
            "setup_weeks": t_in.setup_weeks,
            "updates_per_year": t_in.updates_per_year,
            "days_per_update": t_in.days_per_update,
        },
        api=api.id,
        self_hosted=curve.config.id,
        one_time_setup_usd=t_in.setup_usd,
        model_updates_usd_per_month=t_in.updates_usd_per_month,
        total_api_usd=float(t.cumulative_api_usd[-1]),
        total_self_hosted_usd=float(t.cumulative_self_hosted_usd[-1]),
        payback_month=t.payback_month,
        months=rows,
        monte_carlo=mc,
        platforms=_platforms(inp, catalog, model, t.qpd, drawn),
    )


def _platforms(
    inp: Any, catalog: Catalog | None, model: Any, qpd_by_month: Any, drawn: Any = None
) -> tuple[dict[str, Any], ...]:
    """With --platforms: the cheapest serverless platform and dedicated endpoint over the same months
    (with Monte Carlo, over the same draws as the pair)."""
    ids = inp.settings.get("platforms")
    if not ids or ids == ["none"]:
        return ()
    from llmcost.catalog import load_catalog, require_catalog
    from llmcost.commands.platforms import platform_months

    cat = require_catalog(catalog) or load_catalog(inp.settings.get("data_dirs") or ())
    return tuple(platform_months(inp, cat, model, qpd_by_month, drawn))

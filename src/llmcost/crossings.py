"""Break-even volumes between an API and a self-hosted configuration, exact on the step function.

The API's monthly cost is linear in volume, A(q) = a * q. The self-hosted cost is piecewise
constant (whole replicas: each hour's replicas, when they follow a load profile) plus the hidden
costs that grow with volume (egress, load-balancer capacity: e * q), which count against the API's
slope, a - e. In units of the volume one replica carries, x = q / c, its pieces, their GPU costs
and their hosts and GPUs are the same for every draw (`pieces`); a draw only scales them (c, the
GPU price, the hidden-cost rates). So the ordering can flip two ways:
- inside a piece, where a * q = S_k: the API becomes dearer (an "equal" crossing, costs equal);
- at a piece edge, when S_k < a * q < S_(k+1): the next replica makes self-hosting dearer again
  (a "step" crossing; the costs jump past each other without being equal).
Every piece up to the stated maximum volume is examined at once with numpy, for one draw (the
point answer) or many (Monte Carlo) by the same code: no grid search, no second formula.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from llmcost import defaults
from llmcost.errors import UsageError
from llmcost.inputs import Autoscaling
from llmcost.selfhost import CostCurve, Factors, hour_mean

if TYPE_CHECKING:
    from llmcost.numeric import FloatArray, Number

CHUNK_ELEMENTS = 4_000_000  # pieces x draws examined at once: a few tens of MB


@dataclass(frozen=True, eq=False)
class Pieces:
    """The self-hosted cost as pieces in units of one replica's volume: on (edge[k-1], edge[k]]
    (edge[-1] = 0) the GPUs cost gpu_usd[k] per month at list price, on hosts[k] instances holding
    gpus[k] GPUs (at the day's peak, when replicas follow a profile)."""

    edge: FloatArray
    gpu_usd: FloatArray
    hosts: FloatArray
    gpus: FloatArray


def pieces(curve: CostCurve, f: Factors, max_qpd: float, autoscaling: Autoscaling | None = None) -> Pieces:
    """The pieces up to max_qpd for the smallest per-replica volume among the draws; a UsageError
    (naming max_qpd) when that is more than defaults.MAX_REPLICA_STEPS pieces."""
    per_min = float(np.min(curve.queries_per_day_per_replica(f)))
    x_max = max_qpd / per_min
    if autoscaling is None:
        count = np.ceil(x_max - 1e-9)
    else:
        w = np.asarray(autoscaling.weights)
        count = np.sum(np.ceil(24 * w[w > 0] * x_max))
    if count > defaults.MAX_REPLICA_STEPS:
        raise UsageError(
            f"max_qpd {max_qpd:,.0f} would examine {count:,.0f} replica steps (limit "
            f"{defaults.MAX_REPLICA_STEPS:,}); lower max_qpd",
            param="max_qpd",
        )
    if autoscaling is None:
        edge = np.arange(1, max(count, 1) + 1, dtype=np.float64)
        gpu, hosts, gpus = curve.fleet(edge)
        return Pieces(edge, np.asarray(gpu), np.asarray(hosts), np.asarray(gpus))
    w = np.asarray(autoscaling.weights)
    rates = 24 * w[w > 0]  # replicas per unit of x in each busy hour
    edges = [np.arange(1, np.ceil(r * x_max) + 1) / r for r in rates]
    edge = np.unique(np.concatenate([*edges, [x_max]]))
    hourly = np.maximum(autoscaling.min_replicas, np.ceil(24 * w[:, None] * edge[None, :] - 1e-9))
    _, hosts, gpus = curve.fleet(hourly.max(axis=0))
    return Pieces(edge, hour_mean(np.asarray(curve.gpu_cost_usd(hourly))), np.asarray(hosts), np.asarray(gpus))


@dataclass(frozen=True)
class Crossing:
    qpd: float
    kind: Literal["equal", "step"]
    cheaper_above: Literal["self_hosted", "api"]


def _columns(
    alpha: FloatArray, per: FloatArray, price: FloatArray, hidden: FloatArray, p: Pieces, max_qpd: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """For draws (columns): volumes of equal crossings (NaN where none), of step crossings, the
    self-hosted cost at max_qpd (less the volume-driven hidden costs), and the last equal crossing.
    `alpha` is the API's slope less the self-hosted volume-driven costs; `hidden` (pieces x draws)
    the other hidden costs."""
    s = p.gpu_usd[:, None] * price[None, :] + hidden
    hi_edge = p.edge[:, None] * per[None, :]
    lo_edge = np.vstack([np.zeros((1, per.size)), hi_edge[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        q_eq = np.where(alpha[None, :] > 0, s / alpha[None, :], np.inf)
    equal = np.where((q_eq > lo_edge) & (q_eq <= np.minimum(hi_edge, max_qpd)), q_eq, np.nan)
    a_edge = alpha[None, :] * hi_edge[:-1]
    is_step = (a_edge > s[:-1]) & (a_edge < s[1:]) & (hi_edge[:-1] < max_qpd)
    step = np.where(is_step, hi_edge[:-1], np.nan)
    final = np.argmax(hi_edge >= max_qpd * (1 - 1e-12), axis=0)  # the piece holding max_qpd
    final = np.where(np.any(hi_edge >= max_qpd * (1 - 1e-12), axis=0), final, s.shape[0] - 1)
    at_max = s[final, np.arange(per.size)]
    last = np.where(np.isnan(equal), -np.inf, equal).max(axis=0) if equal.size else np.full(per.size, -np.inf)
    return equal, step, at_max, last


def _draws(x: Number, n: int) -> FloatArray:
    return np.broadcast_to(np.asarray(x, dtype=np.float64), (n,)).astype(np.float64)


def _hidden(curve: CostCurve, p: Pieces, f: Factors, n: int) -> FloatArray:
    """The hidden costs of each piece (rows) in each draw (columns), volume-driven ones left out."""
    flat = replace(f, hidden_usd_per_qpd=0.0)
    return np.broadcast_to(
        np.asarray(curve.hidden_at(p.hosts[:, None], p.gpus[:, None], 0.0, _per_draw(flat, n)), dtype=np.float64),
        (p.edge.size, n),
    )


def _per_draw(f: Factors, n: int) -> Factors:
    """Factors whose hidden-cost rates are rows of `n` draws, to broadcast against pieces."""
    names = ("hidden_usd_per_month", "hidden_usd_per_host_month", "hidden_usd_per_gpu_month",
             "hidden_usd_per_weight_gb_month", "devops_usd_per_step")  # fmt: skip
    rows: dict[str, Any] = {k: _draws(getattr(f, k), n)[None, :] for k in names}
    return replace(f, **rows)


def breakeven_volumes(
    alpha: Number, curve: CostCurve, f: Factors, max_qpd: float, autoscaling: Autoscaling | None = None
) -> FloatArray:
    """Per draw, the volume above which self-hosting stays cheaper, up to max_qpd (NaN where it
    does not): `alpha` is the API's monthly cost per query-per-day [USD/month per query/day]."""
    per_all = np.atleast_1d(np.asarray(curve.queries_per_day_per_replica(f), dtype=np.float64))
    rates = (f.gpu_price, f.hidden_usd_per_month, f.hidden_usd_per_host_month, f.hidden_usd_per_qpd)
    n = max(per_all.size, np.size(alpha), *(np.size(x) for x in rates))
    per, a = _draws(per_all, n), _draws(alpha, n) - _draws(f.hidden_usd_per_qpd, n)
    price = _draws(f.gpu_price, n)
    p = pieces(curve, f, max_qpd, autoscaling)
    hidden = _hidden(curve, p, f, n)
    out = np.full(n, np.nan)
    chunk = max(1, CHUNK_ELEMENTS // max(p.edge.size, 1))
    for start in range(0, n, chunk):
        sl = slice(start, start + chunk)
        _, _, at_max, last = _columns(a[sl], per[sl], price[sl], hidden[:, sl], p, max_qpd)
        cheaper_at_max = a[sl] * max_qpd > at_max
        out[sl] = np.where(cheaper_at_max & np.isfinite(last), last, np.nan)
    return out


Outcome = Literal["cheaper_above", "never", "not_within_max"]


@dataclass(frozen=True, eq=False)
class BreakEven:
    """Every crossing up to max_qpd and the outcome, with the numbers that explain it."""

    crossings: tuple[Crossing, ...]
    self_hosted_cheaper_above_qpd: float | None  # None: see outcome
    outcome: Outcome
    api_usd_per_1k_queries: float
    gpu_usd_per_1k_queries_at_full_use: float
    fixed_usd_per_month: float
    recovered_from_qpd: float | None  # not_within_max: the volume where the fixed costs would be recovered


def solve(
    alpha: float, curve: CostCurve, f: Factors, max_qpd: float, autoscaling: Autoscaling | None = None
) -> BreakEven:
    """Crossings of A(q) = alpha * q and the self-hosted cost for 0 < q <= max_qpd (point factors)."""
    per = np.atleast_1d(np.asarray(curve.queries_per_day_per_replica(f), dtype=np.float64))
    a = np.array([alpha - float(f.hidden_usd_per_qpd)], dtype=np.float64)
    price = _draws(f.gpu_price, 1)
    p = pieces(curve, f, max_qpd, autoscaling)
    equal, step, at_max, last = _columns(a, per, price, _hidden(curve, p, f, 1), p, max_qpd)
    found = [Crossing(float(q), "equal", "self_hosted") for q in equal[:, 0] if np.isfinite(q)]
    found += [Crossing(float(q), "step", "api") for q in step[:, 0] if np.isfinite(q)]
    found.sort(key=lambda c: c.qpd)
    above = float(last[0]) if a[0] * max_qpd > at_max[0] and np.isfinite(last[0]) else None
    days = curve.hours_per_month / 24
    marginal = float(curve.marginal_usd_per_qpd(f))
    fixed = float(curve.hidden_usd(1.0, 0.0, f))  # the hidden costs of one replica, before volume
    if above is not None:
        outcome: Outcome = "cheaper_above"
        recovered = None
    elif marginal >= alpha:
        outcome, recovered = "never", None
    else:
        outcome, recovered = "not_within_max", fixed / (alpha - marginal)
    return BreakEven(
        crossings=tuple(found),
        self_hosted_cheaper_above_qpd=above,
        outcome=outcome,
        api_usd_per_1k_queries=alpha / days * 1000,
        gpu_usd_per_1k_queries_at_full_use=marginal / days * 1000,
        fixed_usd_per_month=fixed,
        recovered_from_qpd=recovered,
    )


def step_costs_usd(curve: CostCurve, f: Factors, max_qpd: float, limit: int = defaults.STEPS_REPORTED) -> list[float]:
    """Monthly self-hosted cost with 1, 2, ... replicas up to max_qpd (at most `limit` steps), for charts."""
    p = pieces(curve, f, max_qpd)
    hidden = _hidden(curve, p, f, 1)[:, 0]
    return [float(x) for x in (p.gpu_usd * float(f.gpu_price) + hidden)[:limit]]


def rank(sol: BreakEven) -> tuple[float, float]:
    """Prefer the configuration that wins soonest; among those that never do, the cheapest slope."""
    above = sol.self_hosted_cheaper_above_qpd
    return (above if above is not None else np.inf, sol.gpu_usd_per_1k_queries_at_full_use)

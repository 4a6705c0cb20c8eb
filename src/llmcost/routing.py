"""Hybrid routing: a share of queries (the simple ones) to a self-hosted model, the rest to an API.

blended(s) = S(s * q) + a * (1 - s) * q for a share s in (0, 1], and a * q at s = 0 (no
self-hosting, so no fixed costs). S steps up with each replica, so within one replica count the
API part falls as s grows: the cheapest share is always at a replica's full capacity (or at the
largest share the user's complexity split allows), and checking those points is exact. With
autoscaling, S also steps where any hour's replica count changes; those points are checked too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from llmcost.crossings import pieces
from llmcost.inputs import Autoscaling
from llmcost.selfhost import CostCurve, Factors, fleet_cost_usd

if TYPE_CHECKING:
    from llmcost.numeric import FloatArray, Number


def blended_monthly_usd(
    alpha: Number, curve: CostCurve, qpd: Number, share: Number, f: Factors, autoscaling: Autoscaling | None = None
) -> Number:
    """Monthly cost when `share` of `qpd` queries go to the self-hosted curve, the rest to the API
    (`alpha`: the API's USD/month per query/day); floats or arrays of draws or shares."""
    s = np.asarray(share, dtype=np.float64)
    own_qpd = np.maximum(s, 1e-12) * np.asarray(qpd)
    own = np.where(s > 0, np.asarray(fleet_cost_usd(curve, own_qpd, f, autoscaling)), 0.0)
    out = own + np.asarray(alpha) * (1 - s) * np.asarray(qpd)
    return out if np.ndim(out) else float(out)


def candidate_shares(
    curve: CostCurve, qpd: float, max_share: float, f: Factors, autoscaling: Autoscaling | None = None
) -> FloatArray:
    """0, each piece edge's share below max_share (a replica's full capacity), and max_share itself."""
    per = float(curve.queries_per_day_per_replica(f))
    edges = pieces(curve, f, max_share * qpd, autoscaling).edge * per
    shares = np.minimum(edges / qpd, max_share)
    return np.unique(np.concatenate([[0.0], shares, [max_share]]))


def best_share(
    alpha: float, curve: CostCurve, qpd: float, max_share: float, f: Factors, autoscaling: Autoscaling | None = None
) -> tuple[float, float]:
    """(share, monthly cost) minimising the blended cost for shares in [0, max_share]."""
    shares = candidate_shares(curve, qpd, max_share, f, autoscaling)
    costs = np.asarray(blended_monthly_usd(alpha, curve, qpd, shares, f, autoscaling))
    i = int(np.argmin(costs))
    return float(shares[i]), float(costs[i])

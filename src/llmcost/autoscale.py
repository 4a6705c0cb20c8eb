"""Autoscaling: replicas follow the hourly load of a daily profile, above a minimum count.

Each hour gets ceil(hourly requests/s / (replica requests/s x utilization target)) replicas, at
least `min_replicas`; GPU cost is summed hour by hour from the cost curve's cheapest offer (hourly
billing and scale-up within the hour are assumed). The fixed alternative keeps the profile's peak
count all day. Shipped profiles are stylised shapes, not measurements: `flat` spreads the day's
queries evenly over 24 hours; `business-day` over 09:00-18:00 only. Supply 24 hourly weights of
your own (or derive them from a usage log) for anything real.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from llmcost.errors import UsageError

if TYPE_CHECKING:
    from llmcost.selfhost import CostCurve
    from llmcost.workload import FloatArray

HOURS = 24
PROFILES: dict[str, list[float]] = {
    "flat": [1.0] * HOURS,
    "business-day": [0.0] * 9 + [1.0] * 9 + [0.0] * 6,
}


def profile_weights(profile: str | list[float]) -> tuple[str, FloatArray]:
    """(name, 24 hourly shares of the day's queries summing to 1)."""
    import numpy as np

    if isinstance(profile, str):
        if profile not in PROFILES:
            raise UsageError(f"unknown load profile '{profile}'; valid: {', '.join(PROFILES)} or 24 hourly weights")
        name, raw = profile, PROFILES[profile]
    else:
        name, raw = "custom", list(profile)
    w = np.asarray(raw, dtype=np.float64)
    if w.shape != (HOURS,) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise UsageError("a load profile needs 24 non-negative hourly weights with a positive sum")
    return name, w / w.sum()


@dataclass(frozen=True)
class Autoscale:
    profile: str
    min_replicas: int
    replicas_by_hour: list[int]
    peak_replicas: int
    gpu_hours_per_month: float
    monthly_gpu_cost_usd: float  # autoscaled
    fixed_peak_monthly_gpu_cost_usd: float  # peak count all day

    def to_dict(self) -> dict[str, object]:
        return {
            **self.__dict__,
            "saving_vs_fixed_usd": self.fixed_peak_monthly_gpu_cost_usd - self.monthly_gpu_cost_usd,
        }


def autoscale(
    curve: CostCurve, qpd: float, profile: str | list[float], min_replicas: int, utilization_target: float
) -> Autoscale:
    import numpy as np

    name, w = profile_weights(profile)
    per_replica = curve.config.capacity.requests_per_s * utilization_target
    hourly = np.maximum(min_replicas, np.ceil(qpd * w / 3600 / per_replica - 1e-9))
    # gpu_cost_usd(n) is n replicas for a whole month; an hour of it is 1/24 of a day's share
    monthly = float(np.mean(np.asarray(curve.gpu_cost_usd(hourly))))
    peak = int(hourly.max())
    days = curve.hours_per_month / HOURS
    return Autoscale(
        profile=name,
        min_replicas=min_replicas,
        replicas_by_hour=[int(x) for x in hourly],
        peak_replicas=peak,
        gpu_hours_per_month=float(hourly.sum() * curve.config.gpus_per_replica * days),
        monthly_gpu_cost_usd=monthly,
        fixed_peak_monthly_gpu_cost_usd=float(curve.gpu_cost_usd(peak)),
    )

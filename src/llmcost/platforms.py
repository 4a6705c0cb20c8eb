"""Serving platforms: serverless GPUs and dedicated endpoints billed over the hourly profile, spot
with spares, and reserved replicas plus burst capacity.

Arrivals within each hour of the profile are Poisson at that hour's mean rate lam [requests/s].
A replica carries c = capacity x throughput factor x utilization target requests/s. Each hour has
`base` replicas that are always up (the minimum, or the whole replicas the load fills: floor(lam/c))
and, for the rest of the load lam' = lam - base x c, one MARGINAL replica that starts on demand and
stops after a window L = d + W of no arrivals (d: one request's duration, W: the platform's idle
window, or its scale-to-zero window when it is the last replica). That replica alternates between
down (until the next arrival: mean 1/lam'), a cold start of T seconds, and up until a gap longer
than L: the up time after the start is (e^(lam' L) - 1)/lam' (the mean time to the first gap > L
in a Poisson stream), so one cycle lasts T + e^(lam' L)/lam' and, per second,

    cold starts      lam' / (lam' T + e^(lam' L))
    share billed     (e^(lam' L) - 1 + lam' b) / (lam' T + e^(lam' L))     b: billed part of T
    share waiting    (1 + lam' T) / (lam' T + e^(lam' L))   (only when base = 0: no warm replica)

The billed share is never below the replica's busy share lam' / mu (mu: saturated capacity) and
each up period is rounded up to the meter unit g (g/2 on average, billed as a window g/2 longer).
Everything is numpy over the 24 hours (and draws, for Monte Carlo); no typer, yaml or pandas.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from llmcost import defaults
from llmcost.errors import UsageError
from llmcost.records import ColdStartComponents, Platform

if TYPE_CHECKING:
    from llmcost.numeric import FloatArray

SCAN_ELEMENTS = 1 << 21  # hours x volumes x draws evaluated per call when scanning for a break-even
EXP_CAP = 700.0  # e^-700 is ~1e-304: beyond it a window is always bridged (and exp would overflow)


# ---------------------------------------------------------------- cold start as a function of model size


@dataclass(frozen=True)
class ColdStart:
    """Cold-start time of one replica: image pull + weights download and load at sourced bandwidths
    + engine start (compile, CUDA graphs, init), from one decomposed measurement."""

    basis: str  # the cold_start_components id the rates come from
    image_pull_s: float
    download_gb_per_s: float | None  # None: weights are cached on the host or a volume (no download)
    load_gb_per_s: float
    engine_start_s: float

    def phases_s(self, weights_gb: float) -> dict[str, float]:
        """Seconds per billing phase for a replica loading `weights_gb` GB of weights."""
        download = weights_gb / self.download_gb_per_s if self.download_gb_per_s else 0.0
        return {
            "image_pull": self.image_pull_s,
            "model_load": download + weights_gb / self.load_gb_per_s + self.engine_start_s,
        }

    def seconds(self, weights_gb: float) -> float:
        return sum(self.phases_s(weights_gb).values())


def cold_start_from(record: ColdStartComponents, image_pull_s: float = defaults.IMAGE_PULL_S) -> ColdStart:
    """Bandwidths and the fixed engine start derived from a decomposed start-up measurement:
    load = size / weights_load seconds, download = size / model_download seconds (none when 0),
    engine = every other component (UsageError when the record is not decomposed)."""
    c, size = record.components_s, record.model_size_gb
    if not size or "weights_load" not in c or c["weights_load"] <= 0:
        raise UsageError(
            f"cold-start basis '{record.id}' has no weights_load component and model size to derive a bandwidth from",
            param="cold_start_basis",
        )
    download = c.get("model_download", 0.0)
    engine = sum(v for k, v in c.items() if k not in ("weights_load", "model_download"))
    return ColdStart(
        record.id, image_pull_s, size / download if download > 0 else None, size / c["weights_load"], engine
    )


# ---------------------------------------------------------------- billing rules


@dataclass(frozen=True)
class Rules:
    """What one platform bills for one GPU, resolved to numbers (the model's whole view of a platform)."""

    platform: str
    kind: str  # serverless | dedicated
    gpu: str
    usd_per_gpu_second: float
    gpus_per_replica: int
    granularity_s: float
    idle_window_s: float  # replicas above the last one stop after this idle time (inf: held the whole hour)
    last_window_s: float  # the last replica stops after this idle time (inf: never scales to zero)
    min_replicas: int
    billed_start_phases: tuple[str, ...]  # which cold-start phases bill GPU time
    plan_fee_usd_per_month: float
    per_request_fee_usd: float
    notes: tuple[str, ...] = ()

    def billed_start_s(self, phases_s: dict[str, float]) -> float:
        return sum(v for k, v in phases_s.items() if k in self.billed_start_phases)


def rules_for(
    platform: Platform,
    gpu: str,
    gpus_per_replica: int,
    *,
    min_replicas: int | None = None,
    idle_window_s: float | None = None,
    plan: str | None = None,
) -> Rules:
    """A platform's billing rules for a GPU, overrides applied; a UsageError naming the platform and
    GPU when it lists no list price for it."""
    price = platform.price_for(gpu)
    if price is None:
        have = sorted({p.gpu for p in platform.prices if p.list_usd_per_gpu_second is not None})
        raise UsageError(
            f"platform '{platform.id}' lists no price for GPU '{gpu}'"
            + (f"; it prices {', '.join(have)}" if have else "; it lists no per-GPU prices"),
            param="platforms",
        )
    b, notes = platform.billing, []
    if min_replicas is not None and min_replicas < 0:
        raise UsageError(f"min_replicas must be >= 0, got {min_replicas}", param="min_replicas")
    floor = 0 if b.scale_to_zero else 1
    mins = max(floor, b.min_replicas_default or 0) if min_replicas is None else max(floor, min_replicas)
    if min_replicas is not None and min_replicas < floor:
        notes.append(f"{platform.id} cannot scale to zero: at least 1 replica")
    idle = b.idle_window_default_s if idle_window_s is None else idle_window_s
    if idle_window_s is not None and b.idle_window_min_s is not None and idle_window_s < b.idle_window_min_s:
        raise UsageError(
            f"{platform.id}: idle window {idle_window_s:g} s is below its minimum {b.idle_window_min_s:g} s",
            param="idle_window_s",
        )
    if idle_window_s is not None and b.idle_window_max_s is not None and idle_window_s > b.idle_window_max_s:
        raise UsageError(
            f"{platform.id}: idle window {idle_window_s:g} s is above its maximum {b.idle_window_max_s:g} s",
            param="idle_window_s",
        )
    if idle is None:
        idle = math.inf
        notes.append(f"{platform.id} states no idle window: replicas above the minimum are held for the whole hour")
    last = math.inf if not b.scale_to_zero else (b.scale_to_zero_window_default_s or idle)
    fee = b.plan_fee_usd_per_month or 0.0
    if plan is not None:
        chosen = next((p for p in b.plans if p.plan == plan), None)
        if chosen is None or chosen.plan_fee_usd_per_month is None:
            valid = ", ".join(p.plan for p in b.plans if p.plan_fee_usd_per_month is not None) or "none"
            raise UsageError(f"{platform.id} has no priced plan '{plan}'; valid: {valid}", param="plan")
        fee = chosen.plan_fee_usd_per_month
    elif b.plans:
        priced = [p for p in b.plans if p.plan_fee_usd_per_month is not None]
        fee = min((p.plan_fee_usd_per_month or 0.0 for p in priced), default=fee)
    usd = price.list_usd_per_gpu_second
    assert usd is not None  # price_for returns list-priced rows only
    phases = tuple(p for p in ("image_pull", "model_load") if b.billed(p))
    return Rules(
        platform=platform.id,
        kind=platform.kind,
        gpu=gpu,
        usd_per_gpu_second=usd,
        gpus_per_replica=gpus_per_replica,
        granularity_s=b.granularity_s,
        idle_window_s=idle,
        last_window_s=last,
        min_replicas=mins,
        billed_start_phases=phases,
        plan_fee_usd_per_month=fee,
        per_request_fee_usd=b.per_request_fee_usd or 0.0,
        notes=tuple(notes),
    )


# ---------------------------------------------------------------- the hourly bill


@dataclass(frozen=True, eq=False)
class Replica:
    """One replica's physics as the billing model sees it."""

    requests_per_s: float | FloatArray  # carried at the utilization target (c); draws in Monte Carlo
    saturated_requests_per_s: float | FloatArray  # at saturation (mu)
    request_s: float  # one request's duration, first token to last (d)
    warm_ttft_ms: float
    cold_start_s: float  # T
    phases_s: dict[str, float]  # cold start by phase


@dataclass(frozen=True, eq=False)
class PlatformBill:
    """A platform's month for a daily profile, hour by hour (first axis 24; then draws, if any)."""

    rules: Rules
    monthly_cost_usd: FloatArray | float
    monthly_gpu_cost_usd: FloatArray | float
    billed_gpu_hours_per_month: FloatArray | float
    busy_gpu_hours_per_month: FloatArray | float
    base_replicas_by_hour: FloatArray
    cold_starts_per_day: FloatArray | float
    cold_wait_share: FloatArray | float  # share of requests that wait for a cold start
    cold_ttft_ms: float  # the TTFT a request that triggers a cold start sees


def _marginal(lam: FloatArray, window_s: FloatArray, t: float, b: float) -> tuple[FloatArray, ...]:
    """(billed share, cold starts per second, waiting share of arrivals) of the marginal replica."""
    x = np.minimum(lam * window_s, EXP_CAP)
    z = np.exp(-x)  # e^-(lam L): divide numerator and denominator by e^(lam L)
    denom = lam * t * z + 1.0
    billed = (1.0 - z + lam * b * z) / denom
    cold = lam * z / denom
    wait = (1.0 + lam * t) * z / denom
    return billed, cold, wait


def platform_bill(
    rules: Rules,
    replica: Replica,
    qpd: float | FloatArray,
    weights: Sequence[float],
    days_per_month: float,
) -> PlatformBill:
    """The monthly bill of a platform serving `qpd` queries/day spread over the day by `weights`
    (24 hourly shares summing to 1). Floats or arrays of draws for qpd."""
    w = np.asarray(weights, dtype=np.float64)
    q = np.asarray(qpd, dtype=np.float64)
    lam = w.reshape((24,) + (1,) * q.ndim) * q * 24 / defaults.SECONDS_PER_DAY  # requests/s in each hour
    c, mu, d, t = replica.requests_per_s, replica.saturated_requests_per_s, replica.request_s, replica.cold_start_s
    b = rules.billed_start_s(replica.phases_s)
    full = np.floor(lam / c + 1e-12)
    covered = rules.min_replicas * c >= lam
    base = np.where(covered, float(rules.min_replicas), full)
    rest = np.where(covered, 0.0, lam - full * c)
    window = np.where(base == 0, rules.last_window_s, rules.idle_window_s) + d
    billed_w = window + rules.granularity_s / 2  # each up period rounded up to the meter unit
    with np.errstate(invalid="ignore", over="ignore"):
        share, _, _ = _marginal(rest, billed_w, t, b)
        alive, cold, wait = _marginal(rest, window, t, 0.0)
    share = np.where(rest > 0, np.maximum(share, rest / mu), 0.0)
    alive = np.where(rest > 0, np.maximum(alive, rest / mu), 0.0)  # with b = 0 the share is the up time
    cold = np.where(rest > 0, cold, 0.0)
    wait = np.where((rest > 0) & (base == 0), wait, 0.0)
    # at each hour's start, replicas the hour holds up beyond the last hour's start cold (the morning
    # ramp after idle hours): up_h - up_(h-1) starts, billed b each; while the fleet was down
    # (1 - up_(h-1), capped at one replica) the hour's first request and those during the start wait
    up = base + np.where(rest > 0, alive + cold * t, 0.0)
    before = np.roll(up, 1, axis=0)
    ramp = np.maximum(up - before, 0.0)
    ramp_waiting = np.where(
        lam > 0, np.minimum(ramp, 1.0) * np.clip(1.0 - before, 0.0, 1.0) * np.minimum(1.0 + lam * t, lam * 3600.0), 0.0
    )
    billed_replica_s = 3600.0 * (base + share) + ramp * b  # per hour
    gpu_s_day = billed_replica_s.sum(axis=0) * rules.gpus_per_replica
    busy_s_day = (lam / mu).sum(axis=0) * 3600.0 * rules.gpus_per_replica
    gpu_usd = gpu_s_day * rules.usd_per_gpu_second * days_per_month
    requests_day = lam.sum(axis=0) * 3600.0
    waiting = np.minimum(wait * lam * 3600.0 + ramp_waiting, lam * 3600.0).sum(axis=0)  # at most every request
    share_waiting = np.where(requests_day > 0, waiting / np.maximum(requests_day, 1e-300), 0.0)
    monthly = gpu_usd + rules.plan_fee_usd_per_month + rules.per_request_fee_usd * q * days_per_month
    return PlatformBill(
        rules=rules,
        monthly_cost_usd=_out(monthly),
        monthly_gpu_cost_usd=_out(gpu_usd),
        billed_gpu_hours_per_month=_out(gpu_s_day / 3600 * days_per_month),
        busy_gpu_hours_per_month=_out(busy_s_day / 3600 * days_per_month),
        base_replicas_by_hour=base,
        cold_starts_per_day=_out((cold * 3600.0 + ramp).sum(axis=0)),
        cold_wait_share=_out(share_waiting),
        cold_ttft_ms=replica.warm_ttft_ms + t * 1000.0,
    )


def _out(x: FloatArray) -> FloatArray | float:
    a = np.asarray(x, dtype=np.float64)
    return float(a) if a.ndim == 0 else a


def meets_ttft(bill: PlatformBill, max_ttft_ms: float | None, miss_share: float = defaults.TTFT_MISS_SHARE) -> bool:
    """Whether the cold starts keep a TTFT target: no target, cold TTFT within it, or few enough
    requests waiting (at most `miss_share` of them)."""
    if max_ttft_ms is None or bill.cold_ttft_ms <= max_ttft_ms:
        return True
    return float(np.max(bill.cold_wait_share)) <= miss_share


def gated_cost(
    bill: PlatformBill, max_ttft_ms: float | None, miss_share: float = defaults.TTFT_MISS_SHARE
) -> FloatArray:
    """The monthly cost, infinite in every draw where the cold starts miss a TTFT target (more than
    `miss_share` of requests wait for a cold start whose TTFT is above it): an option ruled out."""
    cost = np.asarray(bill.monthly_cost_usd, dtype=np.float64)
    if max_ttft_ms is None or bill.cold_ttft_ms <= max_ttft_ms:
        return cost
    out: FloatArray = np.where(np.asarray(bill.cold_wait_share) <= miss_share, cost, np.inf)
    return out


def cheaper_above(
    excess_usd: Callable[[FloatArray], FloatArray],
    n: int,
    low_qpd: float,
    high_qpd: float,
    points: int = 120,
    iterations: int = 24,
) -> FloatArray:
    """Per draw (n of them), the volume above which an option stays cheaper than another up to
    high_qpd; NaN where it is not cheaper at high_qpd, low_qpd where it is cheaper everywhere.
    `excess_usd(q)` is the option's monthly cost minus the other's at volumes q (last axis: draws):
    scanned on a log grid of `points` volumes, then the last switch bisected per draw on a log
    scale (`iterations` halvings of the grid's ratio, 1.145 for 1..1e7, leave ~1e-8 of it)."""
    grid = np.geomspace(low_qpd, high_qpd, points)
    cheaper = np.empty((points, n), dtype=bool)
    rows = max(1, SCAN_ELEMENTS // (24 * n))  # grid volumes per call (24 hours x draws each)
    for i in range(0, points, rows):
        q = np.broadcast_to(grid[i : i + rows, None], (min(rows, points - i), n))
        with np.errstate(invalid="ignore"):
            cheaper[i : i + rows] = np.asarray(excess_usd(q), dtype=np.float64) < 0
    dearer = ~cheaper
    some = dearer.any(axis=0)
    last = points - 1 - np.argmax(dearer[::-1], axis=0)  # the highest grid volume where it is not cheaper
    lo = grid[last]
    hi = grid[np.minimum(last + 1, points - 1)]
    for _ in range(iterations):
        mid = np.sqrt(lo * hi)
        with np.errstate(invalid="ignore"):
            c = np.asarray(excess_usd(mid), dtype=np.float64) < 0
        lo, hi = np.where(c, lo, mid), np.where(c, mid, hi)
    out: FloatArray = np.where(cheaper[-1], np.where(some, hi, low_qpd), np.nan)
    return out


def shaped_profile(weights: Sequence[float], peak_factor: float) -> FloatArray:
    """The daily profile `weights` (24 shares summing to 1) reshaped to peak at `peak_factor` x the
    mean hour (1..24): mixed with the flat day to lower its peak, with all of the day in its peak
    hour to raise it, so the shares stay non-negative, sum to 1 and keep their order."""
    w = np.asarray(weights, dtype=np.float64)
    p0 = float(w.max()) * 24
    if not 1.0 <= peak_factor <= 24.0:
        raise UsageError(f"a daily profile's peak must be 1..24 x the mean hour, got {peak_factor:g}", param="profile")
    if peak_factor <= p0:
        t = (p0 - peak_factor) / (p0 - 1.0) if p0 > 1.0 else 0.0
        out: FloatArray = (1.0 - t) * w + t / 24.0
        return out
    t = (peak_factor - p0) / (24.0 - p0)
    spike = np.zeros(24)
    spike[int(np.argmax(w))] = 1.0
    out = (1.0 - t) * w + t * spike
    return out


# ---------------------------------------------------------------- spot with spares


@dataclass(frozen=True)
class SpotPolicy:
    """A spot fleet: `spare_spot` extra spot replicas and `spare_on_demand` on-demand ones (never
    preempted) absorb preemptions; a preempted replica is down for `down_s` (replacement time less
    the preemption notice)."""

    preemptions_per_month: float  # expected interruptions per spot replica per month, in [0, 1]
    down_s: float
    spare_spot: int = 0
    spare_on_demand: int = 0


def check_preemption(rate: float) -> float:
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= float(rate) <= 1:
        raise UsageError(
            f"spot preemption rate must be between 0 and 1 (interruptions per replica-month), got {rate!r}",
            param="spot_preemption",
        )
    return float(rate)


def poisson_tail(mean: FloatArray, k: int) -> FloatArray:
    """P(X > k) for X ~ Poisson(mean): the share of time more replicas are down than spares cover."""
    m = np.asarray(mean, dtype=np.float64)
    term = np.exp(-m)
    cdf = term.copy()
    for j in range(1, k + 1):
        term = term * m / j
        cdf = cdf + term
    out: FloatArray = np.clip(1.0 - cdf, 0.0, 1.0)
    return out


@dataclass(frozen=True, eq=False)
class SpotBill:
    policy: SpotPolicy
    monthly_cost_usd: FloatArray | float
    short_time_share: FloatArray | float  # share of time fewer replicas are up than the load needs


def spot_bill(
    replicas_by_hour: FloatArray,
    spot_usd_per_month: Callable[[FloatArray], FloatArray],
    on_demand_usd_per_month: Callable[[FloatArray], FloatArray],
    policy: SpotPolicy,
    hours_per_month: float,
    preemptions_per_month: FloatArray | float | None = None,
) -> SpotBill:
    """Expected monthly cost and share of time short of capacity of a spot fleet with spares.
    `replicas_by_hour`: replicas the load needs (24 rows; then draws); the price functions give the
    monthly cost of n replicas held all month (selfhost.CostCurve.gpu_cost_usd). Preemptions arrive
    at p / hours_per_month per replica-hour, each down `down_s`: the replicas down at a moment are
    Poisson with mean spot replicas x that hazard x down time."""
    n = np.asarray(replicas_by_hour, dtype=np.float64)
    p = policy.preemptions_per_month if preemptions_per_month is None else preemptions_per_month
    spot_n = n + policy.spare_spot
    down_mean = spot_n * np.asarray(p) / hours_per_month * policy.down_s / 3600.0
    short = poisson_tail(down_mean, policy.spare_spot + policy.spare_on_demand).mean(axis=0)
    spot_usd = np.asarray(spot_usd_per_month(spot_n)).mean(axis=0)
    od_usd = np.asarray(on_demand_usd_per_month(np.full_like(n[:1], float(policy.spare_on_demand)))).mean(axis=0)
    od_usd = od_usd if policy.spare_on_demand else np.zeros_like(spot_usd)
    return SpotBill(policy, _out(spot_usd + od_usd), _out(short))


def best_spot(
    replicas_by_hour: FloatArray,
    spot_usd_per_month: Callable[[FloatArray], FloatArray],
    on_demand_usd_per_month: Callable[[FloatArray], FloatArray],
    preemptions_per_month: float,
    down_s: float,
    hours_per_month: float,
    max_short_share: float = defaults.TTFT_MISS_SHARE,
    max_spares: int = defaults.MAX_SPOT_SPARES,
) -> SpotBill:
    """The cheapest (spare spot, spare on-demand) pair, each 0..max_spares, whose share of time short
    of capacity is at most `max_short_share`; the least-short one when none is."""
    bills = [
        spot_bill(replicas_by_hour, spot_usd_per_month, on_demand_usd_per_month,
                  SpotPolicy(preemptions_per_month, down_s, s, o), hours_per_month)
        for s in range(max_spares + 1)
        for o in range(max_spares + 1)
    ]  # fmt: skip
    ok = [b for b in bills if float(b.short_time_share) <= max_short_share]
    if ok:
        return min(ok, key=lambda b: (float(b.monthly_cost_usd), b.policy.spare_spot + b.policy.spare_on_demand))
    return min(bills, key=lambda b: (float(b.short_time_share), float(b.monthly_cost_usd)))


# ---------------------------------------------------------------- reserved plus burst


@dataclass(frozen=True)
class ReservedPlan:
    reserved: int  # reserved replicas held all month
    monthly_cost_usd: float
    reserved_usd: float
    burst_usd: float
    all_burst_usd: float  # the same profile with no reserved replicas


def reserved_plus_burst(
    replicas_by_hour: Sequence[float],
    reserved_usd_per_month: Callable[[float], float],
    burst_usd_per_month: Callable[[float], float],
    candidates: Sequence[int] | None = None,
) -> ReservedPlan:
    """The reserved replica count R minimising reserved(R) + burst(R), where burst(R) is the monthly
    cost of covering each hour's replicas above R (n_h - R when positive). With the burst priced per
    replica-hour the cost is piecewise linear in R with breakpoints at the hourly counts, so the
    minimum is at 0 or one of them (the default `candidates`); pass range(peak + 1) for a burst
    priced otherwise (serverless). R = 0 (all burst) is always a candidate."""
    n = [float(x) for x in replicas_by_hour]
    if len(n) != 24 or any(not math.isfinite(x) or x < 0 for x in n):
        raise UsageError(f"a daily profile needs 24 non-negative hourly replica counts, got {len(n)}", param="profile")
    points = sorted({0, *(math.ceil(x) for x in n)} | set(candidates or ()))
    none = burst_usd_per_month(0.0)
    best = ReservedPlan(0, none, 0.0, none, none)
    for r in points:
        if r == 0:
            continue
        res, b = reserved_usd_per_month(float(r)), burst_usd_per_month(float(r))
        if res + b < best.monthly_cost_usd - 1e-9:
            best = ReservedPlan(r, res + b, res, b, none)
    return best


# ---------------------------------------------------------------- crossings among cost curves


def crossings(
    costs: dict[str, Callable[[FloatArray], FloatArray]], low_qpd: float, high_qpd: float, points: int = 400
) -> list[tuple[float, str, str]]:
    """Every volume where two options swap order: (qpd, cheaper below, cheaper above) for each pair,
    located on a log grid of `points` volumes and refined twice on 64 volumes inside each bracket
    (to a ratio of about 1 + 1e-5 with the defaults); every bracket of a pair refined at once."""
    grid = np.geomspace(low_qpd, high_qpd, points)
    values = {k: np.asarray(f(grid), dtype=np.float64) for k, f in costs.items()}
    out: list[tuple[float, str, str]] = []
    names = list(costs)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            with np.errstate(invalid="ignore"):
                below = values[a] < values[b]
            idx = np.nonzero(below[:-1] != below[1:])[0]
            if idx.size == 0:
                continue
            lo, hi = grid[idx], grid[idx + 1]
            for _ in range(2):
                t = np.linspace(0.0, 1.0, 64)
                pts = lo[:, None] * (hi / lo)[:, None] ** t[None, :]  # (brackets, 64), log-spaced
                flat = pts.ravel()
                with np.errstate(invalid="ignore"):
                    cheaper = (np.asarray(costs[a](flat)) < np.asarray(costs[b](flat))).reshape(pts.shape)
                first = cheaper[:, :1]
                j = np.argmax(cheaper != first, axis=1)  # the first volume on the other side
                j = np.where((cheaper != first).any(axis=1), j, pts.shape[1] - 1)
                lo, hi = pts[np.arange(len(j)), np.maximum(j - 1, 0)], pts[np.arange(len(j)), j]
            for k, was_below in zip(hi, below[idx], strict=True):
                out.append((float(k), a, b) if was_below else (float(k), b, a))
    return sorted(out)

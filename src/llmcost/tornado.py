"""Sensitivity (a tornado): each uncertain input swung from low to high, the others held where the
point answer has them, ranked by how far the result moves.

Low/high are the range's ends for uniform inputs and the 10th/90th percentiles otherwise. The
result is the monthly cost difference (self-hosted minus API) at the scenario's volume, or the
break-even volume. Each swing is one draw through the same functions Monte Carlo uses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

import numpy as np

from llmcost.crossings import breakeven_volumes
from llmcost.hidden import HiddenPart, by_driver
from llmcost.inputs import Inputs
from llmcost.montecarlo import (
    Draws,
    PlatformCase,
    api_usd_per_qpd,
    factors,
    owned_price_factor,
)
from llmcost.montecarlo import platform_vs_api as platform_result
from llmcost.selfhost import CostCurve, fleet_cost_usd
from llmcost.uncertainty import Uncertain, Uniform, central, draw

if TYPE_CHECKING:
    from llmcost.numeric import FloatArray

Metric = Literal["cost_difference", "breakeven"]


def low_high(value: Uncertain) -> tuple[float, float] | None:
    if isinstance(value, int | float):
        return None
    if isinstance(value, Uniform):
        return value.low, value.high
    samples = draw(value, 20_001, np.random.default_rng(0))
    lo, hi = np.percentile(samples, (10, 90))
    return float(lo), float(hi)


def point_draw(inp: Inputs, gpu: str) -> Draws:
    """The point answer as a single draw."""
    w, a = inp.workload, inp.selfhost
    return Draws(
        n=1,
        qpd=np.array([w.queries_per_day]),
        utilization=np.array([a.utilization_target]),
        peak_factor=np.array([a.peak_factor]),
        throughput=np.array([a.throughput_factor]),
        hidden={k: np.array([v]) for k, v in by_driver(inp.hidden).items()},
        gpu_price_factor={gpu: np.array([a.gpu_price_factor])},
        input_tokens=np.array([w.input_tokens]),
        output_tokens=np.array([w.output_tokens]),
    )


def result_of(inp: Inputs, metric: Metric, api_id: str, curve: CostCurve, d: Draws) -> float | None:
    a = api_usd_per_qpd(inp, api_id, d)
    f = factors(curve, d, inp)
    if metric == "breakeven":
        v = float(breakeven_volumes(a, curve, f, inp.max_qpd)[0])
        return None if np.isnan(v) else v
    return float(np.asarray(fleet_cost_usd(curve, d.qpd, f))[0] - a[0] * d.qpd[0])


Swing = tuple[str, float, float, float | None, float | None, float]  # input, low, high, at low, at high, width


def swings(inp: Inputs, metric: Metric, api_id: str, curve: CostCurve) -> tuple[float | None, list[Swing]]:
    """The point result and each input's swing (input, low, high, result at low, at high, width), widest first."""
    gpu, u = curve.config.gpu.id, inp.uncertainty
    base = point_draw(inp, gpu)
    found: list[tuple[str, float, float, Draws, Draws]] = []

    def swing(name: str, value: Uncertain, at: Callable[[FloatArray], Draws]) -> None:
        bounds = low_high(value)
        if bounds and bounds[0] != bounds[1]:  # a range that does not vary moves nothing
            lo, hi = bounds
            found.append((name, lo, hi, at(np.array([lo])), at(np.array([hi]))))

    if metric == "cost_difference":
        swing("queries per day", u.qpd, lambda x: replace(base, qpd=x))
    swing("input tokens per query", u.input_tokens, lambda x: replace(base, input_tokens=x))
    swing("output tokens per query", u.output_tokens, lambda x: replace(base, output_tokens=x))
    for option in (api_id, curve.config.model.id):
        if option in u.reasoning_tokens:

            def at_reasoning(x: FloatArray, option: str = option) -> Draws:
                return replace(base, reasoning_tokens={**base.reasoning_tokens, option: x})

            swing(f"{option} reasoning tokens per query", u.reasoning_tokens[option], at_reasoning)
    swing("utilization target", u.utilization, lambda x: replace(base, utilization=x))
    swing("peak factor", u.peak_factor, lambda x: replace(base, peak_factor=x))
    swing("throughput (model error)", u.throughput_factor, lambda x: replace(base, throughput=x))
    swing(
        f"{gpu} price over the cheapest offer",
        u.gpu_price_factor.get(gpu, 1.0),
        lambda x: replace(base, gpu_price_factor={gpu: x}),
    )
    if gpu in u.offer_price_factor:
        swing(
            f"{gpu} cheapest offer's own price range",
            u.offer_price_factor[gpu],
            lambda x: replace(base, gpu_price_factor={gpu: x}),
        )
    for figure, value in u.owned_figures.get(gpu, {}).items():

        def at_figure(x: FloatArray, figure: str = figure) -> Draws:
            return replace(base, gpu_price_factor={gpu: owned_price_factor(inp, gpu, {figure: x})})

        swing(f"owned {gpu}: {figure}", value, at_figure)
    follows_input = inp.all_apis[api_id].cached_input_usd_per_mtok is None  # cached billed at the input price
    for key, price in u.api_price_factor.get(api_id, {}).items():
        if key == "cached_input" and follows_input:
            continue  # swung with the input price

        def at_price(x: FloatArray, key: str = key) -> Draws:
            keys = (key, "cached_input") if key == "input" and follows_input else (key,)
            return replace(base, api_price_factor={api_id: {k: x for k in keys}})

        swing(f"{api_id} {key} price (factor)", price, at_price)
    for part in u.hidden:
        bounds = low_high(part.drawn)
        if bounds:
            lo, hi = bounds
            total, c = float(base.hidden[part.driver][0]), central(part.drawn)

            def at_rate(x: float, part: HiddenPart = part, total: float = total, c: float = c) -> Draws:
                return replace(base, hidden={**base.hidden, part.driver: np.array([total - c + x])})

            name = f"hidden cost: {part.line}" + ("" if part.driver == "deployment" else f" ({part.basis})")
            found.append((name, lo, hi, at_rate(lo), at_rate(hi)))
    rows: list[Swing] = []
    for name, lo, hi, d_lo, d_hi in found:
        r_lo, r_hi = result_of(inp, metric, api_id, curve, d_lo), result_of(inp, metric, api_id, curve, d_hi)
        width = abs((r_hi if r_hi is not None else inp.max_qpd) - (r_lo if r_lo is not None else inp.max_qpd))
        rows.append((name, lo, hi, r_lo, r_hi, width))
    rows.sort(key=lambda r: -r[5])
    return result_of(inp, metric, api_id, curve, base), rows


# ---------------------------------------------------------------- a serving platform against the API


def _one(x: FloatArray) -> float | None:
    v = float(np.asarray(x)[0])
    return v if np.isfinite(v) else None


def platform_ranges(
    case: PlatformCase, cold_starts: Sequence[tuple[float, float]]
) -> list[tuple[str, str, float, float]]:
    """The platform inputs a tornado swings and their sourced ranges: (label, key, low, high) for
    the weights load rate and engine start over the decomposed start-up measurements
    (`cold_starts`: their (load GB/s, engine s)), the idle window over the platform's allowed range,
    and the GPU-second price from its 'as low as' rate to the list price, where the data gives them."""
    out: list[tuple[str, str, float, float]] = []
    if cold_starts:
        loads, engines = [x[0] for x in cold_starts], [x[1] for x in cold_starts]
        out.append(("cold start: weights load (GB/s)", "load_gb_per_s", min(loads), max(loads)))
        out.append(("cold start: engine start (s)", "engine_start_s", min(engines), max(engines)))
    b = case.platform.billing
    if b.idle_window_min_s is not None and b.idle_window_max_s is not None:
        out.append(("idle window (s)", "idle_window_s", b.idle_window_min_s, b.idle_window_max_s))
    price = case.platform.price_for(case.rules.gpu)
    if price is not None and price.usd_per_gpu_hour_as_low_as is not None:
        low = price.usd_per_gpu_hour_as_low_as / 3600.0
        if low < case.rules.usd_per_gpu_second:
            out.append(("GPU-second price (as low as..list)",
                        "usd_per_gpu_second", low, case.rules.usd_per_gpu_second))  # fmt: skip
    return out


def platform_swings(
    inp: Inputs, metric: Metric, api_id: str, case: PlatformCase, cold_starts: Sequence[tuple[float, float]]
) -> tuple[float | None, list[Swing]]:
    """The point result and each input's swing for a serving platform against the API, widest
    first: the volume (cost_difference), the profile's peak (over the peak factor's range), the
    replica's throughput and utilization target, the API's price ranges, and the platform inputs of
    platform_ranges. Token counts and reasoning are not swung here (they resize the replica)."""
    u = inp.uncertainty
    base = replace(point_draw(inp, case.rules.gpu), throughput=np.array([case.throughput_factor]))
    found: list[tuple[str, float, float, FloatArray, FloatArray]] = []

    def swing(name: str, value: Uncertain, at: Callable[[float], FloatArray]) -> None:
        bounds = low_high(value)
        if bounds and bounds[0] != bounds[1]:
            lo, hi = bounds
            found.append((name, lo, hi, at(lo), at(hi)))

    def at_draw(field_name: str) -> Callable[[float], FloatArray]:
        def at(x: float) -> FloatArray:
            d = replace(base, **{field_name: np.array([x])})  # type: ignore[arg-type]
            return platform_result(inp, metric, api_id, case, d)

        return at

    if metric == "cost_difference":
        swing("queries per day", u.qpd, at_draw("qpd"))
    bounds = low_high(u.peak_factor)
    if bounds and bounds[0] != bounds[1]:
        lo, hi = (min(max(x, 1.0), 24.0) for x in bounds)
        found.append(("profile peak (x mean hour)", lo, hi,
                      platform_result(inp, metric, api_id, case, base, {"peak_factor": lo}),
                      platform_result(inp, metric, api_id, case, base, {"peak_factor": hi})))  # fmt: skip
    swing("utilization target", u.utilization, at_draw("utilization"))
    swing("throughput (model error)", u.throughput_factor, at_draw("throughput"))
    follows_input = inp.all_apis[api_id].cached_input_usd_per_mtok is None
    for key, price in u.api_price_factor.get(api_id, {}).items():
        if key == "cached_input" and follows_input:
            continue

        def at_price(x: float, key: str = key) -> FloatArray:
            keys = (key, "cached_input") if key == "input" and follows_input else (key,)
            d = replace(base, api_price_factor={api_id: {k: np.array([x]) for k in keys}})
            return platform_result(inp, metric, api_id, case, d)

        swing(f"{api_id} {key} price (factor)", price, at_price)
    for name, key, lo, hi in platform_ranges(case, cold_starts):
        if lo != hi:
            found.append((name, lo, hi, platform_result(inp, metric, api_id, case, base, {key: lo}),
                          platform_result(inp, metric, api_id, case, base, {key: hi})))  # fmt: skip
    top = float(inp.max_qpd)
    point = _one(platform_result(inp, metric, api_id, case, base))
    rows: list[Swing] = []
    for name, lo, hi, x_lo, x_hi in found:
        r_lo, r_hi = _one(x_lo), _one(x_hi)
        if metric == "breakeven":
            width = abs((r_hi if r_hi is not None else top) - (r_lo if r_lo is not None else top))
        elif r_lo is not None and r_hi is not None:
            width = abs(r_hi - r_lo)
        else:  # an end that misses the TTFT target has no cost: the swing is the other end's distance to the point
            end = r_lo if r_lo is not None else r_hi
            width = abs(end - point) if end is not None and point is not None else 0.0
        rows.append((name, lo, hi, r_lo, r_hi, width))
    rows.sort(key=lambda r: -r[5])
    return point, rows

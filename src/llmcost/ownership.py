"""Buying GPUs instead of renting them: the effective hourly cost of an owned GPU.

    capex     = purchase price / (depreciation years x 8,760 h)
    power     = (GPU TDP + the server's share, kW) x PUE x electricity price
    colocation= (GPU TDP + the server's share, kW) x colocation price per kW-month / 730 h
    support   = annual support fraction x purchase price / 8,760 h

Owned GPUs are paid for every hour whether busy or not, like always-on rentals. Each figure is the
midpoint of its sourced range in data/ownership.yaml (Monte Carlo draws them over those ranges);
PUE has no source there, so it defaults to 1.0 (energy billed on IT load) and is the user's to set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from llmcost.records import Facility, Gpu, GpuOffer, OwnedGpu

HOURS_PER_YEAR = 8760
HOURS_PER_MONTH = HOURS_PER_YEAR / 12
GPUS_PER_OWNED_SERVER = 8  # HGX-style boards: owned GPUs come in 8-GPU servers


@dataclass(frozen=True)
class OwnedCost:
    gpu: str
    purchase_usd: float
    power_kw: float
    capex_usd_per_hour: float
    power_usd_per_hour: float
    colocation_usd_per_hour: float
    support_usd_per_hour: float

    @property
    def usd_per_gpu_hour(self) -> float:
        return (
            self.capex_usd_per_hour + self.power_usd_per_hour + self.colocation_usd_per_hour + self.support_usd_per_hour
        )


def owned_gpu_cost(gpu: Gpu, owned: OwnedGpu, facility: Facility, pue: float = 1.0) -> OwnedCost:
    """Effective USD per hour of one owned GPU (see the module docstring)."""
    x = central_figures(owned, facility)
    kw, capex, power, colocation, support = _hourly(gpu, x, pue)
    return OwnedCost(gpu.id, x["purchase_usd_per_gpu"], kw, capex, power, colocation, support)


def central_figures(owned: OwnedGpu, facility: Facility) -> dict[str, float]:
    """The figures an owned GPU's cost is built from, each at its central value."""
    ranges = {f.name: getattr(facility, f.name).mid for f in fields(facility)}
    return {"purchase_usd_per_gpu": owned.purchase_usd_per_gpu, **ranges}


def _hourly(gpu: Gpu, x: Mapping[str, Any], pue: float) -> tuple[Any, Any, Any, Any, Any]:
    """(kW, capex, power, colocation, support USD/h) from figures that are numbers or arrays of draws."""
    assert gpu.tdp_w is not None  # the catalog refuses an owned GPU without one
    kw = (gpu.tdp_w + x["server_overhead_w_per_gpu"]) / 1000
    return (
        kw,
        x["purchase_usd_per_gpu"] / (x["depreciation_years"] * HOURS_PER_YEAR),
        kw * pue * x["electricity_usd_per_kwh"],
        kw * x["colocation_usd_per_kw_month"] / HOURS_PER_MONTH,
        x["support_fraction_per_year"] * x["purchase_usd_per_gpu"] / HOURS_PER_YEAR,
    )


def owned_usd_per_gpu_hour(gpu: Gpu, figures: Mapping[str, Any], pue: float) -> Any:
    """USD per owned GPU-hour from figures that may be arrays of Monte Carlo draws."""
    _, capex, power, colocation, support = _hourly(gpu, figures, pue)
    return capex + power + colocation + support


def owned_offer(gpu: Gpu, owned: OwnedGpu, usd_per_server_hour: float) -> GpuOffer:
    """An owned 8-GPU server as an 'offer', so owned deployments cost like rented ones."""
    return GpuOffer(
        id=f"owned/{gpu.id}",
        provider="owned",
        instance=f"{GPUS_PER_OWNED_SERVER}-GPU server (owned)",
        gpu=gpu.id,
        gpus_per_instance=GPUS_PER_OWNED_SERVER,
        pricing="owned",
        usd_per_instance_hour=usd_per_server_hour,
        source=owned.source,
        as_of=owned.as_of,
    )

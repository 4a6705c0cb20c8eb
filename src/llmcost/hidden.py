"""Hidden costs of self-hosting as parts that scale with what drives them.

Each line of data/costs.yaml becomes one or more parts, each a rate per unit of a driver:

    deployment   USD per month, whatever the fleet (the DevOps range, the load balancer's hours)
    host         USD per rented host (instance) per month (monitoring is billed per host)
    gpu          USD per rented GPU per month (a software licence, when asked for)
    weight_gb    USD per GB of the configuration's weights per month (storage, backup)
    qpd          USD per month per query/day (egress of the responses, load-balancer capacity units)
    devops_step  USD per month per step of `hosts_per_devops_step` hosts (engineering time that
                 grows with the fleet; only when that step is given: no published staffing ratio
                 was found, so by default DevOps is one flat line per deployment)

"flat" keeps the seed article's lines, each per deployment; "off" drops them all; an override
(line -> USD/month) replaces that line with a flat amount.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from llmcost import defaults
from llmcost.catalog import Catalog
from llmcost.errors import UnknownIdError, UsageError
from llmcost.uncertainty import Uncertain, central

Driver = Literal["deployment", "host", "gpu", "weight_gb", "qpd", "devops_step"]
DRIVERS: tuple[Driver, ...] = ("deployment", "host", "gpu", "weight_gb", "qpd", "devops_step")
MODES = ("scaled", "flat", "off")
SCALED_LINES = ("devops", "monitoring", "load_balancing", "storage", "backup", "egress", "licence")
BYTES_PER_GB = 1e9
GIB_PER_GB = 1e9 / 2**30
LCU_NEW_CONNECTIONS_PER_S = 25  # AWS ALB: one LCU = 25 new connections a second, or 1 GB processed an hour


@dataclass(frozen=True)
class HiddenPart:
    """One part of a hidden-cost line: `usd` per unit of `driver` per month (the point value), and
    what Monte Carlo draws (the same unit)."""

    line: str
    driver: Driver
    usd: float
    drawn: Uncertain
    basis: str  # what the rate is per, in words ("per host")
    source: str
    price_id: str | None = None  # the fleet_costs row it comes from

    def to_dict(self) -> dict[str, object]:
        return {"line": self.line, "driver": self.driver, "usd": self.usd, "basis": self.basis,
                "price": self.price_id, "source": self.source}  # fmt: skip


def _scaled_rate(value: Uncertain, k: float) -> Uncertain:
    return value * k if isinstance(value, int | float) else value.scaled(k)


def hidden_parts(
    cat: Catalog,
    mode: str,
    overrides: Mapping[str, Uncertain],
    *,
    input_tokens: float,
    output_tokens: float,
    days_per_month: float,
    nvidia_ai_enterprise: bool = False,
    hosts_per_devops_step: int | None = None,
) -> tuple[HiddenPart, ...]:
    """The hidden-cost parts of every deployment for `mode` ("scaled", "flat" or "off")."""
    if mode not in MODES:
        raise UsageError(f"hidden_costs must be one of {', '.join(MODES)}, got '{mode}'", param="hidden_costs")
    known = list(cat.hidden_costs) + [x for x in SCALED_LINES if x not in cat.hidden_costs]
    for key in overrides:
        if key not in known:
            raise UnknownIdError("hidden-cost line", key, known, param="hidden_cost_overrides")
    if mode == "off":
        return ()
    parts: list[HiddenPart] = []
    flat = mode == "flat"
    hours = defaults.HOURS_PER_DAY * days_per_month
    for key, line in cat.hidden_costs.items():
        drawn = line.spread.get("usd_per_month", line.usd_per_month)
        if flat or key == "devops":
            driver: Driver = "devops_step" if key == "devops" and hosts_per_devops_step and not flat else "deployment"
            basis = "per deployment" if driver == "deployment" else f"per {hosts_per_devops_step} hosts"
            parts.append(HiddenPart(key, driver, line.usd_per_month, drawn, basis, line.source))
    if not flat:
        per_query_bytes = (input_tokens + output_tokens) * cat.bytes_per_token.bytes_per_token
        response_bytes = output_tokens * cat.bytes_per_token.bytes_per_token
        lcu_per_qpd = max(
            1 / defaults.SECONDS_PER_DAY / LCU_NEW_CONNECTIONS_PER_S,  # every request a new connection
            per_query_bytes / BYTES_PER_GB / defaults.HOURS_PER_DAY,  # GB processed an hour
        )
        wanted: list[tuple[str, str, Driver, float, str]] = [
            ("monitoring", "host_month", "host", 1.0, "per host"),
            ("load_balancing", "balancer_hour", "deployment", hours, "per balancer, all month"),
            ("load_balancing", "lcu_hour", "qpd", lcu_per_qpd * hours, "capacity units per query/day"),
            # the object-storage prices are per GiB; weights are counted in GB
            ("storage", "gb_month", "weight_gb", GIB_PER_GB, "per GB of weights"),
            ("backup", "gb_month", "weight_gb", GIB_PER_GB, "per GB of weights"),
            ("egress", "egress_gb", "qpd", response_bytes / BYTES_PER_GB * days_per_month, "per GB of responses"),
        ]
        if nvidia_ai_enterprise:
            wanted.append(("licence", "gpu_month", "gpu", 1.0, "per GPU (NVIDIA AI Enterprise)"))
        for key, driver_name, driver, k, basis in wanted:
            price = cat.fleet_price(key, driver_name)
            if price is None:
                raise UsageError(f"no default {driver_name} price for hidden-cost line '{key}' in costs.yaml")
            drawn = _scaled_rate(price.spread.get("usd_per_unit", price.usd_per_unit), k)
            parts.append(HiddenPart(key, driver, price.usd_per_unit * k, drawn, basis, price.source, price.id))
    for key, value in overrides.items():  # an override is that line as one flat amount
        parts = [p for p in parts if p.line != key]
        parts.append(HiddenPart(key, "deployment", central(value), value, "per deployment (override)", "user"))
    return tuple(parts)


def units(driver: str, *, hosts: float, gpus: float, weights_gb: float, qpd: float, hosts_per_step: float) -> float:
    """How many units of `driver` a fleet has (the multiplier of a part's rate)."""
    steps = math.ceil(hosts / hosts_per_step) if math.isfinite(hosts_per_step) else 0.0
    return {"deployment": 1.0, "host": hosts, "gpu": gpus, "weight_gb": weights_gb, "qpd": qpd,
            "devops_step": steps}[driver]  # fmt: skip


def by_line(parts: tuple[HiddenPart, ...], **fleet: float) -> dict[str, float]:
    """USD per month of each line for one fleet (hosts, gpus, weights_gb, qpd, hosts_per_step)."""
    out: dict[str, float] = {}
    for p in parts:
        out[p.line] = out.get(p.line, 0.0) + p.usd * units(p.driver, **fleet)
    return out


def by_driver(parts: tuple[HiddenPart, ...]) -> dict[str, float]:
    """The point rates summed per driver."""
    out: dict[str, float] = dict.fromkeys(DRIVERS, 0.0)
    for p in parts:
        out[p.driver] += p.usd
    return out

"""Uncertain inputs: a point value, a low/high range, or a named distribution.

Semantics (every distribution is also given a central value, used by the deterministic answer):
- a number: that value, no uncertainty;
- {low, high} or "low..high": uniform between them; central = midpoint;
- {dist: triangular, low, mode, high} or "triangular:low,mode,high": central = mode;
- {dist: normal, mean, sd} or "normal:mean,sd": central = mean; draws are clipped at 0 (every
  uncertain input here is a volume, share, price or factor that cannot be negative);
- {dist: lognormal, median, sigma} or "lognormal:median,sigma": log-normal with that median and
  log-space standard deviation; central = median.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from llmcost.errors import UsageError

FloatArray = npt.NDArray[np.float64]
MAX_DRAWS = 1_000_000  # a cap that keeps memory and time bounded on a laptop


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Uniform(_Dist):
    dist: Literal["uniform"] = "uniform"
    low: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.low > self.high:
            raise ValueError(f"low ({self.low:g}) is above high ({self.high:g})")
        return self

    def central(self) -> float:
        return (self.low + self.high) / 2

    def draw(self, n: int, rng: np.random.Generator) -> FloatArray:
        return rng.uniform(self.low, self.high, n) if self.high > self.low else np.full(n, self.low)


class Triangular(_Dist):
    dist: Literal["triangular"]
    low: float = Field(ge=0)
    mode: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            raise ValueError("triangular needs low <= mode <= high")
        return self

    def central(self) -> float:
        return self.mode

    def draw(self, n: int, rng: np.random.Generator) -> FloatArray:
        return rng.triangular(self.low, self.mode, self.high, n) if self.high > self.low else np.full(n, self.mode)


class Normal(_Dist):
    dist: Literal["normal"]
    mean: float = Field(ge=0)
    sd: float = Field(ge=0)

    def central(self) -> float:
        return self.mean

    def draw(self, n: int, rng: np.random.Generator) -> FloatArray:
        return np.maximum(rng.normal(self.mean, self.sd, n), 0.0)


class LogNormal(_Dist):
    dist: Literal["lognormal"]
    median: float = Field(gt=0)
    sigma: float = Field(ge=0)

    def central(self) -> float:
        return self.median

    def draw(self, n: int, rng: np.random.Generator) -> FloatArray:
        return self.median * np.exp(rng.normal(0.0, self.sigma, n))


Dist = Annotated[Uniform | Triangular | Normal | LogNormal, Field(discriminator="dist")]
Uncertain = float | Dist
_ARGS = {
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("median", "sigma"),
}


def parse_uncertain(value: Any) -> Any:
    """Numbers pass through; ranges, distribution mappings and CLI shorthands become a distribution
    (or a one-line UsageError naming what is wrong)."""
    if isinstance(value, dict):
        spec = {"dist": "uniform", **value} if "dist" not in value else value
        model = _MODELS.get(str(spec.get("dist")))
        if model is None:
            raise UsageError(f"unknown distribution '{spec.get('dist')}'; valid: {', '.join(_ARGS)}")
        try:
            return model.model_validate(spec)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise UsageError(
                f"{spec['dist']} {where}: {err['msg'].removeprefix('Value error, ')}".replace(" : ", ": ")
            ) from None
    if not isinstance(value, str):
        return value
    text = value.strip()
    if ".." in text:
        low, _, high = text.partition("..")
        return parse_uncertain({"dist": "uniform", "low": _num(low, value), "high": _num(high, value)})
    if ":" in text:
        name, _, args = text.partition(":")
        name = name.strip().lower()
        if name not in _ARGS:
            raise UsageError(f"unknown distribution '{name}' in '{value}'; valid: {', '.join(_ARGS)}")
        parts = [_num(p, value) for p in args.split(",")]
        if len(parts) != len(_ARGS[name]):
            raise UsageError(f"'{value}': {name} takes {', '.join(_ARGS[name])}")
        return parse_uncertain({"dist": name, **dict(zip(_ARGS[name], parts, strict=True))})
    return _num(text, value)


_MODELS: dict[str, type[_Dist]] = {
    "uniform": Uniform,
    "triangular": Triangular,
    "normal": Normal,
    "lognormal": LogNormal,
}


def _num(text: str, whole: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise UsageError(
            f"'{whole}' is not a number, a range low..high or a distribution like normal:mean,sd"
        ) from None
    if not math.isfinite(x):
        raise UsageError(f"'{whole}' must be finite")
    return x


def central(value: Uncertain) -> float:
    return float(value) if isinstance(value, int | float) else value.central()


def draw(value: Uncertain, n: int, rng: np.random.Generator) -> FloatArray:
    return np.full(n, float(value)) if isinstance(value, int | float) else value.draw(n, rng)


def check_draws(n: int) -> int:
    if n <= 0:
        raise UsageError(f"monte_carlo must be a positive number of draws, got {n}")
    if n > MAX_DRAWS:
        raise UsageError(f"monte_carlo {n:,} draws is over the {MAX_DRAWS:,} cap")
    return n

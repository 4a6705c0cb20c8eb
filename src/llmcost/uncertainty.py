"""Uncertain inputs: a point value, a low/high range, or a named distribution.

Semantics (every distribution is also given a central value, used by the deterministic answer):
- a number: that value, no uncertainty;
- {low, high} or "low..high": uniform between them; central = midpoint;
- {dist: triangular, low, mode, high} or "triangular:low,mode,high": central = mode;
- {dist: normal, mean, sd} or "normal:mean,sd": central = mean; draws are clipped at 0 (every
  uncertain input here is a volume, share, price or factor that cannot be negative);
- {dist: lognormal, median, sigma} or "lognormal:median,sigma": log-normal with that median and
  log-space standard deviation; central = median.

The distributions are frozen stdlib dataclasses, validated in `__post_init__`; numpy is imported
only when drawing, so importing this module stays cheap (the CLI's cold start).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from llmcost.errors import UsageError

if TYPE_CHECKING:
    import numpy as np

    from llmcost.numeric import FloatArray


class DistError(ValueError):
    """An invalid distribution parameter; `field` is None for a check across parameters."""

    def __init__(self, field: str | None, msg: str) -> None:
        super().__init__(f"{field}: {msg}" if field else msg)
        self.field, self.msg = field, msg


def _param(name: str, value: object, positive: bool) -> float:
    """A finite float >= 0 (> 0 if `positive`); messages as pydantic words them."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DistError(name, "Input should be a valid number")
    x = float(value)
    if not math.isfinite(x):
        raise DistError(name, "Input should be a finite number")
    if positive and x <= 0:
        raise DistError(name, "Input should be greater than 0")
    if x < 0:
        raise DistError(name, "Input should be greater than or equal to 0")
    return x


@dataclass(frozen=True, kw_only=True)
class _Dist:
    """Shared validation: every parameter is a finite, non-negative float (`_POSITIVE` ones > 0)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}  # when a pydantic model embeds one
    _POSITIVE: ClassVar[frozenset[str]] = frozenset()
    _SCALE: ClassVar[tuple[str, ...]] = ()  # parameters in the quantity's unit
    dist: str

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            if f.name == "dist":
                if self.dist != f.default:
                    raise DistError("dist", f"Input should be '{f.default}'")
            else:
                object.__setattr__(self, f.name, _param(f.name, getattr(self, f.name), f.name in self._POSITIVE))
        self._check()

    def _check(self) -> None:
        """Checks across parameters."""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def scaled(self, k: float) -> Any:
        """The same distribution of k times the quantity (a log-normal's sigma is scale-free)."""
        return dataclasses.replace(self, **{f: getattr(self, f) * k for f in self._SCALE})


@dataclass(frozen=True, kw_only=True)
class Uniform(_Dist):
    _SCALE = ("low", "high")
    dist: Literal["uniform"] = "uniform"
    low: float
    high: float

    def _check(self) -> None:
        if self.low > self.high:
            raise DistError(None, f"low ({self.low:g}) is above high ({self.high:g})")

    def central(self) -> float:
        return (self.low + self.high) / 2

    def lowest(self) -> float:
        return self.low

    def draw(self, n: int, rng: np.random.Generator) -> FloatArray:
        import numpy as np

        return rng.uniform(self.low, self.high, n) if self.high > self.low else np.full(n, self.low)


@dataclass(frozen=True, kw_only=True)
class Triangular(_Dist):
    _SCALE = ("low", "mode", "high")
    dist: Literal["triangular"] = "triangular"
    low: float
    mode: float
    high: float

    def _check(self) -> None:
        if not self.low <= self.mode <= self.high:
            raise DistError(None, f"mode ({self.mode:g}) must lie between low ({self.low:g}) and high ({self.high:g})")

    def central(self) -> float:
        return self.mode

    def lowest(self) -> float:
        return self.low

    def draw(self, n: int, rng: np.random.Generator) -> FloatArray:
        import numpy as np

        return rng.triangular(self.low, self.mode, self.high, n) if self.high > self.low else np.full(n, self.mode)


@dataclass(frozen=True, kw_only=True)
class Normal(_Dist):
    _SCALE = ("mean", "sd")
    dist: Literal["normal"] = "normal"
    mean: float
    sd: float

    def central(self) -> float:
        return self.mean

    def lowest(self) -> float:
        return 0.0 if self.sd > 0 else self.mean  # draws are clipped at 0

    def draw(self, n: int, rng: np.random.Generator) -> FloatArray:
        import numpy as np

        return np.maximum(rng.normal(self.mean, self.sd, n), 0.0)


@dataclass(frozen=True, kw_only=True)
class LogNormal(_Dist):
    _POSITIVE = frozenset({"median"})
    _SCALE = ("median",)
    dist: Literal["lognormal"] = "lognormal"
    median: float
    sigma: float

    def central(self) -> float:
        return self.median

    def lowest(self) -> float:
        return self.median if self.sigma == 0 else math.ulp(0.0)  # draws are above 0, never 0

    def draw(self, n: int, rng: np.random.Generator) -> FloatArray:
        import numpy as np

        return self.median * np.exp(rng.normal(0.0, self.sigma, n))


Dist = Uniform | Triangular | Normal | LogNormal
Uncertain = float | Dist
DISTS: dict[str, type[Dist]] = {"uniform": Uniform, "triangular": Triangular, "normal": Normal, "lognormal": LogNormal}
_ARGS = {name: tuple(f.name for f in dataclasses.fields(cls) if f.name != "dist") for name, cls in DISTS.items()}


def parse_uncertain(value: Any) -> Any:
    """Numbers pass through; ranges, distribution mappings and CLI shorthands become a distribution
    (or a one-line UsageError naming what is wrong)."""
    if isinstance(value, dict):
        return _from_mapping(value)
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


def _from_mapping(spec: dict[Any, Any]) -> Dist:
    """{dist, params...} (dist defaults to uniform) as a distribution. Parameters are checked in order,
    then unknown keys, then the checks across parameters, so the first problem is the one reported."""
    name = spec.get("dist", "uniform")
    cls = DISTS.get(str(name))
    if cls is None:
        raise UsageError(f"unknown distribution '{name}'; valid: {', '.join(_ARGS)}")
    params: dict[str, float] = {}
    try:
        for arg in _ARGS[str(name)]:
            if arg not in spec:
                raise DistError(arg, "Field required")
            raw = spec[arg]
            if isinstance(raw, str):  # a number written as a string, as pydantic accepted
                try:
                    raw = float(raw)
                except ValueError:
                    raise DistError(arg, "Input should be a valid number, unable to parse string as a number") from None
            params[arg] = _param(arg, raw, arg in cls._POSITIVE)
        for key in spec:
            if key != "dist" and key not in params:
                raise DistError(str(key), "Extra inputs are not permitted")
        return cls(**params)  # type: ignore[arg-type]
    except DistError as exc:
        raise UsageError(f"{name} {exc.field}: {exc.msg}" if exc.field else f"{name}: {exc.msg}") from None


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


def describe(value: Uncertain) -> Any:
    """A setting as the assumptions show it: a number, or its distribution's parameters."""
    return value if isinstance(value, int | float) else value.to_dict()


def central(value: Uncertain) -> float:
    return float(value) if isinstance(value, int | float) else value.central()


def draw(value: Uncertain, n: int, rng: np.random.Generator) -> FloatArray:
    if isinstance(value, int | float):
        import numpy as np

        return np.full(n, float(value))
    return value.draw(n, rng)

"""Arithmetic on a float or a numpy array, without importing numpy for floats.

The model core is written once for both: one volume (a Python float, the deterministic commands)
or many at once (numpy arrays: Monte Carlo draws, volume sweeps, break-even steps). `+ - * / **`
work on either; the few operations that do not are here. Python numbers go through `math`,
anything else through numpy, imported on first use: `import numpy` costs more than the rest of a
`compare` run. Results are Python floats for scalars (also for numpy scalars and 0-d arrays) and
float64 arrays otherwise.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    Number = float | FloatArray  # a volume (or token count...) or an array of them


def _is_number(x: object) -> bool:
    return isinstance(x, int | float)  # numpy.float64 is a float; other numpy scalars take the array path


def _result(x: FloatArray) -> Number:
    return x if x.ndim else float(x)


@overload
def as_float(x: float) -> float: ...
@overload
def as_float(x: object) -> Number: ...
def as_float(x: object) -> Number:
    """`x` as a float, or as a float64 array when it is an array (or sequence) of several."""
    if _is_number(x):
        return float(x)  # type: ignore[arg-type]
    import numpy as np

    return _result(np.asarray(x, dtype=np.float64))


@overload
def ceil(x: float) -> float: ...
@overload
def ceil(x: FloatArray) -> FloatArray: ...
@overload
def ceil(x: Number) -> Number: ...
def ceil(x: Number) -> Number:
    """Round up to a whole number, kept as a float (infinities and NaN pass through, as in numpy)."""
    if _is_number(x):
        return float(math.ceil(x)) if math.isfinite(x) else float(x)
    import numpy as np

    return _result(np.ceil(x))


@overload
def maximum(a: float, b: float) -> float: ...
@overload
def maximum(a: FloatArray, b: Number) -> FloatArray: ...
@overload
def maximum(a: Number, b: FloatArray) -> FloatArray: ...
@overload
def maximum(a: Number, b: Number) -> Number: ...
def maximum(a: Number, b: Number) -> Number:
    """Elementwise larger of two; NaN wins, as in numpy."""
    if _is_number(a) and _is_number(b):
        return float(a if a >= b or a != a else b)
    import numpy as np

    return _result(np.maximum(a, b))


@overload
def minimum(a: float, b: float) -> float: ...
@overload
def minimum(a: FloatArray, b: Number) -> FloatArray: ...
@overload
def minimum(a: Number, b: FloatArray) -> FloatArray: ...
@overload
def minimum(a: Number, b: Number) -> Number: ...
def minimum(a: Number, b: Number) -> Number:
    """Elementwise smaller of two; NaN wins, as in numpy."""
    if _is_number(a) and _is_number(b):
        return float(a if a <= b or a != a else b)
    import numpy as np

    return _result(np.minimum(a, b))


def floor(x: Number) -> Number:
    """Round down to a whole number, kept as a float."""
    if _is_number(x):
        return float(math.floor(x)) if math.isfinite(x) else float(x)
    import numpy as np

    return _result(np.floor(x))


def where(condition: object, a: Number, b: Number) -> Number:
    """`a` where `condition` holds, else `b`, elementwise (a plain if/else for Python numbers)."""
    if isinstance(condition, bool) and _is_number(a) and _is_number(b):
        return float(a if condition else b)
    import numpy as np

    return _result(np.where(np.asarray(condition), a, b).astype(np.float64))

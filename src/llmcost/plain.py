"""Results as JSON-ready values: dataclasses to mappings, and never a non-finite number."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from llmcost.errors import UsageError
from llmcost.notes import Note


def plain(value: Any) -> Any:
    """JSON-ready values from result objects; a non-finite number is a UsageError (never `inf`)."""
    if isinstance(value, Note):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.repr}
        out.update({k: plain(v) for k, v in getattr(value, "_extra", lambda: {})().items()})
        return out
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if hasattr(value, "item") and not isinstance(value, float):  # a numpy scalar
        return plain(value.item())
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UsageError(
                "a result is not finite (an input is too large or a range too wide); "
                "check the volumes, token counts and prices given"
            )
        return value
    return value

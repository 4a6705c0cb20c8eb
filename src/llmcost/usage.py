"""A workload derived from a real usage log: volume, token mix, hourly profile, peak-to-average.

Accepted records (CSV with a header, or JSON lines) carry per-request token counts and a time:
- time: `timestamp`, `created`, `created_at`, `start_time`, `startTime` (ISO 8601 or Unix seconds);
- input tokens: `input_tokens`, `prompt_tokens`, `n_context_tokens_total`;
- output tokens: `output_tokens`, `completion_tokens`, `n_generated_tokens_total`.
These cover OpenAI's usage export and LiteLLM's spend logs. Rows with a missing, negative or
unreadable value are skipped and counted, with the first few line numbers reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from llmcost.errors import UsageError
from llmcost.io import read_text
from llmcost.text import shown

if TYPE_CHECKING:
    import numpy.typing as npt

    from llmcost.numeric import FloatArray

    BoolArray = npt.NDArray[np.bool_]

TIME_KEYS = ("timestamp", "created", "created_at", "start_time", "startTime")
INPUT_KEYS = ("input_tokens", "prompt_tokens", "n_context_tokens_total")
OUTPUT_KEYS = ("output_tokens", "completion_tokens", "n_generated_tokens_total")
PERCENTILES = (50, 90, 99)


MAX_LOG_BYTES = 200_000_000


def read_usage_log(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], str]:
    """Rows of a CSV or JSONL usage log as (line number, record), and the format read.

    Problems with the file itself (missing, too big, not text, not CSV/JSONL) are usage errors;
    bad rows are returned for the caller to count (a JSON line that does not parse becomes {}).
    """
    import csv
    import json

    text = read_text(path, MAX_LOG_BYTES, UsageError, what="usage log", encoding="utf-8-sig")
    first = next((line for line in text.splitlines() if line.strip()), "")
    if first.lstrip().startswith("{"):
        rows: list[tuple[int, dict[str, Any]]] = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, RecursionError):
                record = {}
            rows.append((n, record if isinstance(record, dict) else {}))
        return rows, "jsonl"
    if "," not in first:
        raise UsageError(f"usage log {shown(path)}: not a CSV (with a header row) or JSONL usage log")
    reader = csv.DictReader(text.splitlines())
    return [(n, dict(r)) for n, r in enumerate(reader, start=2)], "csv"


def _pick(record: dict[str, Any], keys: tuple[str, ...]) -> Any:
    nested = record.get("usage")
    usage: dict[str, Any] = nested if isinstance(nested, dict) else {}
    for key in keys:
        for source in (record, usage):
            if source.get(key) not in (None, ""):
                return source[key]
    return None


# Unix epoch in seconds, milliseconds or microseconds, told apart by size: from 2001-09-09 a time
# in seconds is >= 1e9, one in milliseconds >= 1e12, in microseconds >= 1e15.
EPOCH_UNITS = ((1e14, 1e6), (1e11, 1e3))  # (at least, divide by)
FIRST_S, LAST_S = 0.0, 4_102_444_800.0  # 1970-01-01 .. 2100-01-01: anything else is a bad row


def _time(value: Any) -> float:
    """Seconds since the epoch from a number (s, ms or us) or an ISO 8601 string (UTC if no zone)."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float) or (isinstance(value, str) and value.replace(".", "", 1).isdigit()):
        x = float(value)
        for at_least, per_second in EPOCH_UNITS:
            if x >= at_least:
                x /= per_second
                break
    else:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        x = parsed.timestamp()
    if not FIRST_S <= x < LAST_S:  # NaN and infinity fail this too
        raise ValueError(value)
    return x


OUTLIER_SPAN_FACTOR = 10.0  # a time this many core spans outside the core (P5..P95) is an outlier


def outliers(ts: FloatArray) -> BoolArray:
    """Which timestamps lie far outside the bulk of the log (a stray epoch unit, a test row from another
    year): more than 10x the P5..P95 span (at least an hour) beyond P5 or P95. A boolean mask."""
    lo, hi = np.percentile(ts, (5, 95))
    reach = OUTLIER_SPAN_FACTOR * max(hi - lo, 3600.0)
    mask: BoolArray = (ts < lo - reach) | (ts > hi + reach)
    return mask


def _count(value: Any) -> float:
    x = float(value)
    if not math.isfinite(x) or x < 0:
        raise ValueError(value)
    return x


@dataclass(frozen=True)
class UsageSummary:
    queries_per_day: float
    input_tokens: dict[str, float]
    output_tokens: dict[str, float]
    peak_to_average: float
    hourly_profile: list[float]  # share of the day's queries in each UTC hour
    requests: int
    days: float
    bad_rows: int
    bad_lines: list[int]
    outlier_rows: int = 0  # timestamps far outside the rest, left out of the volume and profile
    outlier_lines: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def summarize(rows: list[tuple[int, dict[str, Any]]]) -> UsageSummary:
    """Derive the workload from (line, record) rows; see the module docstring."""
    times, ins, outs, bad, lines = [], [], [], [], []
    for line, record in rows:
        try:
            t, i, o = (
                _time(_pick(record, TIME_KEYS)),
                _count(_pick(record, INPUT_KEYS)),
                _count(_pick(record, OUTPUT_KEYS)),
            )
        except (TypeError, ValueError, OverflowError):
            bad.append(line)
            continue
        times.append(t)
        ins.append(i)
        outs.append(o)
        lines.append(line)
    if len(times) < 2:
        raise UsageError(f"usage log has {len(times)} usable request(s) ({len(bad)} bad rows): need at least 2")
    ts = np.asarray(times)
    far = outliers(ts)
    if far.any():  # reported, and left out of the span and profile (their tokens still count)
        ts = ts[~far]
    outlier_lines = tuple(int(x) for x in np.asarray(lines)[far][:10])
    days = max((ts.max() - ts.min()) / 86_400, 1 / 24)  # at least one hour, so a short log still has a rate
    hours = ((ts % 86_400) // 3600).astype(int)
    by_hour = np.bincount(hours, minlength=24).astype(np.float64)
    profile = by_hour / by_hour.sum()

    def stats(x: list[float]) -> dict[str, float]:
        a = np.asarray(x)
        return {"mean": float(a.mean()), **{f"p{p}": float(np.percentile(a, p)) for p in PERCENTILES}}

    return UsageSummary(
        queries_per_day=len(ts) / days,
        input_tokens=stats(ins),
        output_tokens=stats(outs),
        peak_to_average=float(profile.max() * 24),
        hourly_profile=[float(x) for x in profile],
        requests=len(times),
        days=float(days),
        bad_rows=len(bad),
        bad_lines=bad[:10],
        outlier_rows=int(far.sum()),
        outlier_lines=outlier_lines,
    )


def summarize_file(path: str | Path) -> UsageSummary:
    rows, _ = read_usage_log(Path(path))
    return summarize(rows)

"""A workload derived from a real usage log: volume, token mix, hourly profile, peak-to-average.

Accepted records (CSV with a header, JSON lines, or a JSON document) carry token counts and a time:
- time: `timestamp`, `created`, `created_at`, `start_time`, `startTime`, `aggregation_timestamp`,
  `request_created_at` (ISO 8601 or Unix seconds, milliseconds or microseconds);
- input tokens: `input_tokens`, `prompt_tokens`, `n_context_tokens_total`, `promptTokens`, `tokens_prompt`,
  or `input` inside a `usage`/`usageDetails` object (a JSON string in a CSV cell is parsed);
- output tokens: `output_tokens`, `completion_tokens`, `n_generated_tokens_total`, `completionTokens`,
  `tokens_completion`, or `output` inside `usage`/`usageDetails`;
- optional: cached input tokens (`input_cached_tokens`, `cached_tokens`, `prompt_cache_read_tokens`; a part
  of the input tokens), and a request count (`num_model_requests`, `n_requests`) that makes the record a
  bucket of that many requests whose tokens are totals (each request gets the bucket's mean), with its
  width from `end_time` or else the smallest gap between bucket starts.
A JSON document may be an API page, `{"data": [records], ...}`. The formats read, and where their field
names come from (the format reported is named for the product where its fields tell, e.g. "langfuse-csv"):
- OpenAI usage API pages (saved, or several as a JSON array or JSON lines; "openai-usage") and the OpenAI
  dashboard CSV;
- Langfuse observations: the `GET /api/public/observations` page (`{"data", "meta"}`; fields `type`,
  `startTime`, `usage`/`usageDetails` with `input`/`output`, `promptTokens`/`completionTokens`, as in
  Langfuse's OpenAPI spec), its records as JSON lines, or the same fields as CSV columns. Only
  GENERATIONs count: other observation types (SPAN, EVENT, ...) are skipped, not counted as bad rows;
- OpenRouter's activity export CSV (`generation_id`, `created_at`, `tokens_prompt`, `tokens_completion`,
  `tokens_cached`, as its Generation API names them);
- Helicone's request export (`request_id`, `request_created_at`, `prompt_tokens`, `completion_tokens`,
  `prompt_cache_read_tokens`: the `HeliconeRequest` fields in Helicone's llm-mapper types);
- LiteLLM's spend logs, e.g. `/spend/logs` as a JSON array (`request_id`, `startTime`, `spend`,
  `prompt_tokens`, `completion_tokens`: the `LiteLLM_SpendLogs` table in LiteLLM's schema.prisma).
An Anthropic usage report (Admin API `/v1/organizations/usage_report/messages`: buckets of
`uncached_input_tokens`, `cache_read_input_tokens`, `cache_creation`, `output_tokens`) has token totals but
no request count, so it is refused in one line asking for `--qpd` and the tokens per query (with the cached
share it can tell). Rows with a missing, negative or unreadable value are skipped and counted, with the
first few line numbers reported.

Queries per day are requests over the distinct UTC calendar days with requests. The peak factor is
the P95 of per-hour load over every hour of those days, over its mean; a log under a day long, with
requests in fewer than 6 hours, or of buckets wider than an hour cannot tell one: peak_to_average is
then 1.0, `peak_supported` False and `warnings` says why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
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

TIME_KEYS = (
    "timestamp",
    "created",
    "created_at",
    "start_time",
    "startTime",
    "aggregation_timestamp",
    "request_created_at",
)
INPUT_KEYS = ("input_tokens", "prompt_tokens", "n_context_tokens_total", "promptTokens", "tokens_prompt", "input")
OUTPUT_KEYS = (
    "output_tokens",
    "completion_tokens",
    "n_generated_tokens_total",
    "completionTokens",
    "tokens_completion",
    "output",
)
NESTED_KEYS = ("usage", "usageDetails")  # token counts nested in these objects (or, in a CSV, JSON strings)
NESTED_ONLY = ("input", "output")  # read only inside NESTED_KEYS: at the top of a Langfuse record they are the text
# Langfuse observation types other than GENERATION: skipped, not counted as bad rows
SKIPPED_TYPES = ("SPAN", "EVENT", "AGENT", "TOOL", "CHAIN", "RETRIEVER", "EVALUATOR", "EMBEDDING", "GUARDRAIL")
# cached input tokens, a part of the input tokens
CACHED_KEYS = ("input_cached_tokens", "cached_tokens", "prompt_cache_read_tokens", "tokens_cached")
COUNT_KEYS = ("num_model_requests", "n_requests")  # a bucket of this many requests; its tokens are totals
END_KEYS = ("end_time", "endTime")  # a bucket's end, which tells its width
PERCENTILES = (50, 90, 99)
PEAK_PERCENTILE = 95  # the peak factor: this percentile of per-hour load over the mean hourly load
MIN_ACTIVE_HOURS = 6  # fewer hours with requests than this: no peak factor
HOUR, DAY = 3600.0, 86_400.0


MAX_LOG_BYTES = 200_000_000


def _page_records(page: dict[str, Any]) -> list[dict[str, Any]] | None:
    """An OpenAI usage API page (`{"object": "page", "data": [buckets]}`) as one record per result, each
    with its bucket's start and end; None if `page` is not one."""
    data = page.get("data")
    if not isinstance(data, list) or not all(isinstance(b, dict) and "results" in b for b in data):
        return None
    out: list[dict[str, Any]] = []
    for bucket in data:
        results = bucket.get("results")
        for result in results if isinstance(results, list) else [None]:
            if isinstance(result, dict):
                out.append({"start_time": bucket.get("start_time"), "end_time": bucket.get("end_time"), **result})
            else:
                out.append({})  # counted as a bad row
    return out


def _json_rows(items: list[tuple[int, Any]]) -> tuple[list[tuple[int, dict[str, Any]]], bool]:
    """(number, JSON value) pairs as (number, record) rows, OpenAI usage pages opened into their results;
    and whether any page was seen."""
    rows: list[tuple[int, dict[str, Any]]] = []
    pages = False
    for n, item in items:
        records = _page_records(item) if isinstance(item, dict) else None
        data = item.get("data") if isinstance(item, dict) and records is None else None
        if isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
            rows += [(n, x) for x in data]  # an API page of records (Langfuse's {"data": [...], "meta": {...}})
        elif records is None:
            rows.append((n, item if isinstance(item, dict) else {}))
        else:
            pages = True
            rows += [(n, r) for r in records]
    return rows, pages


# A product's export, told by fields only it has (in its first record with fields): the format is then
# reported as "<product>-<csv|json|jsonl>"
PRODUCTS = (
    ("langfuse", ("traceId", "startTime")),
    ("openrouter", ("generation_id", "tokens_prompt")),
    ("helicone", ("request_id", "request_created_at")),
    ("litellm", ("request_id", "startTime", "spend")),
)


def _named(rows: list[tuple[int, dict[str, Any]]], fmt: str) -> str:
    first = next((r for _, r in rows if r), {})
    for product, keys in PRODUCTS:
        if all(k in first for k in keys):
            return f"{product}-{fmt}"
    return fmt


def read_usage_log(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], str]:
    """Rows of a usage log as (number, record), and the format read (see `_read_usage_log`), named for
    the product whose export it is where its fields tell (e.g. "langfuse-json")."""
    rows, fmt = _read_usage_log(path)
    if any("uncached_input_tokens" in r for _, r in rows):
        raise UsageError(_token_totals_only(path, [r for _, r in rows]))
    return rows, _named(rows, fmt)


def _token_totals_only(path: Path, results: list[dict[str, Any]]) -> str:
    """The refusal of an Anthropic usage report (Admin API /v1/organizations/usage_report/messages): its
    buckets have token totals but no request count, so neither the volume nor the tokens per query can be
    told; the cached share can, and is given when every result's counts read."""
    try:
        parts = [
            (_count(r.get("uncached_input_tokens")), _count(r.get("cache_read_input_tokens") or 0),
             sum(_count(v) for v in (r.get("cache_creation") or {}).values()))
            for r in results if r
        ]  # fmt: skip
        total = sum(u + c + w for u, c, w in parts)
        x = sum(c for _, c, _ in parts) / total if total else math.nan
        share = f" (its cache reads are {x:.0%} of input tokens: --cached-share {x:.3g})" if total else ""
    except (TypeError, ValueError, AttributeError):
        share = ""
    return (
        f"usage log {shown(path)}: an Anthropic usage report has token totals but no request counts, so it "
        f"cannot tell queries per day or tokens per query{share}; give --qpd and the tokens per query "
        "(--input-tokens, --output-tokens)"
    )


def _read_usage_log(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], str]:
    """Rows of a usage log as (number, record), and the format read: "csv", "jsonl", "json" (one JSON
    document: a record, an array of records, or of OpenAI usage pages) or "openai-usage" (pages).

    The number is the line for CSV and JSON lines, and the record's position (from 1) in a JSON
    document. Problems with the file itself (missing, too big, not text, not CSV/JSON) are usage
    errors; bad rows are returned for the caller to count (a JSON line that does not parse becomes {}).
    """
    import csv
    import json

    text = read_text(path, MAX_LOG_BYTES, UsageError, what="usage log", encoding="utf-8-sig")
    first = next((line for line in text.splitlines() if line.strip()), "").lstrip()
    if first.startswith(("{", "[")):
        try:
            doc = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            doc = None
        if doc is not None:  # one JSON document
            rows, pages = _json_rows([(1, x) for x in (doc if isinstance(doc, list) else [doc])])
            if len(rows) > 1 or pages:
                rows = [(n, record) for n, (_, record) in enumerate(rows, start=1)]
            return rows, "openai-usage" if pages else ("json" if isinstance(doc, list) or len(rows) > 1 else "jsonl")
        if first.startswith("{"):
            items: list[tuple[int, Any]] = []
            for n, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    items.append((n, json.loads(line)))
                except (json.JSONDecodeError, RecursionError):
                    items.append((n, {}))
            rows, pages = _json_rows(items)
            return rows, "openai-usage" if pages else "jsonl"
    if "," not in first:
        raise UsageError(f"usage log {shown(path)}: not a CSV (with a header row) or JSON usage log")
    reader = csv.DictReader(text.splitlines())
    return [(n, dict(r)) for n, r in enumerate(reader, start=2)], "csv"


def _nested(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The record's nested usage objects (`usage`, `usageDetails`), a JSON string (as in a CSV) parsed."""
    import json

    out: dict[str, dict[str, Any]] = {}
    for name in NESTED_KEYS:
        value = record.get(name)
        if isinstance(value, str) and value.lstrip().startswith("{"):
            try:
                value = json.loads(value)
            except (json.JSONDecodeError, RecursionError):
                value = None
        if isinstance(value, dict):
            out[name] = value
    return out


def _pick(record: dict[str, Any], keys: tuple[str, ...]) -> Any:
    nested = list(_nested(record).values())
    for key in keys:
        for source in nested if key in NESTED_ONLY else [record, *nested]:
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
    queries_per_day: float  # requests / distinct UTC calendar days with requests
    input_tokens: dict[str, float]
    output_tokens: dict[str, float]
    peak_to_average: float  # P95 of per-hour load over the mean hourly load of the active days; 1.0 if unsupported
    hourly_profile: list[float]  # share of the day's queries in each UTC hour
    requests: int
    days: float  # distinct UTC calendar days with requests
    bad_rows: int
    bad_lines: list[int]
    outlier_rows: int = 0  # timestamps far outside the rest, left out of the volume and profile
    outlier_lines: tuple[int, ...] = ()
    peak_supported: bool = True  # False: the log cannot tell a peak factor (see warnings)
    cached_input_share: float | None = None  # cached / input tokens, where the log records cached tokens
    warnings: list[str] = field(default_factory=list)  # one sentence each
    # [share of requests, prompt tokens]: where providers apply per-request tiers and cache minimums
    prompt_mix: list[list[float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class _Row:
    line: int
    time: float
    requests: float  # 1 for a request, the count for a bucket
    input: float  # per request
    output: float
    cached: float  # per request; NaN if not recorded
    width: float  # the bucket's width in seconds: 0 for a request, NaN if a bucket's is not stated


def _row(line: int, record: dict[str, Any]) -> _Row | None:
    """One record read, or None for an empty bucket; ValueError/TypeError for a bad one."""
    t, i, o = (_time(_pick(record, TIME_KEYS)), _count(_pick(record, INPUT_KEYS)), _count(_pick(record, OUTPUT_KEYS)))
    raw_cached = _pick(record, CACHED_KEYS)
    c = math.nan if raw_cached is None else _count(raw_cached)
    raw_count = _pick(record, COUNT_KEYS)
    if raw_count is None:
        return _Row(line, t, 1.0, i, o, c, 0.0)
    n = _count(raw_count)
    if n == 0:
        if i or o:
            raise ValueError("tokens in a bucket of no requests")
        return None
    end = _pick(record, END_KEYS)
    width = _time(end) - t if end is not None else math.nan
    return _Row(line, t, n, i / n, o / n, c / n, width if width > 0 else math.nan)


def _weighted_stats(x: FloatArray, w: FloatArray) -> dict[str, float]:
    """Mean and percentiles of values each standing for `w` requests; for whole weights, exactly
    numpy's (linear) percentiles of the values repeated."""
    order = np.argsort(x, kind="stable")
    xs, cum = x[order], np.cumsum(w[order])
    total = float(cum[-1])

    def at(k: float) -> float:
        return float(xs[min(int(np.searchsorted(cum, k, side="right")), len(xs) - 1)])

    out = {"mean": float((x * w).sum() / total)}
    for p in PERCENTILES:
        h = max(total - 1, 0.0) * p / 100
        lo, hi = math.floor(h), math.ceil(h)
        out[f"p{p}"] = at(lo) + (at(hi) - at(lo)) * (h - lo)
    return out


PROMPT_BUCKETS = 64  # prompt-size buckets from a log: exact sizes below this many distinct ones


def prompt_mix(x: FloatArray, w: FloatArray) -> list[list[float]]:
    """The prompt sizes as [share of requests, tokens]: each distinct size when there are few, else
    equal-share quantile buckets at their mean size (so the mean prompt is kept exactly)."""
    sizes, index = np.unique(x, return_inverse=True)
    weights = np.bincount(index, weights=w)
    total = float(weights.sum())
    if len(sizes) <= PROMPT_BUCKETS:
        return [[float(wt / total), float(sz)] for sz, wt in zip(sizes, weights, strict=True) if wt > 0]
    cum = np.cumsum(weights) / total
    bucket = np.minimum((np.concatenate(([0.0], cum[:-1])) * PROMPT_BUCKETS).astype(int), PROMPT_BUCKETS - 1)
    out = []
    for b in range(PROMPT_BUCKETS):
        members = bucket == b
        share = float(weights[members].sum())
        if share > 0:
            out.append([share / total, float((sizes[members] * weights[members]).sum() / share)])
    return out


def _missing_columns(rows: list[tuple[int, dict[str, Any]]]) -> str | None:
    """If no record has a time, input or output field: one line naming what was looked for and what the file has."""
    seen: dict[str, None] = {}
    for _, record in rows[:1000]:
        seen.update(dict.fromkeys(str(k) for k in record))
        for name, nested in _nested(record).items():
            seen.update(dict.fromkeys(f"{name}.{k}" for k in nested))
    names = {k.split(".", 1)[1] if "." in k else k for k in seen if "." in k or k not in NESTED_ONLY}
    missing = [
        f"no {what} column (looked for {', '.join(keys)})"
        for what, keys in (("time", TIME_KEYS), ("input-token", INPUT_KEYS), ("output-token", OUTPUT_KEYS))
        if not names.intersection(keys)
    ]
    if not missing:
        return None
    cols = list(seen)
    has = ", ".join(shown(c, 40) for c in cols[:20]) + (f" and {len(cols) - 20} more" if len(cols) > 20 else "")
    return f"usage log: {'; '.join(missing)}; the file has {has or 'no columns'}"


def summarize(rows: list[tuple[int, dict[str, Any]]]) -> UsageSummary:
    """Derive the workload from (line, record) rows; see the module docstring."""
    good: list[_Row] = []
    bad: list[int] = []
    for line, record in rows:
        if record.get("type") in SKIPPED_TYPES:
            continue
        try:
            r = _row(line, record)
        except (TypeError, ValueError, OverflowError):
            bad.append(line)
            continue
        if r is not None:
            good.append(r)
    if not good and rows and (message := _missing_columns(rows)):
        raise UsageError(message)
    weight = np.asarray([r.requests for r in good], dtype=np.float64)
    total = float(weight.sum())
    if len(good) < 1 or total < 2:
        raise UsageError(f"usage log has {total:g} usable request(s) ({len(bad)} bad rows): need at least 2")
    all_ts = np.asarray([r.time for r in good])
    far = outliers(all_ts)
    keep = ~far  # outliers are reported, and left out of the days and profile (their tokens still count)
    ts, w = all_ts[keep], weight[keep]
    outlier_lines = tuple(int(x) for x in np.asarray([r.line for r in good])[far][:10])
    warnings: list[str] = []

    widths = np.asarray([r.width for r in good if r.width != 0], dtype=np.float64)  # the buckets'
    width = 0.0
    if widths.size:
        known = widths[~np.isnan(widths)]
        starts = np.unique(ts)
        gaps = np.diff(starts)
        width = float(known.max()) if known.size else float(gaps.min()) if gaps.size else math.nan
        warnings.append(
            "The log has buckets of requests: each counts as its requests with the bucket's mean tokens, "
            "so token percentiles are of bucket means and understate the spread."
        )

    day_index = np.floor(ts / DAY).astype(np.int64)
    active_days = np.unique(day_index)
    days = float(len(active_days))
    hours = ((ts % DAY) // HOUR).astype(int)
    by_hour = np.bincount(hours, weights=w, minlength=24)
    profile = by_hour / by_hour.sum()
    # per-hour load over every hour of the active days (quiet hours count as 0)
    cell = (np.searchsorted(active_days, day_index) * 24 + hours).astype(int)
    load = np.bincount(cell, weights=w, minlength=24 * len(active_days))
    active_hours = int((load > 0).sum())
    span = float(ts.max() - ts.min()) + (0.0 if math.isnan(width) else width)

    if math.isnan(width) or width > HOUR:
        what = "of unknown width" if math.isnan(width) else f"{width / HOUR:g} hours wide"
        warnings.append(
            f"The log's buckets are {what}: it has no hourly profile, so the profile is flat and "
            "peak_to_average is 1.0, not derived."
        )
        profile = np.full(24, 1 / 24)
    elif span < DAY:
        warnings.append(
            f"The log covers {span / HOUR:.1f} hours, less than a day: peak_to_average is 1.0, not derived."
        )
    elif active_hours < MIN_ACTIVE_HOURS:
        warnings.append(
            f"Requests fall in only {active_hours} distinct hours (fewer than {MIN_ACTIVE_HOURS}): "
            "peak_to_average is 1.0, not derived."
        )
    peak_supported = not any("peak_to_average is 1.0" in s for s in warnings)
    peak = float(np.percentile(load, PEAK_PERCENTILE) / load.mean()) if peak_supported else 1.0

    ins = np.asarray([r.input for r in good])
    outs = np.asarray([r.output for r in good])
    cached = np.asarray([r.cached for r in good])
    has_cached = ~np.isnan(cached)
    cached_share = None
    if has_cached.any():
        recorded_input = float((ins * weight)[has_cached].sum())
        share = float((cached * weight)[has_cached].sum()) / recorded_input if recorded_input > 0 else 0.0
        cached_share = min(share, 1.0)

    return UsageSummary(
        queries_per_day=float(w.sum()) / days,
        input_tokens=_weighted_stats(ins, weight),
        output_tokens=_weighted_stats(outs, weight),
        peak_to_average=peak,
        hourly_profile=[float(x) for x in profile],
        requests=round(total),
        days=days,
        bad_rows=len(bad),
        bad_lines=bad[:10],
        outlier_rows=int(far.sum()),
        outlier_lines=outlier_lines,
        peak_supported=peak_supported,
        cached_input_share=cached_share,
        warnings=warnings,
        prompt_mix=prompt_mix(np.maximum(ins, 1.0), weight),
    )


def summarize_file(path: str | Path) -> UsageSummary:
    rows, _ = read_usage_log(Path(path))
    return summarize(rows)

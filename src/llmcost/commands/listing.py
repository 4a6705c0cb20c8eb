"""`list`: the ids (and key facts) of the catalog's models, APIs, GPUs and rental offers, so a user
can find what to pass to the other commands without reading the YAML."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from llmcost import defaults
from llmcost.catalog import Catalog, load_catalog, require_catalog
from llmcost.errors import UnknownIdError, UsageError
from llmcost.records import ApiModel, Gpu, GpuOffer, OpenModel, ReasoningFigure
from llmcost.results.listing import KINDS, ApiRow, CatalogList, GpuRow, Kind, ModelRow, OfferRow, ReasoningRow

R = TypeVar("R")

# filter -> the kinds whose records can answer it; a filter the data cannot answer is refused, never ignored
FILTER_KINDS: dict[str, tuple[Kind, ...]] = {
    "provider": ("models", "apis", "offers"),
    "min_memory_gb": ("gpus", "offers"),
    "reasoning": ("models", "apis"),
    "commercial_only": ("models", "apis"),
}


def list_catalog(
    kind: str,
    *,
    provider: str | None = None,
    min_memory_gb: float | None = None,
    reasoning: bool | None = None,
    commercial_only: bool = False,
    data_dirs: Sequence[str | Path] = (),
    catalog: Catalog | None = None,
) -> CatalogList[Any]:
    """The catalog's `kind` ("models", "apis", "gpus", "offers" or "reasoning"), filtered, sorted by id.

    Filters, each refused (a UsageError naming it) for a kind that cannot honour it:
    - `provider`: an API's or offer's provider; for a model, the organisation of its Hugging Face
      id (`meta-llama`, `mistralai`, `deepseek-ai`, `Qwen`, ...). Case-insensitive; a provider no
      record of the kind has is an unknown id.
    - `min_memory_gb`: a GPU's memory, or an offer's memory per GPU, at least this.
    - `commercial_only`: models whose licence permits commercial use; APIs serving an open model
      whose licence does not are dropped (proprietary APIs have no licence in the data and stay).
    - `reasoning`: models and APIs that spend hidden reasoning tokens at some effort (reasoning.yaml;
      an API serving an open model has that model's figures), or (False) those that never do.
    """
    if not isinstance(kind, str) or kind not in KINDS:
        raise UsageError(_unknown_kind(kind), param="kind")
    given = {
        "provider": provider is not None,
        "min_memory_gb": min_memory_gb is not None,
        "reasoning": reasoning is not None,
        "commercial_only": commercial_only is not False,
    }
    for name, is_given in given.items():
        if is_given and kind not in FILTER_KINDS[name]:
            raise UsageError(_refusal(name, kind), param=name)
    if provider is not None and (not isinstance(provider, str) or not provider.strip()):
        raise UsageError(f"provider must be a provider name, got {provider!r}", param="provider")
    memory = None
    if min_memory_gb is not None:
        from llmcost.demand import check_positive

        memory = check_positive("min_memory_gb", min_memory_gb)
    if reasoning is not None and not isinstance(reasoning, bool):
        raise UsageError(f"reasoning must be true or false, got {reasoning!r}", param="reasoning")
    if not isinstance(commercial_only, bool):
        raise UsageError(f"commercial_only must be true or false, got {commercial_only!r}", param="commercial_only")
    cat = require_catalog(catalog) or load_catalog(data_dirs)
    wanted = provider.strip() if provider is not None else None
    filters = {
        "provider": wanted,
        "min_memory_gb": memory,
        "reasoning": reasoning,
        "commercial_only": commercial_only,
    }
    rows: list[Any]
    if kind == "models":
        models = sorted(cat.models.values(), key=lambda m: m.id)
        if wanted is not None:
            models = _by_provider(models, _hf_org, wanted)
        if commercial_only:
            models = [m for m in models if m.licence.commercial_use]
        if reasoning is not None:
            models = [m for m in models if _reasons(cat, m.id) == reasoning]
        rows = [_model_row(m) for m in models]
    elif kind == "apis":
        apis = sorted(cat.apis.values(), key=lambda a: a.id)
        if wanted is not None:
            apis = _by_provider(apis, lambda a: a.provider, wanted)
        if commercial_only:
            apis = [a for a in apis if a.open_model is None or cat.models[a.open_model].licence.commercial_use]
        if reasoning is not None:
            apis = [a for a in apis if _reasons(cat, a.id) == reasoning]
        rows = [_api_row(a) for a in apis]
    elif kind == "reasoning":
        rows = [_reasoning_row(r) for r in sorted(cat.reasoning.values(), key=lambda r: r.id)]
    elif kind == "gpus":
        gpus = sorted(cat.gpus.values(), key=lambda g: g.id)
        if memory is not None:
            gpus = [g for g in gpus if g.memory_gb >= memory]
        rows = [_gpu_row(g) for g in gpus]
    else:
        offers = sorted(cat.offers.values(), key=lambda o: o.id)
        if wanted is not None:
            offers = _by_provider(offers, lambda o: o.provider, wanted)
        if memory is not None:
            offers = [o for o in offers if cat.gpus[o.gpu].memory_gb >= memory]
        rows = [_offer_row(o) for o in offers]
    return CatalogList(kind=kind, filters=filters, rows=tuple(rows))


def _unknown_kind(kind: object) -> str:
    import difflib

    from llmcost.text import shown

    text = kind if isinstance(kind, str) else repr(kind)
    close = difflib.get_close_matches(text.lower(), KINDS, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}? " if close else ""
    return f"unknown kind '{shown(text, 80)}'; {hint}valid kinds: {', '.join(KINDS)}"


def _refusal(name: str, kind: str) -> str:
    return f"{name} does not apply to {kind}; it is taken by {', '.join(FILTER_KINDS[name])}"


def _reasons(cat: Catalog, option: str) -> bool:
    from llmcost.inputs import reasoning_figures

    return any(f.reasoning_tokens_per_request > 0 for f in reasoning_figures(cat, option).values())


def _reasoning_row(r: ReasoningFigure) -> ReasoningRow:
    from llmcost.tornado import low_high

    point = r.reasoning_tokens_per_request
    spread = r.spread.get("reasoning_tokens_per_request")
    lo, hi = low_high(spread) or (point, point) if spread is not None else (point, point)
    default = "unknown" if r.provider_default_effort == "unknown" else "yes" if r.provider_default_effort else "no"
    return ReasoningRow(
        id=r.id,
        model=r.model,
        effort=r.effort,
        provider_default=default,
        reasoning_tokens=point,
        reasoning_tokens_p10=lo,
        reasoning_tokens_p90=hi,
        as_of=r.as_of,
        source=r.source,
    )


def _hf_org(m: OpenModel) -> str:
    return m.hf_id.partition("/")[0]


def _by_provider(records: list[R], provider_of: Callable[[R], str], wanted: str) -> list[R]:
    """The records whose provider is `wanted` (case-insensitive); an unknown provider names the known ones."""
    known = {provider_of(r).lower() for r in records}
    if wanted.lower() not in known:
        raise UnknownIdError("provider", wanted, known, param="provider")
    return [r for r in records if provider_of(r).lower() == wanted.lower()]


def _elo(record: OpenModel | ApiModel) -> float | None:
    return record.quality.lmarena_elo if record.quality else None


def _model_row(m: OpenModel) -> ModelRow:
    return ModelRow(
        id=m.id,
        name=m.name,
        params_total_b=m.params_total_b,
        params_active_b=m.params_active_b,
        max_context_tokens=m.max_context_tokens,
        native_precision=m.native_precision,
        licence=m.licence.name,
        commercial_use=m.licence.commercial_use,
        lmarena_elo=_elo(m),
        as_of=m.as_of,
    )


def _api_row(a: ApiModel) -> ApiRow:
    return ApiRow(
        id=a.id,
        provider=a.provider,
        name=a.name,
        input_usd_per_mtok=a.input_usd_per_mtok,
        output_usd_per_mtok=a.output_usd_per_mtok,
        cached_input_usd_per_mtok=a.cached_input_usd_per_mtok,
        batch_discount=a.batch_discount,
        context_window_tokens=a.context_window_tokens,
        open_model=a.open_model,
        lmarena_elo=_elo(a),
        as_of=a.as_of,
        lifecycle=a.lifecycle(defaults.today()),
        retirement_date=a.retirement_date,
    )


def _gpu_row(g: Gpu) -> GpuRow:
    return GpuRow(
        id=g.id,
        name=g.name,
        vendor=g.vendor,
        memory_gb=g.memory_gb,
        memory_bandwidth_tb_per_s=g.memory_bandwidth_tb_per_s,
        bf16_dense_tflops=g.dense_tflops["bf16"],
        fp8_dense_tflops=g.dense_tflops.get("fp8"),
        int4_dense_tflops=g.dense_tflops.get("int4"),
        interconnect=g.interconnect,
        tdp_w=g.tdp_w,
        form_factor=g.form_factor,
        multi_gpu=g.multi_gpu,
        usable_memory_gib=g.usable_memory_gib,
    )


def _offer_row(o: GpuOffer) -> OfferRow:
    return OfferRow(
        id=o.id,
        provider=o.provider,
        gpu=o.gpu,
        gpus_per_instance=o.gpus_per_instance,
        pricing=o.pricing,
        usd_per_instance_hour=o.usd_per_instance_hour,
        usd_per_gpu_hour=o.usd_per_gpu_hour,
        region=o.region,
        as_of=o.as_of,
    )

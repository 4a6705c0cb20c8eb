"""Command line: parse -> catalog -> model -> render. Errors become one line on stderr."""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from llmcost import defaults as D
from llmcost.errors import LLMCostError, OutputError, UsageError

app = typer.Typer(
    name="llmcost",
    help="Should we call an LLM API or self-host an open-weight model? Monthly costs, GPU sizing "
    "and break-even from sourced price and hardware data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help text is text: `llmcost[plot]` must not be read as a markup tag
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        _out(f"llmcost {version('llmcost')}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool | None, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = None,
) -> None:
    """Should we call an LLM API or self-host an open-weight model? Monthly costs, GPU sizing and
    break-even from sourced price and hardware data. Start with `llmcost compare --qpd 50000`."""


# Options shared by several commands. Defaults are None: an option not given falls back to the
# scenario file, then to the Scenario defaults (the one place defaults live).
FormatOpt = Annotated[
    str, typer.Option("--format", "-f", help="table | json | csv | markdown (JSON is the canonical shape).")
]
DataOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--data",
        help="Directory of your own pricing/hardware/models/costs.yaml, merged over the shipped data "
        "(an entry with the same id replaces the shipped one).",
    ),
]
ScenarioOpt = Annotated[
    Path | None,
    typer.Option("--scenario", help="YAML file with any of these settings (see `llmcost schema`); flags override it."),
]
QpdOpt = Annotated[
    str | None,
    typer.Option(
        "--qpd",
        help="Queries per day: a number, a range 40000..60000, or normal:50000,5000 (also triangular, lognormal).",
    ),
]
QpmOpt = Annotated[str | None, typer.Option("--qpm", help="Queries per minute, instead of --qpd (x 1,440).")]
QpsOpt = Annotated[str | None, typer.Option("--qps", help="Queries per second, instead of --qpd (x 86,400).")]
PER_DAY = {"qpd": 1, "qpm": 1_440, "qps": 86_400}


def _volume(params: dict[str, Any]) -> Any:
    """The volume as queries per day, from whichever of --qpd, --qpm or --qps was given (one at most)."""
    from llmcost.uncertainty import parse_uncertain

    given = {k: params.get(k) for k in PER_DAY if params.get(k) is not None}
    if len(given) > 1:
        raise UsageError(f"give one of --qpd, --qpm or --qps, not {' and '.join('--' + k for k in given)}")
    if not given:
        return None
    ((unit, value),) = given.items()
    if unit == "qpd":
        return value
    parsed = parse_uncertain(value)
    if isinstance(parsed, int | float):
        return float(parsed) * PER_DAY[unit]
    if hasattr(parsed, "scaled"):
        return parsed.scaled(PER_DAY[unit])
    raise UsageError(f"--{unit} must be a number, a range or a distribution, got {_shown(value)}")


InputOpt = Annotated[
    str | None, typer.Option(help=f"Mean input (prompt) tokens per query [{D.INPUT_TOKENS}]; ranges allowed.")
]
OutputOpt = Annotated[
    str | None, typer.Option(help=f"Mean output tokens per query [{D.OUTPUT_TOKENS}]; ranges allowed.")
]
CachedOpt = Annotated[
    float | None,
    typer.Option(
        "--cached-share", help=f"Share of input tokens from the API's prompt cache, 0-1 [{D.CACHED_INPUT_SHARE:g}]."
    ),
]
DaysOpt = Annotated[float | None, typer.Option(help=f"Days in a billing month [365/12 = {D.DAYS_PER_MONTH:.4g}].")]
ApiOpt = Annotated[
    list[str] | None,
    typer.Option("--api", help="API model id(s), e.g. openai/gpt-4o (repeatable or comma-separated)."),
]
ModelOpt = Annotated[
    list[str] | None,
    typer.Option("--model", help="Open-weight model id(s) to self-host, e.g. llama-3.1-70b."),
]
GpuOpt = Annotated[list[str] | None, typer.Option("--gpu", help="GPU id(s), e.g. h100-sxm, a100-80gb.")]
QuantOpt = Annotated[list[str] | None, typer.Option("--quant", help="bf16 (fp16), fp8, int8, int4, fp4.")]
PricingOpt = Annotated[
    str | None, typer.Option(help=f"GPU pricing model: on_demand, reserved_1y, reserved_3y, spot [{D.PRICING}].")
]
UtilOpt = Annotated[
    str | None,
    typer.Option(
        help=f"Target utilization of self-hosted capacity at peak, (0-1] [{D.UTILIZATION_TARGET:g}]; ranges allowed."
    ),
]
PeakOpt = Annotated[
    str | None,
    typer.Option(
        help=f"Peak-to-average request rate; capacity is sized for the peak [{D.PEAK_FACTOR:g}]; ranges allowed."
    ),
]
HiddenOpt = Annotated[
    str | None,
    typer.Option(
        "--hidden-costs",
        help="Hidden costs of self-hosting: scaled (DevOps per deployment, monitoring per host, storage and "
        "backup per GB of weights, egress and load balancing per query), flat (the seed article's lines "
        f"per deployment) or off [{D.HIDDEN_COSTS}].",
    ),
]
NoHiddenOpt = Annotated[bool, typer.Option("--no-hidden-costs", help="Same as --hidden-costs off.")]
NvaieOpt = Annotated[
    bool | None,
    typer.Option("--nvidia-ai-enterprise", help="Add NVIDIA AI Enterprise licences per GPU (NIM needs them)."),
]
DevopsStepOpt = Annotated[
    int | None,
    typer.Option(
        "--hosts-per-devops-step",
        help="DevOps time grows by one seed range every N hosts (default: one line per deployment; no "
        "staffing ratio is sourced).",
    ),
]
HiddenLineOpt = Annotated[
    list[str] | None,
    typer.Option("--hidden-cost", help="Override one hidden-cost line, LINE=USD_PER_MONTH (e.g. devops=4000)."),
]
BatchOpt = Annotated[
    bool | None,
    typer.Option("--batch/--no-batch", help="Apply each API's batch discount (asynchronous work)."),
]
CommercialOpt = Annotated[
    bool | None,
    typer.Option("--commercial-only/--any-licence", help="Drop models whose licence forbids commercial use."),
]
EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="Serving engine profile: vllm, sglang, trt-llm, tgi, ollama "
        f"(its batch limits; see data/engines.yaml) [{D.ENGINE}].",
    ),
]
TtftOpt = Annotated[
    float | None, typer.Option("--max-ttft-ms", help="Cap the batch so time to first token stays under this.")
]
TpotOpt = Annotated[
    float | None,
    typer.Option("--max-tpot-ms", help="Cap the batch so time per output token stays under this."),
]

P99TtftOpt = Annotated[
    float | None,
    typer.Option(
        "--p99-ttft-ms",
        help="Size replicas so P99 time to first token at each replica's load stays under this many ms "
        "(queueing model of continuous batching; replaces the utilization target) [off].",
    ),
]
P99TpotOpt = Annotated[
    float | None,
    typer.Option(
        "--p99-tpot-ms",
        help="Size replicas so P99 time per output token at each replica's load stays under this many ms "
        "(queueing model; replaces the utilization target) [off].",
    ),
]


OwnershipOpt = Annotated[
    str | None,
    typer.Option(
        "--ownership", help=f"rent (cloud offers) or buy (owned 8-GPU servers, see buy-vs-rent) [{D.OWNERSHIP}]."
    ),
]
PueOpt = Annotated[
    float | None,
    typer.Option("--pue", help=f"Facility PUE for owned GPUs; not sourced, so {D.PUE:g} (IT load) by default."),
]


AutoscaleOpt = Annotated[
    bool | None, typer.Option("--autoscale/--fixed", help="Replicas follow an hourly load profile [fixed].")
]
ProfileOpt = Annotated[
    str | None,
    typer.Option(
        "--profile", help=f"Load profile: business-day, flat, or 24 comma-separated hourly weights [{D.PROFILE}]."
    ),
]
PlatformsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--platforms",
        help="Serving platforms and dedicated endpoints priced over the daily --profile (platforms.yaml): all, "
        f"none, or comma-separated ids [platforms: {D.PLATFORMS}, every platform with a list price for a GPU the "
        "model runs on; compare: none, as its table ranks configurations without a profile].",
    ),
]
SpotPreemptionOpt = Annotated[
    str | None,
    typer.Option(
        "--spot-preemption",
        help="Spot interruptions per replica-month, in [0, 1]; a number or LOW..HIGH "
        f"[{D.SPOT_PREEMPTIONS_PER_MONTH:g}: midpoint of the AWS Spot Advisor's 0-20% buckets; "
        "Monte Carlo draws and sensitivity --platforms rented:spot swings over them].",
    ),
]
ColdStartBasisOpt = Annotated[
    str | None,
    typer.Option(
        "--cold-start-basis",
        help="cold_start_components id (platforms.yaml) the cold-start rates come from "
        f"[{D.COLD_START_BASIS}; ...-uncached adds a weights download].",
    ),
]
ImagePullOpt = Annotated[
    float | None,
    typer.Option(
        "--image-pull-s", help=f"Container image pull per cold start, seconds [{D.IMAGE_PULL_S:g}: not sourced]."
    ),
]
MinReplicasOpt = Annotated[
    int | None, typer.Option("--min-replicas", help=f"Replicas kept when autoscaling [{D.MIN_REPLICAS}].")
]


def _profile(value: str | None) -> str | list[float] | None:
    if value is None or "," not in value:
        return value
    try:
        return [float(x) for x in value.split(",")]
    except ValueError:
        raise UsageError(f"--profile: '{value}' is neither a profile name nor comma-separated numbers") from None


UsageLogOpt = Annotated[
    Path | None,
    typer.Option(
        "--workload", help="Usage log (CSV or JSONL): sets qpd, token means, peak factor and profile unless given."
    ),
]


PriceFactorOpt = Annotated[
    str | None,
    typer.Option(
        "--gpu-price-factor",
        help="GPU price over the cheapest offer: a number applies to the answer; a range or distribution is "
        "drawn by --monte-carlo (default: 1, drawn between the cheapest and the median offer).",
    ),
]
ThroughputFactorOpt = Annotated[
    str | None,
    typer.Option(
        "--throughput-factor",
        help="Achieved over modelled throughput: a number applies to the answer (default 1; drawn by "
        f"--monte-carlo from the model's measured error, lognormal:1,{D.THROUGHPUT_LOG_SD:g}).",
    ),
]


EffortOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--reasoning-effort",
        help="Reasoning effort to cost: minimal, low, medium, high, xhigh, max, none, thinking-on, thinking-off "
        "for every option that has it, or ID=EFFORT for one option (repeatable) [each provider's documented "
        "default; see `llmcost list reasoning`].",
    ),
]
ReasoningTokensOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--reasoning-tokens",
        help="Hidden reasoning tokens per query for one option, ID=N (a number or a range; repeatable): "
        "replaces the sourced figure (billed as output by an API, decoded by a deployment).",
    ),
]
ServiceTierOpt = Annotated[
    str | None, typer.Option("--service-tier", help=f"API service tier: standard, flex, priority [{D.SERVICE_TIER}].")
]
CacheTtlOpt = Annotated[
    str | None,
    typer.Option(
        "--cache-ttl",
        help=f"Prompt-cache lifetime of API cache writes: 5m or 1h (Anthropic bills writes at 1.25x / 2x input) "
        f"[{D.CACHE_TTL}].",
    ),
]
PrefixOpt = Annotated[
    float | None,
    typer.Option(
        "--shared-prefix-tokens",
        help="A prompt prefix every request shares (system prompt, tools), cached while traffic keeps it warm; "
        "instead of --cached-share.",
    ),
]
PromptMixOpt = Annotated[
    str | None,
    typer.Option(
        "--prompt-mix",
        help="Prompt sizes, SHARE:TOKENS,... e.g. 0.9:20000,0.1:300000 (instead of --input-tokens): providers "
        "apply long-context tiers and cache minimums per request.",
    ),
]
ParallelismOpt = Annotated[
    str | None,
    typer.Option(
        "--parallelism",
        help="How a MoE replica splits over its GPUs: tp (every matrix sliced, KV split by head, MLA's "
        "replicated), ep (experts whole, E/N per GPU; attention tensor-parallel; all-to-all dispatch + combine), "
        "dp-attention (attention, dense layers and each sequence's KV whole on one GPU; experts E/N) or auto "
        f"(the most throughput at each GPU count) [{D.PARALLELISM}]. ep and dp-attention are refused for dense models.",
    ),
]
PrefixCachingOpt = Annotated[
    bool | None,
    typer.Option(
        "--prefix-caching/--no-prefix-caching",
        help="Self-hosted engines reuse cached prefixes: the cached share skips prefill [on, as in vLLM].",
    ),
]


DateOpt = Annotated[
    str | None,
    typer.Option(
        "--date",
        help="The date the comparison is for, YYYY-MM-DD: APIs retired by then are flagged and left out of "
        "the defaults [today].",
    ),
]
McOpt = Annotated[
    int | None,
    typer.Option("--monte-carlo", help="Monte Carlo draws over the uncertain inputs: P10/P50/P90 and probabilities."),
]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Random seed (an integer) for reproducible draws.")]


def _split(values: list[str] | None) -> list[str] | None:
    """Repeatable options also accept comma-separated lists."""
    if not values:
        return None
    return [v.strip() for raw in values for v in raw.split(",") if v.strip()]


def _pairs(flag: str, what: str) -> Any:
    """A repeatable ID=VALUE option as a mapping (values parsed by the scenario)."""

    def convert(pairs: list[str] | None) -> dict[str, str] | None:
        if not pairs:
            return None
        out: dict[str, str] = {}
        for pair in pairs:
            key, sep, value = pair.partition("=")
            if not sep or not key.strip():
                raise UsageError(f"{flag} takes {what}, got '{_shown(pair)}'")
            out[key.strip()] = value.strip()  # a number, a range or a distribution: the scenario parses it
        return out

    return convert


def _efforts(values: list[str] | None) -> str | dict[str, str] | None:
    """One effort for every option, or ID=EFFORT pairs (not both)."""
    if not values:
        return None
    bare = [v for v in values if "=" not in v]
    if bare and len(values) > 1:
        raise UsageError("--reasoning-effort: give one effort for every option, or ID=EFFORT pairs, not both")
    return bare[0].strip() if bare else _pairs("--reasoning-effort", "EFFORT or ID=EFFORT")(values)


def _mix(value: str | None) -> list[list[str]] | None:
    if value is None:
        return None
    out = []
    for part in value.split(","):
        share, sep, tokens = part.partition(":")
        if not sep:
            raise UsageError(f"--prompt-mix takes SHARE:TOKENS pairs, e.g. 0.9:20000,0.1:300000, got '{_shown(value)}'")
        out.append([share.strip(), tokens.strip()])
    return out


# CLI parameter -> (Scenario field, conversion). Parameters not listed pass through unchanged.
_TO_SCENARIO: dict[str, tuple[str, Any]] = {
    "cached_share": ("cached_input_share", None),
    "api": ("apis", _split),
    "model": ("models", _split),
    "gpu": ("gpus", _split),
    "quant": ("quants", _split),
    "hidden_cost": ("hidden_cost_overrides", _pairs("--hidden-cost", "LINE=USD_PER_MONTH (e.g. devops=4000)")),
    "reasoning_effort": ("reasoning_effort", _efforts),
    "reasoning_tokens": ("reasoning_tokens", _pairs("--reasoning-tokens", "ID=TOKENS (e.g. openai/gpt-5=1200)")),
    "prompt_mix": ("prompt_mix", _mix),
    "batch": ("batch_api", None),
    "profile": ("profile", _profile),
    "usage_log": ("usage_log", lambda p: str(p) if p else None),
    "data": ("data_dirs", lambda ds: [str(d) for d in ds] if ds else None),
    "platforms": ("platforms", _split),
}
_NOT_SCENARIO = {"scenario", "fmt", "metric", "chart", "out", "qpm", "qps", "no_hidden_costs"}


# Scenario setting -> the flag that sets it, for errors raised by the library (which name settings)
FLAGS = {field: "--" + name.replace("_", "-") for name, (field, _) in _TO_SCENARIO.items()} | {
    "cached_input_share": "--cached-share",
    "usage_log": "--workload",
    "show_all": "--all",
    "hidden_cost_overrides": "--hidden-cost",
    "batch_api": "--batch",
    "data_dirs": "--data",
}


def _flag(setting: str) -> str:
    return FLAGS.get(setting, "--" + setting.replace("_", "-"))


def _scenario(params: dict[str, Any]) -> Any:
    """A command's parameters (its locals()) as a Scenario: the --scenario file, if any, with the
    flags that were given layered on top (checked against the command by the library)."""
    from llmcost.inputs import make_scenario, read_scenario_file

    flags = {}
    for name, value in params.items():
        if name in _NOT_SCENARIO:
            continue
        field, convert = _TO_SCENARIO.get(name, (name, None))
        flags[field] = convert(value) if convert else value
    if "qpd" in params:
        flags["qpd"] = _volume(params)
    if params.get("no_hidden_costs"):
        if params.get("hidden_costs") not in (None, "off"):
            raise UsageError(f"--no-hidden-costs contradicts --hidden-costs {_shown(params['hidden_costs'])}")
        flags["hidden_costs"] = "off"
    path = params.get("scenario")
    return make_scenario(read_scenario_file(path) if path else None, **flags)


def _check_format(fmt: str, formats: tuple[str, ...] = ("table", "json", "csv", "markdown")) -> None:
    if fmt not in formats:
        raise UsageError(f"--format must be one of {', '.join(formats)}, got '{_shown(fmt)}'")


def _shown(value: object) -> str:
    from llmcost.text import shown

    return shown(value, 80)


def _emit(result: Any, fmt: str, table: Any = None, markdown: Any = None, title: str = "") -> None:
    from llmcost import render

    _check_format(fmt)
    result.to_dict()  # every figure finite before anything is drawn (a UsageError otherwise)
    table = table or (lambda d: render.key_value_table(title, d))
    markdown = markdown or (lambda d: render.key_value_markdown(title, d))
    _out(render.render(result, fmt, table, markdown))


@app.command()
def compare(
    qpd: QpdOpt = None,
    qpm: QpmOpt = None,
    qps: QpsOpt = None,
    input_tokens: InputOpt = None,
    output_tokens: OutputOpt = None,
    cached_share: CachedOpt = None,
    days_per_month: DaysOpt = None,
    api: ApiOpt = None,
    model: ModelOpt = None,
    gpu: GpuOpt = None,
    quant: QuantOpt = None,
    pricing: PricingOpt = None,
    utilization: UtilOpt = None,
    peak_factor: PeakOpt = None,
    hidden_costs: HiddenOpt = None,
    hidden_cost: HiddenLineOpt = None,
    no_hidden_costs: NoHiddenOpt = False,
    nvidia_ai_enterprise: NvaieOpt = None,
    hosts_per_devops_step: DevopsStepOpt = None,
    batch: BatchOpt = None,
    reasoning_effort: EffortOpt = None,
    reasoning_tokens: ReasoningTokensOpt = None,
    service_tier: ServiceTierOpt = None,
    cache_ttl: CacheTtlOpt = None,
    shared_prefix_tokens: PrefixOpt = None,
    prompt_mix: PromptMixOpt = None,
    prefix_caching: PrefixCachingOpt = None,
    parallelism: ParallelismOpt = None,
    commercial_only: CommercialOpt = None,
    date: DateOpt = None,
    show_all: Annotated[
        bool | None,
        typer.Option("--all/--selection", help="Every model x quantization x GPU, including those that do not run."),
    ] = None,
    platforms: PlatformsOpt = None,
    engine: EngineOpt = None,
    p99_ttft_ms: P99TtftOpt = None,
    p99_tpot_ms: P99TpotOpt = None,
    max_ttft_ms: TtftOpt = None,
    max_tpot_ms: TpotOpt = None,
    ownership: OwnershipOpt = None,
    pue: PueOpt = None,
    autoscale: AutoscaleOpt = None,
    profile: ProfileOpt = None,
    min_replicas: MinReplicasOpt = None,
    usage_log: UsageLogOpt = None,
    monte_carlo: McOpt = None,
    seed: SeedOpt = None,
    gpu_price_factor: PriceFactorOpt = None,
    throughput_factor: ThroughputFactorOpt = None,
    scenario: ScenarioOpt = None,
    data: DataOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Monthly cost of API options vs self-hosted configurations at one query volume."""
    sc = _scenario(locals())  # first, while locals() holds only the parameters
    _check_format(fmt)
    from llmcost import render
    from llmcost.commands.compare import compare as run

    _emit(run(scenario=sc), fmt, render.compare_table, render.compare_markdown)


@app.command()
def breakeven(
    qpd: Annotated[
        str | None, typer.Option("--qpd", help="With --monte-carlo: also P(self-hosting cheaper) at this volume.")
    ] = None,
    api: ApiOpt = None,
    model: ModelOpt = None,
    gpu: GpuOpt = None,
    quant: QuantOpt = None,
    max_qpd: Annotated[
        float | None, typer.Option("--max-qpd", help=f"Highest volume examined, queries/day [{D.MAX_QPD:,}].")
    ] = None,
    platforms: PlatformsOpt = None,
    input_tokens: InputOpt = None,
    output_tokens: OutputOpt = None,
    cached_share: CachedOpt = None,
    days_per_month: DaysOpt = None,
    pricing: PricingOpt = None,
    utilization: UtilOpt = None,
    peak_factor: PeakOpt = None,
    hidden_costs: HiddenOpt = None,
    hidden_cost: HiddenLineOpt = None,
    no_hidden_costs: NoHiddenOpt = False,
    nvidia_ai_enterprise: NvaieOpt = None,
    hosts_per_devops_step: DevopsStepOpt = None,
    batch: BatchOpt = None,
    reasoning_effort: EffortOpt = None,
    reasoning_tokens: ReasoningTokensOpt = None,
    service_tier: ServiceTierOpt = None,
    cache_ttl: CacheTtlOpt = None,
    shared_prefix_tokens: PrefixOpt = None,
    prompt_mix: PromptMixOpt = None,
    prefix_caching: PrefixCachingOpt = None,
    commercial_only: CommercialOpt = None,
    date: DateOpt = None,
    engine: EngineOpt = None,
    p99_ttft_ms: P99TtftOpt = None,
    p99_tpot_ms: P99TpotOpt = None,
    max_ttft_ms: TtftOpt = None,
    max_tpot_ms: TpotOpt = None,
    ownership: OwnershipOpt = None,
    pue: PueOpt = None,
    autoscale: AutoscaleOpt = None,
    profile: ProfileOpt = None,
    min_replicas: MinReplicasOpt = None,
    usage_log: UsageLogOpt = None,
    monte_carlo: McOpt = None,
    seed: SeedOpt = None,
    gpu_price_factor: PriceFactorOpt = None,
    throughput_factor: ThroughputFactorOpt = None,
    scenario: ScenarioOpt = None,
    data: DataOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Query volumes at which self-hosting and an API cost the same, exact on the replica steps.

    With --api and --model: that pair (the configuration that pays off soonest). Without --api:
    each model against quality-matched APIs (its hosted versions, the cheapest API at least as
    good, the closest in quality).
    """
    sc = _scenario(locals())  # first, while locals() holds only the parameters
    _check_format(fmt)
    from llmcost import render
    from llmcost.commands.breakeven import breakeven as run

    _emit(run(scenario=sc), fmt, render.breakeven_table, render.breakeven_markdown)


@app.command("platforms")
def platforms_(
    qpd: QpdOpt = None,
    qpm: QpmOpt = None,
    qps: QpsOpt = None,
    model: ModelOpt = None,
    api: ApiOpt = None,
    gpu: GpuOpt = None,
    quant: QuantOpt = None,
    platforms: PlatformsOpt = None,
    spot_preemption: SpotPreemptionOpt = None,
    cold_start_basis: ColdStartBasisOpt = None,
    image_pull_s: ImagePullOpt = None,
    max_qpd: Annotated[
        float | None,
        typer.Option("--max-qpd", help=f"Highest volume the crossings cover, queries/day [{D.MAX_QPD:,}]."),
    ] = None,
    input_tokens: InputOpt = None,
    output_tokens: OutputOpt = None,
    days_per_month: DaysOpt = None,
    utilization: UtilOpt = None,
    hidden_costs: HiddenOpt = None,
    no_hidden_costs: NoHiddenOpt = False,
    reasoning_effort: EffortOpt = None,
    engine: EngineOpt = None,
    max_ttft_ms: TtftOpt = None,
    max_tpot_ms: TpotOpt = None,
    profile: ProfileOpt = None,
    usage_log: UsageLogOpt = None,
    monte_carlo: McOpt = None,
    seed: SeedOpt = None,
    throughput_factor: ThroughputFactorOpt = None,
    scenario: ScenarioOpt = None,
    data: DataOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Every way to run one model over the daily --profile: the API, rented GPUs (24/7, by the hour,
    spot with spares, reserved 1y/3y plus burst), serverless GPU platforms and dedicated endpoints,
    with cold starts per day, the share of requests that wait for one and the TTFT they see (a
    --max-ttft-ms target rules an option out), every crossing between billing models and where each wins."""
    sc = _scenario(locals())  # first, while locals() holds only the parameters
    _check_format(fmt, ("table", "json"))
    from llmcost import render
    from llmcost.commands.platforms import platforms as run

    _emit(run(scenario=sc), fmt, render.platforms_table, render.platforms_table)


@app.command()
def hybrid(
    qpd: QpdOpt = None,
    qpm: QpmOpt = None,
    qps: QpsOpt = None,
    share: Annotated[
        float | None,
        typer.Option("--share", help="Share of queries (the simple ones) sent to the self-hosted model, 0-1."),
    ] = None,
    model: ModelOpt = None,
    api: ApiOpt = None,
    date: DateOpt = None,
    platforms: PlatformsOpt = None,
    gpu: GpuOpt = None,
    quant: QuantOpt = None,
    input_tokens: InputOpt = None,
    output_tokens: OutputOpt = None,
    cached_share: CachedOpt = None,
    days_per_month: DaysOpt = None,
    pricing: PricingOpt = None,
    utilization: UtilOpt = None,
    peak_factor: PeakOpt = None,
    hidden_costs: HiddenOpt = None,
    hidden_cost: HiddenLineOpt = None,
    no_hidden_costs: NoHiddenOpt = False,
    nvidia_ai_enterprise: NvaieOpt = None,
    hosts_per_devops_step: DevopsStepOpt = None,
    batch: BatchOpt = None,
    reasoning_effort: EffortOpt = None,
    reasoning_tokens: ReasoningTokensOpt = None,
    service_tier: ServiceTierOpt = None,
    cache_ttl: CacheTtlOpt = None,
    shared_prefix_tokens: PrefixOpt = None,
    prompt_mix: PromptMixOpt = None,
    prefix_caching: PrefixCachingOpt = None,
    engine: EngineOpt = None,
    p99_ttft_ms: P99TtftOpt = None,
    p99_tpot_ms: P99TpotOpt = None,
    ownership: OwnershipOpt = None,
    pue: PueOpt = None,
    autoscale: AutoscaleOpt = None,
    profile: ProfileOpt = None,
    min_replicas: MinReplicasOpt = None,
    usage_log: UsageLogOpt = None,
    monte_carlo: McOpt = None,
    seed: SeedOpt = None,
    gpu_price_factor: PriceFactorOpt = None,
    throughput_factor: ThroughputFactorOpt = None,
    scenario: ScenarioOpt = None,
    data: DataOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Route a share of queries to a self-hosted model and the rest to an API: blended cost,
    saving against all-API, and the share that minimizes cost given whole replicas."""
    sc = _scenario(locals())  # first, while locals() holds only the parameters
    _check_format(fmt)
    from llmcost import render
    from llmcost.commands.hybrid import hybrid as run

    _emit(run(scenario=sc), fmt, render.hybrid_table, render.hybrid_markdown)


@app.command()
def tco(
    qpd: QpdOpt = None,
    qpm: QpmOpt = None,
    qps: QpsOpt = None,
    model: ModelOpt = None,
    api: ApiOpt = None,
    date: DateOpt = None,
    months: Annotated[int | None, typer.Option("--months", help=f"Months to add up [{D.MONTHS}].")] = None,
    growth: Annotated[
        float | None,
        typer.Option("--growth", help=f"Volume growth per month, e.g. 0.05 for +5% [{D.GROWTH_PER_MONTH:g}]."),
    ] = None,
    setup_weeks: Annotated[float | None, typer.Option(help="One-time engineering weeks [data: 2-4, midpoint].")] = None,
    engineer_usd_per_day: Annotated[
        float | None, typer.Option(help="Loaded cost of an engineer-day [data: BLS-derived midpoint].")
    ] = None,
    updates_per_year: Annotated[
        float | None, typer.Option(help=f"Model updates a year [{D.UPDATES_PER_YEAR:g}].")
    ] = None,
    days_per_update: Annotated[
        float | None, typer.Option(help="Engineer-days per update [data: 1-2, midpoint].")
    ] = None,
    platforms: PlatformsOpt = None,
    gpu: GpuOpt = None,
    quant: QuantOpt = None,
    input_tokens: InputOpt = None,
    output_tokens: OutputOpt = None,
    cached_share: CachedOpt = None,
    pricing: PricingOpt = None,
    utilization: UtilOpt = None,
    peak_factor: PeakOpt = None,
    hidden_costs: HiddenOpt = None,
    hidden_cost: HiddenLineOpt = None,
    no_hidden_costs: NoHiddenOpt = False,
    nvidia_ai_enterprise: NvaieOpt = None,
    hosts_per_devops_step: DevopsStepOpt = None,
    batch: BatchOpt = None,
    reasoning_effort: EffortOpt = None,
    reasoning_tokens: ReasoningTokensOpt = None,
    service_tier: ServiceTierOpt = None,
    cache_ttl: CacheTtlOpt = None,
    shared_prefix_tokens: PrefixOpt = None,
    prompt_mix: PromptMixOpt = None,
    prefix_caching: PrefixCachingOpt = None,
    engine: EngineOpt = None,
    p99_ttft_ms: P99TtftOpt = None,
    p99_tpot_ms: P99TpotOpt = None,
    ownership: OwnershipOpt = None,
    pue: PueOpt = None,
    autoscale: AutoscaleOpt = None,
    profile: ProfileOpt = None,
    min_replicas: MinReplicasOpt = None,
    usage_log: UsageLogOpt = None,
    monte_carlo: McOpt = None,
    seed: SeedOpt = None,
    gpu_price_factor: PriceFactorOpt = None,
    throughput_factor: ThroughputFactorOpt = None,
    scenario: ScenarioOpt = None,
    data: DataOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Cumulative cost of an API and a self-hosted model over months of growing volume, with
    one-time set-up and model-update work, and the month self-hosting pays back."""
    sc = _scenario(locals())  # first, while locals() holds only the parameters
    _check_format(fmt)
    from llmcost import render
    from llmcost.commands.tco import tco as run

    _emit(run(scenario=sc), fmt, render.tco_table, render.tco_markdown)


@app.command("buy-vs-rent")
def buy_vs_rent(
    gpu: GpuOpt = None,
    pue: Annotated[
        float, typer.Option("--pue", help="Facility PUE (not sourced; 1.0 = energy billed on IT load).")
    ] = 1.0,
    data: DataOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Effective hourly cost of an owned GPU (depreciation, power, colocation, support) next to the
    cheapest rental offer per pricing model."""
    _check_format(fmt)
    from llmcost import render
    from llmcost.commands.data import buy_vs_rent as run

    result = run(_split(gpu), pue=pue, data_dirs=[str(d) for d in data or ()])
    _emit(result, fmt, render.buy_vs_rent_table, render.buy_vs_rent_markdown)


@app.command()
def workload(
    file: Annotated[
        Path,
        typer.Argument(help="Usage log: CSV with a header, or JSON lines (OpenAI usage export, LiteLLM spend logs)."),
    ],
    fmt: FormatOpt = "table",
) -> None:
    """Derive the workload from a usage log: queries/day, token mix (mean, percentiles), peak-to-average."""
    _check_format(fmt)
    from llmcost.commands.data import workload as run

    _emit(run(file), fmt, title=f"Workload from {_shown(file)}")


@app.command()
def sensitivity(
    model: ModelOpt = None,
    api: ApiOpt = None,
    date: DateOpt = None,
    qpd: QpdOpt = None,
    qpm: QpmOpt = None,
    qps: QpsOpt = None,
    metric: Annotated[
        str, typer.Option("--metric", help="cost-difference (self-hosted minus API at --qpd) or breakeven (volume).")
    ] = "cost-difference",
    gpu: GpuOpt = None,
    quant: QuantOpt = None,
    input_tokens: InputOpt = None,
    output_tokens: OutputOpt = None,
    pricing: PricingOpt = None,
    utilization: UtilOpt = None,
    peak_factor: PeakOpt = None,
    hidden_costs: HiddenOpt = None,
    hidden_cost: HiddenLineOpt = None,
    no_hidden_costs: NoHiddenOpt = False,
    nvidia_ai_enterprise: NvaieOpt = None,
    hosts_per_devops_step: DevopsStepOpt = None,
    cached_share: CachedOpt = None,
    reasoning_effort: EffortOpt = None,
    reasoning_tokens: ReasoningTokensOpt = None,
    service_tier: ServiceTierOpt = None,
    cache_ttl: CacheTtlOpt = None,
    shared_prefix_tokens: PrefixOpt = None,
    prompt_mix: PromptMixOpt = None,
    prefix_caching: PrefixCachingOpt = None,
    engine: EngineOpt = None,
    max_qpd: Annotated[
        float | None, typer.Option("--max-qpd", help=f"Highest volume the break-even metric examines [{D.MAX_QPD:,}].")
    ] = None,
    gpu_price_factor: PriceFactorOpt = None,
    throughput_factor: ThroughputFactorOpt = None,
    platforms: Annotated[
        list[str] | None,
        typer.Option(
            "--platforms",
            help="Swing one serving platform or dedicated endpoint against the API instead of rented GPUs: a "
            "platforms.yaml id (its configuration cheapest at --qpd, or paying off soonest for breakeven) or an "
            "option id such as modal:1xh100-sxm, or rented:spot (the spot-with-spares row: its --spot-preemption "
            "rate and the volume); swings the volume, the --profile's peak over the --peak-factor "
            "range, utilization, throughput, API prices, the cold start's weights load rate (GB/s) and engine "
            "start (s) over the decomposed measurements in platforms.yaml, the idle window (s) over the "
            "platform's allowed range and the GPU-second price from 'as low as' to list [none: rented GPUs].",
        ),
    ] = None,
    profile: ProfileOpt = None,
    max_ttft_ms: TtftOpt = None,
    spot_preemption: SpotPreemptionOpt = None,
    cold_start_basis: ColdStartBasisOpt = None,
    image_pull_s: ImagePullOpt = None,
    scenario: ScenarioOpt = None,
    data: DataOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Tornado: each uncertain input swung from low to high, the others held, ranked by how much
    the result moves (monthly cost difference, or break-even volume); with --platforms ID, for a
    serving platform against the API."""
    sc = _scenario(locals())  # first, while locals() holds only the parameters
    _check_format(fmt)
    from llmcost import render
    from llmcost.commands.sensitivity import sensitivity as run
    from llmcost.tornado import Metric

    names: dict[str, Metric] = {"cost-difference": "cost_difference", "breakeven": "breakeven"}
    if metric not in names:
        raise UsageError(f"--metric must be cost-difference or breakeven, got '{_shown(metric)}'")
    _emit(run(metric=names[metric], scenario=sc), fmt, render.tornado_table, render.tornado_markdown)


@app.command()
def fit(
    model: Annotated[str, typer.Argument(help="Open-weight model id, e.g. llama-3.1-70b.")],
    quant: Annotated[str, typer.Option("--quant", help="bf16 (fp16), fp8, int8, int4, fp4.")] = "bf16",
    gpu: Annotated[str, typer.Option("--gpu", help="GPU id, e.g. a100-80gb.")] = "h100-sxm",
    context: Annotated[
        int | None, typer.Option(help="Tokens per sequence (prompt + output); default the model's maximum.")
    ] = None,
    concurrency: Annotated[int, typer.Option(help="Sequences that must fit at once.")] = 1,
    gpus: Annotated[
        int | None,
        typer.Option(help="Force a tensor-parallel size (1, 2, 4, 8) instead of the smallest that fits."),
    ] = None,
    kv_cache: Annotated[
        str,
        typer.Option(
            help="KV cache precision: auto (the engine's default: vLLM and SGLang keep the model's 16-bit "
            "dtype whatever the weight format; TensorRT-LLM's fp8/fp4 checkpoints carry an FP8 cache), bf16, fp8, "
            "or fp4 (NVFP4, 4.5 bits per element: --engine trt-llm on a GPU with FP4 tensor cores only)."
        ),
    ] = "auto",
    engine: EngineOpt = "vllm",
    engine_version: Annotated[
        str | None,
        typer.Option(
            help="The engine's memory accounting to use, an engine_memory id from engines.yaml "
            "(vllm-0.20: 0.20-0.33, the default; vllm-0.11: 0.11-0.19)."
        ),
    ] = None,
    gpu_memory_utilization: Annotated[
        float | None,
        typer.Option(
            help="Fraction of each GPU's memory (as CUDA reports it) the engine may use, in (0, 1]; "
            "default the engine version's (data/engines.yaml engine_memory)."
        ),
    ] = None,
    max_num_batched_tokens: Annotated[
        int | None,
        typer.Option(
            help="Tokens per forward pass, which sets the profiling activation peak; default the engine's "
            "for the GPU (vLLM API server: 8192 on >= 70 GiB GPUs except A100, 16384 on >= 160 GiB, else 2048). "
            "Refused for an engine without memory accounting in the data."
        ),
    ] = None,
    parallelism: ParallelismOpt = None,
    data: DataOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Memory plan for one replica as the engine accounts it: weights, activation peak, CUDA graphs,
    communication buffers, KV pool and headroom per GPU (GiB, each with its source), GPUs needed,
    sequences that fit."""
    _check_format(fmt)
    from llmcost import render
    from llmcost.commands.serving import fit as run

    result = run(
        model,
        quant,
        gpu,
        context=context,
        concurrency=concurrency,
        gpus=gpus,
        kv_cache=kv_cache,
        engine=engine or "vllm",
        engine_version=engine_version,
        gpu_memory_utilization=gpu_memory_utilization,
        max_num_batched_tokens=max_num_batched_tokens,
        parallelism=parallelism or D.PARALLELISM,
        data_dirs=data or (),
    )
    title = f"Memory plan: {_shown(model)} {_shown(quant)} on {_shown(gpu)}"
    _emit(result, fmt, lambda d: render.fit_table(title, d), lambda d: render.fit_markdown(title, d), title=title)


@app.command()
def capacity(
    model: Annotated[str, typer.Argument(help="Open-weight model id, e.g. llama-3.1-8b.")],
    quant: Annotated[str, typer.Option("--quant", help="bf16 (fp16), fp8, int8, int4, fp4.")] = "bf16",
    gpu: Annotated[str, typer.Option("--gpu", help="GPU id, e.g. h100-sxm.")] = "h100-sxm",
    gpus: Annotated[int, typer.Option(help="GPUs in the replica (tensor-parallel size 1, 2, 4, 8).")] = 1,
    input_tokens: Annotated[
        float | None, typer.Option(help=f"Prompt tokens per request [{D.INPUT_TOKENS}, or the --workload log's mean].")
    ] = None,
    output_tokens: Annotated[
        float | None,
        typer.Option(help=f"Output tokens per request [{D.OUTPUT_TOKENS}, or the --workload log's mean]."),
    ] = None,
    max_ttft_ms: TtftOpt = None,
    max_tpot_ms: TpotOpt = None,
    concurrency: Annotated[
        int | None,
        typer.Option(
            help="Also report output tokens/s, TTFT and TPOT with this many closed-loop clients (each sends "
            "its next request when the last ends) [off: saturation only]."
        ),
    ] = None,
    rate: Annotated[
        float | None,
        typer.Option(
            help="Also report P50/P90/P99 TTFT and TPOT at this Poisson arrival rate, requests/s (queueing model "
            "of continuous batching with chunked prefill); refused at or above saturated capacity [off]."
        ),
    ] = None,
    usage_log: Annotated[
        Path | None,
        typer.Option(
            "--workload",
            help="Usage log (CSV or JSONL): token means, and (without --rate) the rate of its peak hour.",
        ),
    ] = None,
    max_num_batched_tokens: Annotated[
        int | None,
        typer.Option(
            help="Tokens per engine step (prefill chunk + decode): the prefill chunk of the load model and "
            "the profiling activation peak; default the engine's for the GPU (vLLM API server: 8192 on >= 70 "
            f"GiB GPUs except A100, 16384 on >= 160 GiB, else 2048; {D.PREFILL_CHUNK_TOKENS} for engines "
            "without memory accounting)."
        ),
    ] = None,
    engine: EngineOpt = "vllm",
    kv_cache: Annotated[
        str,
        typer.Option(
            help="KV cache precision: auto (the engine's default), bf16, fp8, or fp4 (NVFP4: --engine trt-llm "
            "on a GPU with FP4 tensor cores only)."
        ),
    ] = "auto",
    parallelism: ParallelismOpt = None,
    backend: Annotated[
        str,
        typer.Option(
            help="Who estimates: llmcost (its physics, ~ms) or aiconfigurator (NVIDIA AIConfigurator's per-kernel "
            "timings measured on h100-sxm, h200, b200 with trt-llm, vllm, sglang; Llama 3.x and Qwen3 dense; "
            "saturation and --concurrency only; ~2 s; needs pip install 'llmcost[aiconfigurator]') "
            f"[{D.CAPACITY_BACKEND}]."
        ),
    ] = D.CAPACITY_BACKEND,
    data: DataOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Throughput of one replica: tokens/s, requests/s, batch, what binds, TTFT, TPOT at saturation;
    with --concurrency or --rate, also at that load."""
    _check_format(fmt)
    from llmcost.commands.serving import capacity as run

    result = run(
        model,
        quant,
        gpu,
        gpus=gpus,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        max_ttft_ms=max_ttft_ms,
        max_tpot_ms=max_tpot_ms,
        concurrency=concurrency,
        rate=rate,
        usage_log=usage_log,
        chunk_tokens=max_num_batched_tokens,
        kv_cache=kv_cache,
        engine=engine or "vllm",
        parallelism=parallelism or D.PARALLELISM,
        backend=backend,
        data_dirs=data or (),
    )
    _emit(result, fmt, title=f"Capacity: {_shown(model)} {_shown(quant)} on {gpus} x {_shown(gpu)}")


@app.command()
def plan(
    qpd: QpdOpt = None,
    qpm: QpmOpt = None,
    qps: QpsOpt = None,
    model: ModelOpt = None,
    max_tpot_ms: Annotated[
        float | None,
        typer.Option("--max-tpot-ms", help="Time per output token every held request must meet [ms; default none]."),
    ] = None,
    max_ttft_ms: Annotated[
        float | None,
        typer.Option("--max-ttft-ms", help="Time to first token every held request must meet [ms; default none]."),
    ] = None,
    usage_log: UsageLogOpt = None,
    prompt_mix: PromptMixOpt = None,
    input_tokens: InputOpt = None,
    output_tokens: OutputOpt = None,
    cached_share: CachedOpt = None,
    shared_prefix_tokens: PrefixOpt = None,
    prefix_caching: PrefixCachingOpt = None,
    days_per_month: DaysOpt = None,
    gpu: GpuOpt = None,
    quant: QuantOpt = None,
    engine: Annotated[
        str | None,
        typer.Option("--engine", help="Only this engine (vllm, sglang, trt-llm, tgi, ollama) [every engine]."),
    ] = None,
    pricing: Annotated[
        str | None,
        typer.Option(
            "--pricing", help="Only this pricing model: on_demand, spot, reserved_1y, reserved_3y [every one]."
        ),
    ] = None,
    utilization: UtilOpt = None,
    peak_factor: PeakOpt = None,
    reasoning_effort: EffortOpt = None,
    reasoning_tokens: ReasoningTokensOpt = None,
    gpu_price_factor: Annotated[
        float | None, typer.Option("--gpu-price-factor", help="Every GPU price times this factor [1].")
    ] = None,
    throughput_factor: Annotated[
        float | None, typer.Option("--throughput-factor", help="Achieved over modelled throughput [1].")
    ] = None,
    date: DateOpt = None,
    scenario: ScenarioOpt = None,
    data: DataOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Cheapest GPU fleet for one model: searches GPU type x count x tensor-parallel size x
    quantization x engine x pricing model, mixes GPU types by request size where that saves (an
    exact integer programme over the prompt-size buckets of --prompt-mix or --workload), and shows
    the cost-vs-TPOT Pareto frontier. GPU rental only. Exit 2 when no fleet meets the targets
    (the answer still says which option came closest, and by how much)."""
    sc = _scenario(locals())  # first, while locals() holds only the parameters
    _check_format(fmt)
    from llmcost import render_plan
    from llmcost.commands.plan import plan as run

    result = run(scenario=sc)
    _emit(result, fmt, render_plan.plan_table, render_plan.plan_markdown)
    if not result.feasible:
        _flush()
        raise UsageError(f"no fleet meets the targets: {result.reason}")


@app.command()
def plot(
    chart: Annotated[
        str,
        typer.Argument(
            help="breakeven (cost vs volume), compare (cost breakdown), tco (cumulative cost, payback), "
            "hybrid (cost vs self-hosted share), sensitivity (tornado), plan (cost-latency frontier) or platforms "
            "(four billing models vs volume)."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Output file: .png or .svg.")],
    share: Annotated[float | None, typer.Option("--share", help="hybrid: share of queries self-hosted, 0-1.")] = None,
    months: Annotated[int | None, typer.Option("--months", help=f"tco: months to add up [{D.MONTHS}].")] = None,
    growth: Annotated[
        float | None, typer.Option("--growth", help=f"tco: volume growth per month [{D.GROWTH_PER_MONTH:g}].")
    ] = None,
    qpd: QpdOpt = None,
    qpm: QpmOpt = None,
    qps: QpsOpt = None,
    api: ApiOpt = None,
    model: ModelOpt = None,
    gpu: GpuOpt = None,
    quant: QuantOpt = None,
    max_qpd: Annotated[float | None, typer.Option("--max-qpd", help="Highest volume on the breakeven chart.")] = None,
    profile: ProfileOpt = None,
    monte_carlo: McOpt = None,
    seed: SeedOpt = None,
    scenario: ScenarioOpt = None,
    data: DataOpt = None,
) -> None:
    """Draw a chart (needs matplotlib: pip install 'llmcost[plot]'): breakeven shows monthly cost
    against queries/day with crossings marked (and P10-P90 bands with --monte-carlo); compare shows
    each option's cost split into tokens, GPUs and hidden costs."""
    sc = _scenario(locals())  # first, while locals() holds only the parameters
    from llmcost.commands.plot import plot as run

    written = run(chart, out, scenario=sc)
    sys.stderr.write(f"wrote {_shown(written)}\n")


@app.command("list")
def list_(
    kind: Annotated[str, typer.Argument(help="models | apis | gpus | offers | reasoning.")],
    provider: Annotated[
        str | None,
        typer.Option(
            "--provider",
            help="apis, offers: the provider (openai, aws, ...); models: the Hugging Face org (meta-llama, ...).",
        ),
    ] = None,
    min_memory_gb: Annotated[
        float | None, typer.Option("--min-memory-gb", help="gpus, offers: at least this much memory per GPU.")
    ] = None,
    reasoning: Annotated[
        bool | None,
        typer.Option(
            "--reasoning/--no-reasoning",
            help="models, apis: only those that spend hidden reasoning tokens at some effort (or never do).",
        ),
    ] = None,
    commercial_only: Annotated[
        bool,
        typer.Option(
            "--commercial-only", help="models, apis: drop open models (and APIs serving them) not for commercial use."
        ),
    ] = False,
    data: DataOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """The ids you can pass to the other commands, with their key facts, sorted by id."""
    _check_format(fmt)
    from llmcost import render
    from llmcost.commands.listing import list_catalog

    result = list_catalog(
        kind,
        provider=provider,
        min_memory_gb=min_memory_gb,
        reasoning=reasoning,
        commercial_only=commercial_only,
        data_dirs=[str(d) for d in data or ()],
    )
    _emit(result, fmt, render.list_table, render.list_markdown)


data_app = typer.Typer(
    help="Pricing-data tools: diff two versions, sync from a price source, import LiteLLM's price map.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(data_app, name="data")


@app.command()
def validate(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Data files or directories to check (default: the shipped data).")
    ] = None,
    max_age_days: Annotated[int, typer.Option("--max-age-days", help="Warn about prices older than this.")] = 365,
    cross_check: Annotated[
        str | None, typer.Option("--cross-check", help="genai-prices: report where our API prices differ from it.")
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline", help="A saved `validate --format json`: report (and fail on) only findings it does not list."
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text | github (Actions annotations) | json.")] = "text",
) -> None:
    """Check price data the way CI should: schema, unique ids, references, plausibility, sources,
    dates. One finding per line; exit 1 when there are errors (warnings alone exit 0). Never
    modifies the files."""
    from llmcost import datatools
    from llmcost.commands.data import validate as run

    _check_format(fmt, ("text", "github", "json"))
    result = run(files or None, max_age_days=max_age_days, cross_check=cross_check, baseline=baseline)
    if fmt == "json":
        _out(result.to_json() + "\n")
    else:
        lines = datatools.format_findings(result.to_dict(), fmt)
        summary = f"{result.errors} error(s), {result.warnings} warning(s) in {len(result.files)} file(s)"
        summary += f" ({result.known} known from the baseline, not shown)" if baseline else ""
        _out("\n".join([*lines, summary]) + "\n")
    if result.errors:
        raise typer.Exit(1)


@app.command()
def report(
    scenario: Annotated[Path, typer.Option("--scenario", help="A compare scenario file (YAML).")],
    out: Annotated[Path, typer.Option("--out", help="report.html, or report.xlsx (needs llmcost[report]).")],
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="html | xlsx [from the --out suffix, else html].")
    ] = None,
) -> None:
    """A report to send around: a self-contained HTML page (verdict, tables, chart, every assumption
    and source) or an Excel workbook (results, assumptions and sources sheets)."""
    from llmcost.reports import report as run

    written = run(scenario, out, fmt=fmt)
    sys.stderr.write(f"wrote {_shown(written)}\n")


@app.command()
def check(
    scenario: Annotated[
        Path, typer.Option("--scenario", help="A compare scenario file (YAML) checked in with the code.")
    ],
    fail_above: Annotated[
        float | None,
        typer.Option("--fail-above", help="Fail (exit 1) when the option costs more than this, USD/month."),
    ] = None,
    fail_on_increase: Annotated[
        float | None,
        typer.Option(
            "--fail-on-increase", help="Fail when the cost rose more than this many percent over --base-data."
        ),
    ] = None,
    base_data: Annotated[
        Path | None,
        typer.Option("--base-data", help="The complete data directory before the change (e.g. main's data/)."),
    ] = None,
    option: Annotated[
        str | None, typer.Option("--option", help="The option to gate (an API or self-hosted id) [the cheapest].")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text | github (Actions annotations) | json.")] = "text",
) -> None:
    """Budget gate for CI: the monthly cost of a checked-in scenario against a ceiling and against
    the base data; exit 1 when a limit is crossed, with one line (or annotation) per failure."""
    from llmcost.commands.check import check as run
    from llmcost.text import no_workflow_commands

    _check_format(fmt, ("text", "github", "json"))
    result = run(scenario, option=option, fail_above_usd=fail_above, fail_on_increase_pct=fail_on_increase,
                 base_data=base_data)  # fmt: skip
    if fmt == "json":
        _out(result.to_json() + "\n")
    elif fmt == "github":
        from llmcost.datatools import relative_path

        file = relative_path(str(scenario)).replace("%", "%25").replace(",", "%2C").replace(":", "%3A")
        _out("".join(f"::error file={file},title=llmcost budget::{f}\n" for f in result.failures))
    else:
        base = f" (base ${result.base_monthly_cost_usd:,.0f}, {result.increase_pct:+.1f}%)" if (
            result.base_monthly_cost_usd is not None and result.increase_pct is not None) else ""  # fmt: skip
        lines = [f"{result.option}: ${result.monthly_cost_usd:,.0f} a month{base}", *result.failures]
        lines.append("budget check failed" if result.failures else "budget check passed")
        _out("\n".join(no_workflow_commands(line) for line in lines) + "\n")
    if result.failures:
        raise typer.Exit(1)


LargeFactorOpt = Annotated[
    float,
    typer.Option("--large-factor", help="A change by this factor or more either way is large [10]."),
]
AllowLargeOpt = Annotated[
    bool,
    typer.Option(
        "--allow-large-changes", help="Do not fail on large changes (see --large-factor) or prices crossing zero."
    ),
]


def _diff_lines(result: dict[str, Any], fmt: str) -> list[str]:
    """Lines for a diff (`data diff`, `data sync`): text, or GitHub annotations (large changes are errors)."""
    from llmcost.text import no_workflow_commands

    factor = f"{result['large_factor']:g}x"
    if fmt == "github":
        from llmcost.datatools import format_findings

        def at(item: dict[str, Any], level: str, message: str) -> dict[str, Any]:
            # on the entry's line (the field's, for a change) in the file the item stands in
            return {"level": level, "file": item.get("file", "pricing.yaml"), "entry": item["id"], "message": message}

        findings = [at(a, "notice", f"added to {a['section']}") for a in result["added"]]
        findings += [at(r, "notice", f"removed from {r['section']}") for r in result["removed"]]
        for c in result["changed"]:
            pct = f" ({c['pct_change']:+.1f}%)" if c["pct_change"] is not None else ""
            large = f": a large change ({factor} or more, or across zero)" if c["large"] else ""
            message = f"{c['field']}: {c['old']} -> {c['new']}{pct}{large}"
            findings.append(at(c, "error" if c["large"] else "notice", message))
        return format_findings({"findings": findings}, "github")
    out = [f"+ {a['section']} {a['id']}" for a in result["added"]]
    out += [f"- {r['section']} {r['id']}" for r in result["removed"]]
    for c in result["changed"]:
        pct = f" ({c['pct_change']:+.1f}%)" if c["pct_change"] is not None else ""
        flag = "  LARGE CHANGE" if c["large"] else ""
        old, new = (", ".join(v) if isinstance(v, list) else v for v in (c["old"], c["new"]))
        out.append(f"~ {c['section']} {c['id']} {c['field']}: {old} -> {new}{pct}{flag}")
    out.append(
        f"{len(result['added'])} added, {len(result['removed'])} removed, {len(result['changed'])} changed, "
        f"{result['large_changes']} large (rule: {factor} or more, or across zero)"
    )
    return [no_workflow_commands(line) for line in out]


def _gate(result: dict[str, Any], allow_large_changes: bool) -> bool:
    """The one gate of `data diff` and `data sync`: True when large changes must stop (exit 1)."""
    return bool(result["large_changes"]) and not allow_large_changes


@data_app.command("diff")
def data_diff(
    old: Annotated[Path, typer.Argument(help="The old pricing.yaml (or data directory).")],
    new: Annotated[Path, typer.Argument(help="The new pricing.yaml (or data directory).")],
    allow_large_changes: AllowLargeOpt = False,
    large_factor: LargeFactorOpt = 10.0,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text | json | github (Actions annotations).")] = "text",
) -> None:
    """Added, removed and changed entries with percentage changes; a change of --large-factor (10x)
    or more either way, or a price crossing zero, is flagged and exits 1 unless --allow-large-changes."""
    import json

    from llmcost import datatools

    _check_format(fmt, ("text", "json", "github"))
    result = datatools.diff(old, new, large_factor)
    _out(json.dumps(result, indent=2) + "\n" if fmt == "json" else "\n".join(_diff_lines(result, fmt)) + "\n")
    if _gate(result, allow_large_changes):
        raise typer.Exit(1)


@data_app.command("sync")
def data_sync(
    source: Annotated[str, typer.Argument(help="genai-prices (the installed package) or litellm (--file).")],
    file: Annotated[
        Path | None, typer.Option("--file", help="LiteLLM's model_prices_and_context_window.json (litellm only).")
    ] = None,
    data: Annotated[
        Path | None, typer.Option("--data", help="Data directory whose pricing.yaml to sync [the shipped data].")
    ] = None,
    write: Annotated[
        str | None,
        typer.Option("--write", help="overlay (a pricing.yaml of changed/new entries, to --out) or in-place."),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="File (or directory) for --write overlay.")] = None,
    allow_large_changes: AllowLargeOpt = False,
    large_factor: LargeFactorOpt = 10.0,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text | json | github (Actions annotations).")] = "text",
) -> None:
    """Propose updates to our API entries from a price source, shown as a `data diff` (same gate):
    prices, cache prices, batch discount, long-context tier, context window, and new entries for
    models we pair or list on providers we have. Without --write nothing is written."""
    import json
    from datetime import date

    from llmcost import datatools

    _check_format(fmt, ("text", "json", "github"))
    if write is not None and write not in ("overlay", "in-place"):
        raise UsageError(f"--write is overlay or in-place, got '{_shown(write)}'")
    if write == "overlay" and out is None:
        raise UsageError("--write overlay needs --out FILE (a pricing.yaml for a --data directory)")
    if out is not None and write != "overlay":
        raise UsageError("--out goes with --write overlay")
    if write == "in-place" and data is None:
        raise UsageError("--write in-place needs --data DIR: name the data directory to edit")
    result = datatools.sync(source, data, file, date.today(), large_factor=large_factor)
    stop = _gate(result["diff"], allow_large_changes)
    if fmt == "json":
        _out(json.dumps(result, indent=2) + "\n")
    else:
        from llmcost.text import no_workflow_commands

        lines = _diff_lines(result["diff"], fmt)
        if fmt == "text":
            at = f"; prices read at {result['prices_at']}" if result["prices_at"] else ""
            head = [f"sync from {result['source_text']}: as_of {result['as_of']}{at}; into {result['file']}"]
            skipped = [f"= skipped {s['id']}: {s['reason']}" for s in result["skipped"]]
            lines = [no_workflow_commands(x) for x in head] + lines[:-1] + [
                no_workflow_commands(x) for x in skipped] + lines[-1:]  # fmt: skip
        _out("\n".join(lines) + "\n")
    if stop:
        sys.stderr.write("llmcost: large changes held: nothing written (check them, then --allow-large-changes)\n"
                         if write else "")  # fmt: skip
        raise typer.Exit(1)
    if write is not None:
        written = datatools.write_sync(result, write, out)
        sys.stderr.write(f"wrote {_shown(written)}\n" if written else "nothing changed: nothing written\n")


@data_app.command("import-litellm")
def data_import_litellm(
    file: Annotated[Path, typer.Argument(help="LiteLLM's model_prices_and_context_window.json.")],
    model: Annotated[list[str], typer.Option("--model", help="LiteLLM model key(s) to convert (repeatable).")],
    provider: Annotated[
        str | None, typer.Option("--provider", help="Provider slug for the ids (default: LiteLLM's).")
    ] = None,
) -> None:
    """Convert LiteLLM price-map entries into pricing.yaml `api:` entries (USD per million tokens,
    source recorded); prints YAML to paste into your --data directory."""
    from datetime import date

    from llmcost import datatools

    result = datatools.import_litellm(file, _split(model) or [], provider, date.today())
    _out(datatools.to_yaml(result))


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion and validation)."""
    import json

    from llmcost.inputs import scenario_json_schema

    _out(json.dumps(scenario_json_schema(), indent=2) + "\n")


def _out(text: str) -> None:
    """Write to stdout; a full device or a closed stream is an output error (exit 1)."""
    try:
        sys.stdout.write(text)
    except BrokenPipeError:
        raise
    except (OSError, ValueError, AttributeError) as exc:  # ENOSPC, a closed or absent stdout
        raise _output_error(exc) from None


def _output_error(exc: Exception) -> OutputError:
    why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "standard output is closed"
    return OutputError(f"cannot write the output ({why})")


def _fail(message: str, code: int) -> int:
    from llmcost.text import shown

    try:  # one line, whatever the message holds: control characters escaped, length bounded
        sys.stderr.write(f"llmcost: error: {shown(message, 2000)}\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass  # no stderr to tell: the exit code still says it
    return code


def _notice(message: warnings.WarningMessage | Any, *args: Any, **kwargs: Any) -> None:
    """Library warnings (a cache that cannot be used, ...) as one line each on stderr."""
    from llmcost.text import shown

    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(f"llmcost: notice: {shown(message, 500)}\n")


def _flush() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError, AttributeError) as exc:
        raise _output_error(exc) from None


def _quiet_stdout() -> None:
    """After a reader closed the pipe: point stdout at /dev/null so the exit flush raises nothing."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


@contextlib.contextmanager
def _progress() -> Iterator[None]:
    """A progress bar on stderr when a person watches it (a terminal); pipes and CI logs stay clean.
    However the run ends, the bar is erased first, so an error line starts at the margin."""
    try:
        watched = sys.stderr.isatty()
        width = os.get_terminal_size(sys.stderr.fileno()).columns if watched else 0  # stdout may be a file
    except (OSError, ValueError, AttributeError):
        watched = False
    if not watched:
        yield
        return
    from llmcost.progress import Bar, reporting

    bar = Bar(sys.stderr, width=width)
    try:
        with reporting(bar):
            yield
    finally:
        bar.erase()


def main(argv: list[str] | None = None) -> int:
    """Entry point: every failure is one line on stderr; exit 2 for usage, 1 for data files and output,
    0 when a reader closes the pipe early, 70 for a bug."""
    warnings.showwarning = _notice
    try:
        # without standalone mode, click returns (not raises) the code of a typer.Exit
        with _progress():
            code = app(args=argv, prog_name="llmcost", standalone_mode=False)
        _flush()
    except LLMCostError as exc:
        message = str(exc)
        if exc.param and message.startswith(exc.param):  # name the flag, not the Python parameter
            message = _flag(exc.param) + message[len(exc.param) :]
        return _fail(message, exc.exit_code)
    except typer.TyperException as exc:  # typer's own parse errors (bad type, missing option)
        return _fail(exc.format_message().replace("\n", " "), exc.exit_code)
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except (typer.Abort, KeyboardInterrupt):
        return _fail("interrupted", 130)
    except BrokenPipeError:  # the reader has what it wanted (`llmcost ... | head`): quietly done
        _quiet_stdout()
        return 0
    except Exception as exc:  # a bug: still one line, and a code that says so
        return _fail(f"internal error, please report: {type(exc).__name__}: {exc}", 70)
    return code if isinstance(code, int) else 0

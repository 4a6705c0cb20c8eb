"""Command line: parse -> catalog -> model -> render. Errors become one line on stderr."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from llmcost.errors import LLMCostError, UsageError

app = typer.Typer(
    name="llmcost",
    help="Should we call an LLM API or self-host an open-weight model? Monthly costs, GPU sizing "
    "and break-even from sourced price and hardware data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

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


EngineOpt = Annotated[
    str,
    typer.Option(
        "--engine",
        help="Serving engine profile: vllm, sglang, trt-llm, tgi, ollama "
        "(its batch limits; see data/engines.yaml).",
    ),
]
TtftOpt = Annotated[
    float | None, typer.Option("--max-ttft-ms", help="Cap the batch so time to first token stays under this.")
]
TpotOpt = Annotated[
    float | None,
    typer.Option("--max-tpot-ms", help="Cap the batch so time per output token stays under this."),
]


def _split(values: list[str] | None) -> list[str] | None:
    """Repeatable options also accept comma-separated lists."""
    if not values:
        return None
    return [v.strip() for raw in values for v in raw.split(",") if v.strip()]


def _overrides(pairs: list[str] | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep:
            raise UsageError(f"--hidden-cost takes LINE=USD_PER_MONTH (e.g. devops=4000), got '{pair}'")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            raise UsageError(f"--hidden-cost {key}: '{value}' is not a number") from None
    return out


def _emit(data: dict[str, Any], fmt: str, title: str | None = None) -> None:
    from llmcost import render

    if fmt not in render.FORMATS:
        raise UsageError(f"--format must be one of {', '.join(render.FORMATS)}, got '{fmt}'")
    if title is None:
        text = render.render(data, fmt, render.compare_table, render.compare_markdown)
    else:
        text = render.render(
            data,
            fmt,
            lambda d: render.key_value_table(title, d),
            lambda d: render.key_value_markdown(title, d),
        )
    sys.stdout.write(text)


@app.command()
def compare(
    qpd: Annotated[float, typer.Option("--qpd", help="Queries per day.")],
    input_tokens: Annotated[float, typer.Option(help="Mean input (prompt) tokens per query.")] = 2000,
    output_tokens: Annotated[float, typer.Option(help="Mean output tokens per query.")] = 500,
    cached_share: Annotated[
        float, typer.Option(help="Share of input tokens served from the API's prompt cache (0-1).")
    ] = 0.0,
    days_per_month: Annotated[float, typer.Option(help="Days in a billing month.")] = 365 / 12,
    api: Annotated[
        list[str] | None,
        typer.Option(
            "--api", help="API model id(s) to include, e.g. openai/gpt-4o (repeatable; default all)."
        ),
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            help="Open-weight model id(s) to self-host, e.g. llama-3.1-70b (repeatable; default all).",
        ),
    ] = None,
    gpu: Annotated[
        list[str] | None,
        typer.Option("--gpu", help="GPU id(s), e.g. h100-sxm, a100-80gb (repeatable; default all)."),
    ] = None,
    quant: Annotated[
        list[str] | None,
        typer.Option("--quant", help="bf16 (fp16), fp8, int8, int4, fp4 (repeatable; default all)."),
    ] = None,
    pricing: Annotated[
        str, typer.Option(help="GPU pricing model: on_demand, reserved_1y, reserved_3y, spot.")
    ] = "on_demand",
    utilization: Annotated[
        float, typer.Option(help="Target utilization of self-hosted capacity at peak (0-1].")
    ] = 0.70,
    peak_factor: Annotated[
        float, typer.Option(help="Peak-to-average request rate; capacity is sized for the peak.")
    ] = 1.0,
    no_hidden_costs: Annotated[
        bool,
        typer.Option(
            "--no-hidden-costs", help="Leave out DevOps, monitoring, networking, storage and backup."
        ),
    ] = False,
    hidden_cost: Annotated[
        list[str] | None,
        typer.Option(
            "--hidden-cost", help="Override one hidden-cost line, LINE=USD_PER_MONTH (e.g. devops=4000)."
        ),
    ] = None,
    batch: Annotated[
        bool, typer.Option("--batch", help="Apply each API's batch discount (asynchronous workloads).")
    ] = False,
    engine: EngineOpt = "vllm",
    max_ttft_ms: TtftOpt = None,
    max_tpot_ms: TpotOpt = None,
    commercial_only: Annotated[
        bool, typer.Option("--commercial-only", help="Drop models whose licence forbids commercial use.")
    ] = False,
    show_all: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Every model x quantization x GPU, including those that do not run (with the reason).",
        ),
    ] = False,
    data: DataOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Monthly cost of API options vs self-hosted configurations at one query volume."""
    from llmcost.compare import compare as run

    result = run(
        qpd,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cached_input_share=cached_share,
        days_per_month=days_per_month,
        apis=_split(api),
        models=_split(model),
        gpus=_split(gpu),
        quants=_split(quant),
        pricing=pricing,
        utilization=utilization,
        peak_factor=peak_factor,
        hidden_costs=not no_hidden_costs,
        hidden_cost_overrides=_overrides(hidden_cost),
        batch_api=batch,
        engine=engine,
        max_ttft_ms=max_ttft_ms,
        max_tpot_ms=max_tpot_ms,
        commercial_only=commercial_only,
        show_all=show_all,
        data_dirs=data or (),
    )
    _emit(result.data, fmt)


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
        typer.Option(help="KV cache precision: auto (8-bit for fp8/int8 weights, else 16-bit), bf16, fp8."),
    ] = "auto",
    data: DataOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Memory plan for one replica: weights, KV cache per token, GPUs needed, sequences that fit."""
    from llmcost.serving import fit as run

    result = run(
        model,
        quant,
        gpu,
        context=context,
        concurrency=concurrency,
        gpus=gpus,
        kv_cache=kv_cache,
        data_dirs=data or (),
    )
    _emit(result.data, fmt, title=f"Memory plan: {model} {quant} on {gpu}")


@app.command()
def capacity(
    model: Annotated[str, typer.Argument(help="Open-weight model id, e.g. llama-3.1-8b.")],
    quant: Annotated[str, typer.Option("--quant", help="bf16 (fp16), fp8, int8, int4, fp4.")] = "bf16",
    gpu: Annotated[str, typer.Option("--gpu", help="GPU id, e.g. h100-sxm.")] = "h100-sxm",
    gpus: Annotated[int, typer.Option(help="GPUs in the replica (tensor-parallel size 1, 2, 4, 8).")] = 1,
    input_tokens: Annotated[float, typer.Option(help="Prompt tokens per request.")] = 2000,
    output_tokens: Annotated[float, typer.Option(help="Output tokens per request.")] = 500,
    max_ttft_ms: TtftOpt = None,
    max_tpot_ms: TpotOpt = None,
    engine: EngineOpt = "vllm",
    kv_cache: Annotated[str, typer.Option(help="KV cache precision: auto, bf16, fp8.")] = "auto",
    data: DataOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Saturated throughput of one replica: tokens/s, requests/s, batch, what binds, TTFT, TPOT."""
    from llmcost.serving import capacity as run

    result = run(
        model,
        quant,
        gpu,
        gpus=gpus,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        max_ttft_ms=max_ttft_ms,
        max_tpot_ms=max_tpot_ms,
        kv_cache=kv_cache,
        engine=engine,
        data_dirs=data or (),
    )
    _emit(result.data, fmt, title=f"Capacity: {model} {quant} on {gpus} x {gpu}")


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"llmcost: error: {message}\n")
    return code


def main(argv: list[str] | None = None) -> int:
    """Entry point: every failure is one line on stderr; exit 2 for usage, 1 for data."""
    try:
        app(args=argv, prog_name="llmcost", standalone_mode=False)
    except LLMCostError as exc:
        return _fail(str(exc), exc.exit_code)
    except typer.TyperException as exc:  # typer's own parse errors (bad type, missing option)
        return _fail(exc.format_message().replace("\n", " "), exc.exit_code)
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except (typer.Abort, KeyboardInterrupt):
        return _fail("interrupted", 130)
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: still one line, and a code that says so
        return _fail(f"internal error, please report: {type(exc).__name__}: {exc}", 70)
    return 0

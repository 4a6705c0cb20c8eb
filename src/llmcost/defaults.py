"""Every default the numbers depend on, in one place; the assumptions section prints them from here.

A default is either a sourced fact (the comment says from where) or a stated convention. Model code
takes these values as arguments; only `inputs.py` (which resolves a scenario) and the command-line
help read this module.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from typing import Final

# workload: the seed article's "average query" is 2,000 tokens in and 500 out
INPUT_TOKENS = 2000
OUTPUT_TOKENS = 500
CACHED_INPUT_SHARE = 0.0
SERVICE_TIER: Final = "standard"  # API service tier (flex and priority where a provider has them)
CACHE_TTL: Final = "5m"  # prompt-cache lifetime: Anthropic's default write; "1h" costs more per write
HIDDEN_COSTS: Final = "scaled"  # hidden costs grow with hosts, GPUs, GB and traffic ("flat": the seed's lines)
PREFIX_CACHING = True  # self-hosted engines reuse cached prefixes (vLLM's enable_prefix_caching default)
DAYS_PER_MONTH = 365 / 12  # 30.4167: a calendar-average month, stated explicitly
SECONDS_PER_DAY = 86_400
HOURS_PER_DAY = 24

# presentation: an unfiltered compare table shows the cheapest rows of each kind (JSON and CSV have all)
TABLE_ROWS_PER_KIND = 12

# self-hosting
UTILIZATION_TARGET = 0.70  # the seed: "add instances when utilization exceeds 70%"
PEAK_FACTOR = 1.0  # peak-to-average request rate; 1 = size for the daily average
PRICING: Final = "on_demand"
OWNERSHIP: Final = "rent"
PUE = 1.0  # not sourced: 1.0 bills energy on the IT load alone
ENGINE = "vllm"
# `capacity --backend`: llmcost's own physics, or NVIDIA AIConfigurator's measured kernels (optional extra)
CAPACITY_BACKEND = "llmcost"
GPU_MEMORY_UTILIZATION = 0.90  # fallback only: the engine's own default is in data/engines.yaml engine_memory
# Memory of vLLM's profiling pass (memory.activation_peak_bytes), derived from its code:
ACTIVATION_BYTES = 2.0  # activations run in the model dtype (bf16) whatever the weight format
# The dummy sampler run (vllm/v1/worker/gpu_model_runner.py _dummy_sampler_run: top_k = vocab - 1,
# top_p 0.9) on the PyTorch sort path (vllm/v1/sample/ops/topk_topp_sampler.py apply_top_k_top_p) holds
# per logit: the model-dtype logits (2 B), their fp32 copy (4), the sorted values (4) and int64 sort
# indices (8), the softmax/cumsum buffer (4) and the top-p mask (1): 23 bytes. Newer versions take a
# Triton path for >= 8 rows that holds less, so this is an upper estimate of that term.
SAMPLER_BYTES_PER_LOGIT = 23.0
TP_SIZES = (1, 2, 4, 8)  # tensor-parallel sizes within one node
# How a MoE replica splits over its GPUs (memory.PARALLELISMS): "auto" tries every layout that applies
# (tp; for MoE models also ep and dp-attention) and keeps the one with the most throughput per GPU
PARALLELISM: Final = "auto"
PARALLELISMS = ("tp", "ep", "dp-attention")
# Tokens one engine step computes (prefill chunk + decode tokens): vLLM's API-server
# max_num_batched_tokens on >= 70 GiB non-A100 GPUs (2048 on smaller ones; see engines.yaml notes),
# TensorRT-LLM's max_num_tokens default (engines.yaml notes). One value for every engine and GPU.
PREFILL_CHUNK_TOKENS = 8192
LOAD_QUANTILES = (0.50, 0.90, 0.99)  # latency percentiles reported at a request rate
P99_SIZING_TOLERANCE = 1e-3  # sizing by P99 targets finds the highest rate to 0.1% of saturated capacity
PROFILE = "business-day"
MIN_REPLICAS = 1
THROUGHPUT_FACTOR = 1.0  # achieved / modelled throughput in the point answer
GPU_PRICE_FACTOR = 1.0  # price over the cheapest offer in the point answer
# Spread of the throughput model's error on the 72 published measurements: the standard deviation of
# log(predicted / published) (benchmarks/throughput_accuracy.py; a test keeps the two in step).
THROUGHPUT_LOG_SD = 0.118

# pairing: LMArena 95% CIs are about +-3-7 Elo, so gaps this small are ties
QUALITY_TOLERANCE_ELO = 10.0

# total cost over time
MONTHS = 12
GROWTH_PER_MONTH = 0.0
UPDATES_PER_YEAR = 12.0  # the seed: open-weight releases come monthly
WORKING_DAYS_PER_WEEK = 5

# break-even
MAX_QPD = 10_000_000
STEPS_REPORTED = 2_000  # replica steps listed in a break-even result, for charts
MAX_REPLICA_STEPS = 1_000_000  # break-even and hybrid examine each replica step: a bound on that work

# serving platforms (llmcost.platforms; data in platforms.yaml)
PLATFORMS: Final = "all"  # every platform with a list price for the configuration's GPU (see `platforms --help`)
# cold start as a function of model size: rates derived from this decomposed vLLM start-up measurement
# (Tensorfuse, Llama-3.1-8B on L40S, weights and compile caches on a shared volume: what serverless
# platforms' volumes and model caches provide); "...-uncached" adds a download from the hub
COLD_START_BASIS: Final = "tensorfuse-llama31-8b-l40s-cached"
IMAGE_PULL_S = 0.0  # not sourced separately (the measurements exclude it or do not split it out): add yours
# spot: AWS Spot Advisor buckets run 0-20% of capacity reclaimed a month (platforms.yaml
# aws-spot-advisor-buckets); the midpoint, as interruptions per replica-month, is the point value
SPOT_PREEMPTIONS_PER_MONTH = 0.10
SPOT_PREEMPTIONS_RANGE = (0.0, 0.20)  # the buckets' span: what Monte Carlo draws over and the tornado swings
SPOT_PROVISION_S = 45.0  # "+~45 s if a machine must be provisioned" (tensorfuse-examples#1, platforms.yaml)
MAX_SPOT_SPARES = 3  # spare spot / on-demand replicas searched per policy
SPOT_CURVES_SEARCHED = 8  # spot configurations (cheapest without spares) the spare search covers
# convention: a latency target holds when at most 1% of requests (or of the time) miss it (p99)
TTFT_MISS_SHARE = 0.01

# Monte Carlo
MAX_DRAWS = 1_000_000  # keeps memory and time bounded on a laptop

# upper bounds that keep every result finite (issue: finite inputs near 1e308 overflowed)
MAX_QUERIES_PER_DAY = 1e12
MAX_TOKENS_PER_QUERY = 1e8
MAX_USD = 1e12  # any money input: hidden-cost lines, prices per Mtok or per hour


# Tensor-core GEMMs of each precision reach a smaller fraction of their datasheet peak than bf16's do
# (scaling of activations, narrower tiles): the fraction relative to bf16's, applied to the peak before
# the fitted compute factors. Derived by `python benchmarks/aiconfigurator_reference.py` (its "tensor
# cores vs bf16" line) from the GEMM tables NVIDIA's aiconfigurator-core 0.12.0 ships, measured on H100,
# H200 and B200 with TensorRT-LLM 1.3.0rc20, vLLM 0.24.0 and SGLang 0.5.14: the median over those tables
# of (median achieved fraction of GEMMs with m, n, k >= 4096 at the precision) / (the same at bf16).
# fp8: nine tables, 0.67-0.81, median 0.78 (one H200 here: 0.88, benchmarks/h200_microbench.csv);
# fp4 (NVFP4): B200's three tables, 0.60-0.68, median 0.63. int8 has no table: taken as bf16's (1.0).
TENSOR_CORE_VS_BF16: dict[str, float] = {"fp8": 0.78, "fp4": 0.63}

# A tensor-parallel all-reduce takes a latency plus its ring traffic at a fraction of the link's
# one-way bandwidth: t = PER_DOUBLING x log2(tp) us + 2 (tp - 1) / tp x bytes / (link x EFFICIENCY).
# Fitted by `python benchmarks/aiconfigurator_reference.py` (its "all-reduce" lines: least squares on
# log latency over messages of 64 KiB-1 GiB) to the bf16 custom all-reduce tables aiconfigurator-core
# 0.12.0 ships for H100 and H200 (TensorRT-LLM 1.3.0rc20, vLLM 0.24.0, SGLang 0.5.14; CUDA-graph
# captured): efficiency 0.58-0.90 over the 18 fits, median 0.68; latency medians 2.75 us at TP 2, 4.22
# at TP 4, 8.15 at TP 8, ~2.55 us per doubling. B200's tables fit 0.47-0.70 and up to 1.8x the latency;
# they are not applied (one pair, fitted on the GPUs the TP calibration rows ran on).
ALLREDUCE_LATENCY_PER_DOUBLING_US = 2.55
ALLREDUCE_LINK_EFFICIENCY = 0.68


@dataclass(frozen=True)
class Efficiency:
    """Achieved fractions of datasheet peaks, plus the fixed costs of each decode step: a time per layer
    (kernel launches and small kernels, norms) and a time per running sequence (sampling, scheduling).

    `layer_overhead_us` is TensorRT-LLM 0.5-0.6.1's (2023), the one release family of the measurements
    with no low-load decode row to derive it from; the others carry their own (data/engines.yaml
    engine_overhead, derived by benchmarks/engine_overhead.py; vLLM's V1 engine also for MoE layers) and
    selfhost.engine_efficiency puts it in place of this one. Engines with no record (TGI, Ollama) keep it.
    Fitted by `python benchmarks/throughput_accuracy.py --fit` on 72 published measurements
    (TensorRT-LLM and vLLM, H100/A100/L40S/A10G, bf16/fp8/int8/int4). The compute factors are
    fractions of the peak on bf16's footing (fp8 and fp4 peaks times TENSOR_CORE_VS_BF16 first). They
    are physically plausible against kernel measurements on one H200 (shared/reference/h200_*.csv): a
    Llama-8B-shaped decode step reaches 0.69-0.80 of peak bandwidth, an 8192^3 bf16 GEMM 0.78 of peak
    FLOP/s (prefill: 0.72); decode GEMMs at batch 256-2048 reach 0.55-0.77. Decode compute below that
    reflects attention and scheduling a GEMM benchmark does not see; the per-layer overhead (kernel
    launches, norms, sampling, scheduler) is what limits batch-1 speed.
    """

    bandwidth: float = 0.865
    decode_compute: float = 0.4755
    prefill_compute: float = 0.7655
    layer_overhead_us: float = 100.0  # fixed time per layer per decode step
    moe_layer_overhead_us: float | None = None  # the same for an MoE layer (None: layer_overhead_us)
    sequence_overhead_us: float = 7.0  # time per running sequence per decode step (sampling, scheduling)
    # an online server's time from a request's arrival to its first streamed token that is not GPU work
    # (HTTP, chat template and tokenization, hand-off to the engine process, detokenization, the SSE
    # write): adds to TTFT only, since it overlaps the GPU serving the others; 0 for an offline engine
    first_token_overhead_ms: float = 0.0

    def to_dict(self) -> dict[str, float | None]:
        return dict(self.__dict__)

    @property
    def moe_overhead_us(self) -> float:
        """Fixed time per MoE layer per decode step [us]."""
        return self.layer_overhead_us if self.moe_layer_overhead_us is None else self.moe_layer_overhead_us

    def scaled(self, factor: float) -> Efficiency:
        """Every rate `factor` times faster: an engine's throughput relative to the baseline."""
        return Efficiency(
            self.bandwidth * factor,
            self.decode_compute * factor,
            self.prefill_compute * factor,
            self.layer_overhead_us / factor,
            None if self.moe_layer_overhead_us is None else self.moe_layer_overhead_us / factor,
            self.sequence_overhead_us / factor,
            self.first_token_overhead_ms,  # CPU work, not the engine's GPU speed
        )


# Progress on stderr (terminal only)
PROGRESS_DELAY_S = 1.0  # a run shorter than this draws no bar
PROGRESS_REDRAW_S = 0.1  # at most ten redraws a second


def today() -> date:
    """Today, or the date in LLMCOST_DATE (YYYY-MM-DD): which APIs are retired, and how old a price is,
    depend on the date, so a report or a test can pin it."""
    pinned = os.environ.get("LLMCOST_DATE")
    if pinned:
        try:
            return date.fromisoformat(pinned)
        except ValueError:
            from llmcost.errors import UsageError

            raise UsageError(f"LLMCOST_DATE must be a date, YYYY-MM-DD, got '{pinned[:40]}'") from None
    return date.today()


# fleet search (`plan`)
SLO_SHARE = 0.995  # Mélange (arXiv 2404.14527) meets its TPOT target for >= 99.5% of requests
MILP_TIME_LIMIT_S = 30.0  # a bound on one exact solve; the solves here take milliseconds to a second
FRONTIER_TPOT_MS = (10.0, 15.0, 20.0, 30.0, 40.0, 60.0, 80.0, 120.0, 200.0)  # TPOT targets the frontier tries

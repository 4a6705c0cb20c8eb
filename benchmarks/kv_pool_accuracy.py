"""How close is llmcost's KV pool to the one vLLM allocated?

    uv run python benchmarks/kv_pool_accuracy.py

Reads benchmarks/published_kv_pool.csv (published vLLM start-ups: the KV cache memory the engine
logged per GPU, and the start-ups it refused; how each was read: published_kv_pool.md), plans each
case with llmcost's memory accounting (memory.plan_memory, as `llmcost fit` does) and prints, per
case, the published and predicted KV pool per GPU (GiB) and the error; the token capacity where the
cache is plain full attention; then the median absolute error, the count within 5%, and for each
refused start-up whether llmcost also says it does not fit (issue 14's two targets).
"""

from __future__ import annotations

import csv
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from llmcost.catalog import Catalog, load_catalog
from llmcost.memory import (
    BYTES_PER_GB,
    BYTES_PER_GIB,
    MemoryPlan,
    kv_bytes_per_token,
    kv_layout,
    kv_shards,
    plan_memory,
)
from llmcost.quantization import checkpoint_quantization, get_quantization

HERE = Path(__file__).parent
CASES = HERE / "published_kv_pool.csv"
TARGET = 0.05  # issue 14: the KV pool within 5% of what the engine allocates


@dataclass(frozen=True)
class Case:
    """One published start-up (a row of published_kv_pool.csv)."""

    line: int
    name: str
    refused: bool  # the engine refused to start (kind = refused)
    model: str
    gpu: str
    tp: int
    parallelism: str
    engine: str
    record: str  # the engine_memory record its version falls in
    utilization: float
    max_model_len: int
    max_num_seqs: int | None  # None: the engine's default for the GPU
    batched_tokens: int | None  # None: the engine's default for the GPU
    quant: str
    published_gib: float  # KV cache memory per GPU the engine logged (GiB)
    published_tokens: int | None  # "GPU KV cache size: N tokens" (per replica), where logged
    published_needed_gib: float | None  # refusals: "N GiB KV cache is needed" for one max-length request
    estimated_max_len: int | None  # refusals: "the estimated maximum model length is N"

    @property
    def logged_tokens(self) -> int | None:
        """Tokens the logged pool holds: the KV cache size, or for a refusal the length vLLM estimates fits."""
        return self.published_tokens if self.published_tokens is not None else self.estimated_max_len


@dataclass(frozen=True)
class Scored:
    """One case against llmcost's plan of it."""

    case: Case
    plan: MemoryPlan
    predicted_tokens: int | None  # pool / bytes per token per GPU (plain full-attention caches only)
    implied_tokens: int | None  # the published GiB at llmcost's bytes per token per GPU: the unit check
    shards: int  # ways one sequence's cache splits over the GPUs (memory.kv_shards)

    @property
    def needed_gib(self) -> float:
        """KV cache per GPU of one max_model_len request, as llmcost counts it (GiB)."""
        return self.plan.kv_gb_per_sequence * BYTES_PER_GB / self.shards / BYTES_PER_GIB

    @property
    def predicted_gib(self) -> float:
        return self.plan.kv_pool_gib_per_gpu

    @property
    def error(self) -> float:
        return self.predicted_gib / self.case.published_gib - 1.0

    @property
    def fits(self) -> bool:
        return self.plan.fits


def _int(cell: str) -> int | None:
    return int(cell) if cell.strip() else None


def load_cases(path: Path = CASES) -> list[Case]:
    """Every row of the CSV as a Case (line numbers as in the file, header = 1)."""
    with path.open(newline="") as fh:
        return [
            Case(
                line=i,
                name=r["case"],
                refused=r["kind"] == "refused",
                model=r["catalog_model"],
                gpu=r["gpu_id"],
                tp=int(r["tp"]),
                parallelism=r["parallelism"],
                engine=r["engine"],
                record=r["engine_memory_record"],
                utilization=float(r["gpu_memory_utilization"]),
                max_model_len=int(r["max_model_len"]),
                max_num_seqs=_int(r["max_num_seqs"]),
                batched_tokens=_int(r["max_num_batched_tokens"]),
                quant=r["quant"],
                published_gib=float(r["published_kv_gib_per_gpu"]),
                published_tokens=_int(r["published_kv_tokens"]),
                published_needed_gib=float(r["published_kv_needed_gib"]) if r["published_kv_needed_gib"] else None,
                estimated_max_len=_int(r["published_estimated_max_model_len"]),
            )
            for i, r in enumerate(csv.DictReader(fh), start=2)
        ]


def score(cat: Catalog, case: Case) -> Scored:
    """Plan one case as `llmcost fit` does (commands/serving.py): the checkpoint's quantization, the
    engine's auto KV dtype, the engine_memory record, one sequence of max_model_len on exactly tp GPUs
    (vLLM refuses to start when one max-length request does not fit)."""
    model, gpu, engine = cat.model(case.model), cat.gpu(case.gpu), cat.engine(case.engine)
    quant = checkpoint_quantization(model, get_quantization(case.quant))
    kv_b = engine.kv_bytes_auto(quant.id)
    plan = plan_memory(
        model,
        quant,
        gpu,
        case.max_model_len,
        1,
        case.tp,
        kv_b,
        gpu_memory_utilization=case.utilization,
        engine_memory=cat.memory_profile(engine.id, case.record),
        max_num_batched_tokens=case.batched_tokens,
        max_num_seqs=case.max_num_seqs or engine.max_batch_for(gpu),
        parallelism=case.parallelism,
    )
    lay = kv_layout(model, kv_b)
    plain = not (lay.local_per_token or lay.indexer_per_token or lay.state_per_sequence)
    shards = kv_shards(model, case.tp)
    per_gpu = kv_bytes_per_token(model, kv_b) / shards
    predicted = int(max(plan.kv_pool_gib_per_gpu, 0.0) * BYTES_PER_GIB // per_gpu) if plain else None
    implied = int(case.published_gib * BYTES_PER_GIB // per_gpu) if plain else None
    return Scored(case, plan, predicted, implied, shards)


def compare(cat: Catalog, cases: list[Case]) -> list[Scored]:
    """Every case scored."""
    return [score(cat, c) for c in cases]


def summary(scored: list[Scored]) -> tuple[int, float, int]:
    """(cases, median absolute error of the KV pool, cases within TARGET)."""
    errors = [abs(s.error) for s in scored]
    return len(errors), statistics.median(errors), sum(e <= TARGET for e in errors)


def refusals(scored: list[Scored]) -> tuple[list[Scored], list[Scored]]:
    """(refused start-ups llmcost also refuses, refused start-ups llmcost says fit)."""
    refused = [s for s in scored if s.case.refused]
    return [s for s in refused if not s.fits], [s for s in refused if s.fits]


def _tokens(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"


def main() -> None:
    scored = compare(load_catalog(()), load_cases())
    print(f"{'case':<38}{'kind':<10}{'published':>10}{'predicted':>10}{'error':>8}"
          f"{'tokens':>12}{'predicted':>12}{'implied':>12}  llmcost")  # fmt: skip
    print(f"{'':<38}{'':<10}{'GiB/GPU':>10}{'GiB/GPU':>10}{'':>8}{'published':>12}{'tokens':>12}{'tokens':>12}")
    for s in scored:
        c = s.case
        verdict = "fits" if s.fits else "does not fit"
        logged = _tokens(c.logged_tokens) + ("*" if c.published_tokens is None and c.logged_tokens else "")
        print(
            f"{c.name:<38}{'refused' if c.refused else 'started':<10}{c.published_gib:>10.2f}{s.predicted_gib:>10.2f}"
            f"{s.error:>+8.1%}{logged:>12}{_tokens(s.predicted_tokens):>12}{_tokens(s.implied_tokens):>12}  {verdict}"
        )
    n, median, within = summary(scored)
    print(f"\nKV pool per GPU: {n} cases, median absolute error {median:.1%}, {within} within {TARGET:.0%}")
    agreed, missed = refusals(scored)
    print(f"refused start-ups: {len(agreed) + len(missed)}, llmcost also refuses {len(agreed)}")
    for s in agreed + missed:
        c = s.case
        print(
            f"  {c.name}: vLLM needed {c.published_needed_gib} GiB of KV per GPU (llmcost {s.needed_gib:.2f}) "
            f"and had {c.published_gib:.2f} (llmcost {s.predicted_gib:.2f}): "
            f"llmcost {'also refuses' if not s.fits else 'says it fits'}"
        )
    wrong = [s for s in scored if not s.case.refused and not s.fits]
    print(f"started by the engine, refused by llmcost: {len(wrong)}")
    print("(tokens: pool / KV bytes per token per GPU, where the cache is plain full attention; 'implied' is the")
    print(" published GiB at llmcost's bytes per token, which checks the unit conversion against the logged count;")
    print(" * the length vLLM's refusal estimates the pool holds)")


if __name__ == "__main__":
    main()

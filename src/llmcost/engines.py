"""Serving-engine limits that cap batching (sourced from each engine's documented defaults)."""

from __future__ import annotations

from llmcost.catalog import Gpu

GIB = 2**30


def vllm_max_num_seqs(gpu: Gpu) -> int:
    """vLLM's default max_num_seqs: 1024 on GPUs with >= 70 GiB whose name lacks 'a100', else 256.

    Source: vllm-project/vllm vllm/engine/arg_utils.py EngineArgs.get_batch_defaults()
    (shared/reference/engine_defaults.csv).
    """
    return 1024 if gpu.memory_gb * 1e9 / GIB >= 70 and "a100" not in gpu.id else 256

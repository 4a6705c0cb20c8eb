"""llmcost's KV pool against published vLLM start-ups (benchmarks/published_kv_pool.csv, issue 14).

The bars are the figures measured on the shipped data (benchmarks/kv_pool_accuracy.py) with a small
margin: they hold the accuracy where it is, and fail when a change to the memory accounting or the
catalogue moves it. See benchmarks/published_kv_pool.md for each case and the diagnosed gaps.
"""

from __future__ import annotations

import pytest

from benchmarks.kv_pool_accuracy import Scored, compare, load_cases, refusals, summary
from llmcost.catalog import load_catalog


@pytest.fixture(scope="module")
def scored() -> list[Scored]:
    return compare(load_catalog(()), load_cases())


def test_every_case_is_scored(scored):
    assert len(scored) == 17
    assert sum(s.case.refused for s in scored) == 2


def test_kv_pool_accuracy_is_held(scored):
    cases, median, within = summary(scored)
    assert cases == 17
    # measured 4.6% (6.7% with device memory at nvidia-smi's total; issue 14's target, every sourced case
    # within 5%, is not met: see published_kv_pool.md)
    assert median <= 0.05
    assert within >= 9  # measured 9 of 17 within 5%


def test_the_pool_is_overstated_except_where_the_activation_peak_is(scored):
    """With device memory as CUDA reports it, the pool is understated only on the four A100 80GB
    Qwen2-7B starts (0.5-4.6%: the sampler's activation peak over a 152k vocabulary is counted a little
    high); every other case is overstated (weights of MXFP4/AWQ/multimodal checkpoints, CUDA graphs)."""
    under = {s.case.name for s in scored if s.error < 0}
    assert under == {
        "qwen2-7b/a100-80gb/tp1/u0.25",
        "qwen2-7b/a100-80gb/tp1/u0.5",
        "qwen2-7b/a100-80gb/tp2/u0.25",
        "qwen2-7b/a100-80gb/tp2/u0.5",
    }
    assert all(s.error > -0.05 for s in scored)


def test_no_start_the_engine_accepted_is_refused(scored):
    assert all(s.fits for s in scored if not s.case.refused)


def test_refused_starts(scored):
    """One of the two refusals agrees; MiniMax-M2 on 4 x A800 is reported as fitting although vLLM
    refused it (issue 14's second target is not met on this case: see published_kv_pool.md)."""
    agreed, missed = refusals(scored)
    assert [s.case.name for s in agreed] == ["qwen2.5-7b-awq/l4/tp1/u0.35"]
    assert [s.case.name for s in missed] == ["minimax-m2/a800-80gb/tp4/u0.9"]


def test_kv_bytes_per_token_and_shards_match_the_logged_counts(scored):
    """The unit conversion: the logged GiB at llmcost's KV bytes per token per GPU (kv_shards) gives the
    logged token count within 1%, on every plain full-attention case (TP 1 to 8, heads replicated at TP 8)."""
    checked = [s for s in scored if s.implied_tokens is not None and s.case.logged_tokens is not None]
    assert len(checked) == 14
    for s in checked:
        assert s.implied_tokens == pytest.approx(s.case.logged_tokens, rel=0.01), s.case.name


def test_kv_needed_for_one_request_matches_the_refusal_messages(scored):
    for s in scored:
        if s.case.published_needed_gib is not None:
            assert s.needed_gib == pytest.approx(s.case.published_needed_gib, abs=0.01), s.case.name

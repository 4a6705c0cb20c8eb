"""llmcost's weight bytes against real checkpoint sizes (benchmarks/checkpoint_sizes.csv, issue 14:
"weights within 3% of the checkpoint's real size for shipped models").

Every pair is within 3% except the named misses below, asserted exactly: a fix moves a pair off the
list (and this test fails until the list is shortened), a regression adds one.
"""

from __future__ import annotations

import re

import pytest

from benchmarks.checkpoint_sizes import TARGET, Scored, load_checkpoints, score, summary
from llmcost.catalog import load_catalog
from llmcost.quantization import QUANTIZATIONS

BASES = {"listing_gib", "params_x2", "params_exact_x2", "listing_gb_3sf"}

# Each diagnosed in the benchmark's report (the numbers are the measured errors on the shipped data):
KNOWN_MISSES = {
    "qwen3-0.6b/bf16",  # -20.7%: the file stores the tied lm_head as its own tensor; llmcost counts it once
    "llama-4-scout/fp8",  # -3.1%: the FP8-dynamic recipe keeps more than embeddings + head in 16-bit
    "llama-4-scout/int4",  # -8.6%: W4A16 recipe keeps attention (and more) in 16-bit
    "deepseek-r1-0528/int4",  # -6.1%: W4A16 keeps MLA attention, shared experts and dense layers in 16-bit
    "kimi-k2-instruct/int4",  # -5.0%: as above, plus params_total_b 1000 (nominal) vs 1026.4B counted
    "kimi-k2-thinking/int4",  # -12.6%: INT4 group-32 experts only; data says bf16 native
}


@pytest.fixture(scope="module")
def scored() -> list[Scored]:
    return score(load_catalog(()), load_checkpoints())


def test_the_csv_is_sourced_and_well_formed():
    checkpoints = load_checkpoints()
    assert len(checkpoints) >= 25
    shipped = load_catalog(())
    keys = [c.key for c in checkpoints]
    assert len(keys) == len(set(keys)), "one row per model x precision"
    for c in checkpoints:
        assert c.source.strip() and c.as_of.strip(), c.key
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", c.as_of), c.key
        assert c.basis in BASES, c.key
        assert c.precision in QUANTIZATIONS, c.key
        assert c.real_bytes > 1e8 and c.hf_id.count("/") == 1, c.key
        shipped.model(c.model)  # a shipped model id


def test_the_csv_covers_dense_moe_and_each_checkpoint_format():
    checkpoints = load_checkpoints()
    shipped = load_catalog(())
    assert {c.precision for c in checkpoints} >= {"bf16", "fp8", "int4", "fp4"}
    moe = {c.model for c in checkpoints if shipped.model(c.model).moe is not None}
    dense = {c.model for c in checkpoints if shipped.model(c.model).moe is None}
    assert len(moe) >= 10 and len(dense) >= 8


def test_every_pair_is_within_3_percent_except_the_named_misses(scored):
    misses = {s.checkpoint.key for s in scored if abs(s.error) > TARGET}
    assert misses == KNOWN_MISSES
    for s in scored:
        if s.checkpoint.key not in KNOWN_MISSES:
            assert abs(s.error) <= TARGET, (s.checkpoint.key, s.error)


def test_the_summary_holds(scored):
    pairs, median, within, misses = summary(scored)
    assert pairs == len(load_checkpoints())
    assert within == pairs - len(KNOWN_MISSES)
    assert set(misses) == KNOWN_MISSES
    assert median <= 0.01  # measured 0.3% (0.5% before gpt-oss's MXFP4 recipe: 4.25 bits, attention 16-bit)

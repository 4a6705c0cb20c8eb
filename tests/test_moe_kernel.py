"""The engines' measured routed-expert (MoE) kernels: the time model (throughput.moe_kernel_s), how a
decode step and a prefill use it, the shipped records and their derivation (benchmarks/moe_kernels.py).

Fixture model gpt-oss-120b: 36 MoE layers of 128 experts, top-4, hidden 2,880, expert width 2,880;
h100-sxm: 3.35 TB/s, 989.4 dense bf16 TFLOP/s."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from llmcost.defaults import Efficiency
from llmcost.errors import UsageError
from llmcost.inputs import SelfHostAssumptions
from llmcost.quantization import get_quantization
from llmcost.records import MoeKernel
from llmcost.selfhost import replica
from llmcost.throughput import decode_step_s, moe_kernel_s, prefill_s, serving_shape

BF16 = get_quantization("bf16")
EFF = Efficiency(bandwidth=1.0, decode_compute=1.0, prefill_compute=1.0, layer_overhead_us=0.0,
                 sequence_overhead_us=0.0)  # fmt: skip
KERNEL = MoeKernel(
    id="vllm/h100-sxm/bf16", engine="vllm", gpu="h100-sxm", weight_dtype="bf16", fixed_us=30.0,
    per_expert_us=0.1, bandwidth=0.5, compute=0.5, activation_passes=4.0, kernel="test", fit="test",
    source="a hand-made record", as_of="2026-12",
)  # fmt: skip


def _shape(cat, kernel=KERNEL, parallelism="tp", quant=BF16):
    m, g = cat.model("gpt-oss-120b"), cat.gpu("h100-sxm")
    return serving_shape(m, quant, g, 4, 1000, 500, parallelism=parallelism, moe_kernel=kernel)


def test_kernel_time_hand_worked(cat):
    s = _shape(cat)
    # one token, TP 4: it touches 128 (1 - (1 - 4/128)^1) = 4 experts; each GPU's slice of one expert is
    # 3 x 2,880 x 2,880 / 4 params x 2 B = 12,441,600 B. Per MoE layer:
    #   fixed 30 us + 4 x 0.1 us                                   = 30.4 us
    #   4 x 12,441,600 B / (3.35 TB/s x 0.5)                         = 29.7113 us
    #   4 copies x 2 x 12,441,600 / 2 FLOPs / (989.4 TFLOP/s x 0.5)  =  0.1006 us
    #   4 passes x 4 copies x 2,880 x 2 B / 3.35 TB/s                 =  0.0275 us
    # = 60.2394 us, x 36 MoE layers = 2.16862 ms
    assert moe_kernel_s(s, 1.0) == pytest.approx(2.16862e-3, rel=1e-4)
    # a prompt's 1,000 tokens add only what grows with them: 4,000 copies' FLOPs (100.599 us) and
    # activations (27.510 us) per layer = 128.1096 us, x 36 = 4.61195 ms
    assert moe_kernel_s(s, 1000.0, marginal=True) == pytest.approx(4.61195e-3, rel=1e-4)


def test_decode_step_swaps_the_expert_roofline_for_the_kernel(cat):
    plain, kern = _shape(cat, kernel=None), _shape(cat)
    # at batch 1 both steps are bandwidth-bound: the kernel's step drops the touched experts' bytes
    # (4 experts x 12,441,600 B x 36 layers on each GPU) from the roofline and adds the kernel's time
    touched_read = 4 * 12_441_600 * 36 / (3.35e12 * EFF.bandwidth)
    step_plain = float(decode_step_s(plain, 1.0, EFF)[0])
    step_kern = float(decode_step_s(kern, 1.0, EFF)[0])
    assert step_kern == pytest.approx(step_plain - touched_read + 2.16862e-3, rel=1e-4)


def test_prefill_takes_the_kernels_marginal_cost(cat):
    plain, kern = _shape(cat, kernel=None), _shape(cat)
    # the routed experts' FLOPs (2 x params x 4 / 128 per token) leave the roofline; the kernel's
    # marginal cost of the 1,000 prompt tokens joins it
    expert_flops = 1000 * 2 * 114_661_785_600 * 4 / 128
    roofline = expert_flops / (4 * 989.4e12 * EFF.prefill_compute)
    assert prefill_s(kern, EFF) == pytest.approx(prefill_s(plain, EFF) - roofline + 4.61195e-3, rel=1e-4)


def test_kernel_time_grows_with_tokens(cat):
    s = _shape(cat)
    t = moe_kernel_s(s, np.arange(1.0, 4097.0))
    assert np.all(np.diff(t) > 0)
    assert moe_kernel_s(s, 64.0, marginal=True) < moe_kernel_s(s, 64.0)


def test_expert_parallel_layouts_split_experts_not_widths(cat):
    # ep on 4 GPUs, one token: each GPU holds 32 whole experts and expects 32 x 4/128 = 1 touched, of
    # 3 x 2,880 x 2,880 x 2 B = 49,766,400 B, and 4 / 4 = 1 token copy. Per MoE layer:
    #   30 us + 1 x 0.1 us + 49,766,400 B / 1.675 TB/s (29.7113 us) + 49,766,400 FLOPs / 494.7 TFLOP/s
    #   (0.1006 us) + 4 passes x 1 copy x 2,880 x 2 B / 3.35 TB/s (0.0069 us) = 59.9188 us, x 36 = 2.15708 ms
    for layout in ("ep", "dp-attention"):
        s = _shape(cat, parallelism=layout)
        assert s.moe_kernel is KERNEL
        assert moe_kernel_s(s, 1.0) == pytest.approx(2.15708e-3, rel=1e-4)


def test_dense_models_have_no_kernel(cat):
    dense = serving_shape(cat.model("llama-3.1-8b"), BF16, cat.gpu("h100-sxm"), 1, 1000, 500, moe_kernel=KERNEL)
    assert dense.moe_kernel is None and moe_kernel_s(dense, 8.0) == 0.0


def test_a_kernel_for_another_gpu_or_format_is_refused(cat):
    with pytest.raises(UsageError, match="not for fp8 on h100-sxm"):
        _shape(cat, quant=get_quantization("fp8"))
    with pytest.raises(UsageError, match="not for bf16 on h100-sxm"):
        _shape(cat, kernel=replace(KERNEL, gpu="b200"))


def test_shipped_records_are_physical_and_used_by_sizing(shipped):
    kernels = shipped.moe_kernels
    assert {
        ("vllm", "b200", "fp8"),
        ("vllm", "b200", "fp4"),
        ("trt-llm", "h200", "fp8"),
        ("sglang", "h100-sxm", "bf16"),
    } <= set(kernels)
    for k in kernels.values():
        assert 0 < k.bandwidth <= 1 and 0 < k.compute <= 1 and "moe_kernels.py" in k.source
    m, q, g = shipped.model("minimax-m2.5"), get_quantization("fp8"), shipped.gpu("b200")
    a = SelfHostAssumptions(engine=shipped.engine("vllm"), moe_kernels=kernels)
    with_kernel = replica(m, q, g, 4, 2048, 512, a)
    assert with_kernel.shape.moe_kernel is kernels[("vllm", "b200", "fp8")]
    without = replica(m, q, g, 4, 2048, 512, replace(a, moe_kernels={}))
    # --quant nvfp4 is the fp4 format: the B200 NVFP4 kernel serves it
    fp4 = replica(m, get_quantization("nvfp4"), g, 4, 2048, 512, a)
    assert fp4.shape.moe_kernel is kernels[("vllm", "b200", "fp4")]
    # the measured kernel is slower than the touched experts at the roofline (fine-grained experts
    # reach a small share of peak): saturated throughput falls
    assert with_kernel.capacity.output_tokens_per_s < without.capacity.output_tokens_per_s


def test_shipped_records_are_what_the_benchmark_fits(shipped):
    pytest.importorskip("aiconfigurator_core")
    from benchmarks.moe_kernels import fits

    fitted = {(f.engine, f.gpu, f.weight_dtype): f for f in fits(shipped)}
    assert set(fitted) == set(shipped.moe_kernels)
    for key, k in shipped.moe_kernels.items():
        f = fitted[key]
        assert (k.fixed_us, k.per_expert_us, k.bandwidth, k.compute, k.activation_passes) == pytest.approx(
            (f.fixed_us, f.per_expert_us, f.bandwidth, f.compute, f.activation_passes), abs=0.06
        )
        assert k.kernel == f.kernel and f.median_error < 0.2


def test_bad_records_are_refused(shipped, tmp_path):
    import dataclasses

    from llmcost.catalog import SHIPPED_DATA_DIR, load_catalog
    from llmcost.errors import CatalogError
    from llmcost.records import InvalidRecord, validate_record

    k = shipped.moe_kernels[("vllm", "b200", "fp8")]
    row = {f: v for f, v in dataclasses.asdict(k).items() if f != "spread"}
    assert validate_record(MoeKernel, row) == k
    for field, bad in (("bandwidth", 1.2), ("compute", 0), ("fixed_us", -1)):  # a kernel cannot beat the datasheet
        with pytest.raises(InvalidRecord, match=field):
            validate_record(MoeKernel, {**row, field: bad})
    text = (SHIPPED_DATA_DIR / "engines.yaml").read_text()
    fp8 = "    engine: vllm\n    gpu: b200\n    weight_dtype: fp8\n"
    (tmp_path / "engines.yaml").write_text(text.replace(fp8, fp8.replace("b200", "b2000")))
    with pytest.raises(CatalogError, match="moe_kernel vllm/b200/fp8: unknown gpu 'b2000'"):
        load_catalog([tmp_path])

"""The 2026 GPUs and rentals: the fabric tensor parallelism runs over (PCIe cards at their PCIe
figure, nothing beyond an NVLink domain), the new hardware fields, and the superseded offers."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

import llmcost
from llmcost.cli import main
from llmcost.defaults import Efficiency
from llmcost.errors import UsageError
from llmcost.quantization import get_quantization
from llmcost.records import Gpu, InvalidRecord, validate_record
from llmcost.throughput import decode_step_s, serving_shape, tp_link

EFF = Efficiency(
    bandwidth=1.0, decode_compute=1.0, prefill_compute=1.0, layer_overhead_us=0.0, sequence_overhead_us=0.0
)
NEW_GPUS = (
    "h100-nvl", "h20", "gh200", "b300", "gb200", "gb300", "a100-80gb-pcie", "a30", "a10", "rtx-a6000",
    "rtx-6000-ada", "rtx-pro-6000", "rtx-5090", "mi325x", "mi355x", "mi250x", "gaudi-3", "arc-pro-b60",
)  # fmt: skip


def _allreduce_s(cat, gpu: str, tp: int, batch: float) -> float:
    """The all-reduce share of one decode step: the step minus its memory/compute part (no overhead)."""
    s = serving_shape(cat.model("llama-3.1-8b"), get_quantization("bf16"), cat.gpu(gpu), tp, 2000, 500)
    step, t_mem, t_compute = decode_step_s(s, np.array([batch]), EFF)
    return float(step[0] - max(t_mem[0], t_compute[0]))


# ---------------------------------------------------------------- the tensor-parallel link


def test_pcie_allreduce_of_two_rtx_4090_hand_worked(shipped):
    # Llama 3.1 8B: two all-reduces per layer of a 4,096-wide 16-bit activation per token:
    # 2 x 32 layers x 4,096 x 2 bytes = 524,288 bytes per token per step. Ring over 2 GPUs moves
    # 2(2-1)/2 = 1 byte per byte, at 0.68 of the one-way link (defaults.ALLREDUCE_LINK_EFFICIENCY), and
    # each of the 64 all-reduces pays 2.55 us x log2(2) of latency = 163.2 us a step.
    # RTX 4090: PCIe 4.0 x16, 64 GB/s both ways = 32e9 B/s one way:
    #   batch 1:  163.2 us + 524,288 / (32e9 x 0.68) = 187.29 us;   batch 64: 163.2 us + 1.5420 ms
    # H100 SXM pair: NVLink 900 GB/s = 450e9 B/s one way: batch 64 -> 163.2 us + 109.66 us
    latency = 64 * 2.55e-6
    assert _allreduce_s(shipped, "rtx-4090", 2, 1.0) == pytest.approx(latency + 524_288 / (32e9 * 0.68))
    assert _allreduce_s(shipped, "rtx-4090", 2, 64.0) == pytest.approx(latency + 1.542024e-3, rel=1e-6)
    assert _allreduce_s(shipped, "h100-sxm", 2, 64.0) == pytest.approx(latency + 64 * 524_288 / (450e9 * 0.68))
    ratio = _allreduce_s(shipped, "rtx-4090", 2, 64.0) / _allreduce_s(shipped, "h100-sxm", 2, 64.0)
    assert ratio == pytest.approx(6.25, rel=1e-3)  # 6x slower at batch 64: the PCIe card is not an HGX board
    # and 1.7 ms per step is over a third of the 4.6 ms a batch-1 step of the 8B model takes on the H100


def test_the_link_follows_multi_gpu(shipped):
    link = tp_link(shipped.gpu("rtx-4090"), 8)
    assert link is not None and (link.fabric, link.gb_per_s, link.p2p) == ("pcie", 64.0, False)
    assert tp_link(shipped.gpu("rtx-4090"), 1) is None
    nvl = tp_link(shipped.gpu("h100-sxm"), 8)
    assert nvl is not None and (nvl.fabric, nvl.gb_per_s, nvl.p2p) == ("nvlink", 900.0, True)
    pcie = tp_link(shipped.gpu("rtx-pro-6000"), 4)
    assert pcie is not None and (pcie.fabric, pcie.gb_per_s, pcie.p2p) == ("pcie", 128.0, True)
    # H100 NVL: bridged pairs, PCIe between pairs; the bridge has no sourced figure, so every size
    # runs at the PCIe 5.0 figure, and TP beyond the pair (4, 8) is PCIe however it is counted
    for tp in (2, 4, 8):
        link = tp_link(shipped.gpu("h100-nvl"), tp)
        assert link is not None and (link.fabric, link.gb_per_s) == ("pcie", 128.0)
    assert "bridges join only 2 cards" in tp_link(shipped.gpu("h100-nvl"), 4).note(shipped.gpu("h100-nvl"), 4).message


def test_an_xgmi_board_is_a_full_mesh(shipped):
    """AMD's MI300 platform: seven links per GPU, one to each peer, 896 GB/s in all (CDNA 3 white paper):
    a group of n GPUs has n - 1 of them, 128 GB/s each."""
    gpu = shipped.gpu("mi300x")
    for tp, gb in ((2, 128.0), (4, 384.0), (8, 896.0)):
        link = tp_link(gpu, tp)
        assert link is not None and (link.fabric, link.gb_per_s) == ("xgmi", pytest.approx(gb))
    assert "1 of its 7 links" in tp_link(gpu, 2).note(gpu, 2).message
    # Llama 3.1 8B at batch 64 (524,288 all-reduced bytes per token, 64 all-reduces a step, as above):
    # TP 2: 64 x 2.55 us + 64 x 524,288 x 1 / (64e9 x 0.68) = 163.2 + 771.0 = 934.2 us
    # TP 8: 64 x 2.55 x 3 us + 64 x 524,288 x 1.75 / (448e9 x 0.68) = 489.6 + 192.7 = 682.4 us
    assert _allreduce_s(shipped, "mi300x", 2, 64.0) == pytest.approx(163.2e-6 + 64 * 524_288 / (64e9 * 0.68))
    assert _allreduce_s(shipped, "mi300x", 8, 64.0) == pytest.approx(489.6e-6 + 64 * 524_288 * 1.75 / (448e9 * 0.68))
    assert tp_link(shipped.gpu("mi325x"), 8).gb_per_s == pytest.approx(896.0)


def _small_domain(cat) -> Gpu:
    """An NVLink part whose domain is 2 GPUs (none shipped is: the rule still has to hold)."""
    return dataclasses.replace(cat.gpu("h100-sxm"), id="nvlink-pair", multi_gpu="nvlink", nvlink=True, scale_up_gpus=2)


def test_tp_beyond_the_nvlink_domain_is_refused(cat):
    gpu = _small_domain(cat)
    assert tp_link(gpu, 2) is not None
    with pytest.raises(UsageError, match="over 4 GPUs exceeds its 2-GPU NVLink domain"):
        tp_link(gpu, 4)
    xgmi = dataclasses.replace(gpu, multi_gpu="xgmi", nvlink=False)
    with pytest.raises(UsageError, match="2-GPU XGMI domain"):
        tp_link(xgmi, 8)
    with pytest.raises(UsageError, match="exceeds its 2-GPU NVLink domain"):
        serving_shape(cat.model("llama-3.1-8b"), get_quantization("bf16"), gpu, 4, 2000, 500)


def test_sizing_skips_tp_beyond_the_domain(cat):
    from llmcost.demand import Workload
    from llmcost.inputs import SelfHostAssumptions
    from llmcost.selfhost import sized_configs

    gpu = _small_domain(cat)
    w = Workload(1000, 2000, 500)
    m, q, a = cat.model("llama-3.1-70b"), get_quantization("bf16"), SelfHostAssumptions()
    # bf16 70B (141 GB) runs on 2, 4 or 8 x 80 GB over NVLink; with a 2-GPU domain only on 2
    assert [c.gpus_per_replica for c in sized_configs(m, [q], [cat.gpu("h100-sxm")], w, a)[0]] == [2, 4, 8]
    runs, fails = sized_configs(m, [q], [gpu], w, a)
    assert [c.gpus_per_replica for c in runs] == [2] and fails == []
    too_big = Workload(1000, 100_000, 500)  # a 100k-token prompt: 2 GPUs cannot hold its KV beside the weights
    runs, fails = sized_configs(m, [q], [gpu], too_big, a)
    assert runs == [] and "exceeds its 2-GPU NVLink domain" in fails[0].reason


def test_capacity_and_fit_say_which_link(shipped):
    cap = llmcost.capacity("llama-3.1-8b", "fp8", "rtx-4090", gpus=2, catalog=shipped).to_dict()
    assert cap["tp_link"]["fabric"] == "pcie" and cap["tp_link"]["gb_per_s"] == 64
    assert "over PCIe at 64 GB/s" in cap["tp_link"]["note"] and "no PCIe peer-to-peer" in cap["tp_link"]["note"]
    fit = llmcost.fit("llama-3.1-70b", "int4", "rtx-4090", context=4096, catalog=shipped).to_dict()
    assert fit["gpus_per_replica"] == 2 and fit["tp_link"]["fabric"] == "pcie"
    one = llmcost.fit("llama-3.1-8b", "bf16", "h100-sxm", context=4096, catalog=shipped).to_dict()
    assert one["gpus_per_replica"] == 1 and one["tp_link"] is None
    nvl = llmcost.capacity("llama-3.1-70b", "fp8", "h100-sxm", gpus=2, catalog=shipped).to_dict()
    assert nvl["tp_link"]["note"] == (
        "2 x h100-sxm: tensor-parallel all-reduces over NVLink at 900 GB/s (within its 8-GPU domain)"
    )


def test_pcie_tp_is_slower_than_nvlink_at_equal_memory_and_bandwidth(shipped):
    # the same card with an HGX fabric instead of PCIe: only the all-reduces differ
    pcie = shipped.gpu("rtx-4090")
    hgx = dataclasses.replace(pcie, multi_gpu="nvlink", nvlink=True, form_factor="sxm", interconnect_gb_per_s=900)
    m, q = shipped.model("llama-3.1-8b"), get_quantization("fp8")
    slow = decode_step_s(serving_shape(m, q, pcie, 2, 2000, 500), 64.0, EFF)[0]
    fast = decode_step_s(serving_shape(m, q, hgx, 2, 2000, 500), 64.0, EFF)[0]
    assert slow - fast == pytest.approx(64 * 524_288 * (1 / 32e9 - 1 / 450e9) / 0.68)  # the latency is the same


def test_compare_notes_tp_over_pcie(shipped):
    # 70B at fp8 (70.6 GB) needs two L40S (43.2 GB usable each), rented as AWS g6e 4-GPU instances
    out = llmcost.compare(
        20_000, models=["llama-3.1-70b"], gpus=["l40s", "h100-sxm"], quants=["fp8"], apis=["openai/gpt-4o"],
        catalog=shipped,
    ).to_dict()  # fmt: skip
    by_gpu = {o["gpu"]: o for o in out["options"] if o["kind"] == "self_hosted"}
    l40s, h100 = by_gpu["l40s"], by_gpu["h100-sxm"]
    assert l40s["gpus_per_replica"] == 2
    (note,) = [n for n in l40s["notes"] if n["code"] == "tp_link"]
    assert note["gb_per_s"] == 64 and note["fabric"] == "PCIe" and "no NVLink" in note["message"]
    assert not [n for n in h100["notes"] if n["code"] == "tp_link"]  # NVLink, the expected case, is not noted


# ---------------------------------------------------------------- the new GPUs


@pytest.mark.parametrize("gpu", NEW_GPUS)
def test_every_new_gpu_loads_and_fits_a_small_model(shipped, gpu):
    g = shipped.gpu(gpu)
    assert g.form_factor in ("sxm", "pcie", "consumer", "superchip") and g.source and g.as_of
    plan = llmcost.fit("llama-3.1-8b", "bf16", gpu, context=8192, catalog=shipped).to_dict()
    assert plan["fits"] and plan["gpus_per_replica"] == 1


def test_fit_on_rtx_5090_from_the_cli(capsys):
    assert main(["fit", "llama-3.1-8b", "--gpu", "rtx-5090", "--context", "8192", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    # 8.03e9 params x 2 bytes = 16.06 GB; budget = 31.84 GiB (driver figure) x 0.92 (vLLM 0.20+)
    # = 31.84 x 1,073,741,824 x 0.92 = 31.4529e9 bytes
    assert out["gpu"] == "rtx-5090" and out["gpus_per_replica"] == 1
    assert out["weights_gb"] == pytest.approx(16.06, abs=0.01)
    assert out["usable_gb_per_gpu"] == pytest.approx(31.84 * 2**30 * 0.92 / 1e9)


def test_every_gpu_carries_the_new_fields_and_consumer_cards_have_no_nvlink(shipped):
    assert len(shipped.gpus) == 30
    for g in shipped.gpus.values():
        assert g.form_factor is not None and g.nvlink is not None, g.id
        if g.form_factor == "consumer":
            assert g.multi_gpu == "pcie" and not g.nvlink and g.interconnect_gb_per_s in (64, 128)
        if g.multi_gpu == "pcie":
            assert (g.interconnect_gb_per_s or 0) <= 128, g.id
    h100 = shipped.gpu("h100-sxm")
    assert (h100.usable_memory_gib, h100.usable_memory_basis, h100.scale_up_gpus) == (79.19, "torch", 8)
    assert h100.memory_gb == 80  # memory is still accounted from memory_gb (usable GiB: issue 14)
    assert "2026-12 update" in h100.source and shipped.gpu("gh200").tdp_w is None


def _gpu_row(**over: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": "x", "name": "X", "vendor": "nvidia", "memory_gb": 24, "memory_bandwidth_tb_per_s": 1.0,
        "dense_tflops": {"bf16": 100}, "tdp_w": 300, "interconnect": "PCIe 4.0", "interconnect_gb_per_s": 64,
        "source": "test", "as_of": "undated",
    }  # fmt: skip
    return {**row, **over}


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"form_factor": "consumer", "nvlink": True}, "consumer"),
        ({"multi_gpu": "pcie", "interconnect_gb_per_s": 900}, "PCIe figure"),
        ({"multi_gpu": "nvlink", "nvlink": False}, "needs nvlink: true"),
        ({"usable_memory_gib": 23.99}, "go together"),
        ({"form_factor": "hgx"}, "form_factor"),
        ({"scale_up_gpus": 0}, "scale_up_gpus"),
    ],
)
def test_bad_gpu_fields_are_refused(over, message):
    with pytest.raises(InvalidRecord, match=message):
        validate_record(Gpu, _gpu_row(**over))
    assert validate_record(Gpu, _gpu_row()).multi_gpu is None  # the plain row is valid


# ---------------------------------------------------------------- the superseded rentals


def test_superseded_offers_are_replaced(shipped):
    offers = shipped.offers
    assert offers["runpod/1x-h100-sxm-secure/on-demand"].usd_per_instance_hour == 3.99  # was 3.29 in Aug 2026
    assert offers["runpod/1x-h100-sxm-secure/on-demand"].as_of == "2026-11-09"
    for gone in (
        "runpod/1x-h100-sxm-secure/on-demand/ca",
        "runpod/8x-h100-secure/on-demand",
        "lambda/gpu-8x-a100/on-demand",
    ):
        assert gone not in offers
    assert offers["aws/p5.48xlarge/on-demand/us-east-1"].usd_per_instance_hour == 55.04  # same id, post-cut
    nebius = offers["nebius/hgx-h100-8gpu/on-demand"]  # an 8-GPU shape kept at the per-GPU reading x 8
    assert (nebius.gpus_per_instance, nebius.usd_per_instance_hour, nebius.as_of) == (8, 36.0, "2026-10-24")
    assert all(o.source and o.as_of for o in offers.values())
    assert all(o.gpu in shipped.gpus for o in offers.values())


def test_compare_uses_the_superseded_offers_new_price(shipped):
    # only RunPod's Secure Cloud H100 SXM offers: 1 x at 3.99 and 8 x at 31.92 (3.99 per GPU)
    keep = {k: o for k, o in shipped.offers.items() if k.startswith("runpod/") and "h100-sxm-secure" in k}
    cat = dataclasses.replace(shipped, offers=keep)
    out = llmcost.compare(
        1_000, models=["llama-3.1-8b"], gpus=["h100-sxm"], quants=["fp8"], apis=["openai/gpt-4o"], catalog=cat
    ).to_dict()
    (opt,) = [o for o in out["options"] if o["kind"] == "self_hosted"]
    # one replica on one GPU: 3.99 $/h x 24 h x 365/12 days = $2,912.70 a month (was 4.69 -> $3,423.70)
    assert opt["offer"]["id"] == "runpod/1x-h100-sxm-secure/on-demand"
    assert opt["monthly_gpu_cost_usd"] == pytest.approx(3.99 * 24 * 365 / 12)


def test_an_offer_for_a_gpu_without_a_row_is_an_error(tmp_path):
    (tmp_path / "pricing.yaml").write_text(
        "gpu_rental:\n  - id: x/1x-h20/on-demand\n    provider: x\n    instance: H20\n    gpu: h21\n"
        "    gpus_per_instance: 1\n    pricing: on_demand\n    usd_per_instance_hour: 1.0\n"
        "    source: test\n    as_of: '2026-11'\n"
    )
    from llmcost.catalog import load_catalog
    from llmcost.errors import CatalogError

    with pytest.raises(CatalogError, match="unknown gpu 'h21'"):
        load_catalog([tmp_path])
    with pytest.raises(UsageError):
        llmcost.capacity("llama-3.1-8b", "bf16", "h21", catalog=load_catalog())


def test_amd_figures_carry_their_caveat(capsys):
    """The factors are fitted on NVIDIA GPUs and MI300X runs fall short of them at large batches:
    `capacity` on an AMD GPU says so, on an NVIDIA one it does not."""
    args = ["capacity", "llama-3.1-70b", "--quant", "fp8", "--gpus", "8", "--format", "json"]
    assert main([*args, "--gpu", "mi300x"]) == 0
    amd = json.loads(capsys.readouterr().out)
    assert amd["tp_link"]["gb_per_s"] == pytest.approx(896.0)
    assert len(amd["notes"]) == 1 and "fitted on NVIDIA GPUs" in amd["notes"][0]
    assert main([*args, "--gpu", "h100-sxm"]) == 0
    assert "notes" not in json.loads(capsys.readouterr().out)

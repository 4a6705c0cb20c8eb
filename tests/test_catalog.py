from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from llmcost import catalog
from llmcost.catalog import MAX_FILE_BYTES, load_catalog
from llmcost.errors import CatalogError, UnknownIdError
from llmcost.uncertainty import LogNormal, Normal, Triangular, Uniform
from tests.conftest import FIXTURES


def _copy_fixture(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", d)
    return d


def _load(d: Path):
    return load_catalog([d], include_shipped=False)


def test_fixture_loads_and_resolves_references(cat):
    assert cat.api("together/llama-3.1-70b").open_model == "llama-3.1-70b"
    assert {o.gpu for o in cat.offers.values()} <= set(cat.gpus)


def test_unknown_id_names_the_closest(cat):
    with pytest.raises(UnknownIdError, match="did you mean openai/gpt-4o"):
        cat.api("openai/gpt4o")
    with pytest.raises(UnknownIdError, match=r"llama-3\.1-70b"):
        cat.model("llama-3.1-7b")


@pytest.mark.parametrize(
    ("file", "find", "replace", "message"),
    [
        ("pricing.yaml", "    input_usd_per_mtok: 2.5\n", "", "missing required field .input_usd_per_mtok."),
        ("pricing.yaml", "input_usd_per_mtok: 2.5", "input_usd_per_mtok: -1", "greater than or equal to 0"),
        ("pricing.yaml", "input_usd_per_mtok: 2.5", "input_usd_per_mtok: cheap", "'cheap' is not a number"),
        ("pricing.yaml", "    name: GPT-4o\n", "    name: GPT-4o\n    colour: red\n", "colour: unknown field"),
        ("pricing.yaml", "gpu: t4", "gpu: t5", "unknown gpu 't5'"),
        ("pricing.yaml", "open_model: llama-3.1-70b", "open_model: llama-9", "unknown open_model"),
        ("pricing.yaml", "id: openai/gpt-4o-mini", "id: openai/gpt-4o", "duplicate id 'openai/gpt-4o'"),
        ("pricing.yaml", 'as_of: "2026-08-21"', "as_of: last week", "as_of must be"),
        ("pricing.yaml", "    source: runpod pricing\n", "", "missing required field .source."),
        ("pricing.yaml", "id: openai/gpt-4o\n", "id: OpenAI/GPT 4o\n", "lowercase slug"),
        ("models.yaml", "commercial_use: false", "commercial_use: maybe", "valid boolean"),
        ("pricing.yaml", "api:", "apis:", "unknown section 'apis'"),
    ],
)
def test_bad_data_is_one_clear_catalog_error(tmp_path, file, find, replace, message):
    d = _copy_fixture(tmp_path)
    path = d / file
    text = path.read_text()
    assert find in text
    path.write_text(text.replace(find, replace, 1))
    with pytest.raises(CatalogError, match=message) as info:
        _load(d)
    assert "\n" not in str(info.value) and file in str(info.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("api: [\n", "malformed YAML"),
        ("api: !!python/object/apply:os.system ['echo pwned']\n", "malformed YAML"),
        ('a: &a ["x","x"]\nb: &b [*a,*a]\nc: [*b,*b]\n', "aliases are not allowed"),
        ("- just\n- a list\n", "expected a mapping"),
        ("\xff\xfe", "not UTF-8"),
    ],
)
def test_hostile_or_malformed_yaml_is_refused(tmp_path, content, message):
    d = _copy_fixture(tmp_path)
    (d / "pricing.yaml").write_bytes(content.encode("latin-1"))
    with pytest.raises(CatalogError, match=message):
        _load(d)


def test_oversized_file_is_refused(tmp_path):
    d = _copy_fixture(tmp_path)
    (d / "models.yaml").write_text("#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(CatalogError, match="over the"):
        _load(d)


def test_missing_file_and_missing_directory(tmp_path):
    d = _copy_fixture(tmp_path)
    (d / "hardware.yaml").unlink()
    with pytest.raises(CatalogError, match="missing data file"):
        _load(d)
    with pytest.raises(CatalogError, match="not found"):
        load_catalog([tmp_path / "nope"], include_shipped=False)


def test_overlay_replaces_same_id_and_adds_new(tmp_path, shipped):
    over = tmp_path / "mine"
    over.mkdir()
    (over / "pricing.yaml").write_text(
        """api:
  - id: openai/gpt-4o
    provider: openai
    name: GPT-4o (negotiated)
    input_usd_per_mtok: 2.0
    output_usd_per_mtok: 8.0
    source: our contract
    as_of: "2026-11-01"
"""
    )
    cat = load_catalog([over])
    assert cat.api("openai/gpt-4o").input_usd_per_mtok == 2.0
    assert len(cat.apis) == len(shipped.apis)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CatalogError, match="holds none of"):
        load_catalog([empty])


# ---------------------------------------------------------------- the compiled-catalog cache


def _fresh(d: Path):
    """Load as a new process would: the in-process memo cleared, the on-disk cache kept."""
    catalog._MEMO.clear()
    return _load(d)


def test_cache_is_written_once_and_read_back_equal(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMCOST_CACHE_DIR", str(tmp_path / "cache"))
    d = _copy_fixture(tmp_path)
    first = _fresh(d)
    files = list((tmp_path / "cache").glob("catalog-*.json"))
    assert len(files) == 1 and files[0].stat().st_mode & 0o777 == 0o600
    second = _fresh(d)
    assert second == first and second is not first  # read back from the JSON cache, not the memo
    assert list((tmp_path / "cache").glob("catalog-*.json")) == files


def test_an_edited_file_is_a_cache_miss(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMCOST_CACHE_DIR", str(tmp_path / "cache"))
    d = _copy_fixture(tmp_path)
    assert _fresh(d).api("openai/gpt-4o").input_usd_per_mtok == 2.5
    path = d / "pricing.yaml"
    path.write_text(path.read_text().replace("input_usd_per_mtok: 2.5", "input_usd_per_mtok: 3.5", 1))
    assert _fresh(d).api("openai/gpt-4o").input_usd_per_mtok == 3.5
    path.write_text(path.read_text().replace("input_usd_per_mtok: 3.5", "input_usd_per_mtok: -1", 1))
    with pytest.raises(CatalogError, match="greater than or equal to 0"):
        _fresh(d)  # invalid data is never served from (or written to) the cache
    assert len(list((tmp_path / "cache").glob("catalog-*.json"))) == 2


@pytest.mark.parametrize("junk", [b"\x80\x05 not json", b'{"apis": 1}', b"[]", b'{"apis": {"x": {"colour": 1}}}'])
def test_a_corrupt_cache_file_is_rebuilt(tmp_path, monkeypatch, junk):
    monkeypatch.setenv("LLMCOST_CACHE_DIR", str(tmp_path / "cache"))
    d = _copy_fixture(tmp_path)
    good = _fresh(d)
    (cached,) = (tmp_path / "cache").glob("catalog-*.json")
    cached.write_bytes(junk)
    assert _fresh(d) == good


def test_the_cache_holds_data_not_code(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMCOST_CACHE_DIR", str(tmp_path / "cache"))
    d = _copy_fixture(tmp_path)
    _fresh(d)
    (cached,) = (tmp_path / "cache").glob("catalog-*.json")
    plain = json.loads(cached.read_bytes())  # plain JSON: strings, numbers, lists and mappings
    assert set(plain) == {f.name for f in dataclasses.fields(catalog.Catalog)}


def test_a_cache_file_others_may_write_is_not_read(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMCOST_CACHE_DIR", str(tmp_path / "cache"))
    d = _copy_fixture(tmp_path)
    good = _fresh(d)
    (cached,) = (tmp_path / "cache").glob("catalog-*.json")
    planted = json.loads(cached.read_bytes())
    planted["apis"] = {}
    cached.write_text(json.dumps(planted))
    cached.chmod(0o666)  # group/world-writable: anyone could have put this here
    assert _fresh(d) == good  # rebuilt from the YAML, not read from the planted file
    cached.write_text(json.dumps(planted))
    cached.chmod(0o600)
    assert _fresh(d).apis == {}  # a file only its owner can write is trusted (the cache works)
    (tmp_path / "cache").chmod(0o777)  # a directory others may write: not used at all, and said once
    with pytest.warns(catalog.CacheWarning, match="may be written by other users: running without a cache"):
        assert _fresh(d) == good


def test_the_in_process_memo_follows_file_contents(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMCOST_NO_CACHE", "1")
    d = _copy_fixture(tmp_path)
    assert _load(d).api("openai/gpt-4o").input_usd_per_mtok == 2.5
    path = d / "pricing.yaml"
    path.write_text(path.read_text().replace("input_usd_per_mtok: 2.5", "input_usd_per_mtok: 3.5", 1))
    assert _load(d).api("openai/gpt-4o").input_usd_per_mtok == 3.5  # same path, new contents: not the old memo
    assert _load(d) is _load(d)  # unchanged contents: the memo


def test_cache_can_be_turned_off_or_unwritable(tmp_path, monkeypatch):
    d = _copy_fixture(tmp_path)
    monkeypatch.setenv("LLMCOST_CACHE_DIR", str(tmp_path / "off"))
    monkeypatch.setenv("LLMCOST_NO_CACHE", "1")
    assert _fresh(d).apis
    assert not (tmp_path / "off").exists()
    monkeypatch.delenv("LLMCOST_NO_CACHE")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("LLMCOST_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    with pytest.warns(catalog.CacheWarning, match="cannot be created"):
        assert _fresh(d).apis


def test_unquoted_yaml_dates_are_as_of_strings(tmp_path):
    d = _copy_fixture(tmp_path)
    path = d / "pricing.yaml"
    assert 'as_of: "2026-08-21"' in path.read_text()
    path.write_text(path.read_text().replace('as_of: "2026-08-21"', "as_of: 2026-08-21", 1))
    cat = _load(d)
    assert "2026-08-21" in {e.as_of for e in [*cat.apis.values(), *cat.offers.values()]}


def test_a_warm_start_imports_neither_pydantic_nor_yaml(tmp_path):
    code = (
        "import sys; from llmcost.catalog import load_catalog; load_catalog(); "
        "print(sorted({'pydantic', 'yaml'} & set(sys.modules)))"
    )
    env = {**os.environ, "LLMCOST_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True) for _ in range(2)]
    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[0].stdout.strip() == "['pydantic', 'yaml']"  # the cold run validated the YAML
    assert runs[1].stdout.strip() == "[]"


# ---------------------------------------------------------------- ranges and distributions in data files


@pytest.mark.parametrize(
    ("written", "central", "dist"),
    [
        ("2.5", 2.5, None),
        ("'2.0..3.0'", 2.5, Uniform(low=2.0, high=3.0)),
        ("{low: 2.0, high: 3.0}", 2.5, Uniform(low=2.0, high=3.0)),
        ("{dist: triangular, low: 2.0, mode: 2.2, high: 3.0}", 2.2, Triangular(low=2.0, mode=2.2, high=3.0)),
        ("{dist: lognormal, median: 2.5, sigma: 0.2}", 2.5, LogNormal(median=2.5, sigma=0.2)),
        ("'normal:2.5,0.1'", 2.5, Normal(mean=2.5, sd=0.1)),
    ],
)
def test_a_price_may_be_a_range_or_distribution(tmp_path, written, central, dist):
    d = _copy_fixture(tmp_path)
    path = d / "pricing.yaml"
    path.write_text(path.read_text().replace("input_usd_per_mtok: 2.5", f"input_usd_per_mtok: {written}", 1))
    api = _load(d).api("openai/gpt-4o")
    assert api.input_usd_per_mtok == central  # every point answer uses the central value
    assert api.spread.get("input_usd_per_mtok") == dist


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("'3..2'", r"input_usd_per_mtok: .*low \(3\) is above high \(2\)"),
        ("{dist: gamma, k: 2}", "input_usd_per_mtok: unknown distribution 'gamma'"),
        ("{dist: normal, mean: 2.5, sd: -1}", "input_usd_per_mtok: normal sd: Input should be greater than or equal"),
        ("{low: 1}", "input_usd_per_mtok: uniform high: Field required"),
    ],
)
def test_a_bad_range_in_a_data_file_is_one_clear_error(tmp_path, written, message):
    d = _copy_fixture(tmp_path)
    path = d / "pricing.yaml"
    path.write_text(path.read_text().replace("input_usd_per_mtok: 2.5", f"input_usd_per_mtok: {written}", 1))
    with pytest.raises(CatalogError, match=message) as info:
        _load(d)
    assert "\n" not in str(info.value) and "pricing.yaml: api openai/gpt-4o: " in str(info.value)


def test_a_range_must_respect_the_fields_bound_and_spread_is_not_written(tmp_path):
    d = _copy_fixture(tmp_path)
    path = d / "pricing.yaml"
    text = path.read_text()
    offer = text.index("usd_per_instance_hour:")
    value = text[offer:].split("\n", 1)[0]
    path.write_text(text.replace(value, "usd_per_instance_hour: {dist: normal, mean: 2.0, sd: 0.5}", 1))
    with pytest.raises(CatalogError, match="its normal distribution can draw 0; values must be > 0"):
        _load(d)
    path.write_text(text.replace("input_usd_per_mtok: 2.5", "input_usd_per_mtok: 2.5\n    spread: {}", 1))
    with pytest.raises(CatalogError, match="spread: derived, not written"):
        _load(d)


def test_shipped_ranges_keep_the_sourced_point_values(shipped):
    devops = shipped.hidden_costs["devops"]
    assert devops.usd_per_month == 3500 and devops.spread["usd_per_month"] == Uniform(low=2000, high=5000)
    spot = shipped.offers["aws/p5.48xlarge/spot/us-east-1"]
    assert spot.usd_per_instance_hour == 20.9934  # the quoted cheapest zone is the mode
    assert spot.spread["usd_per_instance_hour"] == Triangular(low=20.9934, mode=20.9934, high=30.326)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to act as a second user")
def test_a_cache_directory_another_user_prepared_is_not_used(tmp_path, monkeypatch):
    """Another user (nobody) creates the shared cache directory first and plants a forged catalog in it."""
    import tempfile

    from tests.test_io import NOBODY, _as_nobody

    d = _copy_fixture(tmp_path)
    monkeypatch.setenv("LLMCOST_CACHE_DIR", str(tmp_path / "mine"))
    good = _fresh(d)
    (cached,) = (tmp_path / "mine").glob("catalog-*.json")
    forged = json.loads(cached.read_bytes())
    forged["apis"] = {}
    shared = Path(tempfile.mkdtemp(prefix="llmcost-shared-"))
    try:
        shared.chmod(0o1777)
        target = shared / "llmcost"

        def plant() -> None:
            target.mkdir(mode=0o700)
            (target / cached.name).write_text(json.dumps(forged))
            (target / cached.name).chmod(0o600)

        _as_nobody(plant)
        assert os.lstat(target).st_uid == NOBODY
        monkeypatch.setenv("LLMCOST_CACHE_DIR", str(target))
        with pytest.warns(catalog.CacheWarning, match="owned by another user"):
            assert _fresh(d) == good  # read from the YAML, not the forged file
        assert [p.name for p in target.iterdir()] == [cached.name]  # and nothing written there
    finally:
        shutil.rmtree(shared)

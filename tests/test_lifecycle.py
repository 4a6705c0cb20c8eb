"""API lifecycle: a retired model is kept for history, flagged where it is used and left out of defaults."""

from __future__ import annotations

from datetime import date

import pytest

import llmcost
from llmcost.datatools import validate
from llmcost.records import ApiModel

SRC = {"source": "test", "as_of": "2026-01-01", "provider": "t", "name": "m"}


def test_lifecycle_by_date():
    a = ApiModel(id="t/m", input_usd_per_mtok=1.0, output_usd_per_mtok=2.0, deprecation_date="2026-06-11",
                 retirement_date="2026-12-11", lifecycle_source="test", **SRC)  # fmt: skip
    assert a.lifecycle(date(2026, 6, 10)) == "active"
    assert a.lifecycle(date(2026, 6, 11)) == "deprecated"
    assert a.lifecycle(date(2026, 12, 11)) == "retired"
    with pytest.raises(ValueError, match="need lifecycle_source"):
        ApiModel(id="t/m", input_usd_per_mtok=1.0, output_usd_per_mtok=2.0, retirement_date="2026-12-11", **SRC)


def test_retired_apis_leave_the_defaults_and_are_flagged_when_named():
    # o4-mini retired on 2026-10-23 (shipped data): not in the default comparison on 2026-12-02
    later = llmcost.compare(1000, models=["llama-3.1-8b"], date="2026-12-02")
    assert "openai/o4-mini" not in [o.id for o in later.options]
    assert any("APIs retired by 2026-12-02 are left out" in n for n in later.assumptions["notes"])
    earlier = llmcost.compare(1000, models=["llama-3.1-8b"], date="2026-01-01")
    assert "openai/o4-mini" in [o.id for o in earlier.options]
    named = llmcost.compare(1000, apis=["openai/o4-mini"], models=["llama-3.1-8b"], date="2026-12-02")
    (o4,) = [o for o in named.options if o.id == "openai/o4-mini"]
    assert [n.message for n in o4.notes if n.code == "retired"] == [
        "retired on 2026-10-23: kept for history, left out of defaults"
    ]


def test_validate_warns_about_entries_past_their_dates():
    out = validate(None, date(2026, 12, 2))
    messages = [f["message"] for f in out["findings"] if f.get("entry") == "openai/o4-mini"]
    assert any(m.startswith("retired on 2026-10-23") for m in messages)
    before = validate(None, date(2025, 1, 1))  # before any date in the data (as_of in the future is an error)
    assert not [f for f in before["findings"] if "retired on" in f["message"] or "deprecated on" in f["message"]]

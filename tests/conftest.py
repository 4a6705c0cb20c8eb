from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from llmcost.catalog import Catalog, load_catalog

FIXTURES = Path(__file__).parent / "fixtures"

# CI runs the same examples every time (a property that fails there fails for everyone, and a run
# that passed does not turn red by chance); locally hypothesis explores anew on each run.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

# The compiled-catalog cache goes to a fresh directory per run, never the user's ~/.cache
# (subprocesses started by tests inherit it).
os.environ["LLMCOST_CACHE_DIR"] = tempfile.mkdtemp(prefix="llmcost-test-cache-")
os.environ.pop("LLMCOST_NO_CACHE", None)
# Which APIs are retired and how old a price is depend on the date: the suite runs on the day the
# shipped data and the README's examples were checked, whatever the calendar says.
os.environ["LLMCOST_DATE"] = "2026-12-02"


@pytest.fixture(scope="session")
def cat() -> Catalog:
    """Frozen fixture data: results do not move when the shipped prices change."""
    return load_catalog([FIXTURES / "data"], include_shipped=False)


@pytest.fixture(scope="session")
def shipped() -> Catalog:
    return load_catalog()

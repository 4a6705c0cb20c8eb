from __future__ import annotations

from pathlib import Path

import pytest

from llmcost.catalog import Catalog, load_catalog

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def cat() -> Catalog:
    """Frozen fixture data: results do not move when the shipped prices change."""
    return load_catalog([FIXTURES / "data"], include_shipped=False)


@pytest.fixture(scope="session")
def shipped() -> Catalog:
    return load_catalog()

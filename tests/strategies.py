"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

from hypothesis import strategies as st

queries_per_day = st.floats(min_value=1, max_value=5e6, allow_nan=False, allow_infinity=False)
tokens = st.floats(min_value=1, max_value=20_000, allow_nan=False, allow_infinity=False)
share = st.floats(min_value=0, max_value=1, allow_nan=False)
scale = st.floats(min_value=0.01, max_value=100, allow_nan=False, allow_infinity=False)

"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

from hypothesis import strategies as st

queries_per_day = st.floats(min_value=1, max_value=5e6, allow_nan=False, allow_infinity=False)
tokens = st.floats(min_value=1, max_value=20_000, allow_nan=False, allow_infinity=False)
share = st.floats(min_value=0, max_value=1, allow_nan=False)
scale = st.floats(min_value=0.01, max_value=100, allow_nan=False, allow_infinity=False)

# arrays of draws: the model core takes them wherever it takes a float
draws = st.integers(min_value=1, max_value=50)
factor = st.floats(min_value=0.2, max_value=5, allow_nan=False, allow_infinity=False)
utilization = st.floats(min_value=0.05, max_value=1, allow_nan=False)
peak = st.floats(min_value=1, max_value=10, allow_nan=False, allow_infinity=False)
usd = st.floats(min_value=0, max_value=50_000, allow_nan=False, allow_infinity=False)
# a 24-hour load profile: non-negative weights with a positive sum
profile = st.lists(st.floats(min_value=0, max_value=10, allow_nan=False), min_size=24, max_size=24).filter(
    lambda w: sum(w) > 0
)
# a request rate as a share of a replica's saturated capacity (the queueing model needs < 1)
load_share = st.floats(min_value=0.01, max_value=0.98, allow_nan=False)


@st.composite
def fleets(draw: st.DrawFn) -> tuple[list[float], list[list[float]], list[float], list[int]]:
    """A small fleet programme: per option a price and a rate per bucket (0: cannot serve it), the
    load per bucket, and each option's GPU type (0-2), for solve_assignment."""
    n_opt, n_b = draw(st.integers(2, 5)), draw(st.integers(1, 3))
    usd = [draw(st.floats(1.0, 100.0)) for _ in range(n_opt)]
    cap = [[draw(st.sampled_from([0.0, 1.0, 2.5, 4.0, 10.0])) for _ in range(n_b)] for _ in range(n_opt)]
    load = [draw(st.floats(0.1, 12.0)) for _ in range(n_b)]
    return usd, cap, load, [draw(st.integers(0, 2)) for _ in range(n_opt)]

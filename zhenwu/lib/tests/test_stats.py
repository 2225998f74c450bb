from hypothesis import given
from hypothesis import strategies as st

from zhenwu.lib.stats import percent, wilson


@given(st.integers(min_value=1, max_value=10**7).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_the_interval_holds_the_rate_and_stays_within_0_and_1(case):
    k, n = case
    low, high = wilson(k, n)
    assert 0 <= low <= k / n <= high <= 1


@given(st.integers(min_value=10, max_value=10**5))
def test_more_answers_narrow_the_interval(n):
    small = wilson(n // 2, n)
    large = wilson(2 * (n // 2), 2 * n)
    assert large[1] - large[0] < small[1] - small[0]


def test_known_values():
    # 2,081 of 2,100: 99.1 %, interval 98.6–99.4 %.
    low, high = wilson(2081, 2100)
    assert round(low, 3) == 0.986 and round(high, 3) == 0.994
    # All satisfied is not a certainty.
    low, high = wilson(10, 10)
    assert high == 1.0 and round(low, 3) == 0.722
    assert wilson(0, 0) is None
    assert percent(0.99095) == "99.1%" and percent(None) == "—"

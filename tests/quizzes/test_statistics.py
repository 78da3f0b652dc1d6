"""The report's figures, checked against values computed independently of quizzes.statistics.

Small matrices are worked out by hand (the arithmetic is in the comments: sums of deviations
from the mean, divided by n − 1 = the sample variance), larger random ones with numpy, and
hypothesis checks the invariants on any matrix.
"""

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizzes import statistics
from quizzes.statistics import (
    Advice,
    Thirds,
    describe,
    histogram,
    item_advice,
    item_analysis,
    pass_rate,
    response_table,
    split_thirds,
)

approx = pytest.approx

# --- Hand-computed reference values ---------------------------------------------------------

# A perfect Guttman pattern: whoever got a harder item right got every easier one right.
GUTTMAN = [
    [1, 1, 1],  # total 3
    [1, 1, 0],  # total 2
    [1, 0, 0],  # total 1
    [0, 0, 0],  # total 0
]


def test_facility_and_sd_are_the_mean_and_sample_sd_of_each_item():
    result = item_analysis(GUTTMAN)

    # item 1: 1,1,1,0 → mean 3/4; deviations .25 .25 .25 −.75 → squares sum .75; /3 = .25
    # item 2: 1,1,0,0 → mean 1/2; squares 4 × .25 = 1; /3 → sd √(1/3)
    # item 3: 1,0,0,0 → mean 1/4; squares .5625 + 3 × .0625 = .75; /3 = .25
    assert result.facility == approx([0.75, 0.5, 0.25])
    assert result.sd == approx([0.5, math.sqrt(1 / 3), 0.5])
    assert result.attempts == 4
    assert result.items == 3


def test_discrimination_index_correlates_each_item_with_the_rest_of_the_test():
    result = item_analysis(GUTTMAN)

    # item 1: x = 1,1,1,0 (mean .75), rest = total − x = 2,1,0,0 (mean .75)
    #   Σ dx·dy = .25·1.25 + .25·.25 + .25·(−.75) + (−.75)(−.75) = .75
    #   Σ dx² = .75, Σ dy² = 1.5625 + .0625 + .5625 + .5625 = 2.75
    #   r = .75 / √(.75 · 2.75) = √(3/11)
    # item 2: x = 1,1,0,0 (mean .5), rest = 2,1,1,0 (mean 1)
    #   Σ dx·dy = .5·1 + .5·0 + (−.5)·0 + (−.5)(−1) = 1; Σ dx² = 1, Σ dy² = 2 → r = 1/√2
    # item 3 mirrors item 1: r = √(3/11)
    assert result.discrimination_index == approx(
        [math.sqrt(3 / 11), 1 / math.sqrt(2), math.sqrt(3 / 11)]
    )


def test_a_perfect_guttman_pattern_discriminates_with_full_efficiency():
    result = item_analysis(GUTTMAN)

    # item 1 sorted: x 0,1,1,1 against rest 0,0,1,2: Σ dx·dy = (−.75)(−.75) + .25(−.75)
    #   + .25·.25 + .25·1.25 = .75, the item's own Σ dx·dy: efficiency 1 (so for 2 and 3)
    assert result.discriminative_efficiency == approx([1.0, 1.0, 1.0])


def test_alpha_and_standard_error_of_the_guttman_matrix():
    result = item_analysis(GUTTMAN)

    # totals 3,2,1,0: mean 1.5, median 1.5, Σ d² = 2.25 + .25 + .25 + 2.25 = 5 → var 5/3
    # alpha = 3/2 · (1 − (.25 + 1/3 + .25) / (5/3)) = 3/2 · (1 − 1/2) = .75
    # SEM = √(5/3) · √(1 − .75) = √(5/3) / 2
    assert result.mean == approx(1.5)
    assert result.median == approx(1.5)
    assert result.sd_total == approx(math.sqrt(5 / 3))
    assert result.cronbach_alpha == approx(0.75)
    assert result.standard_error == approx(math.sqrt(5 / 3) / 2)


# Partial credit, and an item (the second) the weaker students got right.
MIXED = [
    [1, 0, 1],  # total 2
    [1, 0.5, 1],  # total 2.5
    [0.5, 1, 1],  # total 2.5
    [0, 1, 0],  # total 1
    [0, 1, 0],  # total 1
]


def test_partial_credit_matrix_item_figures():
    result = item_analysis(MIXED)

    # item 1: x = 1,1,.5,0,0 (mean .5, Σ dx² = 1), rest = 1,1.5,2,1,1 (mean 1.3)
    #   dy = −.3,.2,.7,−.3,−.3 → Σ dy² = .8; Σ dx·dy = −.15 + .1 + 0 + .15 + .15 = .25
    #   r = .25 / √(1 · .8); sorted: dx −.5,−.5,0,.5,.5 with dy −.3,−.3,−.3,.2,.7
    #   → Σ = .15 + .15 + 0 + .1 + .35 = .75: efficiency .25 / .75 = 1/3
    # item 2: x = 0,.5,1,1,1 (mean .7, Σ dx² = .8), rest = 2,2,1.5,0,0 (mean 1.1)
    #   dy = .9,.9,.4,−1.1,−1.1 → Σ dy² = 4.2; Σ dx·dy = −.63 − .18 + .12 − .33 − .33 = −1.35
    #   r = −1.35 / √(.8 · 4.2); most negative pairing (x up, rest down) is the data's own
    #   → efficiency −1
    # item 3: x = 1,1,1,0,0 (mean .6, Σ dx² = 1.2), rest = 1,1.5,1.5,1,1 (mean 1.2)
    #   dy = −.2,.3,.3,−.2,−.2 → Σ dy² = .3; Σ dx·dy = −.08 + .12 + .12 + .12 + .12 = .4
    #   r = .4 / √(1.2 · .3) = 2/3; already sorted alike → efficiency 1
    assert result.facility == approx([0.5, 0.7, 0.6])
    assert result.sd == approx([0.5, math.sqrt(0.2), math.sqrt(0.3)])
    assert result.discrimination_index == approx(
        [0.25 / math.sqrt(0.8), -1.35 / math.sqrt(0.8 * 4.2), 2 / 3]
    )
    assert result.discriminative_efficiency == approx([1 / 3, -1.0, 1.0])


def test_partial_credit_matrix_test_figures_include_a_negative_alpha():
    result = item_analysis(MIXED)

    # totals 2,2.5,2.5,1,1: mean 1.8, median 2; Σ d² = .04 + .49 + .49 + .64 + .64 = 2.3
    #   → var .575 = 23/40
    # item variances .25 + .2 + .3 = .75; alpha = 3/2 · (1 − .75/.575) = 3/2 · (−7/23) = −21/46
    # SEM = √(23/40 · (1 + 21/46)) = √(67/80)
    assert result.mean == approx(1.8)
    assert result.median == approx(2.0)
    assert result.sd_total == approx(math.sqrt(0.575))
    assert result.cronbach_alpha == approx(-21 / 46)
    assert result.standard_error == approx(math.sqrt(67 / 80))


def test_negative_efficiency_is_scaled_by_the_most_negative_covariance_not_below_minus_one():
    # Item 1: x = 0,0,1 against rest 1,1,0. Σ dx·dy = −2/3. Moodle divides by the same-order
    # covariance (x 0,0,1 with rest 0,1,1: Σ = 1/3) and would report −200 %; the most negative
    # pairing is the data's own, so the efficiency here is −1.
    result = item_analysis([[0, 1], [0, 1], [1, 0]])

    assert result.discriminative_efficiency[0] == -1.0
    assert result.discrimination_index[0] == -1.0


def test_weights_make_the_total_a_sum_of_marks():
    # Item 2 counts 3 marks: totals 1·1 + 3·1 = 4, 1·0 + 3·1 = 3, 1·1 + 3·0 = 1, 0.
    result = item_analysis([[1, 1], [0, 1], [1, 0], [0, 0]], weights=[1, 3])

    assert result.mean == approx(2.0)  # (4 + 3 + 1 + 0) / 4
    assert result.median == approx(2.0)  # (1 + 3) / 2
    assert result.facility == approx([0.5, 0.5])  # still fractions of each item's marks
    # item 1 against rest 3,3,0,0: dx .5,−.5,.5,−.5; dy 1.5,1.5,−1.5,−1.5 → Σ = 0
    assert result.discrimination_index[0] == approx(0.0)


def test_scores_may_be_decimals_floats_ints_or_fractions():
    as_decimals = [[Decimal(str(v)) for v in row] for row in MIXED]
    as_fractions = [[Fraction(str(v)) for v in row] for row in MIXED]

    assert item_analysis(as_decimals) == item_analysis(MIXED) == item_analysis(as_fractions)


# --- Degenerate matrices --------------------------------------------------------------------


def test_one_attempt_has_facilities_and_nothing_that_needs_a_spread():
    result = item_analysis([[1, 0, Decimal("0.5")]])

    assert result.facility == [1.0, 0.0, 0.5]
    assert result.sd == [None, None, None]
    assert result.discrimination_index == [None, None, None]
    assert result.discriminative_efficiency == [None, None, None]
    assert result.cronbach_alpha is None
    assert result.standard_error is None
    assert (result.mean, result.median, result.sd_total) == (1.5, 1.5, None)


def test_no_attempts_gives_one_undefined_entry_per_item():
    result = item_analysis([], items=2)

    assert result.attempts == 0
    assert result.facility == [None, None]
    assert result.sd == [None, None]
    assert result.discrimination_index == [None, None]
    assert (result.mean, result.median, result.sd_total, result.cronbach_alpha) == (None,) * 4


@pytest.mark.parametrize("score", [0, 1])
def test_everyone_scoring_the_same_on_everything_leaves_discrimination_and_alpha_undefined(
    score,
):
    result = item_analysis([[score, score]] * 3)

    assert result.facility == [score, score]
    assert result.sd == [0.0, 0.0]
    assert result.discrimination_index == [None, None]
    assert result.discriminative_efficiency == [None, None]
    assert result.cronbach_alpha is None
    assert result.standard_error is None
    assert result.sd_total == 0.0


def test_an_item_everyone_got_right_is_undefined_while_the_others_are_not():
    result = item_analysis([[1, 1, 0], [1, 0, 0], [1, 1, 1], [1, 0, 1]])

    assert result.discrimination_index[0] is None
    assert result.discriminative_efficiency[0] is None
    assert result.discrimination_index[1] is not None
    assert result.cronbach_alpha is not None


def test_a_single_item_has_no_rest_of_the_test_and_no_alpha():
    result = item_analysis([[1], [0], [1]])

    assert result.facility == approx([2 / 3])
    assert result.discrimination_index == [None]
    assert result.discriminative_efficiency == [None]
    assert result.cronbach_alpha is None
    assert result.sd_total == approx(result.sd[0])


def test_totals_that_do_not_vary_leave_alpha_undefined():
    result = item_analysis([[1, 0], [0, 1], [1, 0], [0, 1]])  # every total is 1

    assert result.cronbach_alpha is None
    assert result.standard_error is None
    assert result.sd_total == 0.0


@pytest.mark.parametrize(
    ("scores", "kwargs"),
    [
        ([[1, 0], [1]], {}),  # ragged
        ([[1.5, 0]], {}),
        ([[Decimal("-0.1")]], {}),
        ([[math.nan]], {}),
        ([[math.inf]], {}),
        ([[Decimal("NaN")]], {}),
        ([["0.5"]], {}),  # a string is not a score
        ([[1, 0]], {"items": 3}),
        ([[1, 0]], {"weights": [1]}),
        ([[1, 0]], {"weights": [1, -1]}),
    ],
)
def test_a_malformed_matrix_is_a_callers_bug(scores, kwargs):
    with pytest.raises(ValueError):
        item_analysis(scores, **kwargs)


# --- Against numpy on larger matrices -------------------------------------------------------


def _numpy_reference(matrix, weights):
    """Every figure recomputed with numpy, straight from the definitions."""
    p = matrix.shape[1]
    marked = matrix * weights
    totals = marked.sum(axis=1)

    def defined(value):
        return None if not np.isfinite(value) else float(value)

    discrimination, efficiency = [], []
    for j in range(p):
        x, rest = matrix[:, j], totals - marked[:, j]
        if x.std() == 0 or rest.std() == 0:
            discrimination.append(None)
            efficiency.append(None)
            continue
        covariance = np.cov(x, rest, ddof=1)[0, 1]
        discrimination.append(defined(np.corrcoef(x, rest)[0, 1]))
        same_order = np.cov(np.sort(x), np.sort(rest), ddof=1)[0, 1]
        opposite = np.cov(np.sort(x), np.sort(rest)[::-1], ddof=1)[0, 1]
        efficiency.append(float(covariance / (same_order if covariance >= 0 else -opposite)))
    total_variance = totals.var(ddof=1)
    alpha = p / (p - 1) * (1 - marked.var(axis=0, ddof=1).sum() / total_variance)
    return {
        "facility": matrix.mean(axis=0).tolist(),
        "sd": matrix.std(axis=0, ddof=1).tolist(),
        "discrimination_index": discrimination,
        "discriminative_efficiency": efficiency,
        "cronbach_alpha": float(alpha),
        "standard_error": float(np.sqrt(total_variance * (1 - alpha))),
        "mean": float(totals.mean()),
        "median": float(np.median(totals)),
        "sd_total": float(totals.std(ddof=1)),
    }


def _assert_close(actual, expected):
    if isinstance(expected, list):
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected, strict=True):
            _assert_close(a, e)
    elif expected is None:
        assert actual is None
    else:
        assert actual == approx(expected, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("seed", range(8))
def test_large_random_matrices_match_numpy(seed):
    rng = np.random.default_rng(seed)
    n, p = int(rng.integers(30, 300)), int(rng.integers(2, 41))
    ability = rng.normal(size=(n, 1))
    difficulty = rng.normal(size=(1, p))
    right = rng.random((n, p)) < 1 / (1 + np.exp(difficulty - ability))
    matrix = right.astype(float)
    partial = rng.random((n, p)) < 0.2
    matrix[partial] = rng.choice([0.25, 0.5, 0.75], size=int(partial.sum()))
    matrix[:, 0] = 1.0  # an item everyone got right: undefined discrimination
    weights = rng.choice([1.0, 2.0, 0.5], size=p) if seed % 2 else np.ones(p)

    result = item_analysis(
        [[Decimal(str(v)) for v in row] for row in matrix],
        weights=[Decimal(str(w)) for w in weights],
    )

    for name, expected in _numpy_reference(matrix, weights).items():
        _assert_close(getattr(result, name), expected)


# --- Invariants (hypothesis) ----------------------------------------------------------------

scores = st.one_of(
    st.sampled_from([0, 1, Decimal("0.5"), Decimal("0.3333333"), Decimal("0.6666667")]),
    st.floats(min_value=0, max_value=1),
    st.fractions(min_value=0, max_value=1, max_denominator=12),
)


@st.composite
def matrices(draw, max_rows=12, max_items=6):
    n = draw(st.integers(0, max_rows))
    p = draw(st.integers(1, max_items))
    return [draw(st.lists(scores, min_size=p, max_size=p)) for _ in range(n)]


def _floats(result):
    for name in ("cronbach_alpha", "standard_error", "mean", "median", "sd_total"):
        yield getattr(result, name)
    for name in ("facility", "sd", "discrimination_index", "discriminative_efficiency"):
        yield from getattr(result, name)


@settings(max_examples=300, deadline=None)
@given(matrices())
def test_every_figure_is_in_its_range_and_never_nan_or_infinite(matrix):
    result = item_analysis(matrix, items=len(matrix[0]) if matrix else None)

    assert all(v is None or (isinstance(v, float) and math.isfinite(v)) for v in _floats(result))
    assert all(f is None or 0 <= f <= 1 for f in result.facility)
    assert all(s is None or s >= 0 for s in result.sd)
    for index, efficiency in zip(
        result.discrimination_index, result.discriminative_efficiency, strict=True
    ):
        assert (index is None) == (efficiency is None)
        if index is not None:
            assert -1 <= index <= 1
            assert -1 <= efficiency <= 1
            # the largest covariance the marginals allow is at most the product of the sds
            assert abs(efficiency) >= abs(index) - 1e-12
    assert result.cronbach_alpha is None or result.cronbach_alpha <= 1
    assert result.standard_error is None or result.standard_error >= 0
    if result.cronbach_alpha is not None and result.cronbach_alpha >= 0:
        assert result.standard_error <= result.sd_total * (1 + 1e-12)


@settings(max_examples=150, deadline=None)
@given(matrices(), st.data())
def test_the_order_of_attempts_changes_nothing(matrix, data):
    order = data.draw(st.permutations(range(len(matrix))))
    p = len(matrix[0]) if matrix else None

    assert item_analysis([matrix[i] for i in order], items=p) == item_analysis(matrix, items=p)


@settings(max_examples=150, deadline=None)
@given(matrices(max_rows=8))
def test_counting_every_attempt_twice_keeps_facility_and_discrimination(matrix):
    p = len(matrix[0]) if matrix else None
    once = item_analysis(matrix, items=p)
    twice = item_analysis(matrix + matrix, items=p)

    assert twice.facility == once.facility
    assert twice.mean == once.mean
    assert twice.median == once.median
    if len(matrix) >= 2:
        assert twice.discrimination_index == once.discrimination_index
        assert twice.discriminative_efficiency == once.discriminative_efficiency


@settings(max_examples=100, deadline=None)
@given(matrices(), st.data())
def test_reordering_items_reorders_the_item_figures(matrix, data):
    p = len(matrix[0]) if matrix else 1
    order = data.draw(st.permutations(range(p)))
    shuffled = item_analysis([[row[j] for j in order] for row in matrix], items=p)
    original = item_analysis(matrix, items=p)

    assert shuffled.facility == [original.facility[j] for j in order]
    assert shuffled.discrimination_index == [original.discrimination_index[j] for j in order]
    assert shuffled.cronbach_alpha == original.cronbach_alpha


# --- Score summaries ------------------------------------------------------------------------


def test_describe_summarises_values():
    summary = describe([Decimal(4), 1, 3.0, 2])

    # mean 2.5; median (2 + 3) / 2; Σ d² = 2.25 + .25 + .25 + 2.25 = 5 → sd √(5/3)
    assert summary.count == 4
    assert summary.mean == 2.5
    assert summary.median == 2.5
    assert summary.sd == approx(math.sqrt(5 / 3))
    assert (summary.minimum, summary.maximum) == (1.0, 4.0)


def test_describe_with_one_value_or_none():
    assert describe([Decimal("72.5")]) == statistics.Summary(
        count=1, mean=72.5, median=72.5, sd=None, minimum=72.5, maximum=72.5
    )
    assert describe([]) == statistics.Summary(
        count=0, mean=None, median=None, sd=None, minimum=None, maximum=None
    )


def test_histogram_bins_are_closed_below_and_the_last_is_closed_above():
    result = histogram([0, Decimal("9.99"), 10, 70, Decimal("99.9"), 100, 100], bins=10)

    assert result.edges == [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    # 70 lands in 70–80 exactly (0.7 · 10 is 6.999… in floating point)
    assert result.counts == [2, 1, 0, 0, 0, 0, 0, 1, 0, 3]


@given(st.lists(st.decimals(min_value=0, max_value=100, places=2), max_size=50))
def test_histogram_counts_every_value_once(values):
    assert sum(histogram(values, bins=10, low=0, high=100).counts) == len(values)


@pytest.mark.parametrize(
    ("values", "kwargs"),
    [([101], {}), ([-1], {}), ([50], {"bins": 0}), ([50], {"low": 100, "high": 0})],
)
def test_histogram_rejects_values_or_bins_that_cannot_be(values, kwargs):
    with pytest.raises(ValueError):
        histogram(values, **kwargs)


def test_pass_rate_counts_exact_percentages_reaching_the_mark():
    percents = [Decimal("49.6"), Decimal(50), Decimal(80), Decimal(10)]

    assert pass_rate(percents, Decimal(50)) == 0.5  # 49.6 is not a pass, though shown as 50
    assert pass_rate(percents, None) is None
    assert pass_rate([], Decimal(50)) is None


# --- Thirds, response tables and advice -----------------------------------------------------


def test_split_thirds_takes_the_lowest_and_highest_third_by_total():
    thirds = split_thirds([5, 1, 3, 4, 2, 6, 0])  # 7 attempts: thirds of 2

    assert thirds == Thirds(bottom=[1, 6], top=[0, 5])


def test_split_thirds_breaks_ties_by_row_order_and_needs_three_attempts():
    assert split_thirds([Decimal(1)] * 3) == Thirds(bottom=[0], top=[2])
    assert split_thirds([1, 2]) == Thirds(bottom=[], top=[])


def test_response_table_counts_options_overall_and_per_third():
    answers = [{"A"}, {"B"}, {"B"}, {"C"}, set(), {"A"}]  # totals order decided by thirds
    thirds = Thirds(bottom=[3, 4], top=[1, 2])

    table = response_table(answers, keys={"A"}, thirds=thirds, options=["A", "B", "C", "D"])

    assert [row.label for row in table.rows] == ["A", "B", "C", "D"]
    a, b, c, d = table.rows
    assert (a.is_key, a.count, a.top_count, a.bottom_count) == (True, 2, 0, 0)
    assert (b.count, b.top_count, b.share, b.top_share) == (2, 2, 2 / 6, 1.0)
    assert (c.bottom_count, c.bottom_share) == (1, 0.5)
    assert (d.count, d.share) == (0, 0.0)
    assert (table.attempts, table.top_size, table.bottom_size) == (6, 2, 2)


def test_response_table_lists_the_most_frequent_typed_answers_first():
    answers = [["paris"], ["pariss"], ["pariss"], ["lyon"], ["paris"], ["pariss"], []]

    table = response_table(answers, keys={"paris"}, thirds=Thirds(bottom=[], top=[]), limit=2)

    assert [(row.label, row.count) for row in table.rows] == [("pariss", 3), ("paris", 2)]
    assert table.rows[0].top_share is None  # no thirds below three attempts


def test_response_table_refuses_thirds_from_another_matrix():
    with pytest.raises(ValueError):
        response_table([{"A"}], keys={"A"}, thirds=Thirds(bottom=[0], top=[5]))


def _codes(advice):
    return [a.code for a in advice]


def test_advice_for_a_question_almost_everyone_got_right():
    advice = item_advice(attempts=30, facility=0.95, discrimination_index=0.1)

    assert _codes(advice) == ["almost_all_right"]  # weak discrimination is expected then
    assert advice[0].text() == "Almost everyone got this right."


def test_advice_for_a_question_very_few_got_right():
    advice = item_advice(attempts=30, facility=0.15, discrimination_index=0.4)

    assert _codes(advice) == ["very_few_right"]
    assert "check the key" in advice[0].text()


def test_advice_for_negative_and_weak_discrimination():
    negative = item_advice(attempts=30, facility=0.6, discrimination_index=-0.2)
    weak = item_advice(attempts=30, facility=0.6, discrimination_index=0.25)
    good = item_advice(attempts=30, facility=0.6, discrimination_index=0.3)

    assert _codes(negative) == ["negative_discrimination"]
    assert "ambiguous" in negative[0].text()
    assert _codes(weak) == ["weak_discrimination"]
    assert good == []


def test_no_discrimination_advice_from_too_few_attempts():
    few = item_advice(attempts=9, facility=0.95, discrimination_index=-0.9)

    assert _codes(few) == ["almost_all_right"]


def test_no_advice_without_figures():
    assert item_advice(attempts=0, facility=None, discrimination_index=None) == []


def _table(rows, top_size=10):
    return statistics.ResponseTable(
        attempts=30,
        top_size=top_size,
        bottom_size=top_size,
        rows=[
            statistics.ResponseRow(
                label=label,
                is_key=is_key,
                count=top,
                top_count=top,
                bottom_count=0,
                share=None,
                top_share=top / top_size,
                bottom_share=0.0,
            )
            for label, is_key, top in rows
        ],
    )


def test_advice_when_strong_students_prefer_another_option_to_the_key():
    responses = _table([("A", True, 3), ("B", False, 6), ("C", False, 1)])

    advice = item_advice(attempts=30, facility=0.4, discrimination_index=-0.1, responses=responses)

    assert _codes(advice) == ["negative_discrimination", "strong_chose_other"]
    assert advice[1].params == {"option": "B"}
    assert advice[1].text() == "Strong students chose B more often than the key: check the key."


def test_one_strong_student_choosing_another_option_is_no_signal():
    responses = _table([("A", True, 0), ("B", False, 1)], top_size=3)

    advice = item_advice(attempts=10, facility=0.5, discrimination_index=0.5, responses=responses)

    assert advice == []


def test_advice_on_a_typed_answer_many_strong_students_gave():
    responses = _table([("paris", True, 6), ("pariss", False, 3), ("lyon", False, 1)])

    advice = item_advice(
        attempts=30, facility=0.6, discrimination_index=0.5, responses=responses, typed=True
    )

    assert _codes(advice) == ["strong_typed_wrong"]
    assert "“pariss”" in advice[0].text()


def test_advice_text_is_translated_before_the_parameters_are_filled_in():
    advice = Advice("strong_chose_other", "Strong students chose %(option)s.", {"option": "B"})
    translations = {"Strong students chose %(option)s.": "Сильные ученики выбрали %(option)s."}

    assert advice.text(translations.__getitem__) == "Сильные ученики выбрали B."

"""Item analysis and score summaries for the assignment report, free of Django.

Definitions follow Moodle's quiz statistics (classical test theory), read from
moodle/moodle ``question/classes/statistics/questions/calculator.php`` (per question) and
``mod/quiz/report/statistics/classes/calculator.php`` (per test):

* facility = mean item score (a fraction of the item's marks);
* discrimination index = Pearson correlation of the item score with the rest of the test
  (the total minus that item);
* discriminative efficiency = the item-rest covariance divided by the largest covariance the
  two marginal distributions allow (both sorted in the same order); a negative covariance is
  divided by the most negative one they allow (sorted in opposite orders), where Moodle
  divides by the largest positive one and can fall below −100 % (see `_efficiency`);
* Cronbach's alpha (Moodle's "coefficient of internal consistency") =
  p/(p−1) · (1 − Σ item variances / variance of the totals);
* standard error of measurement = sd of the totals · √(1 − alpha).

Contracts:

* Sample (n−1) variances and standard deviations throughout, as Moodle.
* Results are plain floats, fractions rather than percentages. What is undefined (no or one
  attempt, a question everyone scored the same on, totals that do not vary, fewer than two
  questions) is ``None``: never NaN, never an infinity, never an exception.
* Input is trusted to be well formed: ragged rows, a value outside [0, 1] or not a number is a
  caller's bug and raises ``ValueError``.
* Arithmetic is exact (the scores become integers over a common denominator) until the last
  step, so "zero variance" is decided exactly and a rounding error can neither turn an
  undefined figure into noise nor push a correlation past 1.

Advice for teachers (`item_advice`) is returned as codes with English messages marked for
translation (`gettext_noop`, which ``makemessages`` extracts) and parameters; the Django side
shows ``advice.text(gettext)``, so this module stays free of Django.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from . import grading

Number = Decimal | float | int | Fraction

# Thresholds of the advice (fractions).
# The Open University's bands, behind Moodle's report (open.edu "Moodle Quiz (iCMA) reports",
# 4.2 Question statistics): a facility of 90-94 % is "very easy", 95-100 % "extremely easy";
# 11-20 % "difficult", 5 % or less "extremely difficult or something wrong with the question".
EASY_FACILITY = 0.9
HARD_FACILITY = 0.2
# Moodle's question bank says a question "very likely" needs checking below a discrimination
# index of 30 % (moodle/moodle question/bank/statistics/classes/helper.php,
# NEED_FOR_REVISION_LOWER_THRESHOLD). Discriminative efficiency is at least the index in size,
# so Moodle's "dubious" mark (efficiency below 15 %, mod/quiz/report/statistics/
# statistics_table.php is_dubious_question) is inside this rule.
WEAK_DISCRIMINATION = 0.3
# Our own judgment, not Moodle's: below ten attempts one student moves a correlation by
# several tenths, so advice about discrimination or about the top third would be noise.
MIN_ATTEMPTS_TO_JUDGE = 10
# Advice about a wrong answer needs at least two strong students giving it (one is an
# accident), and for a typed answer at least a quarter of the top third.
MIN_STRONG = 2
STRONG_TYPED_SHARE_DENOMINATOR = 4


def gettext_noop(message: str) -> str:
    """Mark *message* for translation without translating it (``makemessages`` finds it)."""
    return message


@dataclass(frozen=True)
class ItemAnalysis:
    """The figures of one set of attempts; per-item lists are in the matrix's column order.

    ``mean``, ``median``, ``sd_total`` and ``standard_error`` are in the unit of the totals:
    a sum of fractions, or of marks when `item_analysis` was given weights.
    """

    attempts: int
    items: int
    facility: list[float | None]
    sd: list[float | None]
    discrimination_index: list[float | None]
    discriminative_efficiency: list[float | None]
    cronbach_alpha: float | None
    standard_error: float | None
    mean: float | None
    median: float | None
    sd_total: float | None


def item_analysis(
    scores: Sequence[Sequence[Number]],
    *,
    items: int | None = None,
    weights: Sequence[Number] | None = None,
) -> ItemAnalysis:
    """Analyse a matrix of item scores: one row per attempt, one fraction in [0, 1] per item.

    *items* gives the number of items when there may be no rows (an empty matrix otherwise has
    none); with rows it must match their length. *weights* (each ≥ 0, default 1) are the
    items' marks: the total of a row is Σ weight·score, as Moodle weights questions by their
    maximum mark; facility and the item's sd stay fractions of the item's marks.
    """
    rows = [[_integer_ratio(value) for value in row] for row in scores]
    n = len(rows)
    p = len(rows[0]) if rows else (items or 0)
    if items is not None and items != p:
        raise ValueError(f"expected {items} items per row, the first row has {p}")
    if any(len(row) != p for row in rows):
        raise ValueError("ragged matrix: every row needs one score per item")
    if any(not 0 <= top <= bottom for row in rows for top, bottom in row):
        raise ValueError("an item score is outside [0, 1]")
    marks = [(1, 1)] * p if weights is None else [_integer_ratio(w) for w in weights]
    if len(marks) != p or any(top < 0 for top, _ in marks):
        raise ValueError("weights need one mark >= 0 per item")

    # Integers over one common denominator: every sum below is exact, so a variance is 0
    # exactly when the values do not vary. (Integers rather than Fractions: a class of 300 with
    # 40 questions takes some 40 ms instead of half a second.) Scores count in units of
    # 1/score_denominator, marked scores and totals in units of 1/denominator.
    score_denominator = math.lcm(*{bottom for row in rows for _, bottom in row})
    mark_denominator = math.lcm(*{bottom for _, bottom in marks})
    denominator = score_denominator * mark_denominator
    base = [[top * (score_denominator // bottom) for top, bottom in row] for row in rows]
    mark_factors = [top * (mark_denominator // bottom) for top, bottom in marks]
    weighted = [
        [value * factor for value, factor in zip(row, mark_factors, strict=True)] for row in base
    ]
    totals = [sum(row) for row in weighted]

    facility: list[float | None] = []
    sd: list[float | None] = []
    discrimination: list[float | None] = []
    efficiency: list[float | None] = []
    for j in range(p):
        column = [row[j] for row in base]
        rest = [total - row[j] for total, row in zip(totals, weighted, strict=True)]
        facility.append(_ratio(sum(column), n * score_denominator) if n else None)
        sd.append(_sd(column, score_denominator))
        discrimination.append(_correlation(column, rest))
        efficiency.append(_efficiency(column, rest))

    summary = _summary(totals, denominator)
    alpha, standard_error = _reliability(weighted, totals, denominator)
    return ItemAnalysis(
        attempts=n,
        items=p,
        facility=facility,
        sd=sd,
        discrimination_index=discrimination,
        discriminative_efficiency=efficiency,
        cronbach_alpha=alpha,
        standard_error=standard_error,
        mean=summary.mean,
        median=summary.median,
        sd_total=summary.sd,
    )


def _fraction(value: Number) -> Fraction:
    """*value* as an exact fraction; a non-number, NaN or an infinity is a caller's bug."""
    if not isinstance(value, int | float | Decimal | Fraction):
        raise ValueError(f"not a number: {value!r}")
    try:
        return Fraction(value)
    except (ValueError, OverflowError) as error:
        raise ValueError(f"not a finite number: {value!r}") from error


def _integer_ratio(value: Number) -> tuple[int, int]:
    """*value* as (numerator, positive denominator), exactly; see `_fraction`."""
    return _fraction(value).as_integer_ratio()


def _ratio(numerator: int | Fraction, denominator: int | Fraction) -> float | None:
    """numerator / denominator as a float (correctly rounded); None if it does not fit one."""
    try:
        return float(Fraction(numerator) / Fraction(denominator))
    except (OverflowError, ZeroDivisionError):
        return None


def _spread(values: Sequence[int]) -> int:
    """n·Σx² − (Σx)²: n·(n−1) times the sample variance, exact and never negative."""
    return len(values) * sum(v * v for v in values) - sum(values) ** 2


def _sd(values: Sequence[int], denominator: int) -> float | None:
    """Sample standard deviation of values/denominator (None below two values)."""
    n = len(values)
    if n < 2:
        return None
    variance = _ratio(_spread(values), n * (n - 1) * denominator**2)
    return None if variance is None else math.sqrt(variance)


def _co_spread(xs: Sequence[int], ys: Sequence[int]) -> int:
    """n·Σxy − Σx·Σy: n·(n−1) times the sample covariance, exact."""
    return len(xs) * sum(x * y for x, y in zip(xs, ys, strict=True)) - sum(xs) * sum(ys)


def _correlation(xs: Sequence[int], ys: Sequence[int]) -> float | None:
    """Pearson's r; None when either side does not vary (or below two values)."""
    spread_x, spread_y = _spread(xs), _spread(ys)
    if len(xs) < 2 or not spread_x or not spread_y:
        return None
    co_spread = _co_spread(xs, ys)
    # r² as one correctly rounded ratio of exact integers: it cannot exceed 1 (Cauchy-Schwarz
    # holds exactly), so neither can r, and huge integers never overflow a float product.
    r_squared = _ratio(co_spread * co_spread, spread_x * spread_y)
    if r_squared is None:
        return None
    return math.sqrt(r_squared) if co_spread >= 0 else -math.sqrt(r_squared)


def _efficiency(xs: Sequence[int], ys: Sequence[int]) -> float | None:
    """The covariance over the largest the two distributions allow in its direction.

    Moodle divides by the covariance of both sorted the same way (the largest possible) for
    every sign, which lets a negative efficiency fall below −100 % (item [0, 0, 1] against
    rest [1, 1, 0]: −2 / 1). A negative covariance is divided here by the most negative one
    (one sorted up, the other down), so the figure stays in [−1, 1] and reads the same way
    in both directions; a positive one is Moodle's figure exactly.
    """
    if len(xs) < 2:
        return None
    co_spread = _co_spread(xs, ys)
    xs_sorted, ys_sorted = sorted(xs), sorted(ys)
    largest = _co_spread(xs_sorted, ys_sorted)
    if not largest:  # one side does not vary (Moodle: undefined)
        return None
    if co_spread >= 0:
        return _ratio(co_spread, largest)
    most_negative = _co_spread(xs_sorted, ys_sorted[::-1])
    return _ratio(co_spread, -most_negative)


def _reliability(
    weighted: Sequence[Sequence[int]], totals: Sequence[int], denominator: int
) -> tuple[float | None, float | None]:
    """Cronbach's alpha and the standard error of measurement (both None if undefined)."""
    n, p = len(totals), len(weighted[0]) if weighted else 0
    total_spread = _spread(totals)
    if n < 2 or p < 2 or not total_spread:
        return None, None
    item_spread = sum(_spread([row[j] for row in weighted]) for j in range(p))
    # Exact: alpha <= 1 because the totals' variance is at most p times the items' sum.
    alpha = Fraction(p, p - 1) * (1 - Fraction(item_spread, total_spread))
    error_variance = Fraction(total_spread, n * (n - 1) * denominator**2) * (1 - alpha)
    alpha_float = _ratio(alpha, 1)
    error_float = _ratio(error_variance, 1)
    if alpha_float is None or error_float is None:
        return None, None
    return alpha_float, math.sqrt(error_float)


def _summary(values: Sequence[int], denominator: int) -> Summary:
    """Summary of values/denominator, computed on the exact integers."""
    n = len(values)
    if not n:
        return Summary(count=0, mean=None, median=None, sd=None, minimum=None, maximum=None)
    ordered = sorted(values)
    middle = n // 2
    median = (
        Fraction(ordered[middle]) if n % 2 else Fraction(ordered[middle - 1] + ordered[middle], 2)
    )
    return Summary(
        count=n,
        mean=_ratio(sum(values), n * denominator),
        median=_ratio(median, denominator),
        sd=_sd(values, denominator),
        minimum=_ratio(ordered[0], denominator),
        maximum=_ratio(ordered[-1], denominator),
    )


@dataclass(frozen=True)
class Summary:
    """Count, mean, median, sample sd, minimum and maximum of some values (None if undefined)."""

    count: int
    mean: float | None
    median: float | None
    sd: float | None
    minimum: float | None
    maximum: float | None


def describe(values: Sequence[Number]) -> Summary:
    """Summarise *values* (e.g. attempts' percentages): sd needs two values, the rest one."""
    fractions = [_fraction(value) for value in values]
    denominator = math.lcm(*{f.denominator for f in fractions})
    return _summary([int(f * denominator) for f in fractions], denominator)


@dataclass(frozen=True)
class Histogram:
    """Counts per bin; ``edges`` has one more entry than ``counts``.

    Bin i holds ``edges[i] <= value < edges[i + 1]``; the last bin also holds its upper edge.
    """

    edges: list[float]
    counts: list[int]


def histogram(
    values: Sequence[Number], *, bins: int = 10, low: Number = 0, high: Number = 100
) -> Histogram:
    """Count *values* into *bins* equal bins over [low, high] (decided exactly: 70 % is in
    70–80, not 60–70). A value outside [low, high] raises ``ValueError``."""
    if bins < 1:
        raise ValueError("a histogram needs at least one bin")
    start, stop = _fraction(low), _fraction(high)
    if start >= stop:
        raise ValueError("low must be below high")
    width = (stop - start) / bins
    counts = [0] * bins
    for value in values:
        exact = _fraction(value)
        if not start <= exact <= stop:
            raise ValueError(f"{value!r} is outside [{low}, {high}]")
        counts[min(math.floor((exact - start) / width), bins - 1)] += 1
    return Histogram(edges=[float(start + width * i) for i in range(bins + 1)], counts=counts)


def pass_rate(percents: Sequence[Decimal], pass_mark: Decimal | None) -> float | None:
    """Share of *percents* reaching *pass_mark* (the rule of `grading.passes`).

    None without a pass mark or without values.
    """
    if pass_mark is None or not percents:
        return None
    passed = [p for p in percents if grading.passes(percent=p, pass_mark=pass_mark)]
    return len(passed) / len(percents)


@dataclass(frozen=True)
class Thirds:
    """Row indexes of the attempts in the bottom and top thirds by total (each n // 3 rows)."""

    bottom: list[int]
    top: list[int]


def split_thirds(totals: Sequence[Number]) -> Thirds:
    """Split attempts into bottom and top thirds by total, for the response tables.

    Each third has ``len(totals) // 3`` attempts (none below three attempts); equal totals at a
    boundary are split by row order, so pass rows in a stable order (e.g. by attempt id).
    """
    exact = [_fraction(total) for total in totals]
    order = sorted(range(len(exact)), key=lambda i: (exact[i], i))
    size = len(order) // 3
    return Thirds(bottom=sorted(order[:size]), top=sorted(order[len(order) - size :]))


@dataclass(frozen=True)
class ResponseRow:
    """One option (or one typed answer): how many gave it overall and in each third."""

    label: str
    is_key: bool
    count: int
    top_count: int
    bottom_count: int
    share: float | None
    top_share: float | None
    bottom_share: float | None


@dataclass(frozen=True)
class ResponseTable:
    """Who gave which answer to one question; shares are of all attempts / of each third."""

    attempts: int
    top_size: int
    bottom_size: int
    rows: list[ResponseRow]


def response_table(
    answers: Sequence[Collection[str]],
    *,
    keys: Collection[str],
    thirds: Thirds,
    options: Sequence[str] = (),
    limit: int | None = None,
) -> ResponseTable:
    """Count the answers given to one question.

    *answers* has one entry per attempt, in the rows' order of the matrix *thirds* was split
    from: the labels that attempt chose (several for multiple response; empty when
    unanswered), or its typed answer (normalised by the caller). *keys* are the labels that
    earn full marks. Rows list *options* first in their given order (even those nobody chose),
    then any other label by count, most frequent first (ties by label); *limit* keeps that many
    of those other rows (e.g. the five most frequent typed answers).
    """
    keys = set(keys)
    top, bottom = set(thirds.top), set(thirds.bottom)
    if any(i >= len(answers) or i < 0 for i in top | bottom):
        raise ValueError("the thirds name a row that is not among the answers")
    counts: Counter[str] = Counter()
    top_counts: Counter[str] = Counter()
    bottom_counts: Counter[str] = Counter()
    for index, given in enumerate(answers):
        labels = set(given)
        counts.update(labels)
        if index in top:
            top_counts.update(labels)
        if index in bottom:
            bottom_counts.update(labels)
    others = sorted(
        (label for label in counts if label not in options),
        key=lambda label: (-counts[label], label),
    )
    if limit is not None:
        others = others[:limit]

    def share(count: int, size: int) -> float | None:
        return count / size if size else None

    rows = [
        ResponseRow(
            label=label,
            is_key=label in keys,
            count=counts[label],
            top_count=top_counts[label],
            bottom_count=bottom_counts[label],
            share=share(counts[label], len(answers)),
            top_share=share(top_counts[label], len(top)),
            bottom_share=share(bottom_counts[label], len(bottom)),
        )
        for label in [*dict.fromkeys(options), *others]
    ]
    return ResponseTable(
        attempts=len(answers), top_size=len(top), bottom_size=len(bottom), rows=rows
    )


@dataclass(frozen=True)
class Advice:
    """One piece of advice: a stable ``code``, an English ``message`` to translate, parameters."""

    code: str
    message: str
    params: Mapping[str, str] = field(default_factory=dict)

    def text(self, translate: Callable[[str], str] = lambda message: message) -> str:
        """The message translated by *translate* (Django's ``gettext``), parameters filled in."""
        return translate(self.message) % self.params


def item_advice(
    *,
    attempts: int,
    facility: float | None,
    discrimination_index: float | None,
    responses: ResponseTable | None = None,
    typed: bool = False,
) -> list[Advice]:
    """Plain-language advice on one question for a teacher who is not a statistician.

    *responses* (from `response_table`) enables the advice that needs the top and bottom
    thirds; *typed* says its rows are typed answers rather than options. Codes, in order:

    * ``almost_all_right``: facility ≥ 90 %; ``very_few_right``: facility ≤ 20 %;
    * from `MIN_ATTEMPTS_TO_JUDGE` attempts on: ``negative_discrimination`` (index < 0), or
      ``weak_discrimination`` (index < 30 %, unless the facility already explains it: an
      item nearly everyone or nearly no one got right cannot discriminate much);
    * with *responses*: ``strong_chose_other`` (param ``option``): a wrong option chosen by
      more of the top third than any keyed option (by two students at least);
      ``strong_typed_wrong`` (param ``answer``): a typed answer without full marks given by
      at least a quarter of the top third (two students at least).
    """
    advice: list[Advice] = []
    extreme = False
    if facility is not None and facility >= EASY_FACILITY:
        extreme = True
        advice.append(Advice("almost_all_right", gettext_noop("Almost everyone got this right.")))
    if facility is not None and facility <= HARD_FACILITY:
        extreme = True
        advice.append(
            Advice(
                "very_few_right",
                gettext_noop("Very few got this right: check the key or the wording."),
            )
        )
    if attempts < MIN_ATTEMPTS_TO_JUDGE or discrimination_index is None:
        return advice
    if discrimination_index < 0:
        advice.append(
            Advice(
                "negative_discrimination",
                gettext_noop(
                    "Negative discrimination: strong students did worse on this than weak "
                    "ones. The question may be ambiguous or the key wrong."
                ),
            )
        )
    elif discrimination_index < WEAK_DISCRIMINATION and not extreme:
        advice.append(
            Advice(
                "weak_discrimination",
                gettext_noop(
                    "Weak discrimination: strong and weak students did about as well on this, "
                    "so it tells little about who has learned the topic."
                ),
            )
        )
    if responses is not None:
        advice.extend(_response_advice(responses, typed=typed))
    return advice


def _response_advice(responses: ResponseTable, *, typed: bool) -> list[Advice]:
    """Advice from who gave which answer among the top third."""
    if not responses.top_size:
        return []
    wrong = [row for row in responses.rows if not row.is_key and row.top_count >= MIN_STRONG]
    if typed:
        return [
            Advice(
                "strong_typed_wrong",
                gettext_noop(
                    "Several strong students answered “%(answer)s”, which did not get full "
                    "marks: is it an answer you meant to accept?"
                ),
                {"answer": row.label},
            )
            for row in wrong
            if row.top_count * STRONG_TYPED_SHARE_DENOMINATOR >= responses.top_size
        ]
    keyed = [row.top_count for row in responses.rows if row.is_key]
    if not keyed:
        return []
    return [
        Advice(
            "strong_chose_other",
            gettext_noop(
                "Strong students chose %(option)s more often than the key: check the key."
            ),
            {"option": row.label},
        )
        for row in wrong
        if row.top_count > max(keyed)
    ]

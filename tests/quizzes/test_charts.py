"""The report's SVG charts: well-formed, named for screen readers, escaped, self-contained."""

import xml.etree.ElementTree as ET

import pytest

from quizzes.charts import bars_svg, histogram_svg

SVG = "{http://www.w3.org/2000/svg}"
EDGES = [str(10 * i) for i in range(11)]


def _histogram(**kwargs):
    arguments = {
        "counts": [0, 1, 2, 3, 5, 8, 6, 4, 2, 1],
        "edges": EDGES,
        "title": "Score distribution",
        "description": "Attempts per band of 10 %",
        "x_label": "Score (%)",
    }
    return histogram_svg(**(arguments | kwargs))


def _bars(**kwargs):
    arguments = {
        "labels": ["Q1", "Q2", "Q3"],
        "values": [0.95, None, 0.5],
        "title": "Facility per question",
        "description": "Share of the marks each question earned",
    }
    return bars_svg(**(arguments | kwargs))


def _parse(svg):
    return ET.fromstring(svg)  # noqa: S314 - the charts' own output, parsed to check it


def _texts(root):
    return [element.text for element in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("render", [_histogram, _bars])
def test_a_chart_is_one_image_named_by_its_title_and_described_by_its_desc(render):
    root = _parse(render())

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    assert title.text in {"Score distribution", "Facility per question"}
    assert desc.text
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.get("width") is None  # scales with its container, down to a phone


def test_histogram_shows_every_count_and_every_edge():
    root = _parse(_histogram())

    texts = _texts(root)
    for count in ["0", "1", "2", "3", "5", "8", "6", "4"]:
        assert count in texts
    for edge in EDGES:
        assert edge in texts
    assert "Score (%)" in texts
    assert len(root.findall(f"{SVG}rect")) == 10


def test_histogram_bars_are_as_tall_as_their_counts():
    root = _parse(_histogram(counts=[2, 4], edges=["0", "50", "100"]))

    low, high = (float(rect.get("height")) for rect in root.iter(f"{SVG}rect"))
    assert high == pytest.approx(2 * low)


def test_an_empty_histogram_draws_flat_bars():
    root = _parse(_histogram(counts=[0, 0], edges=["0", "50", "100"]))

    assert [float(rect.get("height")) for rect in root.iter(f"{SVG}rect")] == [0, 0]


def test_bars_show_each_label_and_value_and_no_bar_for_an_undefined_value():
    root = _parse(_bars())

    texts = _texts(root)
    assert texts == ["Q1", "95%", "Q2", "–", "Q3", "50%"]
    assert len(root.findall(f"{SVG}rect")) == 2


def test_bars_use_the_callers_formatted_value_labels():
    root = _parse(_bars(value_labels=["95 %", "n/a", "50 %"]))

    assert "95 %" in _texts(root)
    assert "n/a" in _texts(root)


def test_bars_draw_a_dashed_reference_line_with_its_label():
    root = _parse(_bars(marker=0.3, marker_label="Weak below 30 %"))

    dashed = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")]
    assert len(dashed) == 1
    assert "Weak below 30 %" in _texts(root)


def test_negative_values_grow_left_of_the_zero_line():
    root = _parse(_bars(values=[0.5, -0.5, 0], min_value=-1))

    positive, negative, _ = root.iter(f"{SVG}rect")
    zero = float(positive.get("x"))
    assert float(negative.get("x")) + float(negative.get("width")) == pytest.approx(zero)
    assert float(negative.get("width")) == pytest.approx(float(positive.get("width")))


def test_values_beyond_the_axis_stop_at_its_edge_but_keep_their_label():
    root = _parse(_bars(values=[1.5, 1, 0]))

    over, full = list(root.iter(f"{SVG}rect"))[:2]
    assert over.get("width") == full.get("width")
    assert "150%" in _texts(root)


def test_every_text_is_escaped_and_stays_text():
    hostile = '<script>alert("x")</script> & "quotes"'

    chart = bars_svg(
        [hostile],
        [0.5],
        title=hostile,
        description=hostile,
        marker=0.5,
        marker_label=hostile,
    )
    histogram = histogram_svg([1], [hostile, "100"], title=hostile, description=hostile)

    for svg in (chart, histogram):
        root = _parse(svg)
        assert not list(root.iter(f"{SVG}script"))
        assert "<script>" not in svg
        assert root.find(f"{SVG}title").text == hostile
        assert root.find(f"{SVG}desc").text == hostile
    assert _texts(_parse(chart))[0] == hostile[:13] + "…"  # cut, still plain text


@pytest.mark.parametrize("render", [_histogram, _bars])
def test_a_chart_refers_to_nothing_outside_itself(render):
    svg = render(marker=0.5) if render is _bars else render()
    root = _parse(svg)

    for element in root.iter():
        assert element.tag.removeprefix(SVG) not in {"script", "image", "use", "foreignObject"}
        for name, value in element.attrib.items():
            assert "href" not in name
            assert "url(" not in value
            assert "http" not in value
    assert svg.count("http") == 1  # the xmlns declaration only


def test_two_charts_on_a_page_have_distinct_ids():
    first = _parse(_bars(id_prefix="facility"))
    second = _parse(_bars(id_prefix="discrimination"))

    assert first.get("aria-labelledby") != second.get("aria-labelledby")
    assert first.find(f"{SVG}title").get("id") == "facility-title"


def test_long_labels_are_shortened_on_the_chart():
    root = _parse(_bars(labels=["A very long question name indeed", "Q2", "Q3"]))

    assert _texts(root)[0] == "A very long q…"


@pytest.mark.parametrize(
    "call",
    [
        lambda: histogram_svg([1, 2], ["0", "100"], title="t", description="d"),
        lambda: histogram_svg([-1], ["0", "100"], title="t", description="d"),
        lambda: bars_svg(["Q1"], [0.5, 0.2], title="t", description="d"),
        lambda: bars_svg(["Q1"], [0.5], title="t", description="d", value_labels=[]),
        lambda: bars_svg(["Q1"], [0.5], title="t", description="d", min_value=1),
        lambda: bars_svg(["Q1"], [0.5], title="t", description="d", id_prefix='x" onload="'),
    ],
)
def test_mismatched_input_is_a_callers_bug(call):
    with pytest.raises(ValueError):
        call()

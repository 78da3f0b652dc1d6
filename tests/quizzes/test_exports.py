"""The gradebook exports, read back as a spreadsheet would: CSV with the csv module (BOM,
accents, formula injection neutralised) and .xlsx with openpyxl."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from quizzes import exports, results
from quizzes.models import Enrollment
from tests.factories import StudentFactory
from tests.quizzes.results_data import class_with_results

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"]
# A full name is stripped, so a tab or carriage return cannot lead one: those two are checked
# on a table directly.
HOSTILE_NAMES = HOSTILE[:4]


@pytest.fixture
def data(teacher):
    data = class_with_results(teacher=teacher, students=4)
    Enrollment.objects.create(
        school_class=data.school_class,
        student=StudentFactory(username="aliya", first_name="Әлия", last_name="Жұмабаева"),
    )
    Enrollment.objects.create(
        school_class=data.school_class,
        student=StudentFactory(username="jose", first_name="José", last_name="Núñez"),
    )
    for n, name in enumerate(HOSTILE_NAMES):
        Enrollment.objects.create(
            school_class=data.school_class,
            student=StudentFactory(username=f"evil{n}", first_name=name, last_name=""),
        )
    return data


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the byte-order mark spreadsheets look for
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("value", HOSTILE)
def test_a_cell_that_could_start_a_formula_is_neutralised(value):
    assert exports.neutralise(value) == "'" + value


def test_every_text_cell_of_a_table_is_neutralised_and_numbers_kept():
    table = [["name", "grade"], *([value, Decimal("12.5")] for value in HOSTILE)]

    csv_rows = read_csv(exports.table_csv(table))
    sheet = openpyxl.load_workbook(io.BytesIO(exports.table_xlsx(table, title="T"))).active

    assert [row[0] for row in csv_rows[1:]] == ["'" + value for value in HOSTILE]
    # XML stores a carriage return as a line feed; what matters is the leading apostrophe.
    assert [row[0].value.replace("\n", "\r") for row in sheet.iter_rows(min_row=2)] == [
        "'" + v for v in HOSTILE
    ]
    assert [row[1].value for row in sheet.iter_rows(min_row=2)] == [12.5] * len(HOSTILE)


@pytest.mark.parametrize("value", ["Aigerim", "'quoted", "", "50 %", "a=b"])
def test_an_ordinary_cell_is_left_alone(value):
    assert exports.neutralise(value) == value


def test_csv_reads_back_with_accents_grades_states_and_averages(data):
    book = results.gradebook(data.school_class, now=data.now)

    rows = read_csv(exports.gradebook_csv(book))

    header, *students, averages = rows
    assert header[:2] == ["Student", "Username"]
    assert header[-1] == "Average %"
    assert len(header) == 2 + 2 + 1
    by_username = {row[1]: row for row in students}
    assert by_username["aliya"][0] == "Әлия Жұмабаева"
    assert by_username["jose"][0] == "José Núñez"
    assert by_username["s000"][2:] == ["Missed", "Not started", "0.0"]
    assert by_username["s001"][2] == "Excused"
    assert by_username["s002"][2] == "100.0"  # highest of 33 % and 100 %
    assert by_username["s003"][2:4] == ["66.7", "66.7"]
    assert averages[0] == "Class average"
    assert Decimal(averages[2]) == Decimal(book.column_averages[0]).quantize(Decimal("0.1"))


def test_csv_neutralises_every_formula_in_names(data):
    rows = read_csv(exports.gradebook_csv(results.gradebook(data.school_class, now=data.now)))

    names = {row[1]: row[0] for row in rows[1:-1]}
    for n, name in enumerate(HOSTILE_NAMES):
        assert names[f"evil{n}"] == "'" + name
    for row in rows:
        for value in row:
            assert not value.startswith(exports.FORMULA_STARTS) or value[0] == "'"


def test_xlsx_reads_back_with_numbers_as_numbers_and_formulas_as_text(data):
    book = results.gradebook(data.school_class, now=data.now)

    sheet = openpyxl.load_workbook(io.BytesIO(exports.gradebook_xlsx(book))).active

    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    by_username = {row[1]: row for row in rows[1:-1]}
    assert by_username["aliya"][0] == "Әлия Жұмабаева"
    assert by_username["s002"][2] == 100.0
    assert by_username["s000"][2] == "Missed"
    assert rows[-1][0] == "Class average"
    for n, name in enumerate(HOSTILE_NAMES):
        assert by_username[f"evil{n}"][0] == "'" + name
    assert all(
        cell.data_type != "f" for row in sheet.iter_rows() for cell in row
    )  # no formula anywhere
    assert sheet.title == data.school_class.name


def test_csv_download_is_an_attachment_named_after_the_class(data, teacher_client):
    response = teacher_client.get(
        reverse("admin:quizzes_schoolclass_gradebook_csv", args=[data.school_class.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="gradebook-class-s-')
    assert read_csv(response.content)[1][0]


def test_xlsx_download_opens_in_openpyxl(data, teacher_client):
    response = teacher_client.get(
        reverse("admin:quizzes_schoolclass_gradebook_xlsx", args=[data.school_class.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 1 + 10 + 1  # header, 4 + 2 + 4 students, class average

"""The gradebook as a file a spreadsheet opens: CSV (UTF-8 with a byte-order mark) or .xlsx.

Both are built from the same table (`gradebook_table`): a header row, one row per student, a
class-average row. A grade is a number (percent, one decimal); a cell without a grade says the
state in words. Every text cell that a spreadsheet could read as a formula (starting with =, +,
-, @, a tab or a carriage return) is neutralised with a leading apostrophe, so a student named
"=HYPERLINK(…)" stays a name (OWASP's advice on CSV injection).
"""

import csv
import io
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from .results import Cell, Gradebook

Value = str | Decimal | None
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: str) -> str:
    """A text cell that cannot start a formula: a leading apostrophe where one could."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def percent(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def cell_value(cell: Cell) -> Value:
    """The grade, or the state in words where there is none yet (excused, missed, …)."""
    if cell.grade is not None and cell.state != "excused":
        return percent(cell.grade)
    return str(cell.state.label)


def gradebook_table(book: Gradebook) -> list[list[Value]]:
    """Header, one row per student (in the gradebook's order), then the class averages."""
    header: list[Value] = [_("Student"), _("Username")]
    header += [
        f"{a.quiz.title} ({timezone.localtime(a.opens_at):%Y-%m-%d}) %" for a in book.assignments
    ]
    header.append(_("Average %"))
    rows: list[list[Value]] = [header]
    for row in book.rows:
        student = row.student
        rows.append(
            [
                student.get_full_name(),
                student.get_username(),
                *(cell_value(cell) for cell in row.cells),
                percent(row.average),
            ]
        )
    rows.append(
        [
            _("Class average"),
            "",
            *(percent(avg) for avg in book.column_averages),
            percent(book.class_average),
        ]
    )
    return rows


def safe_rows(rows: Sequence[Sequence[Value]]) -> list[list[Value]]:
    return [[neutralise(v) if isinstance(v, str) else v for v in row] for row in rows]


def table_csv(rows: Sequence[Sequence[Value]]) -> bytes:
    """CSV in UTF-8 with a byte-order mark (so spreadsheet programs read the accents right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in safe_rows(rows):
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode("utf-8-sig")


def table_xlsx(rows: Sequence[Sequence[Value]], *, title: str) -> bytes:
    """An .xlsx workbook of one sheet: numbers as numbers, text always as text (never a formula)."""
    from openpyxl import Workbook  # only the export needs it

    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    # A sheet title may not hold []:*?/\ and is at most 31 characters.
    sheet = workbook.create_sheet("".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet")
    for values in safe_rows(rows):
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in values])
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl reads a leading "=" as a formula otherwise
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def gradebook_csv(book: Gradebook) -> bytes:
    return table_csv(gradebook_table(book))


def gradebook_xlsx(book: Gradebook) -> bytes:
    return table_xlsx(gradebook_table(book), title=book.school_class.name)

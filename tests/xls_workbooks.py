"""Old Excel 97-2003 (.xls) workbooks the tests write, in BLS's layouts of 2004-2018.

xlwt writes real BIFF8 files (Excel's own format until 2007); the helpers here lay out BLS's
columns as BLS's old field descriptions name them, with title rows or a user's column where
a test asks, and forge what xlwt cannot write (a password's FILEPASS record).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from pathlib import Path

import olefile
import xlwt

from analysis_py.bls import BLS_COLUMNS
from tests.bad_workbooks import ole2_file

#: BLS's national layout of May 2008 (lower case, `group` "major" or blank, no area columns).
NATIONAL_2008 = [
    "occ_code",
    "occ_title",
    "group",
    *(
        name
        for name in BLS_COLUMNS[BLS_COLUMNS.index("tot_emp") :]
        if name not in ("jobs_1000", "loc_quotient", "pct_total", "pct_rpt")
    ),
]
#: BLS's national layout of May 2010-2018 (upper case, OCC_GROUP).
NATIONAL_2013 = [name.upper() for name in NATIONAL_2008]
NATIONAL_2013[2] = "OCC_GROUP"


def national_rows_2008() -> list[dict[str, object]]:
    """The total row, a major group and one detailed occupation as BLS's May 2008 file prints
    them (space-padded text, `group` blank on the total and detailed rows)."""
    cells = {
        "occ_code": ["00-0000", "25-0000", "25-2021"],
        "occ_title": [
            "All Occupations",
            "Education, training, and library occupations",
            "Elementary school teachers, except special education",
        ],
        "group": ["", "major", ""],
        "tot_emp": ["     135185230", "       8502630", "       1543290"],
        "emp_prse": ["       0.1", "       0.2", "       0.6"],
        "h_mean": ["         20.32", "         22.09", "*"],
        "a_mean": ["         42270", "         45950", "         52240"],
        "mean_prse": ["           0.1", "           0.2", "           0.3"],
        "h_pct10": ["          8.02", "          9.35", "*"],
        "h_pct25": ["         10.38", "         14.39", "*"],
        "h_median": ["         15.57", "         20.38", "*"],
        "h_pct75": ["         24.78", "         27.86", "*"],
        "h_pct90": ["         37.99", "         35.84", "*"],
        "a_pct10": ["         16680", "         19450", "         33730"],
        "a_pct25": ["         21590", "         29930", "         40910"],
        "a_median": ["         32390", "         42380", "         49330"],
        "a_pct75": ["         51540", "         57950", "         61490"],
        "a_pct90": ["         79020", "         74540", "         75640"],
        "annual": ["", "", "TRUE"],
        "hourly": ["", "", ""],
    }
    return [{name: values[i] for name, values in cells.items()} for i in range(3)]


def write_xls(
    path: Path,
    header: Sequence[str],
    rows: Sequence[dict[str, object]],
    sheet_name: str = "national_dl",
    title_rows: Sequence[str] = (),
    extra_sheets: Sequence[str] = (),
) -> Path:
    """A BIFF8 workbook: `title_rows` (one text cell each), the header, then one row per dict
    (a key of the dict not in `header` is never written; a missing key stays empty)."""
    book = xlwt.Workbook()
    sheet = book.add_sheet(sheet_name)
    for row_number, title in enumerate(title_rows):
        sheet.write(row_number, 0, title)
    top = len(title_rows)
    for column, name in enumerate(header):
        sheet.write(top, column, name)
    for offset, row in enumerate(rows, start=1):
        for column, name in enumerate(header):
            value = row.get(name)
            if value is not None:
                sheet.write(top + offset, column, value)
    for name in extra_sheets:
        book.add_sheet(name).write(0, 0, "Field")
    book.save(str(path))
    return path


def workbook_stream(path: Path) -> bytes:
    with olefile.OleFileIO(str(path)) as ole:
        return ole.openstream("Workbook").read()


def with_password(source: Path, path: Path) -> Path:
    """`source` (an .xls) with a FILEPASS record (RC4 encryption) after its first BOF, as Excel
    writes a password-protected .xls."""
    stream = workbook_stream(source)
    (bof_size,) = struct.unpack_from("<H", stream, 2)
    filepass = struct.pack("<HHHHH", 0x002F, 6 + 48, 1, 1, 1) + bytes(48)
    shifted = 4 + bof_size
    # every BOUNDSHEET's offset moves by the inserted record's length
    return ole2_file(path, {"Workbook": stream[:shifted] + filepass + stream[shifted:]})


def excel_95_workbook(path: Path) -> Path:
    """An Excel 5.0/95 (BIFF5) workbook: its stream is `Book`, not `Workbook`."""
    return ole2_file(path, {"Book": struct.pack("<HHHH", 0x0809, 8, 0x0500, 0x0005) + bytes(4)})

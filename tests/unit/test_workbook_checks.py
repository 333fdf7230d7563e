"""File checks before parsing: signatures, zip budgets, lying headers, DTDs."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from analysis_py.errors import InputError
from analysis_py.landing.reader import read_workbook
from analysis_py.landing.workbook_checks import WorkbookLimits, check_workbook_file, member_chunks
from tests.bad_workbooks import good_workbook, ole2_file, rewritten_zip, xml_entity_bomb
from tests.conftest import two_state_rows, write_workbook


def test_text_that_only_looks_like_a_dtd_passes(tmp_path: Path) -> None:
    """A cell reading <!DOCTYPE is escaped in the XML (&lt;!DOCTYPE): no false alarm."""
    check_workbook_file(
        write_workbook(
            tmp_path / "state_M2025_dl.xlsx",
            two_state_rows(OCC_TITLE="<!DOCTYPE x [<!ENTITY a 'b'>]>"),
        )
    )


def test_a_dtd_split_across_two_chunks_is_found(tmp_path: Path) -> None:
    source = good_workbook(tmp_path, "whole.xlsx")
    with zipfile.ZipFile(source) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    # 1 MiB - 3 bytes of padding: '<!DOCTYPE' starts 3 bytes before the first chunk ends.
    padded = b" " * ((1 << 20) - 3) + b"<!DOCTYPE worksheet>" + sheet
    path = rewritten_zip(
        source, tmp_path / "state_M2025_dl.xlsx", {"xl/worksheets/sheet1.xml": padded}
    )
    check_workbook_file(
        path, WorkbookLimits(max_ratio=10_000)
    )  # a worksheet's stream is checked as it is read
    with zipfile.ZipFile(path) as archive:
        sheet_member = archive.getinfo("xl/worksheets/sheet1.xml")
    with pytest.raises(InputError, match="declares an XML DTD"):
        for _ in member_chunks(path, sheet_member):
            pass


def test_entity_bomb_is_refused_before_any_expansion(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="entity expansion"):
        read_workbook(xml_entity_bomb(tmp_path, levels=3))


def test_a_dtd_in_a_member_that_is_no_worksheet_is_found_by_the_file_check(tmp_path: Path) -> None:
    with zipfile.ZipFile(good_workbook(tmp_path, "whole.xlsx")) as archive:
        styles = archive.read("xl/styles.xml")
    path = rewritten_zip(
        tmp_path / "whole.xlsx",
        tmp_path / "state_M2025_dl.xlsx",
        {"xl/styles.xml": b"<!DOCTYPE x>" + styles},
    )
    with pytest.raises(InputError, match=re.escape("zip member xl/styles.xml declares an XML DTD")):
        check_workbook_file(path)


def test_members_over_the_total_budget_are_refused(tmp_path: Path) -> None:
    limits = WorkbookLimits(max_total_bytes=10_000)
    with pytest.raises(InputError, match=r"would expand to .* refused as a zip bomb"):
        check_workbook_file(good_workbook(tmp_path), limits)


def test_one_member_over_its_budget_is_refused(tmp_path: Path) -> None:
    limits = WorkbookLimits(max_member_bytes=8_000)
    with pytest.raises(
        InputError, match=re.escape("zip member xl/theme/theme1.xml would expand to")
    ):
        check_workbook_file(good_workbook(tmp_path), limits)


def test_too_many_members_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="zip members"):
        check_workbook_file(good_workbook(tmp_path), WorkbookLimits(max_members=5))


def test_small_members_may_compress_any_amount(tmp_path: Path) -> None:
    """A tiny, very repetitive member (an empty sheet's styles) is no bomb."""
    path = rewritten_zip(
        good_workbook(tmp_path, "whole.xlsx"),
        tmp_path / "state_M2025_dl.xlsx",
        {},
        {"xl/blank.xml": b" " * 500_000},
    )
    check_workbook_file(path)


def test_ratio_limit_applies_above_the_floor(tmp_path: Path) -> None:
    path = rewritten_zip(
        good_workbook(tmp_path, "whole.xlsx"),
        tmp_path / "state_M2025_dl.xlsx",
        {},
        {"xl/blank.xml": b" " * 500_000},
    )
    with pytest.raises(InputError, match=r"compressed .*:1"):
        check_workbook_file(path, WorkbookLimits(ratio_floor_bytes=100_000))


def test_an_ole2_file_that_is_no_workbook_is_named(tmp_path: Path) -> None:
    path = ole2_file(tmp_path / "state_M2025_dl.xlsx", {"WordDocument": b"\xec\xa5" * 3000})
    with pytest.raises(InputError, match="OLE2 compound file"):
        check_workbook_file(path)


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        (
            {"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\x83\x01\x00"},
            "binary .xlsb workbook",
        ),
        ({"readme.txt": b"hello"}, "no xl/workbook.xml"),
    ],
)
def test_a_zip_that_is_no_xlsx_is_named(
    tmp_path: Path, members: dict[str, bytes], expected: str
) -> None:
    path = tmp_path / "state_M2025_dl.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(InputError, match=expected):
        check_workbook_file(path)


def test_a_directory_is_not_a_workbook(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is not a file"):
        check_workbook_file(tmp_path)

"""Shared by the fetch tests of every tier: a raw folder for `wage fetch`, zips built in memory."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest


@pytest.fixture
def raw_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data/raw for `wage fetch` (WAGE_RAW_DIR), with logs beside it."""
    folder = tmp_path / "raw"
    folder.mkdir()
    monkeypatch.setenv("WAGE_RAW_DIR", str(folder))
    monkeypatch.setenv("WAGE_LOG_DIR", str(tmp_path / "logs"))
    return folder


def zip_of(members: dict[str, bytes]) -> bytes:
    """A deflated zip of `members`, names kept as given ('../x' and '/x' too)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            member = zipfile.ZipInfo(name)
            member.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(member, data)
    return buffer.getvalue()

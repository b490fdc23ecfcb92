"""An invitation list that expands hugely is refused with a message, and nothing of it
is kept (issue 16, finding 12): the unpacked size of an XLSX, one cell's length and the
text of all cells together are limited while reading, for XLSX and CSV alike."""

import io
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from eventapp.registration import importing
from tests import factories
from tests.test_import import registrations, upload

HEADER = ["Name", "E-mail", "Category", "Organisation", "Job title"]


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_huge_cell(content: bytes, placeholder: str, size: int) -> bytes:
    """The XLSX with `placeholder` made `size` characters long, as a hand-made file can
    have (openpyxl, like Excel, writes at most 32,767 characters a cell)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if placeholder.encode() in data:
                data = data.replace(placeholder.encode(), b"A" * size)
            target.writestr(info.filename, data)
    return out.getvalue()


def pending_files(app) -> list[Path]:
    return list((Path(app.instance_path) / "imports").glob("*"))


def refused(client, app, content: bytes, filename: str) -> str:
    event = factories.event()
    started = time.perf_counter()
    response = upload(client, event, content, filename)
    seconds = time.perf_counter() - started
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:500]
    assert len(page) < 200_000  # the page is not the file again
    assert seconds < 20
    assert pending_files(app) == [] and registrations(event) == []
    return page


def test_an_xlsx_with_one_huge_cell_is_refused_before_it_is_unpacked(organiser_client, app):
    content = with_huge_cell(xlsx([["HUGE", "a@example.org", "guest", "Org", ""]]), "HUGE",
                             190 * 1024 * 1024)
    assert len(content) < 400 * 1024  # the zip squeezes 190 MB into a few hundred KB
    page = refused(organiser_client, app, content, "list.xlsx")
    assert "unpacks to more than 20 MB" in page


@pytest.mark.parametrize("filename", ["list.xlsx", "list.csv"])
def test_a_cell_longer_than_any_field_is_refused_with_its_row_and_column(
        organiser_client, app, filename):
    rows = [["Ann", "ann@example.org", "guest", "Org", ""],
            ["Ben", "ben@example.org", "guest", "O" * 5000, ""]]
    content = xlsx(rows) if filename.endswith(".xlsx") else "\r\n".join(
        ",".join(r) for r in [HEADER, *rows]).encode()
    page = refused(organiser_client, app, content, filename)
    assert "Row 3, column “Organisation” has 5000 characters" in page


def test_a_shared_string_repeated_in_every_cell_is_refused(organiser_client, app):
    long = "x" * 900
    content = xlsx([[f"P{n}", f"p{n}@example.org", "guest", long, long] for n in range(3000)])
    page = refused(organiser_client, app, content, "list.xlsx")
    assert "more text than an invitation list can" in page


def test_a_huge_header_cell_is_refused(organiser_client, app):
    content = ("name,email,category," + "h" * 5000 + "\r\nAnn,a@example.org,guest,x\r\n")
    page = refused(organiser_client, app, content.encode(), "list.csv")
    assert "Row 1" in page


def test_a_long_list_of_ordinary_rows_still_imports(app):
    rows = [[f"Person {n}", f"p{n}@example.org", "guest", f"Organisation {n}", "Engineer"]
            for n in range(importing.MAX_ROWS)]
    parsed = importing.parse_file("list.xlsx", xlsx(rows))
    assert len(parsed.rows) == importing.MAX_ROWS

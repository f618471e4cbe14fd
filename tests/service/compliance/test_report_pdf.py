"""report.pdf is made in a process of its own (service/compliance/report_pdf.py): it renders the
HTML once told to, says why when it fails, and is stopped when the export ends without it."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.compliance.report_pdf import PdfFailed, ReportPdf


def test_the_process_renders_the_html_once_it_is_written(tmp_path: Path) -> None:
    import pypdf

    html, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    with ReportPdf(html, pdf) as job:
        html.write_text("<h1>Raportti</h1><p>Lämpökatkot 2025</p>", encoding="utf-8")
        job.render()
        job.wait()
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert "Raportti" in text and "Lämpökatkot 2025" in text


def test_a_failure_in_the_process_is_raised_with_its_message(tmp_path: Path) -> None:
    with ReportPdf(tmp_path / "never-written.html", tmp_path / "report.pdf") as job:
        job.render()
        with pytest.raises(PdfFailed, match="never-written.html"):
            job.wait()
    assert not (tmp_path / "report.pdf").exists()


def test_an_export_that_fails_first_stops_the_process(tmp_path: Path) -> None:
    job = ReportPdf(tmp_path / "report.html", tmp_path / "report.pdf")
    with pytest.raises(RuntimeError, match="a register failed"), job:
        raise RuntimeError("a register failed")
    assert job._process.poll() is not None  # ended, not left behind
    assert not (tmp_path / "report.pdf").exists()

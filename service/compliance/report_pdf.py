"""report.pdf made by WeasyPrint in a process of its own, while the export writes the registers.

WeasyPrint's layout is Python holding the GIL for over a second, and the registers are Python
too: in a thread beside them it gains nothing, in a process it runs on another core. The
process is started with the export (interpreter and WeasyPrint loaded meanwhile), waits until
report.html is written, renders it as `render_pdf` in report.py does, and exits; the export
waits for it before it lists the bundle's files. A failure in it fails the export with its
message; an export that fails first stops it. Its memory is its own (a fresh interpreter, not a
fork of the app), about 80 MB at its peak beside the export's.

This file is also the child's program: it is run by path (`python -P report_pdf.py HTML PDF`),
so it imports nothing of the application.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from types import TracebackType

_GO = b"render\n"


class PdfFailed(RuntimeError):
    """The PDF process failed; the message ends with what it wrote to stderr."""


class ReportPdf:
    """`with ReportPdf(html, pdf) as job:` … write `html` … `job.render()` … `job.wait()`."""

    def __init__(self, html: Path, pdf: Path) -> None:
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed by __exit__)
        self._process = subprocess.Popen(
            [sys.executable, "-P", str(Path(__file__).resolve()), str(html), str(pdf)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=self._errors,
        )

    def render(self) -> None:
        """The HTML file is written: make the PDF from it (the call returns at once)."""
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(_GO)
            self._process.stdin.close()
        except BrokenPipeError:  # it ended already: wait() says why
            pass

    def wait(self) -> None:
        """Until the PDF is written; PdfFailed when the process failed."""
        status = self._process.wait()
        if status != 0:
            self._errors.seek(0)
            said = self._errors.read().decode("utf-8", "replace").strip()
            raise PdfFailed(f"the PDF could not be made (status {status}): {said[-2000:]}")

    def __enter__(self) -> ReportPdf:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._process.poll() is None:  # the export failed before the PDF was waited for
            self._process.kill()
            self._process.wait()
        if self._process.stdin is not None and not self._process.stdin.closed:
            self._process.stdin.close()
        self._errors.close()


def _main(html: str, pdf: str) -> int:
    import weasyprint  # loaded while the export reads its figures

    if sys.stdin.buffer.readline() != _GO:
        return 0  # the export ended without a report
    text = Path(html).read_text(encoding="utf-8")
    weasyprint.HTML(string=text, base_url=".").write_pdf(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(_main(*sys.argv[1:3]))

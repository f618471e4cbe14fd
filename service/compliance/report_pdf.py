"""report.pdf made by WeasyPrint in a process of its own, while the export writes the registers.

WeasyPrint's layout is Python holding the GIL for over a second, and the registers are Python
too: in a thread beside them it gains nothing, in a process it runs on another core. The
process is started with the export (interpreter and WeasyPrint loaded meanwhile), waits until
report.html is written, renders it as `render_pdf` in report.py does, and exits; the export
waits for it before it lists the bundle's files. A failure in it fails the export with its
message; an export that fails first stops it. Its memory is its own (a fresh interpreter, not a
fork of the app), about 80 MB at its peak beside the export's; it says so when it ends (its own
VmHWM: the kernel's ru_maxrss of a child started from a large process counts the parent's
pages from before the exec) and the export logs it.

This file is also the child's program: it is run by path (`python -P report_pdf.py HTML PDF`),
so it imports nothing of the application.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

_GO = b"render\n"
log = logging.getLogger(__name__)


class PdfFailed(RuntimeError):
    """The PDF process failed; the message ends with what it wrote to stderr."""


class ReportPdf:
    """`with ReportPdf(html, pdf) as job:` … write `html` … `job.render()` … `job.wait()`."""

    def __init__(self, html: Path, pdf: Path) -> None:
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed by __exit__)
        self._process = subprocess.Popen(
            [sys.executable, "-P", str(Path(__file__).resolve()), str(html), str(pdf)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errors,
        )
        self.peak_kb: int | None = None  # the process's peak memory, once it ended

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
        assert self._process.stdout is not None
        said = self._process.stdout.read().decode("ascii", "replace").split()
        status = self._process.wait()
        if status != 0:
            self._errors.seek(0)
            error = self._errors.read().decode("utf-8", "replace").strip()
            raise PdfFailed(f"the PDF could not be made (status {status}): {error[-2000:]}")
        if len(said) == 2:
            seconds, peak = float(said[0]), int(said[1])
            self.peak_kb = peak or None
            log.info(
                "report.pdf rendered in %.2f s by its own process, peak memory %d kB",
                seconds,
                peak,
                extra={"pdf_seconds": seconds, "pdf_peak_kb": peak},
            )

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
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None and not pipe.closed:
                pipe.close()
        self._errors.close()


def _main(html: str, pdf: str) -> int:
    import weasyprint  # loaded while the export reads its figures

    if sys.stdin.buffer.readline() != _GO:
        return 0  # the export ended without a report
    started = time.monotonic()
    text = Path(html).read_text(encoding="utf-8")
    weasyprint.HTML(string=text, base_url=".").write_pdf(pdf)
    print(f"{time.monotonic() - started:.3f} {_peak_kb()}")
    return 0


def _peak_kb() -> int:
    """This program's peak resident memory (Linux's VmHWM; 0 where there is none)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


if __name__ == "__main__":
    sys.exit(_main(*sys.argv[1:3]))

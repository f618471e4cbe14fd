"""What other packages may call: `feedback` exports it, and importing the package (or any module
of it) first works, with no import cycle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import feedback
from tests.support.factories import case_payload

ROOT = Path(__file__).resolve().parents[2]


def test_a_case_is_received_through_the_public_api(app):
    receipt = feedback.submit_case(feedback.CaseInputSchema().load(case_payload()))
    assert isinstance(receipt, feedback.Receipt)
    assert receipt.reference.startswith("FH-")
    assert sorted(feedback.__all__) == ["CaseInputSchema", "Receipt", "submit_case"]


@pytest.mark.parametrize(
    "module",
    [
        "feedback",
        "feedback.models",
        "feedback.open311.models",
        "feedback.schemas",
        "feedback.open311.cli",
    ],
)
def test_any_entry_into_the_package_imports_cleanly(module):
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr

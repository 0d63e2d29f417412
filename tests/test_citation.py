"""The citation file validates against the Citation File Format schema (cffconvert's)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_citation_file_is_valid_cff():
    cffconvert = Path(sys.executable).parent / "cffconvert"
    completed = subprocess.run(
        [str(cffconvert), "--validate", "-i", str(ROOT / "CITATION.cff")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "valid" in completed.stdout


def test_the_licence_is_the_one_the_package_declares():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text()

"""The README and the documentation site: short where it must be, built with warnings as
errors, an API reference that lists every public function, and every code example either run
here or marked as not run, with the reason."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from quakebench.contract import ARRAY_FIELDS, SCALAR_KINDS

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
NOT_RUN = re.compile(r"<!-- not run: (?P<reason>[^>]{10,}) -->")
FENCE = re.compile(
    r"^(?P<indent> *)```(?P<language>\S*)\n(?P<code>.*?)^(?P=indent)```$", re.M | re.S
)
RUN_LANGUAGES = ("bash", "python")
CIRCUMSTANCES = re.compile(
    r"this round|previous round|no GPU (?:was|is) (?:lent|available)|not measured yet|"
    r"this machine|this session|was not lent|GPU window was",
    re.I,
)


@dataclass(frozen=True)
class Example:
    page: Path
    line: int
    language: str
    code: str
    not_run: str | None


def examples(page: Path) -> list[Example]:
    text = page.read_text()
    found = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = NOT_RUN.search(before)
        indent = len(match["indent"])
        code = "\n".join(line[indent:] for line in match["code"].splitlines())
        found.append(
            Example(
                page.relative_to(ROOT),
                text.count("\n", 0, match.start()) + 1,
                match["language"],
                code,
                marker["reason"] if marker else None,
            )
        )
    return found


def test_readme_is_short():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 200


def test_every_example_is_run_or_says_why_not():
    for page in PAGES:
        for example in examples(page):
            where = f"{example.page}:{example.line}"
            assert example.language, f"{where}: a fence names its language (text if not code)"
            if example.language not in RUN_LANGUAGES:
                assert example.not_run is None, f"{where}: only code is run"
    runnable = [e for page in PAGES for e in examples(page) if e.language in RUN_LANGUAGES]
    assert sum(e.not_run is None for e in runnable) >= 6


def test_no_sentence_describes_how_the_project_was_built():
    for page in PAGES:
        for number, line in enumerate(page.read_text().splitlines(), 1):
            assert not CIRCUMSTANCES.search(line), f"{page.relative_to(ROOT)}:{number}: {line}"


def test_contract_page_names_every_field():
    page = (DOCS / "contract.md").read_text()
    for field in [*ARRAY_FIELDS, "rupture", "geotransform", *SCALAR_KINDS]:
        assert f"`{field}`" in page, field


@pytest.mark.slow
def test_examples_run(tmp_path):
    """Every example not marked, in page order (the README first), in one folder: the
    quickstart's build is what the later examples read."""
    seen = set()
    for page in PAGES:
        for example in examples(page):
            if example.language not in RUN_LANGUAGES or example.not_run or example.code in seen:
                continue
            seen.add(example.code)
            command = (
                ["bash", "-euo", "pipefail", "-c"]
                if example.language == "bash"
                else [sys.executable, "-c"]
            )
            completed = subprocess.run(
                [*command, example.code], cwd=tmp_path, capture_output=True, text=True,
                env={**os.environ, "MPLBACKEND": "agg"}, timeout=600,
            )  # fmt: skip
            assert completed.returncode == 0, (
                f"{example.page}:{example.line}\n{example.code}\n{completed.stderr[-2000:]}"
            )
    assert (tmp_path / "correlator.json").exists() and (tmp_path / "quake.png").exists()


def public_names(path: Path) -> list[str]:
    """``module.name`` of each public function and class a module defines at its top level."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    tree = ast.parse(path.read_text())
    return [
        f"{module}.{node.name}"
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_")
    ]


def test_site_builds_strict_and_documents_every_public_function(tmp_path):
    site = tmp_path / "site"
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    html = "\n".join(p.read_text() for p in (site / "api").rglob("*.html"))
    anchors = set(re.findall(r'id="((?:quakebench|baselines)\.[\w.]+)"', html))
    modules = [
        path
        for path in [*ROOT.glob("quakebench/**/*.py"), *ROOT.glob("baselines/**/*.py")]
        if (path.parent / "__init__.py").exists()  # a module, not a script in package data
    ]
    names = [name for path in modules for name in public_names(path)]
    assert len(names) > 300
    missing = sorted(set(names) - anchors)
    assert not missing, missing

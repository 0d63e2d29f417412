"""The leaderboard page in a real headless Chromium: rows shown, payloads inert.

Debian's ``chromium`` renders the page from a file. ``--dump-dom`` prints the DOM after the
page has loaded, so anything a script did would show in it; the control pages prove that this
detector sees a script that runs, and that the page's Content-Security-Policy stops one.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from quakebench.config import BootstrapConfig
from quakebench.leaderboard.board import build_boards
from quakebench.leaderboard.page import CONTENT_SECURITY_POLICY, render_page
from quakebench.preview import encode_preview
from tests.html_tables import Document
from tests.synthetic_results import noisy, synthetic_results, synthetic_samples

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (.ci/run installs Debian's chromium package)"
)
PAYLOAD = (
    "pwn<script>document.body.setAttribute('data-pwned', 'script')</script>"
    "<img src=x onerror=\"document.body.setAttribute('data-pwned', 'img')\">"
)


def chromium(page: Path, *options: str) -> str:
    """Load ``page`` headless, with ``options`` (e.g. a screenshot); returns stdout."""
    completed = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",  # CI runs as root
            "--disable-gpu",
            f"--user-data-dir={page.parent / 'profile'}",
            *options,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return completed.stdout


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    samples = synthetic_samples(20)
    entries = [
        synthetic_results(name, samples, noisy(samples, scale, seed))
        for seed, (name, scale) in enumerate(
            (("correlator", 0.05), ("network", 0.03), (PAYLOAD, 0.2))
        )
    ]
    boards = build_boards([(f"{i}.json", r) for i, r in enumerate(entries)], BootstrapConfig(500))
    path = tmp_path_factory.mktemp("page") / "index.html"
    path.write_text(render_page(boards, BootstrapConfig(500)))
    return path


def test_page_shows_every_row_and_runs_nothing(page):
    document = Document(chromium(page, "--dump-dom"))
    assert "data-pwned" not in dict(document.tags("body")[0])
    assert document.title == "quakebench leaderboard"
    # Scores, comparisons and runs, then the two by magnitude.
    table, comparisons, runs, errors, skills = document.tables
    assert [row[0] for row in errors[1:]] == [row[1] for row in table[1:]]
    assert (
        [row[0] for row in comparisons[1:]]
        == [row[0] for row in runs[1:]]
        == [row[1] for row in table[1:]]
    )
    assert sorted(row[1] for row in table[1:]) == sorted(["correlator", "network", PAYLOAD])
    assert sorted(row[0] for row in skills[1:]) == sorted(["correlator", "network", PAYLOAD])
    # The payload's tags are text: the only images are the three figures.
    images = document.tags("img")
    assert len(images) == 3 and all(i["src"].startswith("data:image/png;base64,") for i in images)
    assert not document.tags("script")


def test_maps_show_each_previewed_sample(tmp_path):
    samples = synthetic_samples(6)
    rng = np.random.default_rng(0)
    for sample in samples:
        sample["pre"] = rng.random(sample["valid"].shape).astype(np.float32)
        sample["post"] = rng.random(sample["valid"].shape).astype(np.float32)
    predictions = noisy(samples, 0.05, seed=1)
    results = synthetic_results("correlator", samples, predictions)
    shown = samples[:2]
    results["previews"] = {
        s["id"]: encode_preview(predictions[s["id"]], s["rupture"]) for s in shown
    }
    zero = synthetic_results("zero", samples, {i: 0 * p for i, p in predictions.items()})
    boards = build_boards([("c.json", results), ("z.json", zero)], BootstrapConfig(200))
    path = tmp_path / "index.html"
    path.write_text(render_page(boards, BootstrapConfig(200), {boards[0].title: shown}))
    document = Document(chromium(path, "--dump-dom"))
    maps = [i["alt"] for i in document.tags("img") if "one colour scale" in i["alt"]]
    assert [text.split(" ")[0] for text in maps] == [s["id"] for s in shown]
    assert len(document.tags("img")) == 3 + len(shown)


def test_screenshot_shows_the_page(page):
    shot = page.parent / "page.png"
    chromium(page, f"--screenshot={shot}", "--window-size=1400,1600")
    pixels = imread(shot)
    assert pixels.shape[:2] == (1600, 1400)
    # Not a blank page: text, table rules and the figure's lines.
    assert np.std(pixels[..., :3]) > 0.05


@pytest.mark.parametrize(("policy", "runs"), [(False, True), (True, False)])
def test_controls_the_detector_sees_scripts_and_the_policy_stops_them(tmp_path, policy, runs):
    meta = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
    control = tmp_path / "control.html"
    control.write_text(f"<!DOCTYPE html><html><head>{meta if policy else ''}</head>"
                       f"<body>{PAYLOAD}</body></html>")  # fmt: skip
    body = Document(chromium(control, "--dump-dom")).tags("body")[0]
    assert ("data-pwned" in body) == runs


def test_committed_page_fits_a_1280_px_window(tmp_path):
    """The committed page at 1280 px: the main tables show every column, and no table pushes
    the page sideways. A probe script (the page's policy removed) measures the layout."""
    committed = Path(__file__).parents[1] / "leaderboard" / "index.html"
    meta = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
    probe = (
        "<script>addEventListener('load', () => {"
        " const width = document.documentElement.clientWidth;"
        " const mains = [...document.querySelectorAll('table.board:not(.wraps)')];"
        " document.body.dataset.mains = mains.length;"
        " document.body.dataset.clipped = mains.filter("
        "   t => t.getBoundingClientRect().right > width).length;"
        " document.body.dataset.sideways = document.documentElement.scrollWidth > width; });"
        "</script>"
    )
    text = committed.read_text()
    assert meta in text
    page = tmp_path / "index.html"
    page.write_text(text.replace(meta, "").replace("</body>", probe + "</body>"))
    dom = chromium(page, "--window-size=1280,900", "--virtual-time-budget=5000", "--dump-dom")
    body = dict(Document(dom).tags("body")[0])
    assert body["data-mains"] == "2"  # one main table per official board
    assert (body["data-clipped"], body["data-sideways"]) == ("0", "false")

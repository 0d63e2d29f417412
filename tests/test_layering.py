"""The house rules: the core never loads ``baselines``, imports have no side effects, and every
subcommand's ``--help`` shows its config dataclass's defaults."""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys

import pytest

from quakebench.cli import build_parser
from quakebench.config import BUILD_DEFAULTS

USER_MODULES = (
    "quakebench.metrics",
    "quakebench.evaluate",
    "quakebench.predictions",
    "quakebench.leaderboard",
    "quakebench.data.reader",
    "quakebench.data.schema",
    "quakebench.data.manifest",
    "quakebench.data.content",
    "quakebench.data.torch_dataset",
    "quakebench.data.transforms",
    "quakebench.plots",
    "quakebench.config",
    "quakebench.contract",
)


def run_python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_user_facing_core_loads_no_baselines_module():
    code = f"import {', '.join(USER_MODULES)}; import sys; "
    code += "print([m for m in sys.modules if m.startswith('baselines')])"
    assert run_python(code) == "[]"


@pytest.mark.parametrize(
    ("modules", "others"),
    [
        ("generator.samples.sample, generator.earthquake.figure", ("correlator",)),
        ("correlator.predict, correlator.geotiff, correlator.config", ("generator",)),
        ("imagery.validity, imagery.fetch, imagery.search", ("generator", "correlator")),
    ],
)
def test_generator_and_correlator_share_imagery_without_importing_each_other(modules, others):
    """The data never depends on a baseline's defaults: the motion mask runs the shared imagery
    engine with settings frozen in the imagery room, which imports neither side."""
    code = "; ".join(f"import baselines.{m.strip()}" for m in modules.split(","))
    prefixes = tuple(f"baselines.{other}" for other in others)
    code += f"; import sys; print([m for m in sys.modules if m.startswith({prefixes!r})])"
    assert run_python(code) == "[]"


def test_the_parser_loads_config_modules_and_no_library():
    """``quakebench --help`` reads the config dataclasses' defaults, the baselines' included,
    and imports none of the heavy libraries."""
    code = "from quakebench.cli import build_parser; build_parser(); import sys; "
    code += "print(sorted(m for m in sys.modules if m.startswith('baselines')))"
    loaded = eval(run_python(code))
    configs = {"config", "settings", "tile", "stac_config"}
    packages = {m.rsplit(".", 1)[0] for m in loaded}
    assert all(m in packages or m.rsplit(".", 1)[1] in configs for m in loaded), loaded
    heavy = ("numpy", "scipy", "torch", "datasets", "pyarrow", "dask", "rasterio", "matplotlib")
    code = "from quakebench.cli import build_parser; build_parser(); import sys; "
    code += f"print([m for m in {heavy!r} if m in sys.modules])"
    assert run_python(code) == "[]"


def test_plotting_modules_leave_the_backend_alone():
    code = (
        "import matplotlib; matplotlib.use('pdf'); "
        "import quakebench.plots, baselines.generator.earthquake.figure; "
        "print(matplotlib.get_backend())"
    )
    assert run_python(code) == "pdf"


def subcommands() -> dict[str, argparse.ArgumentParser]:
    (action,) = (a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_help_shows_the_config_defaults(name):
    parser = subcommands()[name]
    config = parser.get_default("config")
    if config is None:
        assert not any(a.default not in (None, False) for a in parser._actions if a.dest != "help")
        return
    fields = {f.name: f for f in dataclasses.fields(config)}
    text = " ".join(parser.format_help().split())
    checked = 0
    for action in parser._actions:
        if action.dest not in fields:
            continue
        default = fields[action.dest].default
        if default is dataclasses.MISSING:
            assert action.required, (name, action.dest)
            continue
        assert action.default == default, (name, action.dest)
        if isinstance(default, bool):  # a flag: given or not
            assert action.nargs == 0, (name, action.dest)
        elif default is not None:
            assert f"(default: {default})" in text, (name, action.dest)
        elif BUILD_DEFAULTS.get(action.dest) is not None:  # a preset fixes these, else this
            assert f"(without a preset: {BUILD_DEFAULTS[action.dest]})" in text, action.dest
        checked += 1
    assert checked, name

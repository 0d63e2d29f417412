"""Options read from the config dataclasses, and the checks shared by every subcommand.

A subcommand declares its options with :func:`config_option`, which takes the default (and the
type) from a field of the command's config dataclass, so no default is typed twice;
:func:`config_from` turns the parsed options back into that config.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

from quakebench.errors import QuakebenchError

FIGURE_SUFFIXES = (".png", ".pdf", ".svg")


def config_option(
    parser: argparse.ArgumentParser,
    config: type,
    field: str,
    help: str,
    flag: str | None = None,
    **kwargs: Any,
) -> None:
    """Add ``--field`` (or ``flag``) with the default and type of ``config``'s ``field``.

    A field without a default is a required option, a boolean one a flag; ``kwargs`` go to
    ``add_argument`` (e.g. ``type`` where the default is None, or ``choices``).
    """
    spec = {f.name: f for f in dataclasses.fields(config)}[field]
    default = spec.default
    if default is dataclasses.MISSING:
        kwargs["required"] = True
        default = None
    elif isinstance(default, bool):
        kwargs.setdefault("action", "store_false" if default else "store_true")
    elif default is not None:
        kwargs.setdefault("type", type(default))
        help = f"{help} (default: {default})"
    parser.add_argument(
        flag or "--" + field.replace("_", "-"), dest=field, default=default, help=help, **kwargs
    )


def config_from(config: type, args: argparse.Namespace, **values: Any):
    """``config`` built from the parsed options named like its fields, and ``values``."""
    names = {f.name for f in dataclasses.fields(config)}
    options = {name: value for name, value in vars(args).items() if name in names}
    return config(**{**options, **values})


def dataset_options(parser: argparse.ArgumentParser) -> None:
    """``--dataset``, ``--config`` and ``--revision``: the dataset a command reads
    (:class:`~quakebench.config.DatasetConfig`), the same options for every command."""
    from quakebench.config import DatasetConfig

    config_option(
        parser,
        DatasetConfig,
        "dataset",
        "dataset folder, or a Hub name (prewarped, postwarped, owner/name)",
    )
    config_option(parser, DatasetConfig, "config_name", "Hub config, e.g. mini", "--config")
    config_option(
        parser, DatasetConfig, "revision", "Hub branch, tag or commit (read at its commit)"
    )


def dataset_from(args: argparse.Namespace):
    """The :class:`~quakebench.config.DatasetConfig` of :func:`dataset_options`."""
    from quakebench.config import DatasetConfig

    return config_from(DatasetConfig, args)


def output_file(value: str | None, suffixes: tuple[str, ...]) -> Path | None:
    """A file to write: its suffix must be one of ``suffixes`` and its folder must exist."""
    if value is None:
        return None
    path = Path(value)
    if path.is_dir():
        raise QuakebenchError(
            f"{value}: is a folder; give a file ending in {' or '.join(suffixes)}"
        )
    if path.suffix.lower() not in suffixes:
        raise QuakebenchError(f"{value}: expected a file ending in {' or '.join(suffixes)}")
    if not path.parent.is_dir():
        raise QuakebenchError(f"{value}: folder {path.parent} does not exist")
    return path


def optional_path(value: str | None) -> Path | None:
    """An option's path, or None where it was not given."""
    return None if value is None else Path(value)


def output_folder(value: str | None) -> Path | None:
    """A folder to write into (made if missing): refused at once where a file is in the way."""
    if value is None:
        return None
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise QuakebenchError(f"{value}: not a folder (a file is in the way)")
    return path


def save_figure(figure, path: Path) -> None:
    """Write a matplotlib figure atomically and say where."""
    from quakebench.plots import save

    save(figure, path)
    print(f"figure -> {path}")

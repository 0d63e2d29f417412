"""The Hub's dataset card: the presets of one dataset as the configs of one repository.

A build's own card (``README.md``, :mod:`quakebench.data.card`) names one config with its
files under ``data/``. On the Hub each preset is a config whose files sit in a folder of its
name (``mini/train-00000-of-00008.parquet``, ``mini/manifest.json``), and ``full`` is the
default config, so ``load_dataset("quakebench/prewarped", "mini")`` and
``load_dataset("quakebench/prewarped")`` both work. Pushing a config rewrites its entries in
the repository's card and keeps the others'.

Cards are read and checked with ``huggingface_hub``'s own :class:`~huggingface_hub.DatasetCard`.
"""

from __future__ import annotations

import yaml
from huggingface_hub import DatasetCard

from quakebench.errors import QuakebenchError

DEFAULT_CONFIG = "full"
"""The config ``load_dataset(repo)`` reads when several are published."""

REQUIRED_METADATA = (
    "license",
    "pretty_name",
    "task_categories",
    "tags",
    "size_categories",
    "configs",
    "dataset_info",
)
REQUIRED_SECTIONS = {
    "## Splits": "the split definition",
    "held-out places": "the held-out places",
    "## Fields": "the field descriptions",
    "in pixels": "the units",
    "@misc{": "a BibTeX citation",
}


def _parse(text: str, source: str) -> DatasetCard:
    try:
        return DatasetCard(text)
    except (ValueError, yaml.YAMLError) as error:
        raise QuakebenchError(
            f"{source}: dataset card metadata is not valid YAML ({error})"
        ) from None


def check_card(text: str, manifest: dict, source: str) -> DatasetCard:
    """A complete card for this build, or a one-line error naming what it lacks (no network)."""
    card = _parse(text, source)
    metadata = card.data.to_dict()
    for key in REQUIRED_METADATA:
        if not metadata.get(key):
            raise QuakebenchError(f"{source}: dataset card lacks {key}")
    for config in metadata["configs"]:
        if not config.get("config_name") or not config.get("data_files"):
            raise QuakebenchError(f"{source}: dataset card config lacks config_name or data_files")
    for needed, meaning in REQUIRED_SECTIONS.items():
        if needed not in card.text:
            raise QuakebenchError(f"{source}: dataset card lacks {meaning} ({needed!r})")
    for key in ("generator", "content_sha256"):
        if str(manifest[key]) not in card.text:
            raise QuakebenchError(f"{source}: dataset card does not state the build's {key}")
    return card


def _as_list(info) -> list[dict]:
    if info is None:
        return []
    return info if isinstance(info, list) else [{"config_name": "default", **info}]


def hub_card(local_text: str, config_name: str, remote_text: str | None) -> str:
    """The repository's card once ``config_name`` is pushed from a build's card.

    The build's card gives this config's data files (moved to ``config_name/``), features,
    splits and text; the repository's current card (``remote_text``) gives the other configs.
    """
    local = _parse(local_text, "README.md")
    metadata = local.data.to_dict()
    (build_config,) = metadata["configs"]
    config = {
        "config_name": config_name,
        "data_files": [
            {"split": f["split"], "path": f"{config_name}/{f['split']}-*"}
            for f in build_config["data_files"]
        ],
    }
    if config_name == DEFAULT_CONFIG:
        config["default"] = True
    info = {"config_name": config_name, **metadata["dataset_info"]}
    configs, infos = [config], [info]
    if remote_text:
        remote = _parse(remote_text, "the Hub's README.md").data.to_dict()
        configs += [c for c in remote.get("configs", []) if c["config_name"] != config_name]
        infos += [
            i for i in _as_list(remote.get("dataset_info")) if i["config_name"] != config_name
        ]
    names = sorted(c["config_name"] for c in configs)
    metadata["configs"] = sorted(configs, key=lambda c: c["config_name"])
    metadata["dataset_info"] = sorted(infos, key=lambda i: i["config_name"])
    listed = ", ".join(f"`{n}`" + (" (default)" if n == DEFAULT_CONFIG else "") for n in names)
    note = (
        f"\nConfigs in this repository: {listed}. This text describes `{config_name}`, the last "
        "pushed; each config's `manifest.json` describes its build.\n"
    )
    title, _, rest = local.text.lstrip("\n").partition("\n")
    header = yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True)
    return f"---\n{header}---\n\n{title}\n{note}{rest}"

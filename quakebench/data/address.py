"""One dataset address: a local build folder, or a Hub repository at one config and commit.

Every command that reads a split (``evaluate``, ``baseline``, ``predict``, ``train``) and
:class:`~quakebench.data.torch_dataset.QuakebenchDataset` name a dataset the same way
(:class:`~quakebench.config.DatasetConfig`: ``--dataset``, ``--config``, ``--revision``).
:func:`resolve` turns it into a :class:`DatasetAddress`: a Hub branch or tag is resolved to its
commit once, and everything is read at that commit, which results files record.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from quakebench.config import DatasetConfig
from quakebench.data.manifest import MANIFEST, built_preset, read_manifest
from quakebench.data.reader import dataset_path, load_split, read_samples, split_ids
from quakebench.errors import QuakebenchError, network_failure

if TYPE_CHECKING:
    import datasets


@dataclass(frozen=True)
class DatasetAddress:
    """Where splits are read: a folder, or a Hub repository pinned to one commit and config.

    Attributes
    ----------
    path : str
        The folder, or the Hub repository id.
    config : str or None
        The Hub config read (None for a folder).
    commit : str or None
        The Hub commit read (None for a folder).
    record : dict
        The results file's ``dataset``: the build's manifest fields, and ``hub`` (repo_id,
        config, revision as asked, commit) for a Hub dataset.
    split_sha256 : dict
        ``{split: hash}`` as the build's manifest claims it; what a scored split must hash to.
    """

    path: str
    config: str | None
    commit: str | None
    record: dict
    split_sha256: dict[str, str]

    def samples(self, split: str) -> Iterator[dict]:
        """The split's samples one at a time, exactly as stored."""
        return read_samples(self.path, split, self.commit, self.config)

    def ids(self, split: str) -> list[str]:
        """The split's sample ids."""
        return split_ids(self.path, split, self.commit, self.config)

    def load(self, split: str) -> datasets.Dataset:
        """The split as a memory-mapped ``datasets.Dataset`` (Arrow format)."""
        return load_split(self.path, split, self.commit, config=self.config)


def manifest_record(manifest: dict) -> dict:
    """The fields of a build's manifest that a results file names its dataset by."""
    keys = ("generator", "seed", "size", "num_samples", "num_test_samples", "content_sha256")
    identity = {
        "name": manifest["dataset"],
        "preset": built_preset(manifest),
    }
    noise = {"noise_px": manifest["noise_px"]} if manifest.get("noise_px") else {}
    return {**identity, **{key: manifest[key] for key in keys}, **noise}


def _default_config(repo_id: str, commit: str) -> str:
    """The config ``load_dataset(repo_id)`` reads: the card's default, or its only one."""
    from huggingface_hub import DatasetCard, hf_hub_download

    card = DatasetCard(
        Path(
            hf_hub_download(repo_id, "README.md", repo_type="dataset", revision=commit)
        ).read_text()
    )
    configs = card.data.to_dict().get("configs") or [{"config_name": "default"}]
    defaults = [c["config_name"] for c in configs if c.get("default")] or [
        c["config_name"] for c in configs
    ]
    if len(defaults) != 1:
        raise QuakebenchError(f"{repo_id}: several configs ({', '.join(defaults)}); give --config")
    return defaults[0]


def resolve(data: DatasetConfig) -> DatasetAddress:
    """Resolve a dataset folder or Hub name to a :class:`DatasetAddress`.

    The manifest of a Hub dataset is the config's (``CONFIG/manifest.json``, as ``quakebench
    push`` lays it out), or the repository's own for a build uploaded as it is.
    """
    path = dataset_path(data.dataset)
    if Path(path).is_dir():
        if data.config_name or data.revision:
            raise QuakebenchError(f"{data.dataset}: --config and --revision name Hub datasets only")
        manifest = finished(read_manifest(path), path)
        return DatasetAddress(path, None, None, manifest_record(manifest), manifest["split_sha256"])
    from huggingface_hub import HfApi, hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError

    try:
        commit = HfApi().dataset_info(path, revision=data.revision).sha
        config = data.config_name or _default_config(path, commit)
        try:
            manifest = hf_hub_download(
                path, f"{config}/{MANIFEST}", repo_type="dataset", revision=commit
            )
        except EntryNotFoundError:
            manifest = hf_hub_download(path, MANIFEST, repo_type="dataset", revision=commit)
    except Exception as error:
        offline = network_failure(error)
        if offline:
            raise QuakebenchError(f"{data.dataset}: {offline}") from None
        if not isinstance(error, HfHubHTTPError | OSError):
            raise
        first = str(error).strip().splitlines()[0]
        raise QuakebenchError(f"{data.dataset}: cannot read its {MANIFEST} ({first})") from None
    manifest = finished(read_manifest(Path(manifest).parent), path)
    revision = data.revision or "main"
    hub = {"repo_id": path, "config": config, "revision": revision, "commit": commit}
    record = {**manifest_record(manifest), "hub": hub}
    return DatasetAddress(path, config, commit, record, manifest["split_sha256"])


def finished(manifest: dict, name: str) -> dict:
    """The manifest of a finished build; an unfinished one is refused, naming it."""
    if manifest.get("complete") is not True:
        raise QuakebenchError(
            f"{name}: build not finished ({MANIFEST} says so); run generate again to resume it"
        )
    if not isinstance(manifest.get("split_sha256"), dict):
        raise QuakebenchError(f"{name}/{MANIFEST}: field split_sha256 must be an object")
    return manifest

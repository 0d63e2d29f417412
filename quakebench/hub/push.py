"""``quakebench push``: a verified build onto the Hub, as one config of its dataset's repository.

The flow never leaves a half-published revision:

1. Local checks, before any request: the build is finished and every shard matches its
   manifest (:func:`~quakebench.data.manifest.verify`), and its card is complete
   (:func:`~quakebench.hub.card.check_card`).
2. The repository is created if missing (and the branch, for ``revision``); the merged card
   is validated by the Hub.
3. The shards' bytes go first, in batches (``HfApi.preupload_lfs_files``): the Hub stores
   them, but no revision shows them. An object the Hub already holds is not sent again, so a
   rerun after an interruption sends only what is missing.
4. One commit then adds the shards, the manifest and the card, and deletes the config's
   stale files: a reader sees the previous revision or the whole new one, never a part.
5. The committed tree is checked against the manifest (every shard's SHA-256 and size), and
   only then tagged ``{config}-{content hash[:8]}``.

The token comes from ``HF_TOKEN`` or ``huggingface-cli login``, as ``huggingface_hub`` reads it;
it is never printed or written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from quakebench.config import PushConfig
from quakebench.data.manifest import MANIFEST, read_manifest, verify
from quakebench.errors import QuakebenchError, network_failure
from quakebench.hub.card import check_card, hub_card

CARD = "README.md"


@dataclass(frozen=True)
class PushResult:
    """What a push published."""

    commit_url: str
    commit: str
    tag: str
    files: int


def check_build(config: PushConfig) -> tuple[dict, str, str]:
    """The manifest, config name and card of a build fit to publish; raises naming why not."""
    folder = Path(config.folder)
    manifest = read_manifest(folder)
    problems = verify(folder)
    if problems:
        raise QuakebenchError(f"{folder}: not publishable: {problems[0]}")
    name = config.config_name or manifest.get("preset")
    if not name:
        raise QuakebenchError(f"{folder}: the build has no preset; name its config with --config")
    card_path = folder / CARD
    if not card_path.is_file():
        raise QuakebenchError(f"{card_path}: missing dataset card")
    card = card_path.read_text()
    check_card(card, manifest, str(card_path))
    return manifest, name, card


def repo_files(folder: Path, manifest: dict, name: str) -> dict[str, Path]:
    """``{path in the repository: local file}``: the shards and the manifest under ``name/``."""
    files = {f"{name}/{Path(s['file']).name}": folder / s["file"] for s in manifest["shards"]}
    files[f"{name}/{MANIFEST}"] = folder / MANIFEST
    return files


def _remote_card(api, config: PushConfig) -> str | None:
    from huggingface_hub.errors import EntryNotFoundError

    try:
        path = api.hf_hub_download(
            config.repo_id, CARD, repo_type="dataset", revision=config.revision
        )
    except EntryNotFoundError:
        return None
    return Path(path).read_text()


def check_tree(api, config: PushConfig, manifest: dict, name: str, commit: str) -> None:
    """Every shard of the commit has the manifest's SHA-256 and size."""
    tree = {
        entry.path: entry
        for entry in api.list_repo_tree(
            config.repo_id, name, recursive=True, revision=commit, repo_type="dataset"
        )
    }
    for shard in manifest["shards"]:
        path = f"{name}/{Path(shard['file']).name}"
        entry = tree.get(path)
        if entry is None or entry.lfs is None:
            raise QuakebenchError(f"{config.repo_id}@{commit[:8]}: {path} is missing or not LFS")
        if (entry.lfs.sha256, entry.lfs.size) != (shard["sha256"], shard["bytes"]):
            raise QuakebenchError(f"{config.repo_id}@{commit[:8]}: {path} differs from manifest")


def push(config: PushConfig, progress: bool = True, say: Callable[[str], None] = print):
    """Publish a build (see the module's flow); returns a :class:`PushResult`."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete, DatasetCard, HfApi
    from huggingface_hub.errors import HfHubHTTPError

    manifest, name, card = check_build(config)
    folder = Path(config.folder)
    files = repo_files(folder, manifest, name)
    tag = f"{name}-{manifest['content_sha256'][:8]}"
    api = HfApi()
    stage = "creating the repository"
    try:
        api.create_repo(config.repo_id, repo_type="dataset", private=config.private, exist_ok=True)
        if config.revision != "main":
            api.create_branch(
                config.repo_id, branch=config.revision, repo_type="dataset", exist_ok=True
            )
        stage = "validating the card"
        merged = hub_card(card, name, _remote_card(api, config))
        check_card(merged, manifest, f"{config.repo_id}/{CARD}")
        DatasetCard(merged).validate(repo_type="dataset")
        stage = "uploading the shards"
        shards = [
            CommitOperationAdd(path, local)
            for path, local in files.items()
            if not path.endswith(MANIFEST)
        ]
        batches = range(0, len(shards), config.batch_files)
        with tqdm(total=len(shards), unit="shard", disable=not progress) as bar:
            for start in batches:
                batch = shards[start : start + config.batch_files]
                api.preupload_lfs_files(
                    config.repo_id, batch, repo_type="dataset", revision=config.revision
                )
                bar.update(len(batch))
        stage = "committing"
        remote = api.list_repo_files(config.repo_id, repo_type="dataset", revision=config.revision)
        stale = [p for p in remote if p.startswith(f"{name}/") and p not in files]
        operations = [
            *shards,
            CommitOperationAdd(f"{name}/{MANIFEST}", files[f"{name}/{MANIFEST}"]),
            CommitOperationAdd(CARD, merged.encode()),
            *(CommitOperationDelete(path) for path in stale),
        ]
        commit = api.create_commit(
            config.repo_id,
            operations,
            commit_message=f"quakebench {name} {manifest['content_sha256'][:8]}",
            commit_description=f"{manifest['generator']}, content {manifest['content_sha256']}",
            repo_type="dataset",
            revision=config.revision,
        )
        stage = "checking the committed tree"
        check_tree(api, config, manifest, name, commit.oid)
        stage = "tagging"
        api.create_tag(
            config.repo_id, tag=tag, revision=commit.oid, repo_type="dataset", exist_ok=True
        )
    except Exception as error:
        offline = network_failure(error)
        if offline:
            raise QuakebenchError(
                f"{config.repo_id}: push failed while {stage}: {offline}"
            ) from None
        if not isinstance(error, HfHubHTTPError | OSError | ValueError | RuntimeError):
            raise
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise QuakebenchError(
            f"{config.repo_id}: push failed while {stage} ({first}); run it again to resume"
        ) from None
    say(f"{len(files) + 1} files, tag {tag}: {commit.commit_url}")
    return PushResult(commit.commit_url, commit.oid, tag, len(files) + 1)

"""Trained weights on the Hub: a model repository per trained network, its file checked.

A repository holds ``model.pt`` (the checkpoint as ``quakebench train`` writes it: the
network's name, its weights and how it predicts), ``quakebench.json`` (the network, the file's
SHA-256 and size, and the results file it scored) and a model card with the recipe, the data
revision, the scores with their intervals, the licence and the citation. :func:`fetch_weights`
downloads the file once into the Hub cache, at one commit, and checks its SHA-256 before
anyone loads it; a results file names the weights as ``REPO@COMMIT``.
"""

from __future__ import annotations

import json
import os
import string
from pathlib import Path

from dataset_cards import MODEL_CARD
from quakebench.checksums import sha256_file
from quakebench.config import HUB_REPO, BootstrapConfig
from quakebench.errors import QuakebenchError, network_failure

WEIGHTS_FILE = "model.pt"
METADATA_FILE = "quakebench.json"
CARD = "README.md"


def weights_address(spec: str) -> tuple[str, str]:
    """``(repo_id, revision)`` of ``REPO@REVISION`` (the revision defaults to ``main``)."""
    repo_id, _, revision = spec.partition("@")
    if not HUB_REPO.fullmatch(repo_id):
        raise QuakebenchError(f"weights {spec!r}: give REPO@REVISION, e.g. owner/name@main")
    return repo_id, revision or "main"


def _scores(results: dict) -> str:
    """The results file's scores with their bootstrap intervals, as a Markdown table."""
    from quakebench.leaderboard.board import build_boards
    from quakebench.leaderboard.table import board_frame

    (board,) = build_boards([("results", results)], BootstrapConfig())
    return board_frame(board).to_markdown(index=False, disable_numparse=True)


def model_card(model: str, repo_id: str, sha256: str, results: dict) -> str:
    """The model card of weights that scored ``results`` (a validated results file)."""
    dataset, extra = results["dataset"], results.get("extra", {})
    return string.Template(MODEL_CARD.read_text()).substitute(
        model=model,
        repo=repo_id,
        commit_hint="main",
        sha256=sha256,
        dataset=dataset["name"],
        preset=dataset["preset"] or "unofficial",
        generator=dataset["generator"],
        content=dataset["content_sha256"][:16],
        split=results["split"],
        split_hash=dataset["split_sha256"][:16],
        num_samples=results["num_samples"],
        scores=_scores(results),
        **{
            key: extra.get(key, "not recorded")
            for key in ("recipe", "samples_seen", "steps", "wall_time_s", "trained_on")
        },
    )


def push_weights(
    checkpoint: str | os.PathLike,
    repo_id: str,
    model: str,
    results: dict,
    revision: str = "main",
) -> str:
    """Publish a checkpoint with its metadata and card in one commit; returns the commit id."""
    from huggingface_hub import CommitOperationAdd, HfApi

    checkpoint = Path(checkpoint)
    if not checkpoint.is_file():
        raise QuakebenchError(f"{checkpoint}: no such checkpoint")
    sha256 = sha256_file(checkpoint)
    metadata = {
        "model": model,
        "sha256": sha256,
        "bytes": checkpoint.stat().st_size,
        "results": {k: results[k] for k in ("method", "method_version", "split", "metrics")},
        "dataset": results["dataset"],
    }
    card = model_card(model, repo_id, sha256, results)
    api = HfApi()
    try:
        api.create_repo(repo_id, repo_type="model", exist_ok=True)
        commit = api.create_commit(
            repo_id,
            [
                CommitOperationAdd(WEIGHTS_FILE, checkpoint),
                CommitOperationAdd(METADATA_FILE, json.dumps(metadata, indent=2).encode()),
                CommitOperationAdd(CARD, card.encode()),
            ],
            commit_message=f"quakebench {model} weights {sha256[:8]}",
            repo_type="model",
            revision=revision,
        )
    except Exception as error:
        raise _hub_failure(error, f"{repo_id}: pushing the weights failed") from None
    return commit.oid


def _hub_failure(error: Exception, what: str) -> Exception:
    """A failed Hub request as one line (a server out of reach, a refusal, a missing file);
    any other error as it is, to be raised again."""
    offline = network_failure(error)
    if offline is None and not isinstance(error, OSError | ValueError):
        return error
    first = offline or str(error).strip().splitlines()[0]
    return QuakebenchError(f"{what} ({first})")


def fetch_weights(spec: str) -> tuple[Path, dict, str]:
    """The checkpoint of ``REPO@REVISION`` from the Hub cache (downloaded once), checked
    against the SHA-256 its repository states; returns ``(path, metadata, commit)``."""
    from huggingface_hub import HfApi, hf_hub_download

    repo_id, revision = weights_address(spec)
    try:
        commit = HfApi().model_info(repo_id, revision=revision).sha
        metadata = json.loads(
            Path(hf_hub_download(repo_id, METADATA_FILE, revision=commit)).read_text()
        )
        path = Path(hf_hub_download(repo_id, WEIGHTS_FILE, revision=commit))
    except Exception as error:
        raise _hub_failure(error, f"weights {spec}: cannot fetch them") from None
    if sha256_file(path) != metadata.get("sha256"):
        raise QuakebenchError(
            f"weights {spec}: {WEIGHTS_FILE} at commit {commit[:12]} does not match the SHA-256 "
            f"its {METADATA_FILE} states; delete it from the Hub cache ({path}) and fetch again"
        )
    return path, metadata, commit

"""Publishing subcommand: ``push``."""

from __future__ import annotations

import argparse
from pathlib import Path

from quakebench.cli.options import config_from, config_option
from quakebench.config import PushConfig


def _push(args: argparse.Namespace) -> None:
    from quakebench.hub.push import push

    push(config_from(PushConfig, args, folder=Path(args.folder)))


def _push_model(args: argparse.Namespace) -> None:
    from quakebench.hub.weights import push_weights
    from quakebench.results import read_results

    results = read_results(args.results)
    commit = push_weights(args.checkpoint, args.repo_id, args.model, results)
    print(f"{args.model} weights -> {args.repo_id}@{commit}")
    print(f"a results file names them: --extra weights={args.repo_id}@{commit}")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the publishing subcommands."""
    push = commands.add_parser(
        "push",
        help="publish a finished build on the Hugging Face Hub, as one config of its repository",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="""\
Publish a build as one config (its preset, e.g. mini) of a Hub dataset repository.

  1. Checks, before any request: the build is finished, every shard matches its
     manifest, and the dataset card is complete.
  2. Creates the repository if missing (and the branch, with --revision); the Hub
     validates the merged card, which keeps the repository's other configs.
  3. Uploads the shards' bytes in batches. The Hub stores them but no revision shows
     them yet; what the Hub already holds is not sent again, so an interrupted push,
     run again, sends only what is missing.
  4. One commit adds the shards under CONFIG/, the manifest and the card, and removes
     the config's stale files: readers see the old revision or the whole new one.
  5. Checks the committed tree against the manifest, then tags it CONFIG-HASH8.

The token comes from HF_TOKEN or `huggingface-cli login` and is never printed.""",
        epilog="example: quakebench push mini-prewarped --repo-id quakebench/prewarped",
    )
    push.add_argument("folder", help="a finished build (quakebench generate --output)")
    config_option(push, PushConfig, "repo_id", "dataset repository, owner/name")
    config_option(
        push, PushConfig, "config_name", "config in the repository (default: preset)", "--config"
    )
    config_option(push, PushConfig, "revision", "branch to commit to")
    config_option(push, PushConfig, "private", "create the repository private")
    config_option(push, PushConfig, "batch_files", "shards per upload batch")
    push.set_defaults(run=_push, config=PushConfig)

    model = commands.add_parser(
        "push-model",
        help="publish a trained network's checkpoint on the Hub, with a model card",
        description=(
            "Publish a checkpoint (model.pt), its SHA-256 (quakebench.json) and a model card "
            "(recipe, data revision, scores with intervals, licence, citation, from the "
            "results file it scored) in one commit of a Hub model repository."
        ),
        epilog="example: quakebench push-model runs/flownetsd/best.pt --model flownetsd "
        "--repo-id quakebench/flownetsd --results results/prewarped-mini-flownetsd.json",
    )
    model.add_argument("checkpoint", help="best.pt of a training run")
    model.add_argument("--model", required=True, help="the network it holds")
    model.add_argument("--repo-id", required=True, help="model repository, owner/name")
    model.add_argument("--results", required=True, help="the results file it scored")
    model.set_defaults(run=_push_model, config=None)

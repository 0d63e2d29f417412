"""Revision subcommands: ``verify`` (a build folder) and ``reproduce`` (pinned samples here)."""

from __future__ import annotations

import argparse
import sys

from quakebench.contract import DATASETS
from quakebench.errors import QuakebenchError
from quakebench.presets import PRESETS, pinned_records, superseded_revision


def _verify(args: argparse.Namespace) -> int:
    from quakebench.data.manifest import built_preset, check_claims, read_manifest, verify
    from quakebench.data.revision import (
        DIFFERENT,
        check_records,
        digests_of,
        folder_digests,
        folder_records,
    )

    problems = verify(args.folder)
    manifest = read_manifest(args.folder)
    claimed = manifest.get("preset")  # the manifest says: an official build of this preset
    preset = claimed or built_preset(manifest)
    pinned = pinned_records(preset, manifest["dataset"])
    if not problems:
        records = folder_records(args.folder) if pinned else None
        samples = digests_of(records) if pinned else folder_digests(args.folder)
        problems = check_claims(manifest, samples)
    if claimed is not None and not pinned:
        problems.append(f"manifest.json: field preset {claimed!r} is no preset that pins records")
    for problem in problems:
        print(f"quakebench: error: {args.folder}/{problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"{args.folder}: {len(manifest['shards'])} shards verified, samples re-hashed")
    if not pinned:
        print(f"not a pinned preset build (preset: {preset or 'none'})")
        return 0
    check = check_records(manifest["dataset"], preset, records)
    print("\n".join(check.summary()))
    if check.status != DIFFERENT:
        return 0
    if claimed is not None:
        print(f"quakebench: error: {args.folder}/manifest.json: field preset claims {claimed}, "
              "but the samples are not its pinned records", file=sys.stderr)  # fmt: skip
    superseded = superseded_revision(manifest["dataset"], manifest["content_sha256"])
    if superseded:
        print(f"{args.folder}: {superseded}")
    return 1


def _reproduce(args: argparse.Namespace) -> int:
    from pathlib import Path

    from baselines.generator.samples.source import generator_source
    from quakebench.config import BuildConfig
    from quakebench.data.drift import drift_check, drift_records
    from quakebench.data.revision import DIFFERENT

    config = BuildConfig(args.dataset, preset=args.preset, output=Path())  # writes nothing
    check = drift_check(drift_records(config, generator_source(config), args.ids), config)
    for comparison in check.comparisons:
        found = "; ".join(d.describe() for d in comparison.differences)
        print(f"{comparison.id}: {comparison.status}" + (f" ({found})" if found else ""))
    print("\n".join(check.summary()))
    return 1 if check.status == DIFFERENT else 0


def _pin(args: argparse.Namespace) -> None:
    import json

    from quakebench.data.manifest import built_preset, read_manifest
    from quakebench.data.revision import folder_records, pin_records

    manifest = read_manifest(args.folder)
    preset = built_preset(manifest)
    if preset not in PRESETS:
        raise QuakebenchError(f"{args.folder}: not a preset build (preset: {preset or 'none'})")
    path = PRESETS[preset].records_file(manifest["dataset"])
    pins = pin_records(folder_records(args.folder), path)
    print(f"records -> {path}\n{json.dumps({manifest['dataset']: pins}, indent=2)}")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the revision subcommands."""
    verify = commands.add_parser(
        "verify",
        help="check a dataset folder's shards, and a preset build against its pinned records",
        description=(
            "Re-read every shard: size, SHA-256, Parquet structure, sample count. For a build of "
            "a preset, compare every sample with the preset's pinned records and say whether "
            "the build is official (bit-identical), numerically equivalent (within the rule) or "
            "not the preset, naming the samples and fields that differ. Exit status 0 for a "
            "sound build that is not a preset, or is official or equivalent; 1 otherwise."
        ),
        epilog="example: quakebench verify mini-prewarped",
    )
    verify.add_argument("folder")
    verify.set_defaults(run=_verify)

    reproduce = commands.add_parser(
        "reproduce",
        help="rebuild a few pinned samples of a preset here and compare them with its records",
        description=(
            "Render samples of a preset by id (by default its drift samples: every place, every "
            "split) with the libraries installed here, and compare each with the pinned "
            "records: identical, equivalent (within the rule) or different, naming the fields. "
            "Exit status 1 if any differs beyond the rule."
        ),
        epilog="example: quakebench reproduce prewarped --preset mini",
    )
    reproduce.add_argument("dataset", choices=DATASETS)
    reproduce.add_argument(
        "--preset",
        required=True,
        choices=[name for name, preset in PRESETS.items() if preset.content_sha256],
    )
    reproduce.add_argument("--ids", nargs="+", help="sample ids (default: the drift samples)")
    reproduce.set_defaults(run=_reproduce)

    pin = commands.add_parser(
        "pin",
        help="(maintainers) write a preset build's records as the preset's official ones",
        description=(
            "Decode every sample of a preset build, write its records into the package "
            "(quakebench/records/PRESET-DATASET.jsonl) and print the content hash, split hashes "
            "and drift samples to pin in quakebench/presets.py. Build with the constraints file "
            "(constraints/PRESET.txt) first."
        ),
    )
    pin.add_argument("folder")
    pin.set_defaults(run=_pin)

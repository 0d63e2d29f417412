"""The build manifest (``manifest.json``): parameters, every shard's checksum, content hash.

``verify`` re-reads every shard and names the first thing wrong with each.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from quakebench.atomic import atomic_path
from quakebench.checksums import sha256_file
from quakebench.data.content import combine
from quakebench.data.shards import ShardInfo
from quakebench.errors import QuakebenchError

MANIFEST = "manifest.json"


def shards_content_hash(shards: list[ShardInfo]) -> str:
    """The dataset revision's fingerprint: its samples' content, whatever the shard layout."""
    return combine({i: d for shard in shards for i, d in shard.sample_sha256.items()})


def shards_split_hashes(shards: list[ShardInfo]) -> dict[str, str]:
    """``{split: hash}``: each split's fingerprint, as :func:`shards_content_hash`."""
    splits = sorted({shard.split for shard in shards})
    return {
        split: shards_content_hash([shard for shard in shards if shard.split == split])
        for split in splits
    }


def write_manifest(folder: str | os.PathLike, parameters: dict, shards: list[ShardInfo]) -> dict:
    """Write ``manifest.json`` atomically; returns its content."""
    manifest = {
        **parameters,
        "content_sha256": shards_content_hash(shards),
        "split_sha256": shards_split_hashes(shards),
        "shards": [dataclasses.asdict(shard) for shard in sorted(shards, key=lambda s: s.file)],
    }
    with atomic_path(Path(folder) / MANIFEST) as temporary:
        temporary.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def read_manifest(folder: str | os.PathLike) -> dict:
    """Read a dataset folder's manifest."""
    path = Path(folder) / MANIFEST
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise QuakebenchError(f"{path}: no manifest; is {folder} a quakebench dataset?") from None
    except ValueError as error:
        raise QuakebenchError(f"{path}: unreadable manifest ({error})") from None


def built_preset(manifest: dict) -> str | None:
    """The preset a build was made with (``preset_parameters``; ``preset`` in builds before
    quakebench 0.3.0), whether or not it turned out to be that preset's revision."""
    return manifest.get("preset_parameters", manifest.get("preset"))


def verify(folder: str | os.PathLike) -> list[str]:
    """Check every shard of a dataset folder against its manifest.

    Returns
    -------
    list of str
        One line per problem (an unfinished build, a missing shard, a wrong size or checksum,
        unreadable Parquet, a wrong sample count, a shard the manifest does not list), each
        starting with the file's path in the folder; empty when all is well.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    problems = (
        [] if manifest.get("complete") else [f"{MANIFEST}: build not finished; run generate again"]
    )
    listed = set()
    for shard in manifest["shards"]:
        path = folder / shard["file"]
        listed.add(path.resolve())
        if not path.exists():
            problems.append(f"{shard['file']}: missing")
            continue
        if path.stat().st_size != shard["bytes"]:
            problems.append(
                f"{shard['file']}: {path.stat().st_size} bytes, manifest says {shard['bytes']}"
            )
            continue
        if (got := sha256_file(path)) != shard["sha256"]:
            problems.append(
                f"{shard['file']}: checksum mismatch (expected sha256:{shard['sha256']}, "
                f"got sha256:{got})"
            )
            continue
        try:
            rows = pq.ParquetFile(path).metadata.num_rows
        except (OSError, pa.ArrowException) as error:
            problems.append(f"{shard['file']}: unreadable Parquet ({error})")
            continue
        if rows != shard["num_samples"]:
            problems.append(
                f"{shard['file']}: {rows} samples, manifest says {shard['num_samples']}"
            )
    for path in sorted((folder / "data").glob("*.parquet")):
        if path.resolve() not in listed:
            problems.append(f"{path.relative_to(folder)}: not listed in the manifest")
    return problems

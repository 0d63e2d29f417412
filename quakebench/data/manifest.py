"""The build manifest (``manifest.json``): parameters, every shard's checksum, content hash.

:func:`read_manifest` refuses a manifest of the wrong shape, and any shard path that could
leave its build folder (``..``, an absolute path, a symlink out), before anything is read or
sent. :func:`verify` re-reads every shard and names the first thing wrong with each;
:func:`check_claims` then sets what the samples hash to against what the manifest claims.
A manifest can be rewritten consistently by whoever can write the folder: only a preset's
pinned records (:mod:`quakebench.presets`) show that a build is authentic.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from quakebench.atomic import atomic_path
from quakebench.checksums import sha256_file
from quakebench.contract import DATASETS, SPLITS
from quakebench.data.content import combine
from quakebench.data.shards import ShardInfo
from quakebench.errors import QuakebenchError

MANIFEST = "manifest.json"
SHARD_FIELDS = {
    "file": str,
    "split": str,
    "sha256": str,
    "bytes": int,
    "num_samples": int,
    "sample_sha256": dict,
}
"""Every shard entry's fields and their JSON types."""


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
    """Read a dataset folder's manifest, checking its shape and every shard path in it."""
    folder = Path(folder)
    if not folder.is_dir():
        raise QuakebenchError(f"{folder}: not a folder; give a dataset build's folder")
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise QuakebenchError(f"{path}: no manifest; is {folder} a quakebench dataset?") from None
    except (OSError, ValueError, RecursionError) as error:
        raise QuakebenchError(f"{path}: unreadable manifest ({error})") from None
    _check_shape(manifest, path)
    for shard in manifest["shards"]:
        shard_path(folder, shard["file"])
    return manifest


def _check_shape(manifest: object, path: Path) -> None:
    if not isinstance(manifest, dict):
        raise QuakebenchError(f"{path}: must hold an object, not {type(manifest).__name__}")
    if manifest.get("dataset") not in DATASETS:
        raise QuakebenchError(f"{path}: field dataset must be one of {', '.join(DATASETS)}")
    shards = manifest.get("shards")
    if not isinstance(shards, list):
        raise QuakebenchError(f"{path}: field shards must be a list of shard entries")
    for index, shard in enumerate(shards):
        if not isinstance(shard, dict):
            raise QuakebenchError(f"{path}: field shards[{index}] must be an object")
        for name, kind in SHARD_FIELDS.items():
            value = shard.get(name)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise QuakebenchError(
                    f"{path}: field shards[{index}].{name} must be a {kind.__name__}"
                )
        if shard["split"] not in SPLITS:
            raise QuakebenchError(f"{path}: field shards[{index}].split is {shard['split']!r}")


def shard_path(folder: str | os.PathLike, name: str) -> Path:
    """The path of a shard a manifest names, refused unless it stays inside ``folder``: a
    relative path under ``data/`` with no ``..``, and no symlink leading out."""
    folder = Path(folder)
    parts = Path(name).parts
    if Path(name).is_absolute() or ".." in parts or parts[:1] != ("data",) or len(parts) != 2:
        raise QuakebenchError(
            f"{folder / MANIFEST}: shard {name} lies outside the build's data/ folder; "
            "refused before anything is read"
        )
    path = folder / name
    if path.is_symlink() or path.exists():
        inside = path.resolve().is_relative_to((folder / "data").resolve())
        if not inside:
            raise QuakebenchError(
                f"{folder / MANIFEST}: shard {name} links outside the build's data/ folder; "
                "refused before anything is read"
            )
    return path


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
        path = shard_path(folder, shard["file"])
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


def check_claims(manifest: dict, samples: dict[str, dict]) -> list[str]:
    """What a build's samples hash to against what its manifest claims.

    Parameters
    ----------
    manifest : dict
        The build's manifest.
    samples : dict
        ``{id: {"sha256", "dataset", "split", "size"}}``: each stored sample's digest, and
        what it is (:func:`quakebench.data.revision.folder_digests`).

    Returns
    -------
    list of str
        One line per claim the samples contradict, naming the field and, for a split, the
        samples; empty when every claim holds.
    """
    problems = []
    listed = {i: d for shard in manifest["shards"] for i, d in shard["sample_sha256"].items()}
    for split in SPLITS:
        ids = sorted(i for i, s in samples.items() if s["split"] == split)
        changed = [i for i in ids if samples[i]["sha256"] != listed.get(i)]
        if changed:
            more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
            problems.append(
                f"{MANIFEST}: split {split}: {len(changed)} of {len(ids)} samples differ from "
                f"the digests the manifest lists: {', '.join(changed[:3])}{more}"
            )
        computed = combine({i: samples[i]["sha256"] for i in ids})
        claimed = manifest.get("split_sha256")
        if ids and (not isinstance(claimed, dict) or claimed.get(split) != computed):
            problems.append(
                f"{MANIFEST}: field split_sha256.{split} is not what split {split}'s samples "
                f"hash to ({computed[:12]}...)"
            )
    content = combine({i: s["sha256"] for i, s in samples.items()})
    if manifest.get("content_sha256") != content:
        problems.append(
            f"{MANIFEST}: field content_sha256 is not what the samples hash to ({content[:12]}...)"
        )
    counts = Counter(s["split"] for s in samples.values())
    held = {
        "num_samples": counts["train"] + counts["validation"],
        "num_test_samples": counts["test"],
    }
    for field, count in held.items():
        if manifest.get(field) != count:
            problems.append(
                f"{MANIFEST}: field {field} is {manifest.get(field)!r}; the build holds {count}"
            )
    for field in ("dataset", "size"):
        found = sorted({s[field] for s in samples.values()})
        if found and found != [manifest.get(field)]:
            problems.append(
                f"{MANIFEST}: field {field} is {manifest.get(field)!r}; the samples hold "
                f"{', '.join(map(str, found))}"
            )
    return problems

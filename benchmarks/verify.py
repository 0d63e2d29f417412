"""What ``quakebench verify`` costs to re-hash a build's samples, and its projection to ``full``.

Run: ``python benchmarks/verify.py FOLDER`` (a finished build, e.g. ``quakebench generate
prewarped --preset mini --output mini-prewarped``)

Two passes over the same build in one run: hashing the shards' bytes (the file check, the
peer), then reading every sample back and re-hashing it (what ``verify`` adds, and what
``evaluate`` does for one split). The second is projected to a ``full`` build (110,000
samples of 1024 x 1024 per dataset) by bytes of stored samples.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from quakebench.checksums import sha256_file
from quakebench.data.manifest import read_manifest
from quakebench.data.revision import folder_digests

FULL_SAMPLES = 110_000
FULL_SIZE_PX = 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    manifest = read_manifest(args.folder)
    shards = [args.folder / shard["file"] for shard in manifest["shards"]]
    stored = sum(path.stat().st_size for path in shards)

    started = time.perf_counter()
    for path in shards:
        sha256_file(path)
    files_s = time.perf_counter() - started

    started = time.perf_counter()
    samples = folder_digests(args.folder, progress=False)
    samples_s = time.perf_counter() - started

    count, size = len(samples), manifest["size"]
    per_gb = samples_s / (stored / 1e9)
    full_gb = stored / count * FULL_SAMPLES * (FULL_SIZE_PX / size) ** 2 / 1e9
    print(f"{count} samples of {size} px, {stored / 1e6:.0f} MB of shards")
    print(f"shard bytes hashed (the file check): {files_s:.1f} s")
    print(
        f"samples re-hashed: {samples_s:.1f} s, {1e3 * samples_s / count:.0f} ms a sample, "
        f"{per_gb:.1f} s a GB ({samples_s / files_s:.1f}x the file check)"
    )
    print(
        f"projected full build ({FULL_SAMPLES:,} samples of {FULL_SIZE_PX} px, "
        f"{full_gb:.0f} GB): {per_gb * full_gb / 3600:.1f} h on this machine"
    )


if __name__ == "__main__":
    main()

"""Upload throughput of ``quakebench push`` and peak memory of streaming, on the loopback Hub.

Run: ``python benchmarks/hub.py [--count 16] [--size 1024] [--per-shard 8]``

A stand-in build of 1024 x 1024 samples (``benchmarks/evaluate.py``'s) is pushed to the
loopback Hub of the tests (127.0.0.1, Git LFS transfer) by ``quakebench push`` in a fresh
process: bytes sent over seconds. Then a fresh process streams every sample back by name
(``load_split(..., streaming=True)``) and reports its peak resident memory, against the size
of one shard and of one decoded sample: streaming holds a sample, not a shard or a split.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from evaluate import make_dataset  # noqa: E402

from quakebench.data.manifest import read_manifest  # noqa: E402
from tests.local_hub import LocalHub  # noqa: E402

STREAM = """
import resource, sys
from quakebench.data.reader import iter_samples, stream_split
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
count = 0
for sample in iter_samples(stream_split("bench/prewarped", "validation", config="bench")):
    count += 1
print(count, before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=16)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--per-shard", type=int, default=8, help="samples per shard")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, LocalHub() as hub:
        folder = Path(tmp) / "build"
        make_dataset(folder, args.count, args.size, args.per_shard)
        shards = read_manifest(folder)["shards"]
        shard_bytes = max(s["bytes"] for s in shards)
        total = sum(s["bytes"] for s in shards)
        env = {**os.environ, "HF_ENDPOINT": hub.endpoint, "HF_TOKEN": hub.token}
        env |= {"HF_HOME": str(Path(tmp) / "hf"), "HF_HUB_DISABLE_XET": "1"}
        env.pop("HF_HUB_OFFLINE", None)
        push = ["push", str(folder), "--repo-id", "bench/prewarped", "--config", "bench"]
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "quakebench.cli", *push],
            check=True,
            capture_output=True,
            env=env,
            cwd=tmp,
        )
        seconds = time.perf_counter() - start
        sent = sum(len(hub.lfs[oid]) for oid in hub.uploads)
        print(
            f"push: {len(shards)} shards, {sent / 1e6:.0f} MB sent of {total / 1e6:.0f} MB in "
            f"{seconds:.1f} s: {sent / 1e6 / seconds:.0f} MB/s to the loopback Hub "
            "(with start-up, hashing and the commit)"
        )
        streamed = subprocess.run(
            [sys.executable, "-c", STREAM],
            check=True,
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp,
        )
        count, imports_kb, peak_kb = map(int, streamed.stdout.split())
        sample_mb = args.size**2 * (2 + 4 + 8 + 1) / 1e6
        print(
            f"stream: {count} samples of {args.size} px by name, peak memory "
            f"{peak_kb / 1024:.0f} MB, of which {imports_kb / 1024:.0f} MB after the imports: "
            f"+{(peak_kb - imports_kb) / 1024:.0f} MB to stream (one shard "
            f"{shard_bytes / 1e6:.0f} MB on disk, one decoded sample {sample_mb:.0f} MB, the "
            f"split {total / 1e6:.0f} MB)"
        )


if __name__ == "__main__":
    main()

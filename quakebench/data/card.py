"""The dataset card (``README.md`` of a dataset folder or Hub repository)."""

from __future__ import annotations

import string

import datasets
import yaml

from dataset_cards import DATASET_CARD
from quakebench.contract import HUB_NAMESPACE, SPLITS
from quakebench.data.shards import ShardInfo

DESCRIPTIONS = {
    "prewarped": (
        "`prewarped`: `pre` is date 1 and `post` is **date 1 warped**. Both images carry the same "
        "texture, so every error comes from the method (the seed paper's training data). All "
        "pixels with signal are valid."
    ),
    "postwarped": (
        "`postwarped`: `pre` is date 1 and `post` is **date 2 warped**, 16 days later. Real "
        "changes between the acquisitions (illumination, haze, snow, a moving glacier, the sea) "
        "add the noise that correlators meet in practice; `valid` is 0 where the real pair is "
        "not stable: local correlation of the two dates below 0.5, or real motion between "
        "them beyond 3 times the noise of the stable ground (measured by the correlator)."
    ),
}


def split_bytes(features: datasets.Features, num_examples: int) -> int:
    """Approximate in-memory size of ``num_examples`` samples (arrays only), bytes."""
    per_sample = 0
    for name in ("pre", "post", "displacement", "valid"):
        feature = features[name]
        count = 1
        for length in feature.shape:
            count *= length
        per_sample += count * datasets.Value(feature.dtype).pa_type.byte_width
    return per_sample * num_examples


def split_counts(shards: list[ShardInfo]) -> dict[str, int]:
    """Samples per split."""
    counts = dict.fromkeys(SPLITS, 0)
    for shard in shards:
        counts[shard.split] += shard.num_samples
    return counts


def size_category(num_samples: int) -> str:
    """The Hub's size bucket of a dataset, e.g. ``10K<n<100K``."""
    for bound, name in ((1e3, "n<1K"), (1e4, "1K<n<10K"), (1e5, "10K<n<100K"), (1e6, "100K<n<1M")):
        if num_samples < bound:
            return name
    return "1M<n<10M"


def yaml_header(
    dataset: str, features: datasets.Features, shards: list[ShardInfo], num_samples: int
) -> str:
    """The card's YAML header: licence, tags, ``configs`` and ``dataset_info``."""
    counts = split_counts(shards)
    splits = [
        {"name": split, "num_bytes": split_bytes(features, n), "num_examples": n}
        for split, n in counts.items()
        if n
    ]
    header = {
        "license": "cc-by-4.0",
        "pretty_name": f"quakebench {dataset}",
        "task_categories": ["image-to-image"],
        "tags": [
            "optical-flow",
            "earth-science",
            "geodesy",
            "earthquake",
            "optical-image-correlation",
            "remote-sensing",
            "landsat-8",
            "synthetic",
        ],
        "size_categories": [size_category(num_samples)],
        "configs": [
            {
                "config_name": "default",
                "data_files": [{"split": s["name"], "path": f"data/{s['name']}-*"} for s in splits],
            }
        ],
        "dataset_info": {
            "features": features._to_yaml_list(),
            "splits": splits,
            "download_size": sum(shard.bytes for shard in shards),
            "dataset_size": sum(s["num_bytes"] for s in splits),
        },
    }
    return yaml.safe_dump(header, sort_keys=False).rstrip("\n")


def render_card(manifest: dict, features: datasets.Features, shards: list[ShardInfo]) -> str:
    """The dataset card's text for a build."""
    dataset = manifest["dataset"]
    counts = split_counts(shards)
    template = string.Template(DATASET_CARD.read_text())
    return template.substitute(
        yaml_header=yaml_header(dataset, features, shards, manifest["num_samples"]),
        dataset=dataset,
        dataset_description=DESCRIPTIONS[dataset],
        num_samples=manifest["num_samples"],
        num_train=counts["train"],
        num_validation=counts["validation"],
        num_test=counts["test"],
        train_places=", ".join(f"`{p}`" for p in manifest["places"]["train"]) or "none",
        test_places=", ".join(f"`{p}`" for p in manifest["places"]["test"]) or "none",
        min_valid_percent=f"{100 * manifest['min_valid_fraction']:g}",
        size=manifest["size"],
        seed=manifest["seed"],
        generator=manifest["generator"],
        content_sha256=manifest["content_sha256"],
        preset=manifest.get("preset") or "none",
        load_arguments=", ".join(
            f'"{a}"' for a in (f"{HUB_NAMESPACE}/{dataset}", manifest.get("preset")) if a
        ),
        pre_dtype=features["pre"].dtype,
        scenes=", ".join(f"`{s}`" for s in manifest["scenes"]),
    )

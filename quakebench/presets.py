"""The benchmark's official revisions: named build parameters, and the content they give.

A preset's official revision is its per-sample records (``records/{preset}-{dataset}.jsonl``
beside this file: each sample's field digests, scalars and array summaries, see
:mod:`quakebench.data.records`) and the hash of each split. ``mini`` fits a laptop (each dataset
builds in about 5 minutes on 2 cores) and is what the leaderboard ranks; ``full`` is the seed
paper's release (100,000 train and validation samples of 1024 x 1024), pinned by its parameters
until its places are fetched (``quakebench scenes search/fetch``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from quakebench.errors import QuakebenchError

RECORDS = Path(__file__).parent / "records"
"""The official revisions' per-sample records, ``{preset}-{dataset}.jsonl``."""


@dataclass(frozen=True)
class Preset:
    """A named build: its parameters, and the content each dataset must have.

    Attributes
    ----------
    name : str
    num_samples, num_test_samples, size, seed : int
        As :class:`quakebench.config.BuildConfig`.
    content_sha256 : dict
        ``{dataset: hash}`` of the official builds from the bundled catalogue (none yet for
        ``full``, whose places come with the scene fetcher).
    split_sha256 : dict
        ``{dataset: {split: hash}}``: each split's hash, which results files name.
    drift_ids : dict
        ``{dataset: ids}``: the samples the drift check rebuilds (every place, every split);
        their records keep block means too.
    superseded : dict
        ``{dataset: {hash: reason}}``: earlier official hashes, and why they were replaced.
    preview_ids : dict
        ``{dataset: ids}``: test samples (a small, a medium and a large earthquake) whose
        predictions ``evaluate`` keeps as previews and the leaderboard page maps.
    records_folder : Path
        Where the records files are: the package's ``records/`` folder.
    """

    name: str
    num_samples: int
    num_test_samples: int
    size: int
    seed: int
    content_sha256: dict[str, str] = field(default_factory=dict)
    split_sha256: dict[str, dict[str, str]] = field(default_factory=dict)
    drift_ids: dict[str, tuple[str, ...]] = field(default_factory=dict)
    superseded: dict[str, dict[str, str]] = field(default_factory=dict)
    preview_ids: dict[str, tuple[str, ...]] = field(default_factory=dict)
    records_folder: Path = RECORDS

    @property
    def parameters(self) -> dict[str, int]:
        """The build parameters a preset fixes."""
        return {
            "num_samples": self.num_samples,
            "num_test_samples": self.num_test_samples,
            "size": self.size,
            "seed": self.seed,
        }

    def records_file(self, dataset: str) -> Path:
        """The records file of ``dataset``'s official build."""
        return self.records_folder / f"{self.name}-{dataset}.jsonl"

    def records(self, dataset: str) -> dict[str, dict]:
        """``{id: record}`` of ``dataset``'s official build; empty where none is pinned."""
        if dataset not in self.content_sha256:
            return {}
        return _read_records(self.records_file(dataset))


@functools.cache
def _read_records(path: Path) -> dict[str, dict]:
    from quakebench.data.records import read_records

    return read_records(path)


_V3_REASON = (
    "generator 0.3.0: the field's samples evaluated element group by element group; generator "
    "0.4.0 evaluates them with a treecode (the same physics, differences within 1e-3 of the peak)"
)
_V4_REASON = (
    "generator 0.4.0: the treecode's boxes bisected along their widest axis, its clusters down "
    "to two elements; generator 0.5.0 bisects the boxes across the strike until they are twice "
    "as long along it, the clusters down to one element, and finds the pixels' row levels in "
    "one table of the row curves (the same physics, differences within 1e-3 of the peak)"
)
_V5_REASON = (
    "generator 0.5.0: every pixel interpolated from the rows, cubic in the distance across "
    "them; generator 0.6.0 upsamples the pixels far from the trace from a lattice of nodes every "
    "4th pixel, interpolates across the rows in the log of the distance, evaluates the pixels "
    "near a trace vertex directly and separates the treecode's pairs at 0.575 (the same "
    "physics, differences within 1e-3 of the peak)"
)
_V6_REASON = (
    "generator 0.6.0: every rupture's surface offset a step of zero width on the trace; "
    "generator 0.7.0 spreads part of it over a fault zone of finite width (two new fields, "
    "main_strand_fraction and fault_zone_width_m; a localized rupture renders as before)"
)
_V2_REASON = (
    "generator 0.2.0: NumPy's SIMD power and exp kernels made the bits depend on the processor "
    "(fixed in generator 0.3.0); the content hash read the rupture trace as float32"
)

PRESETS = {
    "mini": Preset(
        "mini",
        num_samples=200,
        num_test_samples=100,
        size=256,
        seed=2026,
        content_sha256={
            "prewarped": "8a7e0f65d14fa3cfaa4da977753d2f6c7b5715cbdbc879a7ee417577c6d089d3",
            "postwarped": "21deac151084756e944122d1f8c13ca65fcf6761908c2e24b9def55298c48853",
        },
        split_sha256={
            "prewarped": {
                "train": "43cff241ba22fd5dcdeaab3c7f5c826bf2b6582ff03806c1701e87ab5fb4193f",
                "validation": "1a382964dc952457304e91242b548b8df918a6122b41099b9e8577799646e334",
                "test": "a8d867484ef606e63ae2174ed5c08c0fe36db6ce90a4b70f9543ec43cafb83be",
            },
            "postwarped": {
                "train": "fc5653d207cfe7ade064a3f8d870f6309a0cc3d18001c9f982407121614a762d",
                "validation": "5b6a9ed362e80b1a757c2d0baed79a1d102f3f7075a3778ac20516491746f1b5",
                "test": "84d576338c3884f2c9f4d4c0830e84467694622b4f5ce1bdafff2c7ab6b393b2",
            },
        },
        drift_ids={
            "prewarped": (
                "prewarped-train-000000",
                "prewarped-train-000001",
                "prewarped-train-000002",
                "prewarped-train-000005",
                "prewarped-validation-000004",
                "prewarped-validation-000019",
                "prewarped-validation-000029",
                "prewarped-validation-000049",
                "prewarped-test-000000",
                "prewarped-test-000002",
            ),
            "postwarped": (
                "postwarped-train-000000",
                "postwarped-validation-000004",
                "postwarped-test-000000",
            ),
        },
        preview_ids={
            "prewarped": (
                "prewarped-test-000027",
                "prewarped-test-000008",
                "prewarped-test-000056",
            ),
            "postwarped": (
                "postwarped-test-000027",
                "postwarped-test-000008",
                "postwarped-test-000056",
            ),
        },
        superseded={
            "prewarped": {
                "d07b15e5b16fb87ab5f58a28be00a7eda3941b0bc72db106a5df33becf975855": _V2_REASON,
                "19cb78e071455d36a64b79873f82fd86f10d6b65762a7187c088574d16b61b4c": _V3_REASON,
                "29b9533e7b72653054ac0fa070d5606d3b88e94cbb9c3d58bd69ea391e7e3cce": _V4_REASON,
                "2ebf7013bc5b6d176a68fa670c328c1a9ecf4feba97dcff0c191fb44205cfeb9": _V5_REASON,
                "328739446bf448d437dd3547186197e0d8b304cf2d1d99b210422dd86d2eba61": _V6_REASON,
            },
            "postwarped": {
                "d653778c6cd2f62e20eb2e9bd7f366d9e739a0d7e6a877af70bdc930d466094b": _V2_REASON,
                "17ec179b371804b4fb030af9756b71043f803441cc5988d7b3753dd586c804d5": _V3_REASON,
                "22bacdbd9f1e42c36bcf6601a5d747172de12f1c3b933d870dd1036e3e18b7a3": _V4_REASON,
                "a77594ca47bda25cf4795c6e36193db6e29cf5101bc934cefe9ba0629441a528": _V5_REASON,
                "7590a946535e1b58efc6e0b1099afc0060ef54f45ad5f4e282c229fbb5c8d458": _V6_REASON,
            },
        },
    ),
    "full": Preset("full", num_samples=100_000, num_test_samples=10_000, size=1024, seed=2026),
}


def get_preset(name: str) -> Preset:
    """A preset by name; raises naming the choices."""
    if name not in PRESETS:
        raise QuakebenchError(f"preset: unknown {name!r}; choose one of {', '.join(PRESETS)}")
    return PRESETS[name]


def preview_ids(preset: str | None, dataset: str) -> tuple[str, ...]:
    """The ids whose predictions are previewed on ``dataset``'s board of ``preset`` (may be
    none)."""
    return PRESETS[preset].preview_ids.get(dataset, ()) if preset in PRESETS else ()


def pinned_records(preset: str | None, dataset: str) -> dict[str, dict]:
    """``{id: record}`` of ``dataset``'s official build of ``preset``; empty where the name is
    no preset (or None) or the preset pins no records for the dataset."""
    return PRESETS[preset].records(dataset) if preset in PRESETS else {}


OFFICIAL, EQUIVALENT, DIFFERENT = "official", "numerically equivalent", "different"
VERDICTS = (OFFICIAL, EQUIVALENT, DIFFERENT)
"""What samples are against a preset's pinned records: every one bit-identical, some differing
within the equivalence rule, or some beyond it (:mod:`quakebench.data.revision` decides)."""


def superseded_revision(dataset: str, content_sha256: str) -> str | None:
    """What a build is when its content hash is an earlier official revision of a preset:
    "a superseded revision of mini, generator 0.6.0: ..." (with the reason); else None."""
    for preset in PRESETS.values():
        reason = preset.superseded.get(dataset, {}).get(content_sha256)
        if reason is not None:
            return f"a superseded revision of {preset.name}, {reason}"
    return None


def official_split(dataset: str, split: str, split_sha256: str) -> str | None:
    """The preset whose pinned ``dataset`` build has this ``split`` hash, or None."""
    for preset in PRESETS.values():
        if preset.split_sha256.get(dataset, {}).get(split) == split_sha256:
            return preset.name
    return None

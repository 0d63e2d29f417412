"""The benchmark's official revisions: named build parameters, and the content they give.

A results file names the dataset it was scored on by its content hash; it is an official
result where that hash is a preset's pinned hash. ``mini`` fits a laptop (each dataset builds
in about 10 minutes on 2 cores) and is what the leaderboard ranks; ``full`` is the seed paper's
release (100,000 train and validation samples of 1024 x 1024), pinned by its parameters until
its places are fetched (``quakebench scenes search/fetch``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from quakebench.errors import QuakebenchError


@dataclass(frozen=True)
class Preset:
    """A named build: its parameters, and the content hash each dataset must have.

    Attributes
    ----------
    name : str
    num_samples, num_test_samples, size, seed : int
        As :class:`quakebench.config.BuildConfig`.
    content_sha256 : dict
        ``{dataset: hash}`` of the official builds from the bundled catalogue (none yet for
        ``full``, whose places come with the scene fetcher).
    """

    name: str
    num_samples: int
    num_test_samples: int
    size: int
    seed: int
    content_sha256: dict[str, str] = field(default_factory=dict)

    @property
    def parameters(self) -> dict[str, int]:
        """The build parameters a preset fixes."""
        return {
            "num_samples": self.num_samples,
            "num_test_samples": self.num_test_samples,
            "size": self.size,
            "seed": self.seed,
        }


PRESETS = {
    "mini": Preset(
        "mini",
        num_samples=200,
        num_test_samples=100,
        size=256,
        seed=2026,
        content_sha256={
            "prewarped": "d07b15e5b16fb87ab5f58a28be00a7eda3941b0bc72db106a5df33becf975855",
            "postwarped": "d653778c6cd2f62e20eb2e9bd7f366d9e739a0d7e6a877af70bdc930d466094b",
        },
    ),
    "full": Preset("full", num_samples=100_000, num_test_samples=10_000, size=1024, seed=2026),
}


def get_preset(name: str) -> Preset:
    """A preset by name; raises naming the choices."""
    if name not in PRESETS:
        raise QuakebenchError(f"preset: unknown {name!r}; choose one of {', '.join(PRESETS)}")
    return PRESETS[name]


def official_preset(dataset: str, content_sha256: str) -> str | None:
    """The preset whose pinned ``dataset`` build has this content hash, or None."""
    for preset in PRESETS.values():
        if preset.content_sha256.get(dataset) == content_sha256:
            return preset.name
    return None

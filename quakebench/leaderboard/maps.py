"""The samples behind a board's example maps: read from a dataset for the preset's few ids.

The leaderboard reads results files only, except here: the pair and the truth of the preview
samples come from a dataset (a local build or the Hub) that the page's builder names. A sample
is used only if it is the preset's, bit for bit (its digest against the pinned records).
"""

from __future__ import annotations

from pathlib import Path

from quakebench.config import DatasetConfig
from quakebench.data.address import resolve
from quakebench.data.content import sample_digest
from quakebench.errors import QuakebenchError
from quakebench.leaderboard.board import Board
from quakebench.presets import pinned_records, preview_ids


def preview_samples(board: Board, addresses: tuple[str, ...]) -> list[dict]:
    """The board's preview samples, in the preset's order, from the first of ``addresses``
    that holds its dataset; empty where none does or the board has no preview ids."""
    name = board.dataset["name"]
    wanted = preview_ids(board.official, name)
    if not wanted:
        return []
    records = pinned_records(board.official, name)
    for address in addresses:
        # A Hub name is read at the preset's config; a folder is one build already.
        config = None if Path(address).is_dir() else board.official
        source = resolve(DatasetConfig(address, config))
        if source.record["name"] != name:
            continue
        found = {}
        for sample in source.samples(board.split):
            if sample["id"] in wanted:
                if sample_digest(sample) != records[sample["id"]]["sha256"]:
                    raise QuakebenchError(
                        f"{address}: sample {sample['id']} is not the {board.official} "
                        f"preset's (its digest differs from the pinned record)"
                    )
                found[sample["id"]] = sample
            if len(found) == len(wanted):
                break
        missing = [i for i in wanted if i not in found]
        if missing:
            raise QuakebenchError(f"{address}: no sample {missing[0]} in split {board.split}")
        return [found[i] for i in wanted]
    return []

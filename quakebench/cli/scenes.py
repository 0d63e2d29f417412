"""Scene subcommands: ``scenes`` (list and check), ``scenes search`` and ``scenes fetch``."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from baselines.imagery.stac_config import FetchConfig, Region, SearchConfig, read_regions
from quakebench.cli.options import (
    FIGURE_SUFFIXES,
    config_from,
    config_option,
    output_file,
    save_figure,
)
from quakebench.errors import QuakebenchError


def _scenes(args: argparse.Namespace) -> None:
    from baselines.generator.earthquake.figure import plot_pair_validity
    from baselines.imagery.scenes import BUNDLED_CATALOG, read_catalog
    from baselines.imagery.validity import pair_quality, textured

    catalog = Path(args.catalog) if args.catalog else BUNDLED_CATALOG
    figure_path = output_file(args.figure, FIGURE_SUFFIXES)
    scenes, pairs = read_catalog(catalog)
    for scene in scenes.values():
        print(
            f"scene {scene.id}: place {scene.place} ({scene.role}), {scene.image.shape[0]} x "
            f"{scene.image.shape[1]} px of {scene.pixel_size_m:g} m, {scene.crs}, acquired "
            f"{scene.acquired or 'unknown'}, {100 * textured(scene.image).mean():.0f} % textured"
        )
    for pair in pairs:
        quality = pair_quality(pair)
        registration = quality.registration
        print(
            f"pair {pair.id} ({pair.role}): {100 * quality.valid.mean():.1f} % valid; excluded "
            f"{100 * quality.decorrelated_fraction:.1f} % decorrelated, "
            f"{100 * quality.moving_fraction:.1f} % moving (real motion beyond 3 x the noise, "
            f"{quality.noise_px:.3f} px); co-registration of date 2 on date 1: "
            f"{registration.row_px:+.3f} px rows, {registration.col_px:+.3f} px cols "
            f"(spread {registration.spread_px:.3f} px over {registration.tiles} stable tiles)"
        )
        if figure_path:
            title = f"{pair.id}: {pair.pre.acquired} / {pair.post.acquired}"
            path = figure_path.with_name(f"{figure_path.stem}_{pair.id}{figure_path.suffix}")
            save_figure(plot_pair_validity(pair.pre.image, pair.post.image, quality, title), path)


def register(commands: argparse._SubParsersAction) -> None:
    """Add the scene subcommands."""
    scenes = commands.add_parser(
        "scenes",
        help="list the scenes, and check each pair's validity mask and co-registration",
        description=(
            "Read a scene catalogue (the bundled Landsat-8 scenes by default), verify checksums, "
            "list each scene's place, role and textured fraction, and for each two-date pair "
            "report the valid fraction, what was excluded for decorrelation and for real motion "
            "(with the noise of the stable area) and the global co-registration; optionally "
            "draw both masks over the pair."
        ),
    )
    scenes.add_argument("--catalog", help="JSON scene catalogue (default: bundled Landsat-8)")
    scenes.add_argument("--figure", help="draw each pair's mask to FILE_<pair>.png")
    scenes.set_defaults(run=_scenes)
    actions = scenes.add_subparsers(dest="action", metavar="ACTION")
    _register_search(actions)
    _register_fetch(actions)


def _search(args: argparse.Namespace) -> None:
    from baselines.imagery.search import search, write_candidates

    output = output_file(args.output, (".json",))
    if (args.bbox is None) == (args.region is None):
        raise QuakebenchError("give --bbox W S E N or --region NAME (one of them)")
    bbox = tuple(args.bbox) if args.bbox else _region(args.region).bbox
    config = config_from(
        SearchConfig,
        args,
        bbox=bbox,
        min_days=args.days[0],
        max_days=args.days[1],
        skip_snow_season=not args.keep_snow_season,
    )
    candidates = search(config)
    write_candidates(candidates, output)
    refused = ", ".join(f"{n} {reason}" for reason, n in candidates["refused"].items())
    print(
        f"{candidates['items']} scenes ({refused or 'none refused'}): "
        f"{len(candidates['pairs'])} pairs -> {output}"
    )


def _region(name: str) -> Region:
    regions = read_regions()
    if name not in regions:
        raise QuakebenchError(f"--region {name}: unknown; one of {', '.join(regions)}")
    return regions[name]


def _fetch(args: argparse.Namespace) -> None:
    from baselines.imagery.fetch import CATALOG, fetch

    config = config_from(
        FetchConfig,
        args,
        candidates=Path(args.candidates),
        output=Path(args.output),
        regions=Path(args.regions),
    )
    catalog = fetch(config)
    roles = Counter(scene["role"] for scene in catalog["scenes"][::2])
    print(
        f"{len(catalog['pairs'])} window pairs ({roles['train']} train, {roles['test']} test) "
        f"-> {config.output / CATALOG}"
    )


SEARCH_FLAGS = {
    "max_cloud_percent": "--max-cloud",
    "max_sun_elevation_difference_deg": "--max-sun-difference",
    "max_geometric_rmse_m": "--max-rmse",
}


def _register_search(actions: argparse._SubParsersAction) -> None:
    search = actions.add_parser(
        "search",
        help="find two-date Landsat-8 pairs in a STAC API",
        description=(
            "Search a STAC API (pystac-client) for Landsat-8 Collection 2 Level-1 scenes, keep "
            "the L1TP Tier 1 ones with little cloud (scene and land), a bounded geometric RMSE "
            "where stated, outside the snow season, and pair scenes of one WRS-2 path/row taken "
            "MIN to MAX days apart with close sun elevations. Writes a candidates file: pairs, "
            "dates, cloud cover, asset URLs, footprints."
        ),
        epilog=(
            "example: quakebench scenes search --region atacama --start 2019-01-01 "
            "--end 2020-12-31 --output atacama.json"
        ),
    )
    search.add_argument(
        "--bbox", nargs=4, type=float, metavar=("W", "S", "E", "N"), help="search box, degrees"
    )
    search.add_argument("--region", help="a named region of the release (regions.json)")
    for field, text in (
        ("stac_url", "STAC API root"),
        ("collection", "Landsat-8 Level-1 collection"),
        ("asset", "band 8 asset key"),
        ("start", "first date, ISO"),
        ("end", "last date, ISO"),
        ("max_cloud_percent", "most cloud over the scene and over land, percent"),
        ("max_sun_elevation_difference_deg", "most sun-elevation difference of a pair"),
        ("max_geometric_rmse_m", "most model geometric RMSE, where stated"),
        ("max_items", "most items read"),
    ):
        config_option(search, SearchConfig, field, text, SEARCH_FLAGS.get(field))
    defaults = (SearchConfig.min_days, SearchConfig.max_days)
    search.add_argument(
        "--days",
        nargs=2,
        type=int,
        metavar=("MIN", "MAX"),
        default=defaults,
        help=f"days between the dates (default: {defaults[0]} {defaults[1]})",
    )
    search.add_argument(
        "--keep-snow-season", action="store_true", help="keep winter dates (refused by default)"
    )
    search.add_argument("--output", required=True, help="candidates JSON file to write")
    search.set_defaults(run=_search)


def _register_fetch(actions: argparse._SubParsersAction) -> None:
    fetch = actions.add_parser(
        "fetch",
        help="read the windows of candidate pairs into GeoTIFFs and a catalogue",
        description=(
            "For each candidate pair, read band 8 of both dates over HTTP with rasterio (only "
            "the windows' tiles travel), on their common grid from the centre out; keep a "
            "window where the valid (correlated, still) and textured fraction reaches the crop "
            "floor, up to --windows-per-pair. Writes compressed GeoTIFFs with checksums and "
            "provenance and a catalog.json for quakebench generate --catalog; a window meeting "
            "a test region is held out. Reruns skip what is decided; credentials come from "
            "GDAL's own settings (GDAL_HTTP_HEADERS, AWS_* with AWS_REQUEST_PAYER=requester)."
        ),
        epilog="example: quakebench scenes fetch atacama.json --output scenes/ --window 15km",
    )
    fetch.add_argument("candidates", help="candidates file of quakebench scenes search")
    fetch.add_argument("--output", required=True, help="folder for the GeoTIFFs and catalogue")
    config_option(fetch, FetchConfig, "window", "window side: pixels or km (e.g. 15km)")
    config_option(fetch, FetchConfig, "windows_per_pair", "windows kept per pair at most")
    config_option(fetch, FetchConfig, "min_usable_fraction", "crop floor: valid and textured")
    config_option(fetch, FetchConfig, "regions", "regions with roles (JSON)", type=str)
    config_option(fetch, FetchConfig, "max_pairs", "candidate pairs read at most")
    fetch.set_defaults(run=_fetch)

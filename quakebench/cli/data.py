"""Data subcommands: ``simulate``, ``generate``, ``scenes``."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from baselines.generator.stac_config import FetchConfig, Region, SearchConfig, read_regions
from baselines.generator.tile import TileConfig
from quakebench.cli.options import (
    FIGURE_SUFFIXES,
    config_from,
    config_option,
    optional_path,
    output_file,
    save_figure,
)
from quakebench.config import BUILD_DEFAULTS, BuildConfig
from quakebench.contract import DATASETS
from quakebench.errors import QuakebenchError
from quakebench.presets import PRESETS


def _simulate(args: argparse.Namespace) -> None:
    from baselines.generator.figure import plot_displacement
    from baselines.generator.simulate import save_simulation, simulate

    config = config_from(TileConfig, args)
    output = output_file(args.output, (".npz",))
    figure_path = output_file(args.figure, FIGURE_SUFFIXES)
    simulation = simulate(config.seed, config.size, config.pixel_size_m)
    save_simulation(simulation, output)
    scenario = simulation.scenario
    print(
        f"seed {config.seed}: Mw {scenario['magnitude']:.2f} {scenario['sense']}, "
        f"length {scenario['length_km']:.1f} km, mean slip {scenario['mean_slip_m']:.2f} m, "
        f"peak displacement {abs(simulation.displacement_px).max():.3f} px -> {output}"
    )
    if figure_path:
        title = f"Mw {scenario['magnitude']:.2f} {scenario['sense']} (seed {config.seed})"
        figure = plot_displacement(
            simulation.displacement_px, simulation.rupture_px, config.pixel_size_m, title
        )
        save_figure(figure, figure_path)


def _generate(args: argparse.Namespace) -> int:
    from quakebench.data.build import build

    config = config_from(
        BuildConfig,
        args,
        output=Path(args.output),
        catalog=optional_path(args.catalog),
        scenes=optional_path(args.scenes),
    )
    manifest = build(config)
    size = sum(shard["bytes"] for shard in manifest["shards"])
    count = sum(shard["num_samples"] for shard in manifest["shards"])
    print(
        f"{config.dataset}: {count} samples of {config.size} px in {len(manifest['shards'])} "
        f"shards, {size / 1e6:.1f} MB -> {config.output}\n"
        f"content sha256:{manifest['content_sha256']}"
    )
    revision = manifest.get("revision")
    if revision and revision.get("summary"):
        print("\n".join(revision["summary"]))
    return 1 if revision and revision.get("status") == "different" else 0


def _scenes(args: argparse.Namespace) -> None:
    from baselines.generator.figure import plot_pair_validity
    from baselines.generator.scenes import BUNDLED_CATALOG, read_catalog
    from baselines.generator.validity import pair_quality, textured

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
    """Add the data subcommands."""
    simulate = commands.add_parser(
        "simulate",
        help="simulate the surface displacement of one random strike-slip earthquake",
        description=(
            "Draw an earthquake from the seed (magnitude, rough fault, fractal slip), compute "
            "its surface displacement with triangular dislocations in an elastic half-space, "
            "and write it on a pixel grid: displacement (east, north) in pixels, the rupture "
            "trace in pixel coordinates and the scenario as JSON."
        ),
        epilog=(
            "example: quakebench simulate --seed 7 --size 512 --output quake.npz --figure quake.png"
        ),
    )
    config_option(simulate, TileConfig, "seed", "scenario seed (>= 0)", type=int)
    config_option(simulate, TileConfig, "size", "tile side, pixels")
    config_option(
        simulate,
        TileConfig,
        "pixel_size_m",
        "pixel size, metres (Landsat-8 pan: 15)",
        "--pixel-size",
    )
    simulate.add_argument("--output", required=True, help="output .npz file")
    simulate.add_argument("--figure", help="also draw the E-W and N-S maps to this .png/.pdf/.svg")
    simulate.set_defaults(run=_simulate, config=TileConfig)

    generate = commands.add_parser(
        "generate",
        help="build a benchmark dataset folder (Hugging Face layout) from real scenes",
        description=(
            "Render samples (a real image crop, a simulated earthquake, the warped second image) "
            "into Parquet shards with a dataset card and a manifest, in parallel with Dask. "
            "Interrupted builds resume; the same arguments always give the same bytes."
        ),
        epilog=(
            "example: quakebench generate prewarped --num-samples 16 --size 256 --seed 0 "
            "--output prewarped-256"
        ),
    )
    generate.add_argument("dataset", choices=DATASETS)
    config_option(
        generate,
        BuildConfig,
        "preset",
        "official build: fixes the four options below (mini: 200 + 100 test of 256 px)",
        choices=tuple(PRESETS),
    )
    config_option(generate, BuildConfig, "num_samples", "train + validation samples", type=int)
    config_option(
        generate,
        BuildConfig,
        "num_test_samples",
        "test samples, from held-out places "
        f"(without a preset: {BUILD_DEFAULTS['num_test_samples']})",
        type=int,
    )
    config_option(
        generate,
        BuildConfig,
        "size",
        f"tile side, pixels (without a preset: {BUILD_DEFAULTS['size']})",
        type=int,
    )
    config_option(
        generate,
        BuildConfig,
        "seed",
        f"build seed (without a preset: {BUILD_DEFAULTS['seed']})",
        type=int,
    )
    config_option(
        generate,
        BuildConfig,
        "min_valid_fraction",
        "smallest fraction of valid, textured pixels in every sample",
    )
    config_option(generate, BuildConfig, "output", "dataset folder to create or resume")
    config_option(
        generate,
        BuildConfig,
        "samples_per_shard",
        "samples per Parquet shard (default: enough for about 1 GB)",
        type=int,
    )
    config_option(
        generate, BuildConfig, "catalog", "JSON scene catalogue (default: bundled Landsat-8)"
    )
    config_option(generate, BuildConfig, "scenes", "folder of single-date GeoTIFFs (prewarped)")
    config_option(
        generate, BuildConfig, "workers", "local Dask worker processes (default: cores)", type=int
    )
    config_option(
        generate,
        BuildConfig,
        "scheduler",
        "address of a running Dask scheduler, e.g. tcp://10.0.0.1:8786",
    )
    generate.set_defaults(run=_generate, config=BuildConfig)

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
    from baselines.generator.search import search, write_candidates

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
    from baselines.generator.fetch import CATALOG, fetch

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

"""Data subcommands: ``simulate``, ``generate`` and ``bank``."""

from __future__ import annotations

import argparse
from pathlib import Path

from baselines.generator.earthquake.tile import TileConfig
from baselines.stream.config import BankConfig
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
from quakebench.presets import PRESETS


def _simulate(args: argparse.Namespace) -> None:
    from baselines.generator.earthquake.figure import plot_displacement
    from baselines.generator.earthquake.simulate import save_simulation, simulate

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
        zone = (scenario["main_strand_fraction"], scenario["fault_zone_width_m"])
        fields = (simulation.displacement_px, simulation.rupture_px, config.pixel_size_m)
        figure = plot_displacement(*fields, title, zone)
        save_figure(figure, figure_path)


def _generate(args: argparse.Namespace) -> int:
    from baselines.generator.samples.source import build_with_generator

    config = config_from(
        BuildConfig,
        args,
        output=Path(args.output),
        catalog=optional_path(args.catalog),
        scenes=optional_path(args.scenes),
    )
    manifest = build_with_generator(config)
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


def _bank(args: argparse.Namespace) -> None:
    from baselines.stream.bank import build_bank

    config = config_from(
        BankConfig, args, output=Path(args.output), pixel_sizes_m=tuple(args.pixel_sizes_m)
    )
    for pixel_size_m, folder in build_bank(config).items():
        count = len(list(folder.glob("field-*.npz")))
        print(f"{pixel_size_m:g} m pixels: {count} fields of {config.size} px -> {folder}")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the data subcommands."""
    bank = commands.add_parser(
        "bank",
        help="simulate a bank of displacement fields for the networks' training stream",
        description=(
            "Simulate fields once (in parallel, each written atomically; an interrupted bank "
            "resumes), keyed by pixel size, for the training stream to warp onto fresh crops "
            "of training places (quakebench train --stream)."
        ),
        epilog="example: quakebench bank --output bank --num-fields 512 --size 256",
    )
    config_option(bank, BankConfig, "output", "bank folder to create or resume")
    config_option(bank, BankConfig, "num_fields", "fields per pixel size")
    config_option(bank, BankConfig, "size", "field side, pixels")
    config_option(bank, BankConfig, "pixel_sizes_m", "pixel sizes, metres", type=float, nargs="+")
    config_option(bank, BankConfig, "seed", "bank seed: field k's earthquake comes from it")
    config_option(bank, BankConfig, "workers", "processes (default: every core)", type=int)
    bank.set_defaults(run=_bank, config=BankConfig)

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
    simulate.add_argument("--figure", help="also draw the maps and the rupture's profile here")
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
        "samples per Parquet shard (default: enough for about 500 MB)",
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

"""The ``quakebench`` command line: parses options and calls the library, nothing more."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from quakebench import __version__
from quakebench.errors import QuakebenchError


def _output_file(value: str, suffixes: tuple[str, ...]) -> Path:
    path = Path(value)
    if path.suffix.lower() not in suffixes:
        raise QuakebenchError(f"{value}: expected a file ending in {' or '.join(suffixes)}")
    if not path.parent.is_dir():
        raise QuakebenchError(f"{value}: folder {path.parent} does not exist")
    return path


def _simulate(args: argparse.Namespace) -> None:
    from baselines.generator.simulate import save_simulation, simulate

    output = _output_file(args.output, (".npz",))
    figure_path = _output_file(args.figure, (".png", ".pdf", ".svg")) if args.figure else None
    simulation = simulate(args.seed, args.size, args.pixel_size)
    save_simulation(simulation, output)
    scenario = simulation.scenario
    print(
        f"seed {args.seed}: Mw {scenario['magnitude']:.2f} {scenario['sense']}, "
        f"length {scenario['length_km']:.1f} km, mean slip {scenario['mean_slip_m']:.2f} m, "
        f"peak displacement {abs(simulation.displacement_px).max():.3f} px -> {output}"
    )
    if figure_path:
        from baselines.generator.figure import plot_displacement
        from quakebench.atomic import atomic_path

        title = f"Mw {scenario['magnitude']:.2f} {scenario['sense']} (seed {args.seed})"
        figure = plot_displacement(
            simulation.displacement_px, simulation.rupture_px, args.pixel_size, title
        )
        with atomic_path(figure_path) as temporary:
            figure.savefig(temporary, dpi=120)
        print(f"figure -> {figure_path}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``quakebench`` command."""
    parser = argparse.ArgumentParser(
        prog="quakebench",
        description="Sub-pixel earthquake displacement benchmark: simulate, build, evaluate.",
    )
    parser.add_argument("--version", action="version", version=f"quakebench {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

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
    simulate.add_argument("--seed", type=int, required=True, help="scenario seed (>= 0)")
    simulate.add_argument("--size", type=int, default=1024, help="tile side, pixels (default 1024)")
    simulate.add_argument(
        "--pixel-size",
        type=float,
        default=15.0,
        help="pixel size, metres (default 15, Landsat-8 pan)",
    )
    simulate.add_argument("--output", required=True, help="output .npz file")
    simulate.add_argument("--figure", help="also draw the E-W and N-S maps to this .png/.pdf/.svg")
    simulate.set_defaults(run=_simulate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 with a one-line message on bad input)."""
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except QuakebenchError as error:
        print(f"quakebench: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``rl-compiler plot``: training curves of one or more run directories in one PNG.

    rl-compiler plot runs/ppo_llvm-autophase-ic-v0_1 runs/ppo_llvm-autophase-ic-v0_2 -o curves.png
    rl-compiler plot runs/optimize/trial_* --labels a b c --size 10 4 --dpi 120 -o trials.png

Left: the training episode return against environment steps (the runs' Monitor files, smoothed); right: the
periodic validation score (``evaluations.csv``). See :mod:`rl_compiler.agents.rl.plots`.
"""

from __future__ import annotations

import argparse
import logging

from rl_compiler.cli import CLIError

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "plot",
        help="plot the training curves (return, validation score) of run directories as one PNG",
        description="Training return and validation score against environment steps, one line per run.",
    )
    parser.add_argument("runs", nargs="+", metavar="RUN", help="run directories written by rl-compiler train")
    parser.add_argument("-o", "--output", default="training.png", help="the PNG to write (default: training.png)")
    parser.add_argument("--labels", nargs="+", default=None, help="a legend label per run (default: its folder)")
    parser.add_argument("--title", default="", help="figure title")
    parser.add_argument(
        "--size",
        nargs=2,
        type=float,
        default=(12.0, 4.5),
        metavar=("WIDTH", "HEIGHT"),
        help="figure size in inches (default: 12 4.5)",
    )
    parser.add_argument("--dpi", type=int, default=100, help="pixels per inch (default: 100: 1200x450 pixels)")
    parser.add_argument("--window", type=int, default=20, help="episodes in the return's moving average (default: 20)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rl_compiler.agents.rl.plots import PlotError, plot_runs, png_size

    try:
        import matplotlib  # noqa: F401 - imported by plot_runs; checked here for a clear message
    except ImportError as error:
        raise CLIError(f"plotting needs matplotlib: pip install 'rl-compiler[plot]' ({error})") from None
    try:
        out = plot_runs(
            args.runs,
            args.output,
            labels=args.labels,
            window=args.window,
            size=tuple(args.size),
            dpi=args.dpi,
            title=args.title,
        )
    except PlotError as error:
        raise CLIError(str(error)) from None
    except OSError as error:
        raise CLIError(f"cannot write {args.output}: {error.strerror or error}") from None
    width, height = png_size(out)
    logger.info("wrote %s (%dx%d pixels, %d run(s))", out, width, height, len(args.runs))
    return 0

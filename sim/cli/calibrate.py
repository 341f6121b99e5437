"""The ``giftsim calibrate`` command: fit a spec's parameters to published facts and write the fit's folder.

It runs :func:`sim.sweeps.calibrate.calibrate` (the method of simulated moments on common random
numbers, searched by Optuna's TPE), prints the report and writes the folder with
:func:`sim.sweeps.calibrate_report.write_calibration`: the report, the trials, the profile and its
figure, and ``fitted.yaml``, a config that extends the base config. A user's mistake (a bad spec, an
existing folder without ``--overwrite``) ends with one ``giftsim: error: ...`` line, exit status 2
and nothing written, checked before any run; a failed run ends with exit status 1.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sim.cli.common import (
    RUNS_FAILED,
    add_executor_arguments,
    add_figure_and_progress_arguments,
    chosen_formats,
    chosen_progress,
    interrupted_status,
    usage_error,
)
from sim.cli.sensitivity import add_yes_argument, check_estimate

if TYPE_CHECKING:
    import pandas as pd

    from sim.sweeps.calibrate import CalibrationSpec

COMMANDS = ("calibrate",)


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``calibrate`` on a parser's subcommands."""
    parser = subparsers.add_parser(
        "calibrate", help="fit parameters to published facts (method of simulated moments, Optuna TPE)",
        description="Fit a calibration spec's parameters to its facts (FACTS in sim/sweeps/facts.py): each "
        "parameter vector runs on the same seeds, the loss sums each fitted fact's squared distance from the "
        "middle of its published range in half widths, and Optuna's TPE searches it; then the loss is profiled "
        "along each parameter. Writes report.md, report.json, the trials, the profile and its figure, and "
        "fitted.yaml (a config extending the base config) to the folder. See docs/calibration.md.")
    parser.add_argument("spec", type=Path, help="YAML calibration spec, e.g. configs/calibrate/fit_tiktok.yaml")
    parser.add_argument("--out", type=Path, help="results folder (default results/calibrate-<name>)")
    parser.add_argument("--overwrite", action="store_true", help="replace the results folder if it exists")
    parser.add_argument("--trials", type=trial_count, metavar="N", help="trials of the search (default: the "
                        "spec's calibrate.trials)")
    add_executor_arguments(parser)
    add_yes_argument(parser)
    add_figure_and_progress_arguments(parser, "formats of the profile figure")


def trial_count(text: str) -> int:
    """``--trials``: a whole number from 1, refused in the same words whatever is wrong with it (0, -1 or x)."""
    value = int(text) if text.isdigit() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1, got {text!r}")
    return value


def run_command(args: argparse.Namespace) -> int:
    """Run ``giftsim calibrate``; return the exit status."""
    from sim.engine.config_io import ConfigError
    from sim.engine.resources import InsufficientMemoryError
    from sim.io.folder import explain_write_error
    from sim.sweeps.calibrate import CalibrationError, calibrate, load_calibration_spec, planned_work
    from sim.sweeps.calibrate_report import (
        CalibrationExistsError,
        default_out,
        ensure_writable,
        report_markdown,
        write_calibration,
    )
    from sim.sweeps.executors import SchedulerUnreachableError, default_workers

    try:
        formats = chosen_formats(args)
    except ValueError as exc:
        return usage_error(str(exc))
    command = shlex.join(["giftsim", "calibrate", str(args.spec),
                          *(part for setting in args.overrides for part in ("--set", setting)),
                          *(["--trials", str(args.trials)] if args.trials else [])])
    try:
        spec = load_calibration_spec(args.spec, args.overrides)
        out = args.out or default_out(spec)
        ensure_writable(out, args.overwrite)  # before the fit, not after an hour of it
        if args.scheduler is None:  # on a cluster, its workers are not known here
            side_by_side = args.dask_local or args.workers or default_workers()
            refused = check_estimate(planned_work(spec, side_by_side, args.trials), args,
                                     "--trials, calibrate.profile_points or replicates")
            if refused is not None:
                return refused
        result = calibrate(spec, workers=args.workers, scheduler=args.scheduler, dask_local=args.dask_local,
                           trials=args.trials, progress=chosen_progress(args))
        files = write_calibration(result, out, overwrite=args.overwrite, command=command,
                                  figure_writer=lambda fitted, figures: save_profile(fitted.profile, fitted.spec,
                                                                                     figures.parent, formats))
    except ConfigError as exc:
        return usage_error("; ".join(f"{exc.source}: {problem}" for problem in exc.problems))
    except (CalibrationExistsError, SchedulerUnreachableError, InsufficientMemoryError) as exc:
        return usage_error(str(exc))
    except CalibrationError as exc:
        print(f"giftsim: {exc}; nothing was written", file=sys.stderr)
        return RUNS_FAILED
    except OSError as exc:
        return usage_error(f"cannot write results: {explain_write_error(exc)}")
    except KeyboardInterrupt as exc:
        written = getattr(exc, "written", None)  # the signal came as the folder was moved into place
        print(f"giftsim: interrupted; {f'{written} was written whole' if written else 'nothing was written'}",
              file=sys.stderr)
        return interrupted_status(exc)
    if not args.quiet:
        print(report_markdown(result, command))
        print(f"Fitted config: {out / 'fitted.yaml'}; {len(files)} files in {out}")
    return 0


def save_profile(profile: pd.DataFrame, spec: CalibrationSpec, out: Path, formats: list[str]) -> list[Path]:
    """Draw a calibration's profile figure into its folder's ``figures/``; nothing without a profile.

    Args:
        profile: The profile table (``CalibrationResult.profile``, or the folder's ``profile.parquet``).
        spec: The calibration's spec.
        out: The calibration's folder (while it is written, its staging folder).
        formats: Figure formats.
    """
    from sim.figures import save_figures
    from sim.figures.calibrate import profile_figure
    from sim.sweeps.calibrate import PROFILE_TOLERANCE
    from sim.sweeps.spec import spec_digest

    if profile.empty:
        return []
    logs = tuple(path for path, ranged in spec.calibrate.parameters.items() if ranged.scale == "log")
    figure = profile_figure(profile, PROFILE_TOLERANCE, log_parameters=logs)
    provenance = {"calibration_name": spec.name, "spec_sha256": spec_digest(spec)}
    return save_figures({"profile": figure}, out / "figures", formats=formats, provenance=provenance)

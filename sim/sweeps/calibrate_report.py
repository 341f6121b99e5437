"""A calibration's folder: its report, its trials and profile, the fitted config, and the profile figure.

:func:`write_calibration` writes what :func:`sim.sweeps.calibrate.calibrate` found into one folder
(``results/calibrate-<name>`` by default), whole or not at all, with the writer every command's
folder goes through (:func:`sim.io.result_folder.written_folder`): ``--overwrite`` replaces only a
calibration folder (one holding the ``report.json`` giftsim writes), never a file, a link, an
unrelated folder or another kind's results.

- ``report.md``: each fact before and after (fitted and held out), the loss, each parameter's start,
  fitted value and profile interval, the runs and the time taken (:func:`report_markdown`);
- ``report.json``: the same as data, with the spec and the provenance;
- ``trials.csv`` and ``trials.parquet``: one row per trial (trial 0 is the base config);
- ``profile.csv`` and ``profile.parquet``: the loss and the facts at each profile point;
- ``fitted.yaml``: a config that ``extends`` the base config and sets only the fitted parameters
  (:func:`fitted_config_text`);
- and ``figures/profile.<format>``, which ``giftsim calibrate`` draws as the folder is written
  (:func:`sim.figures.calibrate.profile_figure`, passed in: figures import sweeps, not the other way round).
"""

from __future__ import annotations

import json
import math
import os
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.engine.config_io import dump_yaml
from sim.io.provenance import git_commit, git_dirty, versions
from sim.io.result_folder import FolderExistsError, FolderKind, written_folder
from sim.sweeps.calibrate import PROFILE_TOLERANCE, CalibrationResult, CalibrationSpec
from sim.sweeps.experiment import DEFAULT_RESULTS_ROOT
from sim.sweeps.facts import Fact
from sim.sweeps.spec import Range, spec_digest

FITTED_CONFIG_FILE = "fitted.yaml"
REPORT_FILE = "report"  # .md and .json
SIGNIFICANT_DIGITS = 6  # of the fitted values written to the config: far finer than their uncertainty


class CalibrationExistsError(FolderExistsError):
    """The calibration's folder exists and overwriting was not asked for, or what is there is not one."""


CALIBRATION_FOLDER = FolderKind(
    "calibration folder", f"{REPORT_FILE}.json", frozenset({"spec", "spec_sha256", "params_after", "loss_after"}),
    writer="giftsim calibrate", work="calibration", error=CalibrationExistsError)


def default_out(spec: CalibrationSpec) -> Path:
    """``results/calibrate-<name>``."""
    return DEFAULT_RESULTS_ROOT / f"calibrate-{spec.name}"


def ensure_writable(out: Path, overwrite: bool) -> None:
    """Refuse, before the fit, a place the calibration may not write: anything there but a calibration folder,
    and that only with ``overwrite`` (:meth:`sim.io.result_folder.FolderKind.check`).

    Raises:
        CalibrationExistsError: ``out`` may not be written, with the reason.
    """
    CALIBRATION_FOLDER.check(out, overwrite=overwrite)


def rounded(value: Any, ranged: Range | None = None) -> Any:
    """A fitted value as the config gets it: whole numbers as they are, others to :data:`SIGNIFICANT_DIGITS`,
    kept inside ``ranged`` (the range searched) when rounding would take it past an end."""
    if isinstance(value, int):
        return value
    value = float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    return value if ranged is None else min(max(value, ranged.low), ranged.high)


def fitted_config_text(result: CalibrationResult, out: Path) -> str:
    """A config that ``extends`` the spec's base config (by its path relative to ``out``) and sets the fitted
    parameters, with a comment saying what it was fitted on.

    The spec's ``set`` (a smaller economy, a longer window) is not carried over: it is how the fit was
    run, not part of the fitted economy; the comment records it.
    """
    spec = result.spec
    section = spec.calibrate
    base = Path(os.path.relpath(Path(spec.base).resolve(), out.resolve())).as_posix()
    nested: dict[str, Any] = {}
    for path, value in result.best.params.items():
        node = nested
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = rounded(value, section.parameters[path])
    settings = ", ".join(f"{path}={value}" for path, value in spec.set.items()) or "none"
    lines = [
        f"# Fitted by `giftsim calibrate` (spec {spec.name}, giftsim {versions().get('giftsim', '?')}) to the "
        f"{section.preset} facts",
        f"#   {', '.join(section.fit)}:",
        f"#   loss {result.before.loss:.4g} at the base config's values, {result.best.loss:.4g} fitted "
        "(report.md beside this file).",
        *textwrap.wrap(f"Held out: {', '.join(fact.name for fact in section.held_out_facts) or 'none'}. Fitted on "
                       f"the spec's economy ({settings}), {spec.replicates} replicates on common seeds from root "
                       f"seed {spec.root_seed}; that economy is not carried over: this config is the base config "
                       "with the fitted values alone.", width=110, initial_indent="# ", subsequent_indent="# "),
        f"# Values to {SIGNIFICANT_DIGITS} significant digits. Check runs of it with: giftsim facts RESULTS --preset "
        f"{section.preset}",
        "",
    ]
    body = {"extends": base, "name": f"{result.base_config.name}_fitted", **nested}
    return "\n".join(lines) + dump_yaml(body, sort_keys=False, default_flow_style=False)


def _percent(value: float) -> str:
    return "-" if not math.isfinite(value) else f"{value:.1%}"


def _met(fact: Fact, value: float) -> str:
    return {True: "yes", False: "**no**", None: "-"}[fact.is_met(value)]


def fact_rows(result: CalibrationResult) -> list[dict[str, Any]]:
    """One row per fact, fitted first: its role, published range, values before and after, and whether met."""
    section = result.spec.calibrate
    before, after = result.before.means, result.best.means
    rows = []
    for role, facts in (("fit", section.fit_facts), ("held out", section.held_out_facts)):
        for fact in facts:
            rows.append({"fact": fact.name, "role": role, "measure": fact.measure, "published": fact.wanted,
                         "low": fact.low, "high": fact.high, "before": before[fact.name], "after": after[fact.name],
                         "met_before": fact.is_met(before[fact.name]), "met_after": fact.is_met(after[fact.name]),
                         "window_notes": result.window_notes.get(fact.name, [])})
    return rows


def report_markdown(result: CalibrationResult, command: str | None = None) -> str:
    """The calibration as Markdown: the facts before and after, the parameters with their profile intervals,
    the loss, and what it took.

    Args:
        result: The calibration.
        command: The command that ran it, shown in the closing line.
    """
    spec, section = result.spec, result.spec.calibrate
    lines = ["| fact | role | published | before | after | met before | met after |",
             "|---|---|---|---:|---:|---|---|"]
    for row in fact_rows(result):
        fact = next(f for f in [*section.fit_facts, *section.held_out_facts] if f.name == row["fact"])
        lines.append(f"| {row['fact']} | {row['role']} | {row['published']} | {_percent(row['before'])} | "
                     f"{_percent(row['after'])} | {_met(fact, row['before'])} | {_met(fact, row['after'])} |")
    lines += ["", f"Loss (fitted facts only): {result.before.loss:.4g} at the base config's values, "
              f"{result.best.loss:.4g} fitted (trial {_best_trial(result)} of {section.trials}).", "",
              f"| parameter | range searched | before | fitted | values within loss + {PROFILE_TOLERANCE:g} "
              "(profile) |", "|---|---|---:|---:|---|"]
    uncertainty = result.uncertainty().set_index("parameter")
    for path, ranged in section.parameters.items():
        row = uncertainty.loc[path]
        interval = "-" if math.isnan(row["low"]) else f"{row['low']:.4g} to {row['high']:.4g}"
        edges = [name for name, end, at in (("low", ranged.low, row["low"]), ("high", ranged.high, row["high"]))
                 if math.isclose(end, at)]
        if edges:
            interval += f" (reaches the range's {' and '.join(edges)} end{'s' if len(edges) > 1 else ''})"
        lines.append(f"| {path} | {ranged.low:g} to {ranged.high:g}{' (log)' if ranged.scale == 'log' else ''} | "
                     f"{row['before']:.4g} | {row['best']:.4g} | {interval} |")
    better = _profile_better(result)
    if better is not None:
        lines += ["", f"The profile found a lower loss than the search, {better['loss']:.4g} at "
                  f"{better['parameter']} = {better['value']:.4g} (the others fitted): the search had not "
                  "converged; more trials would move the fit there."]
    notes = sorted({note for found in result.window_notes.values() for note in found})
    if notes:
        lines += ["", f"Window: the runs differ from the facts' published windows: {'; '.join(notes)}."]
    settings = ", ".join(f"`{path}={value}`" for path, value in spec.set.items()) or "none"
    ran = f"`{command}`" if command else "giftsim calibrate"
    lines += ["", f"The loss is the sum over fitted facts of ((mean over replicates - middle of the published "
              "range) / half its width)^2, each parameter vector run on the same seeds (common random numbers). "
              f"The profile varies one parameter at a time across {section.profile_points} values of its range, the "
              "others at the fitted values. "
              f"{spec.replicates} replicates per vector (root seed {spec.root_seed}) on the spec's economy "
              f"({settings}); {result.runs} runs {result.executor} in {result.wall_time_s:.0f} s "
              f"({result.runs_per_minute:.0f} runs/min); {ran}."]
    return "\n".join(lines)


def _best_trial(result: CalibrationResult) -> int:
    trials = result.trials
    return int(trials.loc[trials["loss"].idxmin(), "trial"])


def _profile_better(result: CalibrationResult) -> dict[str, Any] | None:
    """The profile point with the lowest loss, when it is lower than the best trial's."""
    if result.profile.empty:
        return None
    row = result.profile.loc[result.profile["loss"].idxmin()]
    return row.to_dict() if row["loss"] < result.best.loss else None


def report_data(result: CalibrationResult) -> dict[str, Any]:
    """The calibration as JSON-ready data: spec, provenance, facts, parameters, loss, runs and time."""
    spec = result.spec
    return {
        "spec": spec.model_dump(mode="json", exclude_none=True), "spec_sha256": spec_digest(spec),
        "versions": versions(), "git_commit": git_commit(), "git_dirty": git_dirty(),
        "seeds": result.seeds, "loss_before": _finite(result.before.loss), "loss_after": _finite(result.best.loss),
        "best_trial": _best_trial(result), "params_before": result.before.params, "params_after": result.best.params,
        "facts": [{key: _finite(value) for key, value in row.items()} for row in fact_rows(result)],
        "uncertainty": [{key: _finite(value) for key, value in row.items()}
                        for row in result.uncertainty().to_dict("records")],
        "profile_tolerance": PROFILE_TOLERANCE, "runs": result.runs, "wall_time_s": result.wall_time_s,
        "runs_per_minute": result.runs_per_minute, "executor": result.executor,
    }


def _finite(value: Any) -> Any:
    """NaN and infinity as None: JSON has neither."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def write_calibration(result: CalibrationResult, out: str | Path | None = None, *, overwrite: bool = False,
                      command: str | None = None,
                      figure_writer: Callable[[CalibrationResult, Path], object] | None = None) -> list[Path]:
    """Write a calibration's folder whole (see the module's docstring); return the files written.

    Args:
        result: The calibration.
        out: The folder (default ``results/calibrate-<name>``).
        overwrite: Replace a calibration folder there; anything else is refused.
        command: The command that ran the calibration, recorded in the report.
        figure_writer: Draws the figures into the folder it is given (``out/figures`` while the folder
            is being written), e.g. ``giftsim calibrate``'s profile figure; None draws none.

    Raises:
        CalibrationExistsError: ``out`` exists and ``overwrite`` is False, or is not a calibration folder
            (a file, a link, an unrelated folder, another kind's results); checked again as the folder is
            moved into place.
        OSError: The folder cannot be written.
    """
    out = Path(out) if out is not None else default_out(result.spec)
    with written_folder(out, CALIBRATION_FOLDER, overwrite=overwrite) as staging:
        (staging / f"{REPORT_FILE}.md").write_text(report_markdown(result, command) + "\n", encoding="utf-8")
        data = report_data(result)
        for name, frame in (("trials", result.trials), ("profile", result.profile)):
            frame.to_csv(staging / f"{name}.csv", index=False)
            frame.to_parquet(staging / f"{name}.parquet", index=False)
        (staging / FITTED_CONFIG_FILE).write_text(fitted_config_text(result, out), encoding="utf-8")
        if figure_writer is not None:
            figure_writer(result, staging / "figures")
        # The marker last: a folder holding it is whole.
        (staging / f"{REPORT_FILE}.json").write_text(json.dumps(data, indent=1, default=str) + "\n",
                                                      encoding="utf-8")
    return sorted(path for path in out.rglob("*") if path.is_file())

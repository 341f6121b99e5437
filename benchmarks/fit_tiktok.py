"""Refit the TikTok preset with ``giftsim calibrate`` and record the run in docs/calibration.md.

Runs ``configs/calibrate/fit_tiktok.yaml`` through the command itself (so the folder, the report and
``fitted.yaml`` are what a user gets), then writes the report and the fitted config between the
``fit-tiktok`` markers of docs/calibration.md and the profile figure to docs/figures/calibrate_profile.png.
Not to be confused with ``benchmarks/calibrate.py``, which regenerates the table of targets.

Run on demand (some 8 minutes on 2 cores)::

    .venv/bin/python benchmarks/fit_tiktok.py
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from sim.cli.main import main as giftsim

try:
    from benchmarks.doc_sections import replace_section
except ModuleNotFoundError:  # run as a script (python benchmarks/NAME.py): its own folder is on the path
    from doc_sections import replace_section

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "calibration.md"
SPEC = Path("configs") / "calibrate" / "fit_tiktok.yaml"  # relative, as a user types it
FIGURE = REPO / "docs" / "figures" / "calibrate_profile.png"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "results" / "calibrate-fit_tiktok",
                        help="the calibration's folder (replaced)")
    parser.add_argument("--workers", default="2", help="worker processes (default 2)")
    args = parser.parse_args()
    status = giftsim(["calibrate", str(SPEC), "--out", str(args.out), "--overwrite", "--workers", args.workers,
                      "--quiet", "--format", "png", "svg", "pdf"])
    if status:
        raise SystemExit(status)
    report = (args.out / "report.md").read_text(encoding="utf-8").rstrip()
    fitted = (args.out / "fitted.yaml").read_text(encoding="utf-8").rstrip()
    shutil.copyfile(args.out / "figures" / "profile.png", FIGURE)
    text = (f"{report}\n\n![The loss along each fitted parameter, the others at the fitted values]"
            f"(figures/{FIGURE.name})\n\nThe fitted config (`fitted.yaml` in the folder; its `extends` is relative "
            f"to the folder):\n\n```yaml\n{fitted}\n```\n\nWritten by `benchmarks/fit_tiktok.py`.")
    print(text)
    replace_section(DOC, "fit-tiktok", text)


if __name__ == "__main__":
    main()

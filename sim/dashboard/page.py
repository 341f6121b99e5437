"""The dashboard page, in Solara: run controls, inputs, headline numbers, plots and a price comparison.

The page is giftsim's own rather than Mesa's SolaraViz, whose controller steps inside the click's
handler (no busy state; the page shows "Time: 0" until the step ends), lets Play run past the run's
end, and whose sidebar is a drawer that covers a phone's screen. It keeps Mesa's convention that the
inputs take effect on Reset, which builds a new model with their values.

Work (Reset, Step, Play, a comparison) runs in one background task at a time, so the page stays
live: while it runs, every button that would start more work is disabled and the status line says
what is running. The task steps a :class:`~sim.dashboard.session.Session` and publishes a
:class:`~sim.dashboard.session.View` after each step, which is all the page renders from.

Elements a reader (or the browser test) looks for carry ids: ``clock``, ``status``, ``headlines``,
``control-<path with dashes>`` with its ``value``, each plot's block by name, ``comparison``.
"""

from __future__ import annotations

import html
import re
from typing import Any

import solara

from sim.dashboard.comparison import PAIRS, Comparison, compare
from sim.dashboard.controls import Control, controls, slider_control
from sim.dashboard.plots import PLOTS
from sim.dashboard.session import Session, View
from sim.engine.config import Config

HOURS_PER_STEP = 24  # a day a Step, and a redraw a day in Play: about a second at the default size
# Two columns (inputs, then numbers and plots) on a wide screen; one column on a phone, inputs last
CSS = """
.giftsim { display: grid; gap: 12px; padding: 8px; align-items: start;
  grid-template-columns: minmax(260px, 330px) minmax(0, 1fr);
  grid-template-areas: "run main" "inputs main"; grid-template-rows: auto 1fr; }
.giftsim-run { grid-area: run; } .giftsim-inputs { grid-area: inputs; } .giftsim-main { grid-area: main; min-width: 0; }
@media (max-width: 760px) {
  .giftsim { grid-template-columns: minmax(0, 1fr); grid-template-areas: "run" "main" "inputs"; padding: 4px; }
}
.giftsim h1 { font-size: 20px; margin: 0 0 4px; line-height: 1.3; }
.giftsim h2 { font-size: 17px; margin: 4px 0; }
.giftsim-clock { font-size: 18px; font-weight: 600; }
.giftsim-status { font-size: 15px; min-height: 1.5em; }
.giftsim-status.is-busy { color: #0072B2; font-weight: 600; }
.giftsim-status.is-ended { color: #B45000; font-weight: 600; }
.giftsim-buttons { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0; }
.giftsim-control { margin: 6px 0 2px; }
.giftsim-label { font-size: 14px; font-weight: 500; }
.giftsim-row { display: flex; align-items: center; gap: 8px; }
.giftsim-row > :first-child { flex: 1 1 auto; min-width: 0; }
.giftsim-value { flex: 0 0 4.6em; text-align: right; font-size: 15px; font-weight: 600;
  font-variant-numeric: tabular-nums; }
.giftsim-help { font-size: 12px; color: #555; }
.giftsim table { border-collapse: collapse; font-size: 15px; width: 100%; }
.giftsim td, .giftsim th { padding: 3px 6px; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
.giftsim td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
#headlines table { max-width: 560px; }
@media (max-width: 760px) {  /* the comparison's rows as blocks: a metric, then its cells, each named */
  .giftsim-compare thead { display: none; }
  .giftsim-compare tr { display: block; border-bottom: 1px solid #ddd; padding: 4px 0; }
  .giftsim-compare td { display: block; border: none; text-align: left !important; padding: 1px 6px; }
  .giftsim-compare td:first-child { font-weight: 600; }
  .giftsim-compare td[data-label]::before { content: attr(data-label) ": "; color: #555; }
}
.giftsim-plots { display: grid; gap: 12px; grid-template-columns: repeat(auto-fill, minmax(min(340px, 100%), 1fr)); }
.giftsim-plot { max-width: 460px; }  /* sim.dashboard.plots.PANE_MAX_PX */
.giftsim-note { font-size: 14px; }
.giftsim .v-input--selection-controls { margin-top: 0; padding-top: 0; }
.giftsim-row .v-messages { display: none; }  /* Vuetify's room for hints pushed the value off its switch's line */
.giftsim-row .v-input__slot { margin-bottom: 0; }
"""


def element_id(path: str, prefix: str = "control-") -> str:
    """The id of a control's block: ``prefix`` and its path with dashes (``control-platform-creator_share``)."""
    return prefix + re.sub(r"[^A-Za-z0-9_]+", "-", path)


@solara.component
def ControlView(control: Control, value: Any, on_value, disabled: bool = False, prefix: str = "control-"):
    """One input: its label, the slider or switch, and its current value beside it; its block's id starts ``prefix``."""
    with solara.Div(classes=["giftsim-control"], attributes={"id": element_id(control.path, prefix)}):
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(control.label), classes=["giftsim-label"],
                    attributes={"title": control.help})
        with solara.Div(classes=["giftsim-row"]):
            if control.is_switch:
                solara.Switch(value=value, on_value=on_value, disabled=disabled)
            elif control.is_integer:
                solara.SliderInt("", value=value, min=control.minimum, max=control.maximum, step=control.step,
                                 on_value=on_value, thumb_label=False, disabled=disabled)
            else:
                solara.SliderFloat("", value=value, min=control.minimum, max=control.maximum, step=control.step,
                                   on_value=on_value, thumb_label=False, disabled=disabled)
            solara.HTML(tag="span", unsafe_innerHTML=html.escape(control.show(value)), classes=["giftsim-value"])


def headlines_html(view: View) -> str:
    """The headline metrics as a table of label and value."""
    rows = "".join(f'<tr data-metric="{key}"><td>{html.escape(label)}</td><td class="number">{value}</td></tr>'
                   for key, label, value in view.headlines)
    return f"<table><tbody>{rows}</tbody></table>"


def comparison_html(result: Comparison) -> str:
    """A comparison's table: each metric's arms, paired difference with its interval, relative change, verdict."""
    head = "".join(f"<th>{h}</th>" for h in ("Metric", "Baseline", "Changed", "Paired difference",
                                               "Relative change", "Verdict"))
    rows = "".join(
        f'<tr data-metric="{c.name}"><td>{html.escape(c.label)}</td>'
        f'<td class="number" data-label="Baseline">{c.baseline}</td>'
        f'<td class="number" data-label="Changed">{c.changed}</td>'
        f'<td class="number" data-label="Paired difference">{c.difference} {c.interval}</td>'
        f'<td class="number" data-label="Relative change">{c.relative}</td>'
        f'<td data-label="Verdict">{c.verdict}</td></tr>' for c in result.changes)
    return (f'<table class="giftsim-compare"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
            f'<p class="giftsim-note">{html.escape(result.describe())}</p>')


@solara.component
def Dashboard(config: Config, seed: int | None = None):
    """A live dashboard of ``config``: Step, Play and Reset, the inputs, headline numbers, plots and a comparison.

    The inputs take effect on Reset, which builds a new model from ``config`` with their values. In
    a notebook, display ``Dashboard(config)``; ``giftsim dashboard`` serves it as a web page.

    Args:
        config: The economy to start from; every input starts at its value.
        seed: The seed of every model built; None takes ``config.run.seed``.
    """
    seed = config.run.seed if seed is None else seed
    regions = list(config.regions)

    def start() -> dict[str, Any]:
        values = {c.path: c.value for c in controls(config)}
        session = Session(config, seed, values)
        return {"controls": controls(config), "values": values, "session": session, "view": session.view()}

    # Built once per page. use_reactive(x) sets the reactive to x whenever x changes between renders, so
    # every reactive starts from these objects, which stay the same.
    state = solara.use_memo(start, [])  # "session" is the model the worker steps; Reset replaces it
    inputs_shown = state["controls"]
    inputs = solara.use_reactive(state["values"])
    applied = solara.use_reactive(state["values"])  # the inputs the model was built with
    view = solara.use_reactive(state["view"])  # the page reads only the views the worker publishes
    hours_per_step = solara.use_reactive(min(HOURS_PER_STEP, state["view"].total_hours))
    activity = solara.use_reactive("")  # what the worker is doing, while it works
    playing = solara.use_reactive(False)
    compare_region = solara.use_reactive(regions[0])
    compare_value = solara.use_reactive(state["values"][f"regions.{regions[0]}.price_multiplier"])
    result = solara.use_reactive(None)

    def show_view(session: Session) -> None:
        activity.set(f"Drawing the plots at hour {session.model.steps}…")
        view.set(session.view())

    def run_hours(session: Session) -> None:
        start = session.model.steps
        hours = min(hours_per_step.value, session.hours_left)
        activity.set(f"Running hours {start + 1}–{start + hours} of {session.total_hours}…")
        session.advance(hours)
        show_view(session)

    def work(action: str) -> None:
        try:
            if action == "reset":
                activity.set("Building a new model with the inputs…")
                state["session"] = Session(config, seed, inputs.value)
                applied.set(dict(inputs.value))
                show_view(state["session"])
            elif action == "step":
                run_hours(state["session"])
            elif action == "play":
                while playing.value and not state["session"].is_finished:
                    run_hours(state["session"])
            elif action == "compare":
                path = f"regions.{compare_region.value}.price_multiplier"
                result.set(compare(config, seed, applied.value, path, compare_value.value,
                                   progress=lambda line: activity.set(f"Comparing: {line}…")))
        finally:
            playing.set(False)
            activity.set("")

    task = solara.lab.use_task(work, dependencies=None, raise_error=False)
    is_busy = task.pending
    current = view.value

    def play_or_pause() -> None:
        if playing.value:
            playing.set(False)  # the worker stops after the hours it is running
        else:
            playing.set(True)
            task("play")

    solara.Style(CSS)
    with solara.Div(classes=["giftsim"]):
        with solara.Div(classes=["giftsim-run"]):
            solara.HTML(tag="h1", unsafe_innerHTML=html.escape(f"giftsim: {config.name} (seed {seed})"))
            solara.HTML(tag="div", unsafe_innerHTML=html.escape(current.clock), classes=["giftsim-clock"],
                        attributes={"id": "clock"})
            if is_busy:
                status, kind = activity.value or "Working…", "is-busy"
            elif task.error:
                status, kind = f"Error: {task.exception}", "is-ended"
            elif current.is_finished:
                status, kind = (f"The run has ended: hour {current.total_hours} of {current.total_hours}. "
                                "Reset to run it again.", "is-ended")
            else:
                status, kind = f"Ready: {current.total_hours - current.hour} hours left to run.", ""
            solara.HTML(tag="div", unsafe_innerHTML=html.escape(status), classes=["giftsim-status", kind],
                        attributes={"id": "status", "aria-live": "polite", "aria-busy": str(is_busy).lower()})
            solara.ProgressLinear(is_busy)
            with solara.Div(classes=["giftsim-buttons"]):
                solara.Button("Reset", on_click=lambda: task("reset"), disabled=is_busy, color="primary")
                solara.Button(f"Step {hours_per_step.value} h", on_click=lambda: task("step"),
                              disabled=is_busy or current.is_finished, color="primary")
                solara.Button("Pause" if playing.value else "Play", on_click=play_or_pause,
                              disabled=current.is_finished or (is_busy and not playing.value), color="primary")
            hours_control = Control("hours_per_step", "Hours per Step, and per redraw in Play",
                                    "How many hours Step runs, and Play runs between redraws.",
                                    hours_per_step.value, 1, current.total_hours, 1)
            ControlView(hours_control, hours_per_step.value, hours_per_step.set, disabled=is_busy)

        with solara.Div(classes=["giftsim-inputs"]):
            solara.HTML(tag="h2", unsafe_innerHTML="Inputs")
            is_pending = inputs.value != applied.value
            note = ("Changed: Reset to build the model with them." if is_pending
                    else "They take effect on Reset, which builds a new model with them.")
            solara.HTML(tag="div", unsafe_innerHTML=note, classes=["giftsim-help"], attributes={"id": "inputs-note"})
            for control in inputs_shown:
                ControlView(control, inputs.value[control.path],
                            lambda value, path=control.path: inputs.set({**inputs.value, path: value}),
                            disabled=is_busy)

        with solara.Div(classes=["giftsim-main"]):
            solara.HTML(tag="h2", unsafe_innerHTML="So far")
            solara.HTML(tag="div", unsafe_innerHTML=headlines_html(current), attributes={"id": "headlines"})
            with solara.Div(classes=["giftsim-plots"]):
                for name, title, _, empty in PLOTS:
                    svg = current.plots.get(name)
                    body = svg if svg is not None else f'<p class="giftsim-note">{html.escape(empty)}</p>'
                    solara.HTML(tag="div", unsafe_innerHTML=f"<h2>{html.escape(title)}</h2>{body}",
                                classes=["giftsim-plot"], attributes={"id": name})
            ComparisonView(config, regions, compare_region, compare_value, applied.value, result.value,
                           lambda: task("compare"), is_busy)


@solara.component
def ComparisonView(config: Config, regions: list[str], region, value, applied: dict, result: Comparison | None,
                   on_compare, is_busy: bool):
    """Change one region's price, run both arms on the same seeds, and show the paired change."""
    path = f"regions.{region.value}.price_multiplier"
    control = slider_control(config, path)
    baseline = applied[path]

    def choose(code: str) -> None:
        region.set(code)
        value.set(applied[f"regions.{code}.price_multiplier"])

    with solara.Div(attributes={"id": "comparison"}):
        solara.HTML(tag="h2", unsafe_innerHTML="Compare a price change")
        solara.HTML(tag="div", classes=["giftsim-note"], unsafe_innerHTML=html.escape(
            f"Runs {PAIRS} pairs of whole runs with the model's settings: each pair on one seed, once as it is and "
            "once with the changed price; then the change in each metric, pair by pair, with its interval."))
        solara.Select("Region whose price changes", values=regions, value=region.value, on_value=choose,
                      disabled=is_busy)
        ControlView(control, value.value, value.set, disabled=is_busy, prefix="compare-")
        is_same = value.value == baseline
        solara.Button(f"Compare {PAIRS} pairs", on_click=on_compare, disabled=is_busy or is_same, color="primary")
        if is_same:
            solara.HTML(tag="div", classes=["giftsim-help"], unsafe_innerHTML=html.escape(
                f"Move the price away from the model's {control.show(baseline)} to compare."))
        if result is not None:
            solara.HTML(tag="div", unsafe_innerHTML=comparison_html(result), attributes={"id": "comparison-result"})

"""A dashboard's session never runs past the run's end, and its view says where the run stands."""

from sim.dashboard.numbers import format_metric
from sim.dashboard.plots import PLOTS, SCREEN_WIDTH_IN, text_px
from sim.dashboard.session import HEADLINES, Session

DAY = {"run.days": 1}


def test_a_step_runs_only_the_hours_left(small_config):
    session = Session(small_config, seed=2, settings=DAY)
    assert (session.total_hours, session.hours_left) == (24, 24)
    assert session.advance(10) == 10
    assert session.advance(20) == 14  # not hour 30 of 24
    assert session.is_finished and session.model.steps == 24
    assert session.advance(5) == 0 and session.model.steps == 24


def test_the_view_names_the_hour_and_writes_the_headlines_as_the_cli(small_config):
    session = Session(small_config, seed=2, settings=DAY)
    start = session.view(draw=False)
    assert start.clock == "Hour 0 of 24" and not start.is_finished
    session.advance(24)
    view = session.view(draw=False)
    assert view.clock == "Hour 24 of 24: day 1, 23:00 UTC" and view.is_finished
    summary = session.model.summary()
    assert [key for key, _, _ in view.headlines] == list(HEADLINES)
    assert [text for key, _, text in view.headlines] == [format_metric(key, summary[key]) for key in HEADLINES]
    assert dict((key, label) for key, label, _ in view.headlines)["gross_spend_usd"] == "Gross viewer spend (USD)"


def test_the_settings_build_the_model(small_config):
    session = Session(small_config, seed=2, settings={**DAY, "platform.creator_share": 0.5})
    assert session.model.config.platform.creator_share == 0.5


def test_the_plots_are_drawn_once_there_is_data(small_config):
    session = Session(small_config, seed=2, settings=DAY)
    assert session.view().plots == {name: None for name, *_ in PLOTS}
    session.advance(12)
    plots = session.view().plots
    assert all(plots[name].startswith("<svg") and 'style="width: 100%; height: auto"' in plots[name]
               for name, *_ in PLOTS)
    assert "viewer-dollar-ax0-creators-0" in plots["viewer-dollar"]


def test_the_plots_text_is_readable_in_a_screen_pane():
    # The house style's 7 pt at the narrowest and widest pane (a phone's column, a desktop's two)
    assert SCREEN_WIDTH_IN < 3.5  # narrower than a journal column, so that the page scales it up
    assert text_px(370) >= 11 and text_px(460) <= 14.5

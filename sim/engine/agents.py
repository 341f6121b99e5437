"""Mesa agents: ``Viewer``, ``Creator`` and ``Brand``, each a view onto one row of array state.

The model keeps every attribute in NumPy arrays (:mod:`sim.engine.state`) and applies behaviour to whole
populations at once; an agent object reads its own row, so ``model.agents_by_type[Viewer]`` and
Mesa's AgentSet tools work as usual. The model makes the views the first time anything asks for an
agent (the mechanisms never do), with the ids and order they would have had if made with the model.
The views are read-only: changes go through the model, so
the ledger always sees them, and an assignment (``agent.wallet_coins = 5``, or ``AgentSet.set``, which
assigns) raises instead of hiding the row behind a value the model never sees.

Agents cannot be removed: every population is a fixed set of rows that the mechanisms, the books
and the invariants read whole, so ``agent.remove()`` raises rather than take an agent out of the
AgentSet while its row keeps streaming and earning. Creators leave the economy by quitting and
join it over the run (the ``supply`` mechanism); a smaller economy is a smaller ``population``.
"""

from __future__ import annotations

from typing import Any

from sim.engine.mesa_import import mesa


class StateView:
    """A read-only attribute that returns ``model.<population>.<field>[agent.index]``."""

    def __init__(self, field: str, doc: str = ""):
        self.field = field
        self.__doc__ = doc

    def __get__(self, agent: Any, owner: type | None = None) -> Any:
        if agent is None:
            return self
        return getattr(getattr(agent.model, agent.population), self.field)[agent.index].item()

    def __set__(self, agent: Any, value: Any) -> None:
        raise AttributeError(
            f"{type(agent).__name__}.{self.field} is read-only: the agent is a view of row {agent.index} of "
            f"the model's {agent.population}.{self.field} array; change state through a mechanism, so that "
            "the books see it")

    def __delete__(self, agent: Any) -> None:
        self.__set__(agent, None)


class CreatorRef(StateView):
    """A read-only attribute naming a creator by its row: that Creator agent's ``unique_id``, or None for nobody."""

    def __get__(self, agent: Any, owner: type | None = None) -> Any:
        if agent is None:
            return self
        creator = agent.model.creator(super().__get__(agent, owner))
        return None if creator is None else creator.unique_id


class _ArrayAgent(mesa.Agent):
    """An agent whose state is row ``index`` of the model's ``population`` arrays."""

    population = ""

    def __init__(self, model: mesa.Model, index: int):
        super().__init__(model)
        self.index = index

    def __repr__(self) -> str:
        return f"{type(self).__name__}(index={self.index})"

    def remove(self) -> None:
        """Refused: populations are fixed arrays of rows, read whole by every mechanism and by the books.

        Raises:
            TypeError: Always; see the module's docstring for what to do instead.
        """
        raise TypeError(
            f"{self!r} cannot be removed: giftsim's populations are fixed, and a removed agent's row would "
            "keep streaming, gifting and earning; creators leave by quitting (the supply mechanism), "
            "and a smaller economy is a smaller config population")

    @property
    def region(self) -> str:
        """The agent's region code (a brand's: the region it targets)."""
        return self.model.region_codes[getattr(self.model, self.population).region[self.index]]


class Viewer(_ArrayAgent):
    """A viewer: buys coins in its region and channel and sends gifts in the lives it watches."""

    population = "viewer_state"
    # What the datacollector reports of a viewer when asked to collect agents (sim.engine.collector.AgentRows).
    reported = ("is_online", "watching_id", "spend_micro", "wallet_coins")
    is_online = StateView("is_online", "Whether the viewer is online this hour.")
    watching_id = CreatorRef("watching", "The unique_id of the creator watched this hour; None when not watching.")
    wallet_coins = StateView("wallet_coins", "Coins in the wallet.")
    budget_left_micro = StateView("budget_left_micro", "Budget left this month (micro-USD).")
    spend_micro = StateView("spend_micro", "Gross spent on coins so far (micro-USD).")
    coins_gifted = StateView("coins_gifted", "Coins sent as gifts so far.")
    watch_hours = StateView("watch_hours", "Hours spent watching lives.")

    @property
    def channel(self) -> str:
        """The channel the viewer buys coins through."""
        return self.model.prices.channel_names[self.model.viewer_state.channel[self.index]]

    @property
    def watching(self) -> Creator | None:
        """The creator watched this hour, if any."""
        return self.model.creator(self.model.viewer_state.watching[self.index])


class Creator(_ArrayAgent):
    """A creator: streams lives, receives gifts as diamonds and redeems them for cash."""

    population = "creator_state"
    # What the datacollector reports of a creator when asked to collect agents (sim.engine.collector.AgentRows).
    reported = ("is_live", "audience", "followers", "diamonds_earned")
    audience = StateView("audience", "Viewers in the creator's room this hour.")
    followers = StateView("followers", "Followers.")
    is_live = StateView("is_live", "Whether the creator is live this hour.")
    live_hours = StateView("live_hours", "Hours streamed so far.")
    diamonds_held = StateView("diamonds_held", "Diamonds not yet redeemed.")
    diamonds_earned = StateView("diamonds_earned", "Diamonds received so far.")
    payout_micro = StateView("payout_micro", "Cash received from redemptions (micro-USD).")
    effort = StateView("effort", "Multiplier on streaming days and session length (1: as calibrated).")
    joined_day = StateView("joined_day", "The day the creator joined (0: there at the start).")
    is_churned = StateView("is_churned", "Whether the creator has quit for good.")


class Brand(_ArrayAgent):
    """A brand: sponsors live hours of creators in its target region."""

    population = "brand_state"
    budget_left_micro = StateView("budget_left_micro", "Budget left this campaign period (micro-USD).")
    spend_micro = StateView("spend_micro", "Spent so far (micro-USD).")
    impressions = StateView("impressions", "Viewer-hours in the lives it sponsored.")


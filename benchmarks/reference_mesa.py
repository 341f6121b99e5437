"""The core money loop written the plain Mesa way: a baseline for speed and an oracle for correctness.

Every agent is an object with scalar attributes and its own ``step()``; the model calls them one by
one, as a textbook Mesa model does. It implements the rules of ``configs/core.yaml`` (every
behavioural mechanism off): payers, drawn once, receive their budgets on their own paydays; creators
go live at their local start hour; viewers come online by the daily curve, return to the creator
they follow or take the popularity-weighted feed, follow, gift with the core hazard a gift drawn
among the affordable, topping up with the smallest covering bundle (or several of the largest);
gifts release the wallet's value pro rata and issue diamonds; brands pay flat sponsorships of the
largest audiences in their region, pacing their budgets over their periods; creators cash out daily.

It shares with the engine only what is not behaviour: the config, the initial population draws, the
price table and the ledger. It draws its own random numbers, so the two agree statistically, not run
by run (``tests/test_reference.py``).
"""

from __future__ import annotations

import bisect
import math
import time
from itertools import accumulate
from typing import Any

import mesa

from sim.engine.config import Config
from sim.engine.ledger import Account, Ledger
from sim.engine.mechanisms.activity import online_probability
from sim.engine.metrics import ratio, usd
from sim.engine.pricing import PriceTable, to_micro
from sim.engine.state import DAYS_PER_MONTH, draw_brands, draw_creators, draw_viewers

NOBODY = -1


class ReferenceCreator(mesa.Agent):
    """A creator with scalar state."""

    def __init__(self, model: ReferenceEconomy, index: int, state: Any):
        super().__init__(model)
        self.index = index
        self.region = int(state.region[index])
        self.quality = float(state.quality[index])
        self.followers = int(state.followers[index])
        self.start_local_hour = int(state.start_local_hour[index])
        self.session_hours = int(state.session_hours[index])
        self.is_live = False
        self.hours_left = 0
        self.live_hours = 0
        self.audience = 0
        self.diamonds_held = self.diamonds_earned = 0
        self.payout_micro = 0

    def start(self) -> None:
        """Go live at the local start hour, if eligible and streaming today."""
        params = self.model.config.creators
        if (not self.is_live and self.model.local_hour(self.region) == self.start_local_hour
                and self.followers >= params.live_min_followers
                and self.random.random() < params.stream_day_probability):
            self.is_live, self.hours_left = True, self.session_hours

    def end_hour(self) -> None:
        """Count the streamed hour and end the session when it is over."""
        if self.is_live:
            self.live_hours += 1
            self.hours_left -= 1
            self.is_live = self.hours_left > 0
        self.audience = 0

    def redeem(self) -> None:
        """Cash out diamonds above the minimum, under the daily cap, less fees."""
        platform, ledger = self.model.config.platform, self.model.ledger
        per_diamond = platform.micro_usd_per_diamond
        if self.diamonds_held == 0 or self.diamonds_held * per_diamond < to_micro(platform.min_withdrawal_usd):
            return
        diamonds = min(self.diamonds_held, to_micro(platform.daily_cashout_cap_usd) // per_diamond)
        gross = diamonds * per_diamond
        fee = min(round(gross * platform.payout_fee_share) + to_micro(platform.payout_fee_fixed_usd), gross)
        agency = round((gross - fee) * platform.agency_share)
        self.diamonds_held -= diamonds
        self.payout_micro += gross - fee - agency
        ledger.transfer(Account.DIAMOND_LIABILITY, Account.PAYOUT_FEES, fee)
        ledger.transfer(Account.DIAMOND_LIABILITY, Account.AGENCIES, agency)
        ledger.transfer(Account.DIAMOND_LIABILITY, Account.CREATORS_CASH, gross - fee - agency)


class ReferenceViewer(mesa.Agent):
    """A viewer with scalar state."""

    def __init__(self, model: ReferenceEconomy, index: int, state: Any):
        super().__init__(model)
        self.region = int(state.region[index])
        self.channel = int(state.channel[index])
        # Income (demand off): a payer, drawn once, is paid its willingness to pay on its own payday;
        # it starts at a uniform point of its month, with the budget left for the days to its payday.
        is_payer = self.random.random() < float(state.conversion_base[index])
        self.budget_monthly = int(state.willingness_micro[index]) if is_payer else 0
        self.payday = int(state.payday[index])
        self.budget_left = round(self.budget_monthly * (self.payday + 1) / DAYS_PER_MONTH)
        self.propensity = float(state.propensity[index])
        self.activity = float(state.activity[index])
        self.followed: ReferenceCreator | None = None
        self.wallet_coins = self.wallet_value = 0
        self.spend = self.coins_bought = self.gifts_sent = self.watch_hours = self.hours_online = 0

    def step(self) -> None:
        """One hour: maybe come online, pick a room, follow, and maybe gift."""
        model, params = self.model, self.model.config.viewers
        chance = model.online_chance[self.region] * self.activity
        if self.random.random() >= chance:
            return
        self.hours_online += 1
        room = self.choose_room()
        if room is None:
            return
        self.watch_hours += 1
        room.audience += 1
        if self.random.random() < params.follow_probability and self.followed is not room:
            self.followed = room
            room.followers += 1
        if self.wallet_coins > 0 or self.budget_left > 0:
            self.maybe_gift(room)

    def choose_room(self) -> ReferenceCreator | None:
        model, params = self.model, self.model.config.viewers
        if not model.live:
            return None
        if (self.followed is not None and self.followed.is_live
                and self.random.random() < params.follow_return_probability):
            return self.followed
        pick = bisect.bisect_right(model.feed_cumulative, self.random.random() * model.feed_cumulative[-1])
        return model.live[min(pick, len(model.live) - 1)]

    def maybe_gift(self, room: ReferenceCreator) -> None:
        model, params = self.model, self.model.config.viewers
        if self.random.random() >= min(1.0, params.gift_hazard * self.propensity):
            return
        coins_per_micro = model.prices.best_coins_per_micro[self.region, self.channel]
        capacity = self.wallet_coins + math.floor(self.budget_left * coins_per_micro)
        affordable = bisect.bisect_right(model.gift_coins, capacity)
        if affordable == 0:
            return
        reach = self.random.random() * model.gift_weights[affordable - 1]
        gift = model.gift_coins[min(bisect.bisect_right(model.gift_weights, reach), affordable - 1)]
        if gift > self.wallet_coins and not self.top_up(gift - self.wallet_coins):
            return
        self.send(room, gift)

    def top_up(self, shortfall: int) -> bool:
        """Buy the smallest bundle covering ``shortfall``, or enough of the largest; False if unaffordable."""
        prices, r, c = self.model.prices, self.region, self.channel
        n = int(prices.n_bundles[r, c])
        if n == 0:
            return False
        covering = [b for b in range(n) if prices.coins[r, c, b] >= shortfall]
        bundle = covering[0] if covering else n - 1
        quantity = 1 if covering else -(-shortfall // int(prices.coins[r, c, bundle]))
        cost = quantity * int(prices.gross[r, c, bundle])
        if cost > self.budget_left:
            return False
        tax, fee, net = (quantity * int(a[r, c, bundle]) for a in (prices.tax, prices.fee, prices.net))
        self.budget_left -= cost
        self.spend += cost
        self.coins_bought += quantity * int(prices.coins[r, c, bundle])
        self.wallet_coins += quantity * int(prices.coins[r, c, bundle])
        self.wallet_value += net
        ledger = self.model.ledger
        ledger.transfer(Account.VIEWERS_OUTSIDE, Account.TAX_AUTHORITY, tax)
        store = Account.APP_STORES if prices.channel_is_app_store[c] else Account.PAYMENT_PROCESSOR
        ledger.transfer(Account.VIEWERS_OUTSIDE, store, fee)
        ledger.transfer(Account.VIEWERS_OUTSIDE, Account.COIN_LIABILITY, net)
        return True

    def send(self, room: ReferenceCreator, coins: int) -> None:
        """Gift ``coins`` to ``room``: release the wallet's value pro rata and issue diamonds."""
        platform = self.model.config.platform
        released = self.wallet_value * coins // self.wallet_coins
        self.wallet_coins -= coins
        self.wallet_value -= released
        self.gifts_sent += 1
        diamonds = coins * platform.diamonds_per_coin
        room.diamonds_held += diamonds
        room.diamonds_earned += diamonds
        self.model.ledger.transfer(Account.COIN_LIABILITY, Account.PLATFORM, released)
        self.model.ledger.transfer(Account.PLATFORM, Account.DIAMOND_LIABILITY,
                                   diamonds * platform.micro_usd_per_diamond)


class ReferenceBrand(mesa.Agent):
    """A brand paying flat sponsorships."""

    def __init__(self, model: ReferenceEconomy, index: int, state: Any):
        super().__init__(model)
        self.region = int(state.region[index])
        # Paced budget: a period starting on the brand's own day; each day, what is left of the
        # period's budget over the days left may be spent. It starts at its own point of its period.
        params = model.config.brands
        self.period, self.start_day = params.campaign_period_days, self.random.randrange(params.campaign_period_days)
        days_left = self.period - (0 - self.start_day) % self.period
        self.period_left = to_micro(params.campaign_budget_usd) * days_left // self.period
        self.budget_left = 0
        self.spend = 0
        self.pace(0)

    def pace(self, day: int) -> None:
        """Set today's allowance (as :func:`sim.engine.mechanisms.brands.pace_budgets` does)."""
        self.period_left += self.budget_left
        into_period = (day - self.start_day) % self.period
        if into_period == 0:
            self.period_left = to_micro(self.model.config.brands.campaign_budget_usd)
        self.budget_left = self.period_left // (self.period - into_period)
        self.period_left -= self.budget_left

    def step(self) -> None:
        """Sponsor the live creators with the largest audiences in the brand's region, within budget."""
        params = self.model.config.brands
        price = to_micro(params.sponsorship_usd_per_live_hour)
        lives = [c for c in self.model.live if c.region == self.region]
        lives.sort(key=lambda c: -c.audience)
        # One sponsorship per top live; the money goes to the pooled creators' cash account, not to a creator.
        for _ in lives[: params.lives_per_brand]:
            if self.budget_left < price:
                break
            self.budget_left -= price
            self.spend += price
            self.model.ledger.transfer(Account.BRANDS_OUTSIDE, Account.CREATORS_CASH, price)


class ReferenceEconomy(mesa.Model):
    """The core economy, one agent object at a time."""

    def __init__(self, config: Config, seed: int):
        super().__init__(rng=seed)
        self.config = config
        self.prices = PriceTable.from_config(config)
        self.ledger = Ledger()
        self.offsets = [r.utc_offset_hours for r in config.regions.values()]
        coins = sorted(g.coins for g in config.gifts)
        self.gift_coins = coins
        self.gift_weights = list(accumulate(c ** -config.viewers.gift_size_exponent for c in coins))
        # the initial population through the engine's own draws (keyed by the seed)
        viewers, creators, brands = draw_viewers(config, seed), draw_creators(config, seed), draw_brands(config, seed)
        self.creators = [ReferenceCreator(self, i, creators) for i in range(creators.size)]
        self.viewers = [ReferenceViewer(self, i, viewers) for i in range(config.population.viewers)]
        self.brands = [ReferenceBrand(self, i, brands) for i in range(brands.size)]
        self.hour = 0
        self.live: list[ReferenceCreator] = []
        self.feed_cumulative: list[float] = []
        self.online_chance: list[float] = []

    def local_hour(self, region: int) -> int:
        """The hour of the day in ``region`` now."""
        return (self.hour + self.offsets[region]) % 24

    def step(self) -> None:
        """One hour, agent by agent."""
        self.agents_by_type[ReferenceCreator].shuffle_do("start")
        self.live = [c for c in self.creators if c.is_live]
        params = self.config.creators
        self.feed_cumulative = list(accumulate(
            c.followers ** params.popularity_exponent * c.quality for c in self.live))
        self.online_chance = [float(online_probability(self.local_hour(r), self.config.viewers))
                              for r in range(len(self.offsets))]
        self.agents_by_type[ReferenceViewer].shuffle_do("step")
        self.agents_by_type[ReferenceBrand].shuffle_do("step")
        self.agents_by_type[ReferenceCreator].do("end_hour")
        self.hour += 1
        if self.hour % 24 == 0:
            self.agents_by_type[ReferenceCreator].do("redeem")
        if self.hour % 24 == 0:
            day = self.hour // 24 - 1
            for viewer in self.viewers:
                if viewer.payday == day % DAYS_PER_MONTH:
                    viewer.budget_left = viewer.budget_monthly
        if self.hour % 24 == 0:
            for brand in self.brands:
                brand.pace(self.hour // 24)

    def summary(self) -> dict[str, float]:
        """Key figures, computed as the engine's summary computes them."""
        spend = sum(v.spend for v in self.viewers)
        active = sum(v.hours_online > 0 for v in self.viewers)
        payers = sum(v.spend > 0 for v in self.viewers)
        watch_hours = sum(v.watch_hours for v in self.viewers)
        gifts = sum(v.gifts_sent for v in self.viewers)
        per_diamond = self.config.platform.micro_usd_per_diamond
        return {
            "gross_spend_usd": usd(spend),
            "tax_usd": usd(self.ledger.balance(Account.TAX_AUTHORITY)),
            "store_fees_usd": usd(self.ledger.balance(Account.APP_STORES)
                                  + self.ledger.balance(Account.PAYMENT_PROCESSOR)),
            "platform_revenue_usd": usd(self.ledger.balance(Account.PLATFORM)),
            "creator_income_usd": usd(sum(c.diamonds_earned for c in self.creators) * per_diamond),
            "creator_payout_usd": usd(sum(c.payout_micro for c in self.creators)),
            "brand_spend_usd": usd(sum(b.spend for b in self.brands)),
            "payers": payers,
            "payer_ratio": ratio(payers, active),
            "gifts": gifts,
            "watch_hours": watch_hours,
            "creators_streamed": sum(c.live_hours > 0 for c in self.creators),
        }

    def coin_violations(self) -> list[str]:
        """Coins bought = gifted + in wallets is checked through the ledger's coin liability."""
        problems = list(self.ledger.violations())
        if self.ledger.balance(Account.COIN_LIABILITY) != sum(v.wallet_value for v in self.viewers):
            problems.append("coin liability differs from the value of the wallets")
        return problems


def run_reference(config: Config, seed: int, hours: int) -> tuple[dict[str, float], float, float]:
    """Build and run the reference; return its summary, its build time and its run time in seconds."""
    started = time.perf_counter()
    model = ReferenceEconomy(config, seed)
    built = time.perf_counter()
    for _ in range(hours):
        model.step()
    return model.summary(), built - started, time.perf_counter() - built

"""Keyed draws and stratified populations: the properties a paired comparison relies on."""

import numpy as np
import pytest
from scipy import special

import sim
from sim.engine.randomness import (
    erlang_quantile_float32,
    keyed_uniforms,
    permutation_rank,
    poisson_quantile,
    stratified_uniforms,
)
from sim.engine.state import stratified_lognormal, weyl_latent
from tests.conftest import DEFAULT_CONFIG, SMALL


def test_an_agents_draw_does_not_depend_on_who_else_draws():
    everyone = keyed_uniforms(5, "gifting.gift", np.arange(1000), 17, count=3)
    some = np.array([999, 3, 512, 3])  # any order, repeats allowed
    assert np.array_equal(keyed_uniforms(5, "gifting.gift", some, 17, count=3), everyone[:, some])


def test_draws_differ_by_seed_decision_hour_and_index():
    rows = np.arange(50)
    base = keyed_uniforms(1, "a", rows, 2, count=2)
    for other in (keyed_uniforms(2, "a", rows, 2, count=2), keyed_uniforms(1, "b", rows, 2, count=2),
                  keyed_uniforms(1, "a", rows, 3, count=2)):
        assert not np.any(other == base)
    assert not np.any(base[0] == base[1])


def test_keyed_uniforms_are_uniform_and_uncorrelated():
    u = keyed_uniforms(0, "x", np.arange(200_000), 0)
    assert u.min() >= 0 and u.max() < 1
    assert abs(u.mean() - 0.5) < 0.003 and abs(u.var() - 1 / 12) < 0.001
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.01  # neighbouring rows
    assert abs(np.corrcoef(u, keyed_uniforms(0, "x", np.arange(200_000), 1))[0, 1]) < 0.01  # the next hour
    counts = np.histogram(u, bins=20, range=(0, 1))[0]
    assert ((counts - 10_000) ** 2 / 10_000).sum() < 45  # chi-square, 19 dof: p ~ 0.001


def test_a_permutation_rank_is_a_permutation():
    rank = permutation_rank(3, "p", 37)
    assert sorted(rank.tolist()) == list(range(37))


def test_stratified_quantiles_take_each_stratum_once_per_group():
    groups = np.repeat([0, 1, 2], [10, 7, 1])
    u = stratified_uniforms(9, "s", np.arange(groups.size), groups, "stratified")
    for group, n in ((0, 10), (1, 7), (2, 1)):
        assert np.allclose(np.sort(u[groups == group]), (np.arange(n) + 0.5) / n)


def test_willingness_keeps_the_mean_and_takes_the_tail_in_blocks():
    # 20,000 ranks at a payer share of 1/10: the top 2% (400 ranks) in blocks of 80, the rest one by one
    n, sigma = 20_000, 2.5
    quantile = (np.arange(n) + 0.5) / n
    values = stratified_lognormal(5.0, sigma, quantile, np.zeros(n, dtype=np.int64), 0.1)
    assert np.unique(values[-400:]).size == 5 and np.unique(values[-80:]).size == 1
    assert np.unique(values[:-400]).size == n - 400
    assert values.mean() == pytest.approx(5.0 * np.exp(sigma**2 / 2), rel=1e-6)  # the log-normal's mean, exactly
    assert np.all(np.diff(values) >= 0)
    # below the tail, each stratum's conditional mean lies inside the stratum
    k = np.arange(n - 400)
    assert np.all(values[k] > 5.0 * np.exp(sigma * special.ndtri(k / n)))
    assert np.all(values[k] < 5.0 * np.exp(sigma * special.ndtri((k + 1) / n)))


def test_the_payer_latent_spreads_any_chance_evenly_along_the_ranking():
    by = np.arange(1000.0)
    latent = weyl_latent(0, "l", np.arange(1000), np.zeros(1000, dtype=np.int64), by)
    pays = latent < 0.1
    ranked = pays[np.argsort(-by)]
    per_block = ranked.reshape(10, 100).sum(axis=1)  # each tenth of the ranking
    assert per_block.min() >= 8 and per_block.max() <= 12  # i.i.d. would spread 10 +- 3 (sd)


def _isolated(*settings: str) -> sim.Config:
    # No mechanism through which one viewer's gifts reach another viewer's choices: no room or feed
    # modifiers that read gifts, no creators' response to income, no brands, no peer gifting.
    off = ("herding", "contagion", "audience_effect", "fatigue", "battles", "brands", "effort", "supply",
           "peer_gifting", "rewards")
    return sim.load_config(DEFAULT_CONFIG, [*SMALL, "run.days=8", *(f"{m}.enabled=false" for m in off), *settings])


@pytest.mark.parametrize("sampling", ["stratified", "iid"])
def test_a_price_change_in_one_region_leaves_every_other_viewer_as_it_was(sampling):
    base = sim.run(_isolated(f"population.sampling={sampling}"), seed=3)
    cheaper = sim.run(_isolated(f"population.sampling={sampling}", "regions.ID.price_multiplier=0.8"), seed=3)
    elsewhere = base.viewers["region"] != "ID"
    columns = ["spend_usd", "gifts_sent", "watch_hours", "hours_online", "coins_bought"]
    pd_base, pd_cheaper = base.viewers.loc[elsewhere, columns], cheaper.viewers.loc[elsewhere, columns]
    assert pd_base.equals(pd_cheaper)
    in_id = ~elsewhere
    assert not base.viewers.loc[in_id, "spend_usd"].equals(cheaper.viewers.loc[in_id, "spend_usd"])


def test_poisson_quantiles_are_scipys():
    from scipy import stats

    rng = np.random.default_rng(2)
    u, mean = rng.random(5000), np.concatenate([np.zeros(10), rng.pareto(1.0, 4990) * 3])
    assert np.array_equal(poisson_quantile(u, mean), stats.poisson.ppf(u, mean).astype(np.int64))
    assert poisson_quantile(np.array([0.5, 0.99]), 0.0).tolist() == [0, 0]


def test_poisson_quantiles_are_scipys_at_the_cdfs_steps_and_over_every_scale_of_mean():
    """The search on the CDF gives the ppf's answer where the two could round apart: at quantiles on a step."""
    from scipy import special, stats

    rng = np.random.default_rng(3)
    mean = 10 ** rng.uniform(-4, 4, 200_000)
    u = rng.random(mean.size)
    assert np.array_equal(poisson_quantile(u, mean), stats.poisson.ppf(u, mean).astype(np.int64))
    lam = np.repeat(np.arange(1.0, 60.0), 40)
    k = np.tile(np.arange(40.0), 59)
    step = special.pdtr(k, lam)
    inside = (step > 0) & (step < 1)
    huge, u = np.array([2.0**45, 3e15]), np.array([0.6, 0.9])  # means beyond the search (followers grown unbounded)
    assert np.array_equal(poisson_quantile(u, huge), stats.poisson.ppf(u, huge).astype(np.int64))
    for at in (step, np.nextafter(step, 0.0), np.nextafter(step, 1.0)):
        quantile = inside & (at < 1)  # a uniform is below 1
        u, m = at[quantile], lam[quantile]
        assert np.array_equal(poisson_quantile(u, m), stats.poisson.ppf(u, m).astype(np.int64))


@pytest.mark.parametrize("shape", [1, 2, 4, 9])
def test_erlang_quantiles_are_gammaincinvs_in_float32(shape):
    """Fails if Newton's answer rounds apart from scipy's anywhere: uniform quantiles, both far tails, the edges."""
    rng = np.random.default_rng(shape)
    u = np.concatenate([rng.random(300_000), 10.0 ** -rng.uniform(1, 300, 20_000),
                        1 - 10.0 ** -rng.uniform(1, 16, 20_000), [0.0, 5e-324, 1e-300, 0.01, 0.5, 1 - 2.0**-53]])
    np.testing.assert_array_equal(erlang_quantile_float32(u, shape), special.gammaincinv(shape, u).astype(np.float32))
    assert erlang_quantile_float32(u[:12].reshape(3, 4), shape).shape == (3, 4)

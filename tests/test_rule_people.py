"""Who the people are (issue 11): age, language, health literacy, digital access, how lay
places are filled, the link between benefits and disability, and what these do to
fluency and credibility; the seldom-heard metrics; and that none of it changes a run at
the neutral values (builders.NEUTRAL), which the defaults no longer are.

Drawn shares are checked on large samples against the probabilities the module
documents, within four binomial standard errors, sqrt(p (1 - p) / n): a test that fails
by chance about once in 16,000 runs, and fails a draw that is off by a few points.
"""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

import numpy as np
import pytest
from builders import (
    ASSUMED,
    CARER,
    CLIN,
    NEUTRAL,
    P0,
    P1,
    assert_as_before_issue_11,
    params,
    tiny,
)

from simulation import metrics, population
from simulation.model import CoProductionModel
from simulation.money import Flows

BIG = {"n_patients": 6000, "n_carers": 3000, "n_clinicians": 2000, "n_managers": 1000}


def _within(share: float, p: float, n: int) -> bool:
    """``share`` of ``n`` draws lies within 4 binomial standard errors of ``p``."""
    return abs(share - p) <= 4.0 * math.sqrt(p * (1.0 - p) / n)


# ------------------------------------------------------------------ the one definition


def test_seldom_heard_is_any_of_the_three_barriers():
    language = np.array([False, True, False, False, True])
    literacy = np.array([False, False, True, False, True])
    digital = np.array([True, True, True, False, False])
    got = population.seldom_heard(language, literacy, digital)
    assert got.tolist() == [False, True, True, True, True]


def test_population_share_by_hand():
    # 1 - (1 - 0.018)(1 - 0.43)(0.7 x 0.9 + 0.3 x 0.65) = 1 - 0.982 x 0.57 x 0.825
    assert population.seldom_heard_population_share(ASSUMED) == pytest.approx(0.5382145)
    nobody = params(language_barrier_share=0.005, low_health_literacy_share=0.3)
    # 1 - 0.995 x 0.7 x 0.825 = 0.4253875
    assert population.seldom_heard_population_share(nobody) == pytest.approx(0.4253875)


# ------------------------------------------------------------------ draws


def test_catchment_marginals_and_digital_access_lower_for_older_people():
    p = ASSUMED
    k = 200_000
    c = population._catchment(p, np.random.default_rng(5).random((4, k)))
    assert _within(c["older"].mean(), p.share_older, k)
    assert _within(c["language_barrier"].mean(), p.language_barrier_share, k)
    assert _within(c["low_health_literacy"].mean(), p.low_health_literacy_share, k)
    older, younger = c["older"], ~c["older"]
    assert _within(c["digital_access"][older].mean(), p.digital_access_share_older, older.sum())
    assert _within(c["digital_access"][younger].mean(), p.digital_access_share, younger.sum())
    # Language and literacy are drawn independently of each other and of age.
    both = (c["language_barrier"] & c["low_health_literacy"]).mean()
    assert _within(both, p.language_barrier_share * p.low_health_literacy_share, k)
    seldom = population.seldom_heard(
        c["language_barrier"], c["low_health_literacy"], c["digital_access"]
    )
    assert _within(seldom.mean(), population.seldom_heard_population_share(p), k)


def test_usual_channels_under_recruit_and_outreach_takes_only_the_seldom_heard():
    p = ASSUMED
    k = 100_000
    h, r = population.seldom_heard_population_share(p), p.usual_reach_seldom_heard
    usual = population._recruit(p, [np.random.default_rng(6)], np.array([k]), outreach=False)
    reached = population._recruit(p, [np.random.default_rng(7)], np.array([k]), outreach=True)
    heard_little = {
        name: population.seldom_heard(
            d["language_barrier"], d["low_health_literacy"], d["digital_access"]
        )
        for name, d in (("usual", usual), ("reached", reached))
    }
    assert all(v.size == k for d in (usual, reached) for v in d.values())
    # Accepted with chance r if seldom heard, 1 otherwise: r h / (r h + 1 - h)
    # = 0.4 x 0.5382145 / (0.2152858 + 0.4617855) = 0.31797
    expected = r * h / (r * h + 1.0 - h)
    assert expected == pytest.approx(0.31797, abs=1e-5)
    assert _within(heard_little["usual"].mean(), expected, k)
    assert heard_little["reached"].all()
    # Among the seldom heard, each barrier as drawn, conditioned on having one at least:
    # P(language barrier | seldom heard) = 0.018 / h.
    assert _within(reached["language_barrier"].mean(), p.language_barrier_share / h, k)


def test_outreach_fills_its_share_of_lay_places_with_seldom_heard_people():
    p = params(**BIG, outreach=0.25)
    s = population.build(p, np.random.default_rng(11))
    # floor(0.25 x 9000 + u) = 2250 places, whatever u
    assert s.via_outreach.sum() == 2250 and not s.via_outreach[~s.lay].any()
    assert s.seldom_heard[s.via_outreach].all()
    usual = s.lay & ~s.via_outreach
    h, r = population.seldom_heard_population_share(p), p.usual_reach_seldom_heard
    assert _within(s.seldom_heard[usual].mean(), r * h / (r * h + 1.0 - h), usual.sum())
    # Professionals: none of the barriers, online at work, so never seldom heard.
    pro = ~s.lay
    assert s.digital_access[pro].all() and not (s.older | s.seldom_heard)[pro].any()
    assert not (s.language_barrier | s.low_health_literacy)[pro].any()


def test_no_outreach_and_no_seldom_heard_people_to_find():
    # No barrier in the population: outreach has nobody to reach and takes people as they come.
    # (outside the plausible ranges: built by hand, as experiments.mechanisms does)
    nobody = {
        "language_barrier_share": 0.0,
        "low_health_literacy_share": 0.0,
        "digital_access_share": 1.0,
        "digital_access_share_older": 1.0,
    }
    p = dataclasses.replace(params(outreach=1.0), **nobody)
    assert population.seldom_heard_population_share(p) == 0.0
    s = population.build(p, np.random.default_rng(0))
    assert s.via_outreach[s.lay].all() and not s.seldom_heard.any()


def test_benefits_and_disability_go_together_as_far_as_the_link_says():
    # b = 0.4, d = 0.3: the largest k is min(0.7 / 0.6, 0.3 / 0.4) = 0.75; link 0.4 gives
    # k = 0.3, P(D | B) = 0.3 + 0.3 x 0.6 = 0.48, P(D | not B) = 0.3 - 0.3 x 0.4 = 0.18.
    p = params(**BIG, share_on_benefits=0.4, share_disabled=0.3, benefits_disability_link=0.4)
    chances = population.disability_chance(p, np.array([True, False]))
    assert chances.tolist() == pytest.approx([0.48, 0.18])
    s = population.build(p, np.random.default_rng(2024))
    lay, b = s.lay, s.on_benefits
    assert _within(s.disabled[lay & b].mean(), 0.48, (lay & b).sum())
    assert _within(s.disabled[lay & ~b].mean(), 0.18, (lay & ~b).sum())
    # The share disabled stays d (its sd mixes the two groups: at most the larger one's).
    assert _within(s.disabled[lay].mean(), 0.3, lay.sum())
    full = params(share_on_benefits=0.4, share_disabled=0.3, benefits_disability_link=0.6)
    # link 0.6: k = 0.45, P(D | not B) = 0.3 - 0.45 x 0.4 = 0.12
    assert population.disability_chance(full, np.array([False]))[0] == pytest.approx(0.12)


def test_at_the_defaults_being_on_benefits_and_disabled_go_together():
    # b = 0.4, d = 0.3, link 0.3: k = 0.3 x min(0.7 / 0.6, 0.3 / 0.4) = 0.225;
    # P(D | B) = 0.3 + 0.225 x 0.6 = 0.435, P(D | not B) = 0.3 - 0.225 x 0.4 = 0.21.
    p = params(**BIG)
    assert (p.share_on_benefits, p.share_disabled, p.benefits_disability_link) == (0.4, 0.3, 0.3)
    chances = population.disability_chance(p, np.array([True, False]))
    assert chances.tolist() == pytest.approx([0.435, 0.21])
    s = population.build(p, np.random.default_rng(2025))
    lay, b = s.lay, s.on_benefits
    assert _within(s.disabled[lay & b].mean(), 0.435, (lay & b).sum())
    assert _within(s.disabled[lay & ~b].mean(), 0.21, (lay & ~b).sum())
    assert _within(s.disabled[lay].mean(), 0.3, lay.sum())


def test_link_zero_keeps_benefits_and_disability_independent():
    p = params(share_on_benefits=0.4, share_disabled=0.3, benefits_disability_link=0.0)
    assert population.disability_chance(p, np.array([True, False])).tolist() == [0.3, 0.3]
    # Nobody or everybody on benefits: no room for a link, the share is d.
    for b in (0.0, 1.0):
        q = params(share_on_benefits=b, share_disabled=0.3, benefits_disability_link=0.6)
        assert population.disability_chance(q, np.array([True, False])).tolist() == [0.3, 0.3]


def test_benefits_and_illness_go_together_as_far_as_the_link_says():
    # b = 0.4, m = illness_mean; link 0.5: k = 0.5 x min((1 - m) / 0.6, m / 0.4); patients
    # on benefits draw their illness around m + 0.6 k, the others around m - 0.4 k.
    p = params(**BIG, share_on_benefits=0.4, benefits_illness_link=0.5)
    m = p.illness_mean
    k = 0.5 * min((1 - m) / 0.6, m / 0.4)
    means = population.illness_mean(p, np.array([True, False]))
    assert means.tolist() == pytest.approx([m + 0.6 * k, m - 0.4 * k])
    s = population.build(p, np.random.default_rng(7))
    patient, b = s.role == population.PATIENT, s.on_benefits
    # Beta with concentration c: sd = sqrt(mu (1 - mu) / (c + 1)); 4 standard errors.
    for group, mu in ((patient & b, m + 0.6 * k), (patient & ~b, m - 0.4 * k)):
        se = np.sqrt(mu * (1 - mu) / (p.illness_concentration + 1) / group.sum())
        assert abs(s.illness[group].mean() - mu) < 4 * se
    # The mean over everyone stays m; at link 0 everyone's mean is m.
    assert 0.4 * means[0] + 0.6 * means[1] == pytest.approx(m)
    flat = population.illness_mean(params(benefits_illness_link=0.0), np.array([True, False]))
    assert flat.tolist() == [m, m]


# ------------------------------------------------------------------ fluency and credibility


def test_trait_factor_by_hand():
    p = params(fluency_effect_language=0.2, fluency_effect_literacy=0.5)
    who = {
        "language_barrier": np.array([False, True, False, True]),
        "low_health_literacy": np.array([False, False, True, True]),
    }
    # 1, 1 - 0.2, 1 - 0.5, (1 - 0.2)(1 - 0.5)
    assert population.trait_factor(p, "fluency", who).tolist() == pytest.approx([1, 0.8, 0.5, 0.4])
    # Credibility at the defaults, 0.3 (language) and 0.2 (literacy):
    # 1, 1 - 0.3, 1 - 0.2, (1 - 0.3)(1 - 0.2)
    assert (p.credibility_effect_language, p.credibility_effect_literacy) == (0.3, 0.2)
    want = [1, 0.7, 0.8, 0.56]
    assert population.trait_factor(p, "credibility", who).tolist() == pytest.approx(want)
    # Fluency at the defaults: 0.5 for language, 0 for literacy: 1, 0.5, 1, 0.5
    assert population.trait_factor(ASSUMED, "fluency", who).tolist() == [1, 0.5, 1, 0.5]
    # The neutral values leave both alone.
    neutral = params(**NEUTRAL)
    for trait in ("fluency", "credibility"):
        assert population.trait_factor(neutral, trait, who).tolist() == [1.0] * 4


def test_fluency_and_credibility_follow_language_and_literacy():
    effects = {
        "fluency_effect_language": 0.4,
        "fluency_effect_literacy": 0.3,
        "credibility_effect_language": 0.5,
        "credibility_effect_literacy": 0.2,
    }
    plain = population.build(params(**BIG, **NEUTRAL), np.random.default_rng(3))
    marked = population.build(params(**BIG, **(NEUTRAL | effects)), np.random.default_rng(3))
    # Same people (the effects draw nothing), their traits scaled by the factors.
    np.testing.assert_array_equal(plain.seldom_heard, marked.seldom_heard)
    lang, lit = plain.language_barrier, plain.low_health_literacy
    fluency = (1 - 0.4 * lang) * (1 - 0.3 * lit)
    credibility = (1 - 0.5 * lang) * (1 - 0.2 * lit)
    np.testing.assert_allclose(marked.fluency, plain.fluency * fluency, rtol=1e-12)
    np.testing.assert_allclose(marked.credibility, plain.credibility * credibility, rtol=1e-12)
    np.testing.assert_array_equal(marked.initial_credibility, marked.credibility)
    # Low literacy lowers mean lay fluency by 0.3 of its share's mean fluency.
    lay = plain.lay
    assert marked.fluency[lay & lit & ~lang].mean() == pytest.approx(
        0.7 * plain.fluency[lay & lit & ~lang].mean()
    )


# ------------------------------------------------------------------ metrics


def test_seldom_heard_share_and_representation_by_hand():
    _p, s, _st = tiny()
    s.seldom_heard[:] = [True, False, False, False]
    s.last_attended[:] = [10, 10, -100, 10]  # the carer has not come lately; the clinician has
    v = metrics.at_meetings(s, ASSUMED, metrics.subgroups(s), None, 10)
    # Active lay people: P0 (seldom heard) and P1: 1 / 2, over the population's 0.5382145.
    assert v["seldom_heard_share"] == 0.5
    assert v["representation_ratio"] == pytest.approx(0.5 / 0.5382145)
    s.last_attended[:] = -100  # nobody active: no share, and so no representation
    v = metrics.at_meetings(s, ASSUMED, metrics.subgroups(s), None, 10)
    assert v["seldom_heard_share"] == 0.0 and v["representation_ratio"] == 0.0


def test_retention_of_seldom_heard_people_by_hand():
    # Week 50, window weeks 43-50: of the seldom heard who came at first (P0, P1, CARER),
    # P0 came in week 43 (kept), P1 in week 42 (lost), the carer in 50 (kept): 2 / 3.
    _p, s, _st = tiny()
    s.seldom_heard[:] = [True, True, True, False]
    s.first_weeks[:] = [True, True, True, True]
    s.last_attended[:] = [43, 42, 50, 50]
    totals = {"cost": 0.0, "insights": 0.0}
    v = metrics.weekly(s, ASSUMED, {}, None, None, Flows(), totals, 50)
    assert v["retention_seldom_heard"] == pytest.approx(2 / 3)
    s.seldom_heard[[P0, P1, CARER, CLIN]] = False
    v = metrics.weekly(s, ASSUMED, {}, None, None, Flows(), totals, 50)
    assert v["retention_seldom_heard"] == 0.0


# ------------------------------------------------------ nothing changes at the neutral values


# The runs of the model before issue 11's people (commit 7cf45df), seeds 0-2 at its
# defaults (builders.BEFORE_ISSUE_11): the new draws come from a stream of their own, so
# at the neutral values (builders.NEUTRAL: the suspension rule, no benefits-disability or
# benefits-illness link, effects 0) the runs are the same.
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_runs_at_the_neutral_values_are_those_before_issue_11(seed):
    model = CoProductionModel(rng=seed, **NEUTRAL)
    final = model.run()
    assert_as_before_issue_11(model, "defaults", seed, final)


def test_the_people_stream_leaves_the_run_s_generator_alone():
    rng = np.random.default_rng(9)
    population.people_stream(rng)
    assert rng.random() == np.random.default_rng(9).random()
    # Derived from the seed: the same seed gives the same people, another seed others.
    a = population.people_stream(np.random.default_rng(9)).random(3)
    b = population.people_stream(np.random.default_rng(9)).random(3)
    c = population.people_stream(np.random.default_rng(10)).random(3)
    assert a.tolist() == b.tolist() and a.tolist() != c.tolist()


def test_a_generator_without_a_seed_sequence_gets_a_stream_from_its_state():
    """The fallback reads the state: equal states give equal streams, others differ."""

    def bare(seed):  # what people_stream reads of a generator restored from a bare state
        state = np.random.default_rng(seed).bit_generator.state
        return SimpleNamespace(bit_generator=SimpleNamespace(seed_seq=None, state=state))

    a, b, c = (population.people_stream(bare(s)).random(3).tolist() for s in (9, 9, 10))
    assert a == b and a != c


def test_agents_show_who_they_are():
    model = CoProductionModel(rng=1, outreach=0.5)
    s = model.state
    for agent in model.agents:
        i = agent.index
        assert agent.seldom_heard is bool(s.seldom_heard[i])
        assert agent.digital_access is bool(s.digital_access[i])
        assert agent.via_outreach is bool(s.via_outreach[i])
        assert (agent.older, agent.language_barrier, agent.low_health_literacy) == (
            bool(s.older[i]),
            bool(s.language_barrier[i]),
            bool(s.low_health_literacy[i]),
        )
    assert sum(a.via_outreach for a in model.agents) == 30  # floor(0.5 x 60 lay + u)


# ------------------------------------------------------------------ the dashboard's account


def _seldom_paragraph(model) -> str:
    from dashboards import story  # the dashboard's account: only these tests need it

    (paragraph,) = [p for p in story.markdown(model).split("\n\n") if "were seldom heard" in p]
    return paragraph


def test_the_story_says_how_seldom_heard_people_are_represented():
    usual = CoProductionModel(rng=0, weeks=30)
    got = usual.run()
    text = _seldom_paragraph(usual)
    share, ratio = got["seldom_heard_share"], got["representation_ratio"]
    # the population's share is 1 - 0.982 x 0.57 x 0.825 = 53.8% (by hand, above), and the
    # ratio is the share over it (both constant over the quarter averaged)
    assert ratio == pytest.approx(share / 0.5382145)
    assert f"Lately, {100 * share:.0f}% of the active patients and carers" in text
    assert "against 54% of the people the places are filled from" in text
    assert ratio < 0.9 and "they are under-represented" in text
    assert f"(representation ratio {ratio:.2f}; 1 is in proportion)" in text
    assert "Outreach" not in text  # outreach 0: nothing to say about it

    reached = CoProductionModel(rng=0, weeks=30, outreach=0.5)
    more = reached.run()
    text = _seldom_paragraph(reached)
    assert more["representation_ratio"] > 1.1 and "they are over-represented" in text
    # floor(0.5 x 60 lay places + u) = 30 places, half of them
    assert reached.state.via_outreach.sum() == 30
    assert "Outreach filled 30 of the 60 places for patients and carers (50%)" in text


def test_the_story_words_the_representation_ratio():
    from dashboards import story

    assert story._represented(0.89) == "they are under-represented"
    assert (
        story._represented(0.9) == story._represented(1.1) == ("they are represented in proportion")
    )
    assert story._represented(1.11) == "they are over-represented"


def test_the_people_streams_of_many_runs_are_each_run_s_own():
    """people_streams (every run's seed sequence worked out at once) gives each run its
    people_stream, whatever the seed: one word or several, more than a pool of words, a
    seed numpy drew, spawned children, a list, another bit generator."""
    seeds = [0, 9, 2**32 - 1, 2**32, 2**64 + 5, 2**130 + 3, None]
    rngs = [np.random.default_rng(s) for s in seeds]
    rngs += list(np.random.default_rng(5).spawn(2))  # spawn keys of their own
    rngs.append(np.random.default_rng(np.random.SeedSequence([1, 2, 3])))
    rngs.append(np.random.Generator(np.random.MT19937(4)))
    streams = population.people_streams(rngs)
    for rng, stream in zip(rngs, streams, strict=True):
        assert stream.bit_generator.state == population.people_stream(rng).bit_generator.state

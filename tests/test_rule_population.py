"""The tiny hand-set populations the rule tests are built on: groups, slots, roles.

Built on the hand-set populations of ``builders.py``; constants are read from the
modules by name, never copied, so that tuning them does not break the tests.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import GROUPS, members, params, several, tiny

from simulation import population


def test_tiny_population_is_one_group_in_role_order():
    p, s, _st = tiny()
    assert s.n == 4 and s.n_groups == 1
    assert s.role.tolist() == [
        population.PATIENT,
        population.PATIENT,
        population.CARER,
        population.CLINICIAN,
    ]
    assert s.lay.tolist() == [True, True, True, False]
    assert (s.group == 0).all()
    assert sorted(s.slot.tolist()) == [0, 1, 2, 3]
    assert s.others.tolist() == [3, 3, 3, 3]
    assert s.due_refund.shape == (p.refund_delay + 1, 4)


def test_small_groups_split_population_and_mix_roles():
    _p, s, st = tiny(group_size=2)
    assert s.n_groups == 2
    assert np.bincount(s.group).tolist() == [2, 2]
    # each (group, slot) cell holds exactly one agent
    assert len(set(zip(s.group.tolist(), s.slot.tolist(), strict=False))) == 4
    assert st.turns.shape == (2,)


# ------------------------------------------- hand-worked values (caught bugs, mutation testing)
# A large drawn population (not hand-set) against the distributions the module documents:
# sampling error is a few thousandths at this size, tolerances are at least 4 standard errors.

BIG = {"n_patients": 6000, "n_carers": 3000, "n_clinicians": 2000, "n_managers": 1000}


@pytest.fixture
def big_population():
    """(p, state) of BIG, drawn afresh for each test (40 ms), so that mutation testing
    links every test to the code that draws it."""
    p = params(**BIG, share_on_benefits=0.4, share_disabled=0.3, user_led_funding=0.25)
    return p, population.build(p, np.random.default_rng(2024))


def _by_role(s, values):
    return [values[s.role == r] for r in range(4)]


def test_drawn_roles_benefits_and_disability(big_population):
    _p, s = big_population
    assert np.bincount(s.role).tolist() == [6000, 3000, 2000, 1000]
    assert s.lay.tolist() == [True] * 9000 + [False] * 3000
    # only lay people are on benefits (40%) or disabled (30%); sd sqrt(.4 .6 / 9000) = 0.005
    assert not (s.on_benefits | s.disabled)[~s.lay].any()
    assert s.on_benefits[s.lay].mean() == pytest.approx(0.4, abs=0.02)
    assert s.disabled[s.lay].mean() == pytest.approx(0.3, abs=0.02)


def test_drawn_illness_free_hours_and_money(big_population):
    p, s = big_population
    patients, carers, clinicians, managers = _by_role(s, s.illness)
    # patients Beta(2, 3): mean 0.4, sd 0.2; carers 0.2 Beta(2, 3): mean 0.08
    assert patients.mean() == pytest.approx(0.4, abs=0.01)
    assert patients.std() == pytest.approx(0.2, abs=0.01)
    assert carers.mean() == pytest.approx(0.08, abs=0.004) and carers.max() <= 0.2
    assert carers.std() == pytest.approx(0.04, abs=0.003)
    assert (clinicians == 0).all() and (managers == 0).all()
    hours = _by_role(s, s.free_hours)
    # ill + (well - ill)(1 - illness): 4-16 hours at the defaults, less when ill
    ill, well = p.patient_free_hours_ill, p.patient_free_hours_well
    assert hours[0] == pytest.approx(ill + (well - ill) * (1 - patients))
    # Gamma(shape k, scale mean / k): mean 8 (sd 8 / sqrt(2) = 5.7 at shape 2; se 0.1)
    mean, shape = p.carer_free_hours_mean, p.carer_free_hours_shape
    assert hours[1].mean() == pytest.approx(mean, abs=0.4)
    assert hours[1].std() == pytest.approx(mean / np.sqrt(shape), rel=0.1)
    assert (hours[2] == 37.5).all() and (hours[3] == 37.5).all()  # PROFESSIONAL_HOURS
    # money at hand: lognormal(0, cash_spread) around a median of 25 (on benefits) or 80
    on, off = s.lay & s.on_benefits, s.lay & ~s.on_benefits
    for who, median in ((on, p.benefits_cash_median), (off, p.lay_cash_median)):
        logs = np.log(s.base_cash[who])
        assert logs.mean() == pytest.approx(np.log(median), abs=0.05)
        assert logs.std() == pytest.approx(p.cash_spread, abs=0.03)
    # professionals never front money: their travel and time are paid
    assert (s.base_cash[~s.lay] == 0.0).all() and (s.cash == s.base_cash).all()
    # the poorest low_money_share (31%) of lay people have little money
    low = s.base_cash[s.low_money]
    assert not s.low_money[~s.lay].any()
    assert s.low_money[s.lay].mean() == pytest.approx(p.low_money_share, abs=1e-3)
    assert low.max() < s.base_cash[s.lay & ~s.low_money].min()


def test_drawn_knowledge_rationales_credibility_fluency_and_motivation(big_population):
    p, s = big_population
    assert s.knowledge.sum(axis=1) == pytest.approx(np.ones(s.n))
    profiles = [[0.05, 0.15, 0.80], [0.05, 0.25, 0.70], [0.55, 0.40, 0.05], [0.10, 0.80, 0.10]]
    mixes = [[0.45, 0.00, 0.55], [0.40, 0.05, 0.55], [0.00, 0.50, 0.50], [0.00, 1.00, 0.00]]
    # Lay credibility and fluency are drawn, then scaled by what a language barrier (L) and
    # low health literacy (H) leave of them (test_rule_people), at the default effects 0.3
    # and 0.2 (credibility), 0.5 and 0 (fluency). The usual channels take a seldom-heard
    # person with chance r = 0.4, others always: of the population's h = 0.5382145 seldom
    # heard, lay people are L with chance r 0.018 / (r h + 1 - h) = 0.0072 / 0.6770713 =
    # 0.0106340, H with 0.172 / 0.6770713 = 0.2540353, both with 0.0030960 / 0.6770713 =
    # 0.0045726. Mean credibility factor 1 - 0.3 x 0.0106340 - 0.2 x 0.2540353
    # + 0.06 x 0.0045726 = 0.9462771; mean fluency factor 1 - 0.5 x 0.0106340 = 0.9946830.
    assert (p.credibility_effect_language, p.credibility_effect_literacy) == (0.3, 0.2)
    assert (p.fluency_effect_language, p.fluency_effect_literacy) == (0.5, 0.0)
    assert (p.outreach, p.usual_reach_seldom_heard) == (0.0, 0.4)
    lay_credibility = 0.3 * 0.9462771  # 0.2838831
    # Beta(3, 7) lay, Beta(17, 3) clinicians, Beta(15, 5) managers (before the factor)
    credibility = [lay_credibility, lay_credibility, 0.85, 0.75]
    # Beta(5.7, 4.3) for lay people at the defaults (before the factor), Beta(17, 3) for
    # professionals
    lay_fluency = 0.9946830
    fluency = [p.fluency_mean_patient * lay_fluency, p.fluency_mean_carer * lay_fluency, 0.85, 0.85]
    motivation = [0.6, 0.6, 0.7, 0.7]  # Beta(6, 4) lay, Beta(7, 3) professionals
    for r in range(4):
        mine = s.role == r
        assert s.knowledge[mine].mean(axis=0) == pytest.approx(profiles[r], abs=0.01)
        share = np.bincount(s.rationale[mine], minlength=3) / mine.sum()
        assert share == pytest.approx(mixes[r], abs=0.03)
        assert s.credibility[mine].mean() == pytest.approx(credibility[r], abs=0.01)
        assert s.fluency[mine].mean() == pytest.approx(fluency[r], abs=0.01)
        assert s.motivation[mine].mean() == pytest.approx(motivation[r], abs=0.01)
    assert (s.baseline_motivation == s.motivation).all()
    # Dirichlet(20 x profile): the variance of share a is a (1 - a) / 21. Averaged over the
    # 12 (role, kind) pairs the ratio of sample to predicted variance is 1 within about 0.01;
    # a concentration of 21 would give 21 / 22 = 0.955.
    ratios = [
        s.knowledge[s.role == r].var(axis=0) / (np.array(a) * (1 - np.array(a)) / 21)
        for r, a in enumerate(profiles)
    ]
    assert np.mean(ratios) == pytest.approx(1.0, abs=0.025)
    assert s.trust.tolist() == [0.4] * 9000 + [0.5] * 3000
    assert (s.satisfaction == 0.5).all()
    fear = np.where(s.on_benefits, p.initial_benefit_fear, 0.0)  # 0.47: 47% fear a loss
    assert (s.benefit_fear == fear).all() and (s.initial_fear == fear).all()


def test_drawn_groups_mix_roles_and_lay_out_the_grid(big_population):
    p, s = big_population
    # 12000 people in groups of 10: 1200 groups, each of 10
    assert s.n_groups == 1200 and s.n_slots == 10
    assert (np.bincount(s.group) == 10).all() and (s.others == 9).all()
    # round-robin by role: 5 patients, 2 or 3 carers, 1 or 2 clinicians, 0 or 1 managers each
    per_group = np.zeros((1200, 4), int)
    np.add.at(per_group, (s.group, s.role), 1)
    assert (per_group[:, 0] == 5).all()
    for r, (lo, hi) in zip((1, 2, 3), ((2, 3), (1, 2), (0, 1)), strict=True):
        assert per_group[:, r].min() == lo and per_group[:, r].max() == hi
    # every (group, slot) cell holds one person; cell is its index on the flat grid
    assert (s.cell == s.group * 10 + s.slot).all()
    assert np.unique(s.cell).size == s.n
    # user-led: floor(0.25 * 1200 + u) = 300 groups for any u in [0, 1)
    assert s.user_led.sum() == 300
    # cross-role pairs: one lay, one professional, in the same group
    g = s.group[0]
    grid_lay = np.full(10, -1)
    grid_lay[s.slot[s.group == g]] = s.lay[s.group == g]
    want = (grid_lay[:, None] + grid_lay[None, :]) == 1
    assert (s.cross_role[g] == want).all()
    assert s.cross_role.sum() == 2 * sum(
        int(per_group[k, :2].sum() * per_group[k, 2:].sum()) for k in range(1200)
    )
    assert (s.off_diagonal == ~np.eye(10, dtype=bool)).all()
    assert s.ties.shape == (1200, 10, 10) and not s.ties.any()
    assert s.ties.dtype == np.float32  # arrays.Ties: ties are the model's largest array
    assert s.due_refund.shape == s.due_pay.shape == (p.refund_delay + 1, s.n)
    # group_side_kind: (group, lay or not, kind) of each agent's three knowledge kinds
    first = s.group_side_kind.reshape(-1, 3)[:, 0]
    assert (first == (s.group * 2 + s.lay) * 3).all()
    assert (np.diff(s.group_side_kind.reshape(-1, 3), axis=1) == 1).all()


def test_before_the_first_week_nobody_has_come_and_nothing_is_owed(big_population):
    _p, s = big_population
    # nobody at a meeting yet, so no influence; no ties yet, so no belonging (mean tie 0)
    assert not (s.attending | s.ever_attended | s.first_weeks).any()
    assert (s.last_attended < -100).all()  # long ago: neither active nor recently away
    assert not (s.influence.any() or s.belonging.any())
    for name in ("received", "owed", "out_of_pocket", "unpaid_hours"):
        assert not getattr(s, name).any(), name
    assert not s.suspended_until.any()


def test_groups_of_uneven_size_leave_empty_slots_without_ties():
    # 7 people in groups of at most 3: 3 groups; dealt round-robin, sizes 3, 2, 2.
    p = params(n_patients=3, n_carers=2, n_clinicians=1, n_managers=1, group_size=3)
    s = population.build(p, np.random.default_rng(5))
    assert s.n_groups == 3 and s.n_slots == 3
    assert sorted(np.bincount(s.group).tolist()) == [2, 2, 3]
    assert sorted(s.others.tolist()) == [1, 1, 1, 1, 2, 2, 2]
    empty = np.ones((3, 3), bool)
    empty[s.group, s.slot] = False
    assert empty.sum() == 2
    assert not s.cross_role[empty].any() and not s.cross_role.transpose(0, 2, 1)[empty].any()


def test_several_groups_each_have_the_tiny_populations_make_up():
    _p, s, st = several()
    assert s.n == 4 * GROUPS and s.n_groups == GROUPS and st.turns.shape == (GROUPS,)
    roles = [population.PATIENT, population.PATIENT, population.CARER, population.CLINICIAN]
    for g in range(GROUPS):
        mine = members(s, g)
        assert s.role[mine].tolist() == roles  # members() lists them in role order
        assert sorted(s.slot[mine].tolist()) == [0, 1, 2, 3]
    assert (s.credibility == np.where(s.lay, 0.3, 0.8)).all()  # hand-set, as in tiny()


def test_the_poorest_third_includes_whoever_sits_at_the_third():
    # Four lay people and a share of 1/3: the 1/3 quantile of their money is the second
    # smallest amount (position (4 - 1) / 3 = 1), so the two poorest count as having little
    # money. (At the default share of 0.31 the position is 0.93: only the poorest.)
    p = params(n_patients=4, n_carers=0, n_clinicians=1, n_managers=0, low_money_share=1 / 3)
    s = population.build(p, np.random.default_rng(3))
    order = np.argsort(s.base_cash[s.lay])
    assert s.low_money[s.lay][order].tolist() == [True, True, False, False]
    assert not s.low_money[~s.lay].any()
    p = params(n_patients=4, n_carers=0, n_clinicians=1, n_managers=0)  # share 0.31
    s = population.build(p, np.random.default_rng(3))
    assert s.low_money[s.lay][order].tolist() == [True, False, False, False]


def test_starting_values_blend_ones_own_rationale_with_ones_roles_mix():
    # rights 0.4 for patients, carers 0.3 rights and 0.1 managerial, clinicians 0.6
    # managerial, managers 1 managerial: role mixes (rights, managerial, experience)
    # (0.4, 0, 0.6), (0.3, 0.1, 0.6), (0, 0.6, 0.4), (0, 1, 0). With value_blend 0.2, a
    # rights-minded patient starts at 0.8 (1, 0, 0) + 0.2 (0.4, 0, 0.6) = (0.88, 0, 0.12); an
    # experience-minded carer at 0.8 (0, 0, 1) + 0.2 (0.3, 0.1, 0.6) = (0.06, 0.02, 0.92); a
    # managerial clinician at (0, 0.8 + 0.12, 0.08); a managerial manager at (0, 1, 0).
    over = {
        "rights_share_patient": 0.4,
        "rights_share_carer": 0.3,
        "managerial_share_carer": 0.1,
        "managerial_share_clinician": 0.6,
        "managerial_share_manager": 1.0,
        "value_blend": 0.2,
    }
    p = params(**over)
    role = np.array([population.PATIENT, population.CARER, population.CLINICIAN, 3])
    rationale = np.array([population.RIGHTS, population.EXPERIENCE, population.MANAGERIAL, 1])
    weights = population.value_weights(p, role, rationale)
    assert weights == pytest.approx(
        np.array([[0.88, 0.0, 0.12], [0.06, 0.02, 0.92], [0.0, 0.92, 0.08], [0.0, 1.0, 0.0]])
    )
    assert weights.sum(axis=1) == pytest.approx(np.ones(4))
    # No blend: one-hot on one's own rationale.
    assert population.value_weights(params(**over | {"value_blend": 0.0}), role, rationale) == (
        pytest.approx(np.eye(3)[rationale])
    )


def test_a_drawn_population_starts_with_its_values_recognition_and_credibility(big_population):
    p, s = big_population
    assert s.values == pytest.approx(population.value_weights(p, s.role, s.rationale))
    assert (s.initial_values == s.values).all() and s.initial_values is not s.values
    assert s.values.sum(axis=1) == pytest.approx(np.ones(s.n))
    # Most weight on one's own rationale: at least 1 - value_blend.
    own = s.values[np.arange(s.n), s.rationale]
    assert (own >= 1 - p.value_blend - 1e-12).all()
    # Professionals start recognising lived experience at recognition_initial; lay people in full.
    assert (s.recognition[~s.lay] == p.recognition_initial).all()
    assert (s.recognition[s.lay] == 1.0).all()
    assert (s.initial_credibility == s.credibility).all()
    assert s.initial_credibility is not s.credibility
    assert (s.evidence == 0.0).all() and s.evidence.shape == (s.n_groups,)
    assert s.parity_window.shape == (p.active_meetings, 2) and np.isnan(s.parity_window).all()


# ------------------------------------------- runs side by side draw as each alone (issue 12)


def test_what_runs_are_drawn_with_is_all_build_runs_reads():
    """population.DRAWN_WITH holds every parameter the module reads (as ``p.<name>`` or
    ``getattr(p, f"...")``, an f-string matching the fields it may name), so runs that
    agree on it are drawn alike (simulation.batch draws them together)."""
    import ast
    import inspect
    import re

    from simulation.params import RunParams

    fields = set(RunParams.__dataclass_fields__)
    tree = ast.parse(inspect.getsource(population))
    read: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None:
            is_params = ast.unparse(node.annotation) == "RunParams"
            assert node.arg == "p" or not is_params, "parameters are read as p.<name>"
        if isinstance(node, ast.Attribute) and ast.unparse(node.value) == "p":
            read.add(node.attr)
        is_call = isinstance(node, ast.Call) and ast.unparse(node.func) == "getattr"
        if is_call and ast.unparse(node.args[0]) == "p":
            name = node.args[1]
            assert isinstance(name, ast.JoinedStr)
            pattern = "".join(
                re.escape(v.value) if isinstance(v, ast.Constant) else r"\w+" for v in name.values
            )
            read |= {f for f in fields if re.fullmatch(pattern, f)}
    assert read and read <= fields
    assert read <= set(population.DRAWN_WITH), sorted(read - set(population.DRAWN_WITH))
    assert set(population.DRAWN_WITH) <= fields


def test_a_part_of_runs_side_by_side_is_those_runs_drawn_alone():
    p = params(n_patients=7, n_carers=3, n_clinicians=2, n_managers=1, group_size=4)
    together = population.build_runs(p, [np.random.default_rng(s) for s in range(5)])
    part = population.part(together, 1, 3)
    alone = population.build_runs(p, [np.random.default_rng(s) for s in (1, 2)])
    assert (part.runs, part.n, part.n_groups) == (2, 26, 8)
    for field in population.State.__dataclass_fields__:
        got, want = getattr(part, field), getattr(alone, field)
        if isinstance(want, np.ndarray):
            assert got.dtype == want.dtype and got.tobytes() == want.tobytes(), field
        else:
            assert got == want, field
    assert population.part(together, 0, 5) is together


def test_the_draws_made_in_stretches_are_numpy_s_draws_of_arrays():
    """What the faster set-up rests on: numpy draws the same numbers from a call with
    array parameters as from calls stretch by stretch with numbers; ``random(out=)``
    fills as ``random(shape)``; a shuffle in place draws as a permutation."""
    role = np.repeat(np.arange(4), [5, 3, 0, 2])
    table = np.array([[2.0, 3.0], [0.5, 0.7], [9.0, 1.0], [1.5, 1.5]])
    a, b = np.random.default_rng(3), np.random.default_rng(3)
    got = population._beta_by_role([a], role, table)[0]
    assert got.tobytes() == b.beta(table[role, 0], table[role, 1]).tobytes()
    mean = np.full((1, 6), 0.3)  # one value per run: the call of numbers
    assert population._beta([a], mean, 4.0, 6).tobytes() == b.beta(1.2, 2.8, (1, 6)).tobytes()
    assert population._uniforms([a], (3, 4))[0].tobytes() == b.random((3, 4)).tobytes()
    items = np.arange(10, 19)
    got = population._shuffled([a], items, [(0, 4), (4, 9)])[0]
    want = np.concatenate([b.permutation(items[:4]), b.permutation(items[4:])])
    assert got.tolist() == want.tolist()
    # Two runs of 3 and 1: each run's (5, k) draw at [:, r, :k], zeros beyond.
    pair = [np.random.default_rng(1), np.random.default_rng(2)]
    got = population._padded(pair, np.array([3, 1]), 5)
    assert got.shape == (5, 2, 3)
    assert got[:, 0].tobytes() == np.random.default_rng(1).random((5, 3)).tobytes()
    assert got[:, 1, :1].tobytes() == np.random.default_rng(2).random((5, 1)).tobytes()
    assert not got[:, 1, 1:].any()
    assert a.bit_generator.state == b.bit_generator.state


def test_draws_taken_ahead_are_the_rounds_drawn_one_after_the_other():
    """The people streams' rounds, drawn ahead: run 0 takes a (5, 3) draw then a (4, 2)
    one, run 1 a (5, 1) draw then none; each as its generator's calls would make them,
    whatever was drawn beyond (1 more than needed here, then a second block)."""
    ahead = population._Ahead([np.random.default_rng(1), np.random.default_rng(2)])
    first = ahead.take(np.array([3, 1]), 5, 1)
    second = ahead.take(np.array([2, 0]), 4, 0)
    one, two = np.random.default_rng(1), np.random.default_rng(2)
    assert first.shape == (5, 2, 3) and second.shape == (4, 2, 2)
    assert first[:, 0].tobytes() == one.random((5, 3)).tobytes()
    assert first[:, 1, :1].tobytes() == two.random((5, 1)).tobytes()
    assert not first[:, 1, 1:].any() and not second[:, 1].any()
    assert second[:, 0].tobytes() == one.random((4, 2)).tobytes()
    # Rounds of one size for all, from the same point (a first round): the same draws.
    even = population._Ahead([np.random.default_rng(1), np.random.default_rng(2)])
    got = even.take(np.array([2, 2]), 5, 3)
    want = [np.random.default_rng(seed).random((5, 2)) for seed in (1, 2)]
    assert got.tobytes() == np.stack(want, axis=1).tobytes()

"""Inner loops compiled (numba): the keyed draws, knowledge's sums over member pairs, and
the weekly rules' runs of whole-array operations.

``simulation.draws`` does the same work in numpy arrays, twenty or more whole-array
operations a draw (SplitMix64's finaliser twice, then a count's search step by step);
these loops do it in one pass, with the same operations on each entry in the same order:
integer arithmetic modulo 2^64, and the correctly rounded ``+ - * /`` of IEEE doubles
(numba compiles without fast-math, so nothing is reordered or fused). Their numbers are
therefore the same to the last bit (tests/test_draws.py checks both ways against each
other); only speed differs (benchmarks/bench_draws.py measures it). Transcendental
functions (``exp``, ``log``, scipy's CDFs) stay in numpy, where the draws start.
:func:`pair_sums` is numpy's ``einsum`` of three operands, summed as einsum sums them
(tests/test_rule_knowledge.py). The rules' loops (from :func:`towards` on) each make a
rule's numpy operations entry by entry, in the same order and dtypes (float32 where the
ties are), per-group sums in agent order as ``bincount`` makes them; each names the lines
it stands for, which remain the numpy path (tests/test_fused.py and the rule tests check
both). ``simulation.compiled`` chooses these or numpy's arrays.

Imported only when a draw is first made, so that ``import simulation`` stays light.
"""

from __future__ import annotations

import numba
import numpy as np

from .draws import _M1, _M2, _S11, _S27, _S30, _S31, _TO_UNIT  # SplitMix64's constants

_jit = numba.njit(cache=True, nogil=True, fastmath=False, error_model="numpy")


@_jit
def _mix(z):
    """SplitMix64's finaliser (simulation.draws.mix) of one 64-bit word."""
    z = z ^ (z >> _S30)
    z = z * _M1
    z = z ^ (z >> _S27)
    z = z * _M2
    return z ^ (z >> _S31)


@_jit
def uniforms(keys, edges, inner, bases, out):
    """The uniforms of draws side by side, laid end to end in ``out``: draw ``d`` has
    ``inner[d]`` numbers a row, run ``r``'s rows ``edges[d, r]:edges[d, r + 1]``; entry
    ``e`` of a run's block in draw ``d`` is the uniform of counter ``bases[d] | e`` under
    ``keys[r]`` (simulation.draws.uniforms)."""
    at = 0
    for d in range(bases.size):
        for r in range(keys.size):
            key = keys[r]
            size = (edges[d, r + 1] - edges[d, r]) * inner[d]
            for e in range(size):
                z = _mix(_mix(bases[d] | np.uint64(e)) ^ key)
                # (below 2^53, so int64 converts it exactly, as uint64 does, but faster)
                out[at + e] = np.float64(np.int64(z >> _S11)) * _TO_UNIT
            at += size


@_jit
def poisson_valid(lam):
    """Whether every rate is finite and non-negative (NaN is not)."""
    for x in lam:  # noqa: SIM110 (numba compiles a loop, not all() of a generator)
        if not (x >= 0.0 and x < np.inf):
            return False
    return True


@_jit
def binomial_valid(n, p):
    """Whether every n >= 0 and 0 <= p <= 1 (NaN is neither)."""
    for i in range(n.size):  # noqa: SIM110 (numba compiles a loop, not all())
        if not (n[i] >= 0.0 and p[i] >= 0.0 and p[i] <= 1.0):
            return False
    return True


@_jit
def poisson_counts(u, lam, pmf, big, out):
    """Poisson quantiles of ``u`` searched up from 0 (``pmf`` = exp(-lam), from numpy);
    rates of at least ``big`` are left to simulation.draws (-1): how many."""
    left = 0
    for i in range(u.size):
        li, ui = lam[i], u[i]
        if li >= big:
            out[i] = -1
            left += 1
            continue
        # The search's first two steps (simulation.draws._up: k -> k + 1 while u > the
        # CDF at k, stopping where the mass underflows to 0), made whether taken or not and
        # counted without branches: most counts are 0, 1 or 2, at random, and a mispredicted
        # branch cost more than these few operations. The same operations, so the same bits.
        m0 = pmf[i]
        m1 = m0 * (li / 1.0)
        m2 = m1 * (li / 2.0)
        c1 = m0 + m1
        c2 = c1 + m2
        step1 = ui > m0
        step2 = step1 & (m1 > 0) & (ui > c1)
        if not (step2 & (m2 > 0) & (ui > c2)):
            out[i] = np.int64(step1) + np.int64(step2)
            continue
        kf, m, c = 2.0, m2, c2
        while ui > c:
            m = m * (li / (kf + 1.0))
            kf = kf + 1.0
            c = c + m
            if not m > 0:
                break
        out[i] = np.int64(kf)
    return left


@_jit
def binomial_counts(u, n, p, pmf, big, out):
    """Binomial counts of ``u`` (simulation.draws.binomial: searched from the likelier
    end, ``pmf`` = (1 - q)^n from numpy, q = min(p, 1 - p)); counts whose mean n q is at
    least ``big`` are left to simulation.draws (-1): how many."""
    left = 0
    for i in range(u.size):
        flip = p[i] > 0.5
        q = 1.0 - p[i] if flip else p[i]
        if n[i] * q >= big:
            out[i] = -1
            left += 1
            continue
        ui = 1.0 - u[i] if flip else u[i]
        odds = q / (1.0 - q)
        kf, m = 0.0, pmf[i]
        c = m
        while ui > c and kf < n[i]:  # simulation.draws._up
            m = m * ((n[i] - kf) / (kf + 1.0) * odds)
            kf = kf + 1.0
            c = c + m
            if not m > 0:
                break
        out[i] = np.int64(n[i]) - np.int64(kf) if flip else np.int64(kf)
    return left


@_jit
def search_poisson(u, k, pmf, cdf, lam):
    """simulation.draws._search of Poisson counts, entry by entry, ``k`` in place."""
    for i in range(u.size):
        kf, m, c = np.float64(k[i]), pmf[i], cdf[i]
        if kf > 0 and u[i] <= c - m:  # the mass below k already reaches u: step down
            while True:
                c = c - m
                m = m * (kf / lam[i])
                kf = kf - 1.0
                if not (kf > 0 and u[i] <= c - m and m > 0):
                    break
        elif u[i] > c:  # the CDF is still below u: step up
            while True:
                m = m * (lam[i] / (kf + 1.0))
                kf = kf + 1.0
                c = c + m
                if not (u[i] > c and m > 0):
                    break
        k[i] = np.int64(kf)


@_jit
def search_binomial(u, k, pmf, cdf, n, odds):
    """simulation.draws._search of binomial counts (``odds`` = q / (1 - q)), ``k`` in
    place, never above ``n``."""
    for i in range(u.size):
        kf, m, c = np.float64(k[i]), pmf[i], cdf[i]
        if kf > 0 and u[i] <= c - m:
            while True:
                c = c - m
                m = m * (kf / (n[i] - kf + 1.0) / odds[i])
                kf = kf - 1.0
                if not (kf > 0 and u[i] <= c - m and m > 0):
                    break
        elif u[i] > c and kf < n[i]:
            while True:
                m = m * ((n[i] - kf) / (kf + 1.0) * odds[i])
                kf = kf + 1.0
                c = c + m
                if not (u[i] > c and m > 0 and kf < n[i]):
                    break
        k[i] = np.int64(kf)


@_jit
def pair_sums(a, d, b, out):
    """Per group g, the sum over pairs (i, j) of a[g, i] d[g, i, j] b[g, j], as numpy's
    ``einsum("gi,gij,gj->g")`` makes it for float32 arrays whose pairs fit its buffer: one
    float32 sum a group, pairs in row order, each term (a d) b (simulation.knowledge)."""
    for g in range(a.shape[0]):
        total = np.float32(0.0)
        for i in range(a.shape[1]):
            for j in range(b.shape[1]):
                total += a[g, i] * d[g, i, j] * b[g, j]
        out[g] = total


@_jit
def pair_sums_two(a, b, c, e, d, ab, ce):
    """:func:`pair_sums` of (a, d, b) into ``ab`` and of (c, d, e) into ``ce`` in one pass
    over ``d``, two groups at a time: four sums in flight, where one is a chain of float32
    additions each waiting on the last. Each sum is still its group's pairs in row order,
    each term (a d) b, so the same bits."""
    groups, rows, cols = d.shape
    for g in range(0, groups - 1, 2):
        h = g + 1
        t0 = t1 = t2 = t3 = np.float32(0.0)
        for i in range(rows):
            a0, c0, a1, c1 = a[g, i], c[g, i], a[h, i], c[h, i]
            for j in range(cols):
                d0, d1 = d[g, i, j], d[h, i, j]
                t0 += a0 * d0 * b[g, j]
                t1 += c0 * d0 * e[g, j]
                t2 += a1 * d1 * b[h, j]
                t3 += c1 * d1 * e[h, j]
        ab[g], ce[g], ab[h], ce[h] = t0, t1, t2, t3
    if groups % 2:  # the last group, alone
        g = groups - 1
        t0 = t1 = np.float32(0.0)
        for i in range(rows):
            for j in range(cols):
                t0 += a[g, i] * d[g, i, j] * b[g, j]
                t1 += c[g, i] * d[g, i, j] * e[g, j]
        ab[g], ce[g] = t0, t1


@_jit
def towards(values, k, who, step):
    """simulation.values._towards row by row: weight ``k`` of ``who`` rises by ``step``
    of the way to 1 and the row's weights are scaled by (1 - new) / (1 - old), 0 where
    old is not below 1 (every row: elsewhere new = old, so the scale is exactly 1)."""
    for i in range(values.shape[0]):
        old = values[i, k]
        new = old + step[i] * (1.0 - old) if who[i] else old
        rest = (1.0 - new) / (1.0 - old) if old < 1.0 else 0.0
        for j in range(values.shape[1]):
            values[i, j] *= rest
        values[i, k] = new


@_jit
def meet(ties, grid, gain):
    """simulation.relations' ties of pairs who met, in float32 as numpy makes them:
    met = (grid_i grid_j) gain_ij, then met (1 - tie_ij), added to the tie."""
    one = np.float32(1.0)
    for g in range(ties.shape[0]):
        for i in range(ties.shape[1]):
            if grid[g, i] == 0:  # met = 0 (times a finite gain): the tie is unchanged
                continue
            for j in range(ties.shape[2]):
                met = grid[g, i] * grid[g, j] * gain[g, i, j]
                ties[g, i, j] += met * (one - ties[g, i, j])


@_jit
def relax(x, who, rate, target):
    """simulation.fused.relax entry by entry: x + (a rate) (target - x), a = 1 where
    ``who`` and 0 elsewhere (computed there too, as numpy does)."""
    for i in range(x.size):
        a = 1.0 if who[i] else 0.0
        x[i] = x[i] + a * rate * (target[i] - x[i])


@_jit
def relax_all(x, rate, target):
    """simulation.fused.relax of everyone: x + rate (target - x)."""
    for i in range(x.size):
        x[i] = x[i] + rate * (target[i] - x[i])


@_jit
def lay_credibility(credibility, said, heard, lay, group, adopted_lay, rates):
    """simulation.relations._lay_credibility in two passes: each group's recognised lay
    contributions (summed in agent order, as bincount sums), then each agent's step.
    ``rates`` = (credibility_gain, credit_cap, credibility_loss)."""
    gain_rate, cap, loss = rates[0], rates[1], rates[2]
    recognised = np.empty(said.size)
    by_group = np.zeros(adopted_lay.size)
    for i in range(said.size):
        recognised[i] = said[i] * heard[i] * (1.0 if lay[i] else 0.0)
        by_group[group[i]] += recognised[i]
    for i in range(said.size):
        total = by_group[group[i]]
        credit = adopted_lay[group[i]] * recognised[i] / total if total > 0 else 0.0
        gain = gain_rate * np.minimum(credit, cap)
        ignored = (1.0 if lay[i] and said[i] > 0 else 0.0) * (1.0 - heard[i])
        c = credibility[i]
        credibility[i] = c + (gain * (1.0 - c) - loss * ignored * c)


@_jit
def weigh(present, credibility, lay, power, speak_base, group, influence, sums):
    """simulation.decisions.decide's weights: each present agent's weight (its lay
    power if lay), its share of its group's (``influence``), and per group (rows of
    ``sums``, zeros on entry) the total weight, the lay weight, the people present and
    the lay people present, summed in agent order as bincount sums."""
    weight = np.empty(present.size)
    for i in range(present.size):
        here = 1.0 if present[i] else 0.0
        is_lay = 1.0 if lay[i] else 0.0
        weight[i] = here * (speak_base + credibility[i]) * (power[i] if lay[i] else 1.0)
        g = group[i]
        sums[0, g] += weight[i]
        sums[1, g] += weight[i] * is_lay
        sums[2, g] += here
        sums[3, g] += 1.0 if present[i] and lay[i] else 0.0
    for i in range(present.size):
        total = sums[0, group[i]]
        influence[i] = weight[i] / total if total > 0 else 0.0


@_jit
def spend(present, costs, refunded, mode, group, state, out, group_cost):
    """simulation.money.settle's costs of a meeting week in one pass, entry by entry as
    numpy makes them. ``costs``: trip, pay, booked fare, staff, unpaid hours (each
    counted for those present); ``refunded`` per agent, read as ``mode`` says: 0 no trip
    refunded, 1 every trip, 2 per agent. ``state``, added to in place: out of pocket,
    cash (less), owed, refund due, never refunded, pay due, unpaid hours. ``out`` rows:
    booked, staff and unpaid of those present; ``group_cost`` (zeros on entry) sums each
    group's refunded trips, pay, fares and staff in agent order, as bincount sums."""
    pocket, cash, owed, due, never, pay_due, hours = state
    for i in range(present.size):
        here = 1.0 if present[i] else 0.0
        trip, pay = costs[0][i] * here, costs[1][i] * here
        booked, staff, unpaid = costs[2][i] * here, costs[3][i] * here, costs[4][i] * here
        pocket[i] += trip
        cash[i] -= trip
        if mode == 2:
            back = trip if refunded[i] else 0.0
            owed[i] += back
            due[i] += back
            never[i] += 0.0 if refunded[i] else trip
        elif mode == 1:
            owed[i] += trip
            due[i] += trip
        else:
            never[i] += trip
        pay_due[i] += pay
        hours[i] += unpaid
        out[0, i], out[1, i], out[2, i] = booked, staff, unpaid
        counted = 1.0 if (refunded[i] if mode == 2 else mode == 1) else 0.0
        group_cost[group[i]] += trip * counted + pay + booked + staff


@_jit
def recover(cash, suspended_until, week, base_cash, rate):
    """simulation.money.settle's drift of money at hand towards the weekly budget (none
    while a benefit is suspended): cash + rate (budget - cash)."""
    for i in range(cash.size):
        budget = 0.0 if suspended_until[i] > week else base_cash[i]
        cash[i] = cash[i] + rate * (budget - cash[i])


@_jit
def speak(idx, group, n_groups, credibility, fluent, turns_a, relevant, lay, known, of, out):
    """simulation.meeting.hold's turns and contribution rates of those present (agents
    ``idx``), in numpy's operations and order: per group (summed in agent order, as
    bincount sums) the speaking weight and the professionals' recognition of lived
    experience, then each attendee's rates and turns (``out``). ``of`` = (speak_base,
    heard_base, heard_credibility)."""
    base, heard_base, heard_credibility = of[0], of[1], of[2]
    rates, turns = out
    weight = np.empty(idx.size)
    by_group = np.zeros((3, n_groups))  # weight, professionals, their recognition
    for k in range(idx.size):
        i = idx[k]
        weight[k] = fluent[i] * (base + credibility[i])
        g = group[i]
        pro = 0.0 if lay[i] else 1.0
        by_group[0, g] += weight[k]
        by_group[1, g] += pro
        by_group[2, g] += known[i] * pro
    for k in range(idx.size):
        i = idx[k]
        g = group[i]
        n_pro = by_group[1, g]
        open_to = by_group[2, g] / n_pro if n_pro > 0 else 1.0
        turns[k] = turns_a[i] * weight[k] / by_group[0, g]
        heard = turns[k] * np.minimum(1.0, heard_base + heard_credibility * credibility[i])
        rates[k, 0] = relevant[i, 0] * heard
        rates[k, 1] = relevant[i, 1] * heard
        rates[k, 2] = relevant[i, 2] * heard * open_to
        rates[k, 3] = np.maximum(turns[k] - (rates[k, 0] + rates[k, 1] + rates[k, 2]), 0.0)


@_jit
def standing(s_arrays, group, lay_adoption, evidence, to_lay, of, out):
    """simulation.relations._professional_standing after the ties' sums (``to_lay``, per
    agent, float32): per group the lay people present and the lay members (summed in
    agent order), then each professional's credibility and recognition moved as numpy
    moves them (simulation.fused.relax: every agent, by 0 where not chosen).
    ``s_arrays`` = (attending, lay); ``of`` = (accountability, professional credibility
    rate, recognition_weight_ties, recognition_initial, recognition_rate); ``out`` =
    (initial credibility, credibility, recognition), the last two in place."""
    attending, lay = s_arrays
    initial, credibility, recognition = out
    accountability, credibility_rate, w, start, recognition_rate = of
    lay_came = np.zeros(lay_adoption.size)
    n_lay = np.zeros(lay_adoption.size, np.float32)
    for i in range(group.size):
        lay_came[group[i]] += 1.0 if attending[i] and lay[i] else 0.0
        n_lay[group[i]] += np.float32(1.0) if lay[i] else np.float32(0.0)
    for i in range(group.size):
        g = group[i]
        here = 1.0 if attending[i] and not lay[i] else 0.0
        judged = here if lay_came[g] > 0 else 0.0
        swing = accountability * (lay_adoption[g] - 0.5)
        target = np.minimum(1.0, initial[i] * (1.0 + swing))
        credibility[i] = credibility[i] + judged * credibility_rate * (target - credibility[i])
        tie_lay = np.float64(to_lay[i] / n_lay[g]) if n_lay[g] > 0 else 0.0
        aim = start + (1.0 - start) * (w * tie_lay + (1.0 - w) * evidence[g])
        recognition[i] = recognition[i] + here * recognition_rate * (aim - recognition[i])


@_jit
def said(idx, counts, turns, out):
    """simulation.meeting._said's Talk of attendees ``idx`` from their ``counts``
    (recognised by kind, then unrecognised) and ``turns``; ``out`` = (turns,
    recognised, said, heard) of every agent, zeros on entry."""
    all_turns, recognised, said_, heard = out
    for k in range(idx.size):
        i = idx[k]
        n_heard = counts[k, 0] + counts[k, 1] + counts[k, 2]
        n_said = n_heard + counts[k, 3]
        all_turns[i] = turns[k]
        for j in range(3):
            recognised[i, j] = counts[k, j]
        said_[i] = np.float64(n_said)
        heard[i] = np.float64(n_heard) / np.float64(max(n_said, 1))


@_jit
def utility(base, weights, state, risky, out):
    """simulation.participation.take_part's utility U, as numpy sums it, negated (numpy
    takes exp(-U)): ``weights`` = (motivation, trust, belonging, benefit fear), ``state``
    the same four arrays."""
    motivation, trust, belonging, fear = state
    w_motivation, w_trust, w_belonging, w_fear = weights[0], weights[1], weights[2], weights[3]
    for i in range(base.size):
        u = base[i] + w_motivation * motivation[i] + w_trust * trust[i]
        u = u + w_belonging * belonging[i] - w_fear * fear[i] * (1.0 if risky[i] else 0.0)
        out[i] = -u


@_jit
def attend(draws, odds, flare_rate, can_of, out, week, first):
    """take_part's choice after exp(-U) (``odds``): an agent comes if no flare-up keeps it
    away (draw 0 below flare_rate times its illness), it has the trip's money at hand and
    is not barred (``can_of`` = illness, cash, trip, barred, open), and it wants to (draw
    1 times 1 + exp(-U) below 1). ``out`` = (attending, ever attended, first weeks, last
    attended), set in place; ``first``: whether this is one of the first weeks."""
    illness, cash, trip, barred, open_ = can_of
    attending, ever, first_weeks, last = out
    for i in range(odds.size):
        flare = draws[0, i] < flare_rate * illness[i]
        can = not flare and cash[i] >= trip[i] and not barred[i] and open_[i]
        wants = draws[1, i] * (1.0 + odds[i]) < 1.0
        attending[i] = wants and can
        if attending[i]:
            ever[i] = True
            last[i] = week
            if first:
                first_weeks[i] = True


@_jit
def grids(cell, recognised, lay, out):
    """simulation.knowledge.combine's grids (groups x slots, flattened; zeros on entry):
    each member's recognised biomedical, practice and lived contributions, in float32,
    then the professionals' biomedical and practice knowledge, (bio + practice) x
    professional, and lay people's lived experience, lived x (1 - professional)."""
    one = np.float32(1.0)
    for i in range(cell.size):
        c = cell[i]
        bio, practice = np.float32(recognised[i, 0]), np.float32(recognised[i, 1])
        lived = np.float32(recognised[i, 2])
        professional = np.float32(0.0) if lay[i] else one
        out[0, c], out[1, c], out[2, c] = bio, practice, lived
        out[3, c] = (bio + practice) * professional
        out[4, c] = lived * (one - professional)


@_jit
def judged(group, influence, heard, by_group, heard_ref, out):
    """simulation.motivation.judge's (N, 3) outcomes judged by each rationale, as numpy
    makes them: rights 0.5 (min(1, present x influence) + lay adoption), the group's
    managerial value, experience heard / (heard + heard_ref). ``by_group`` rows:
    people present, lay adoption, managerial value."""
    for i in range(group.size):
        g = group[i]
        out[i, 0] = 0.5 * (np.minimum(1.0, by_group[0, g] * influence[i]) + by_group[1, g])
        out[i, 1] = by_group[2, g]
        out[i, 2] = heard[i] / (heard[i] + heard_ref)


@_jit
def belong_and_trust(rows, cell, others, met, heard, attending, of, out):
    """simulation.relations._belonging_and_trust after einsum's row sums of the ties
    (``rows``, float32, per grid cell): belonging, the mean tie to the other members
    (in float64, as numpy divides float32 by int64), set in runs whose meeting anybody
    came to (``met``, per run); then trust moved towards w heard + (1 - w) belonging
    where attending. ``of`` = (trust_weight_recognition, trust_rate); ``out`` =
    (belonging, trust), in place."""
    w, rate = of[0], of[1]
    belonging, trust = out
    per_run = belonging.size // met.size
    for i in range(belonging.size):
        if met[i // per_run]:
            belonging[i] = np.float64(rows[cell[i]]) / np.float64(others[i])
        target = w * heard[i] + (1.0 - w) * belonging[i]
        a = 1.0 if attending[i] else 0.0
        trust[i] = trust[i] + a * rate * (target - trust[i])


@_jit
def strong_cross_role(ties, threshold, cross_role, cell, active, out):
    """simulation.relations.strong_cross_role's count of strong lay-professional ties
    between active participants, per run (``out``, zeros), each pair from both ends: a
    whole number, the same in any order. ``threshold`` in the dtype numpy compares in."""
    groups, slots = ties.shape[0], ties.shape[1]
    on = np.zeros(groups * slots, np.bool_)
    for a in range(cell.size):
        on[cell[a]] = active[a]
    per_run = groups // out.size
    for g in range(groups):
        ends = 0
        for i in range(slots):
            if on[g * slots + i]:
                for j in range(slots):  # without branches: twice as fast
                    ends += (ties[g, i, j] > threshold) & cross_role[g, i, j] & on[g * slots + j]
        out[g // per_run] += ends


@_jit
def quantities(attending, active, credibility, trust, ever, satisfaction, out):
    """simulation.metrics._quantities for runs side by side: ``out`` (runs, quantities,
    n); each a float, or a float times 1.0 or 0.0 (a bool), as numpy multiplies them.
    One row at a time: contiguous writes."""
    n = out.shape[2]
    for r in range(out.shape[0]):
        o, at = out[r], r * n
        for i in range(n):
            o[0, i] = 1.0
        for i in range(n):
            o[1, i] = 1.0 if attending[at + i] else 0.0
        for i in range(n):
            o[2, i] = 1.0 if active[at + i] else 0.0
        for i in range(n):
            o[3, i] = credibility[at + i] * o[2, i]
        for i in range(n):
            o[4, i] = trust[at + i] * o[2, i]
        for i in range(n):
            o[5, i] = 1.0 if ever[at + i] else 0.0
        for i in range(n):
            o[6, i] = satisfaction[at + i] * o[5, i]


@_jit
def weekly_counts(ever, lay, on_benefits, first_weeks, last_attended, since, seldom, out):
    """simulation.metrics.weekly's counts per run (``out``, (6, runs)): lay people who
    ever came, people on benefits who ever came, lay people of the first weeks still
    active (last came after week ``since``), lay people of the first weeks, and those
    two among the seldom heard. Whole numbers, the same in any order; without branches
    (twice as fast)."""
    runs = out.shape[1]
    n = ever.size // runs
    for r in range(runs):
        c0 = c1 = c2 = c3 = c4 = c5 = 0
        for a in range(r * n, (r + 1) * n):
            first = first_weeks[a] & lay[a]
            still = first & (last_attended[a] > since)
            c0 += ever[a] & lay[a]
            c1 += ever[a] & on_benefits[a]
            c2 += still
            c3 += first
            c4 += still & seldom[a]
            c5 += first & seldom[a]
        out[0, r], out[1, r], out[2, r] = c0, c1, c2
        out[3, r], out[4, r], out[5, r] = c3, c4, c5


@_jit
def came_and_influence(group, attending, influence, cell, came, grid):
    """simulation.metrics.gini_within_meetings' people at each group's meeting
    (``came``, zeros: bincount's float sums of whole numbers) and influence times
    attending (1.0 or 0.0, as numpy multiplies) on the flat grid (``grid``, zeros)."""
    for a in range(group.size):
        on = 1.0 if attending[a] else 0.0
        came[group[a]] += on
        grid[cell[a]] = influence[a] * on


@_jit
def group_totals(a, b, c, d, out):
    """Each run's sums of four per-group int64 arrays (``out``, (4, runs) floats): whole
    numbers, the same in any order (simulation.metrics.weekly's insights)."""
    runs = out.shape[1]
    n = a.size // runs
    for r in range(runs):
        ta = tb = tc = td = np.int64(0)
        for g in range(r * n, (r + 1) * n):
            ta += a[g]
            tb += b[g]
            tc += c[g]
            td += d[g]
        out[0, r], out[1, r], out[2, r], out[3, r] = ta, tb, tc, td


@_jit
def recognised_totals(recognised, lived, out):
    """Each run's recognised contributions (``out[0]``) and those of kind ``lived``
    (``out[1]``) from the (N, 3) int64 counts: whole numbers, the same in any order
    (simulation.metrics._voices)."""
    runs = out.shape[1]
    n = recognised.shape[0] // runs
    for r in range(runs):
        every = kind = np.int64(0)
        for a in range(r * n, (r + 1) * n):
            for k in range(recognised.shape[1]):
                every += recognised[a, k]
            kind += recognised[a, lived]
        out[0, r], out[1, r] = every, kind


@_jit
def sorted_times(x, rank, out):
    """Each row of ``x`` in ascending order times ``rank`` (simulation.metrics.
    gini_within_meetings: ``np.sort(x, axis=1) * rank``), by insertion (rows of a group's
    few slots). False, ``out`` unfinished, when an entry is NaN or -0.0: numpy orders
    entries that compare equal but differ in bits its own way; otherwise the order is
    the one ascending order, whatever the sort."""
    rows, cols = x.shape
    for g in range(rows):
        for i in range(cols):
            v = x[g, i]
            if v != v or (v == 0.0 and np.copysign(1.0, v) < 0.0):
                return False
    for g in range(rows):
        row = out[g]
        for i in range(cols):
            v, j = x[g, i], i
            while j > 0 and row[j - 1] > v:
                row[j] = row[j - 1]
                j -= 1
            row[j] = v
        for i in range(cols):
            row[i] = row[i] * rank[i]
    return True


@_jit
def subgroup_rows(lay, on_benefits, disabled, low_money, rationale, digital, kinds, out):
    """simulation.metrics.subgroups for runs side by side: ``out`` (runs, subgroups, n),
    1.0 where one belongs to the subgroup and 0.0 elsewhere, rows in SUBGROUPS' order;
    ``kinds`` = (RIGHTS, MANAGERIAL, EXPERIENCE)."""
    n = out.shape[2]
    for r in range(out.shape[0]):
        o, at = out[r], r * n
        for i in range(n):
            a = at + i
            is_lay, kind = lay[a], rationale[a]
            poor = is_lay and (on_benefits[a] or disabled[a])
            o[0, i] = 1.0 if is_lay else 0.0
            o[1, i] = 0.0 if is_lay else 1.0
            o[2, i] = 1.0 if on_benefits[a] else 0.0
            o[3, i] = 1.0 if disabled[a] else 0.0
            o[4, i] = 1.0 if low_money[a] else 0.0
            o[5, i] = 1.0 if is_lay and kind == kinds[0] else 0.0
            o[6, i] = 1.0 if poor else 0.0
            o[7, i] = 1.0 if is_lay and not poor else 0.0
            o[8, i] = 1.0 if kind == kinds[0] else 0.0
            o[9, i] = 1.0 if kind == kinds[1] else 0.0
            o[10, i] = 1.0 if kind == kinds[2] else 0.0
            o[11, i] = 1.0 if disabled[a] and digital[a] else 0.0
            o[12, i] = 1.0 if is_lay and not digital[a] else 0.0

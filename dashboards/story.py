"""The "what happened" account: a plain-language report computed from a run.

Every sentence is built from the model's state, its weekly series and its money
ledger at the current week; nothing is canned. :func:`account` returns sections
of Markdown, which the page shows and tests can read without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulation.population import (
    CARER,
    CLINICIAN,
    EXPERIENCE,
    MANAGER,
    PATIENT,
    RIGHTS,
    seldom_heard_population_share,
)
from simulation.text import show

from .charts import read_frame

STOPPED_AFTER = 8  # came before, then missed each of the latest this-many meetings: "stopped"


@dataclass
class Section:
    """A heading and its paragraphs (Markdown)."""

    title: str
    paragraphs: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        return f"### {self.title}\n\n" + "\n\n".join(self.paragraphs)


def _n(count: int | float, one: str, many: str | None = None) -> str:
    """A count and its noun: ``1 week``, ``1,204 people``."""
    count = round(count)
    return f"{show(count)} {one if count == 1 else (many or one + 's')}"


def _pct(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:.0f}%" if whole > 0 else "0%"


def _gbp(x: float) -> str:
    return "£" + show(x)


def meeting_weeks(week: int, interval: int) -> list[int]:
    """The weeks up to ``week`` in which the groups met (week 1, 1 + interval, ...)."""
    return list(range(1, week + 1, interval))


def held(model, week: int) -> list[int]:
    """The weeks the groups met up to ``week``: as the model recorded them once managers
    have changed the interval (rule 9), otherwise :func:`meeting_weeks`."""
    if model.rules.meeting_interval != model.params.meeting_interval:
        return [w for w in model.meetings_held if w <= week]
    return meeting_weeks(week, int(model.params.meeting_interval))


@dataclass(frozen=True)
class Leavers:
    """Who among patients and carers never came, and who came and then stopped."""

    lay: np.ndarray
    never: np.ndarray
    stopped: np.ndarray
    still: np.ndarray
    judged: bool  # enough meetings to tell who stopped


def leavers(model) -> Leavers:
    """Classify patients and carers by attendance so far.

    Someone "stopped coming" after coming at least once and then missing each of
    the last STOPPED_AFTER meetings; their last meeting is ``state.last_attended``.
    """
    s, week = model.state, int(model.steps)
    meetings = held(model, week)
    lay, ever = s.lay, s.ever_attended
    never = lay & ~ever
    judged = len(meetings) > STOPPED_AFTER
    if judged:
        cutoff = meetings[-STOPPED_AFTER]
        stopped = lay & ever & (s.last_attended < cutoff)
    else:
        stopped = np.zeros_like(lay)
    return Leavers(
        lay=lay, never=never, stopped=stopped, still=lay & ever & ~stopped, judged=judged
    )


def _when(weeks: np.ndarray) -> str:
    if weeks.size == 0:
        return ""
    if weeks.size == 1:
        return f"their last meeting was in week {int(weeks[0])}"
    return (
        f"their last meetings were between week {int(weeks.min())} and week "
        f"{int(weeks.max())}; half had stopped by week {int(np.median(weeks))}"
    )


def account(model) -> list[Section]:
    """The run so far, in plain language: who took part, whose knowledge counted,
    where the money went and how people got on."""
    s, p, week = model.state, model.params, int(model.steps)
    counts = np.bincount(s.role, minlength=4)
    lay = s.lay
    intro = (
        f"The programme has {_n(counts[PATIENT], 'patient')}, {_n(counts[CARER], 'carer')}, "
        f"{_n(counts[CLINICIAN], 'clinician')} and {_n(counts[MANAGER], 'manager')} in "
        f"{_n(s.n_groups, 'working group')}. Of the {int(lay.sum())} patients and carers, "
        f"{int(s.on_benefits.sum())} live on benefits and {int(s.disabled.sum())} are "
        f"disabled."
    )
    if week == 0:
        return [
            Section(
                "Nothing has happened yet",
                [
                    intro,
                    f"Press **Step** to play one week, or **Play** to run the "
                    f"{p.weeks}-week programme.",
                ],
            )
        ]
    frame = read_frame(model)
    final = model.final_metrics()
    meetings = held(model, week)
    every = f"every {_n(p.meeting_interval, 'week')}"
    if model.rules.meeting_interval != p.meeting_interval:  # managers changed it (rule 9)
        every += f" at first, every {_n(model.rules.meeting_interval, 'week')} now"
    head = Section(
        f"After {_n(week, 'week')} of {p.weeks}",
        [intro + f" The groups met {_n(len(meetings), 'time')} so far ({every})."],
    )
    sections = [
        head,
        _participation(model, final),
        _knowledge(frame, final),
        _money(model, frame, final),
        _relations(model, final),
    ]
    if p.manager_adaptation > 0:
        sections.append(_management(model, final))
    return sections


def _participation(model, final: dict) -> Section:
    s = model.state
    who = leavers(model)
    sec = Section("Who took part, and who stopped coming")
    sec.paragraphs.append(_who_never_came(model, who))
    if who.judged:
        sec.paragraphs += _who_stopped(s, who)
    else:
        sec.paragraphs.append(
            f"Too few meetings so far to tell who stopped coming (it takes {STOPPED_AFTER + 1})."
        )
    sec.paragraphs.append(
        f"At recent meetings (the last quarter of the weeks so far), "
        f"{100 * final['participation_lay']:.0f}% of patients and carers came, against "
        f"{100 * final['participation_professional']:.0f}% of clinicians and managers; "
        f"{100 * final['participation_benefits']:.0f}% of people on benefits and "
        f"{100 * final['participation_disabled']:.0f}% of disabled people came. "
        + _parity(final["participation_parity"])
    )
    sec.paragraphs.append(_seldom_heard(model, final))
    if model.params.meeting_format != "in_person":
        sec.paragraphs.append(_meeting_format(model, final))
    return sec


def _seldom_heard(model, final: dict) -> str:
    """Who the people are (issue 11): the seldom-heard share of active patients and carers
    against the population's, and the places outreach filled."""
    s, p = model.state, model.params
    ratio = final["representation_ratio"]
    text = (
        f"Lately, {100 * final['seldom_heard_share']:.0f}% of the active patients and carers "
        f"were seldom heard (they need interpreting, have low health literacy or no digital "
        f"access), against {100 * seldom_heard_population_share(p):.0f}% of the people the "
        f"places are filled from: {_represented(ratio)} (representation ratio {ratio:.2f}; "
        f"1 is in proportion)."
    )
    if p.outreach > 0:
        n_lay = int(s.lay.sum())
        reached = int(s.via_outreach.sum())
        text += (
            f" Outreach filled {reached} of the {n_lay} places for patients and carers "
            f"({_pct(reached, n_lay)}) with seldom-heard people; the usual channels filled "
            f"the rest."
        )
    return text


def _represented(ratio: float) -> str:
    if ratio < 0.9:
        return "they are under-represented"
    if ratio > 1.1:
        return "they are over-represented"
    return "they are represented in proportion"


def _meeting_format(model, final: dict) -> str:
    """Meeting format (issue 11): who met online and who online meetings kept out."""
    s, costs = model.state, model.costs
    offline = s.lay & ~s.digital_access
    if model.params.meeting_format == "online":
        text = (
            f"The meetings were online: nobody paid a fare, and "
            f"{_n(int(offline.sum()), 'patient or carer', 'patients and carers')} without a "
            f"device, a connection or the confidence to use them could not take part."
        )
    else:
        joined = int((s.lay & costs.online).sum())
        text = (
            f"The meetings were hybrid: {_n(joined, 'patient or carer', 'patients and carers')}"
            f" chose to join online rather than travel; "
            f"{100 * final['participation_offline']:.0f}% of those without digital access "
            f"came in person."
        )
    return text + (
        f" {100 * final['participation_disabled_digital']:.0f}% of disabled people with "
        f"digital access came."
    )


def _who_never_came(model, who: Leavers) -> str:
    s = model.state
    n_lay = int(who.lay.sum())
    came = int((who.lay & s.ever_attended).sum())
    text = (
        f"{came} of the {n_lay} patients and carers came to at least one meeting; "
        f"{_n(int(who.never.sum()), 'person', 'people')} never came."
    )
    never_poor = who.never & (s.base_cash < model.costs.trip)
    if never_poor.any():
        text += (
            f" Of those who never came, {int(never_poor.sum())} had less money at hand in "
            f"a normal week than the fare they would have had to pay up front."
        )
    never_afraid = who.never & model.costs.risky & (s.benefit_fear > 0.5)
    if never_afraid.any():
        text += (
            f" {_n(int(never_afraid.sum()), 'person', 'people')} on benefits who never came "
            f"feared that being paid would cost them their benefits."
        )
    return text


def _who_stopped(s, who: Leavers) -> list[str]:
    """Who came and then stopped: how many, when, a table by group, and who most often."""
    stopped = who.stopped
    if stopped.any():
        paragraphs = [
            f"**{_n(int(stopped.sum()), 'person', 'people')} came for a while and then "
            f"stopped** (missed the last {STOPPED_AFTER} meetings): "
            f"{_when(s.last_attended[stopped])}."
        ]
    else:
        paragraphs = [
            f"Nobody who came has stopped coming (missed the last {STOPPED_AFTER} meetings)."
        ]
    rows = [
        "| group | people | never came | came, then stopped | still coming |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, members in (
        ("on benefits", s.on_benefits),
        ("disabled", s.disabled),
        ("rights-based (want real influence)", who.lay & (s.rationale == RIGHTS)),
        ("experience-based (want to be heard)", who.lay & (s.rationale == EXPERIENCE)),
        ("neither on benefits nor disabled", who.lay & ~s.on_benefits & ~s.disabled),
        ("all patients and carers", who.lay),
    ):
        m = members & who.lay
        size = int(m.sum())
        if size == 0:
            continue
        rows.append(
            f"| {label} | {size} | {_pct((m & who.never).sum(), size)} | "
            f"{_pct((m & who.stopped).sum(), size)} | "
            f"{_pct((m & who.still).sum(), size)} |"
        )
    paragraphs.append("\n".join(rows))
    name, share, overall = _stopped_most(s, who)
    if share > overall + 0.05:
        paragraphs.append(
            f"Among those who came, {name} stopped most often: "
            f"{100 * share:.0f}% of them, against {100 * overall:.0f}% of all patients "
            f"and carers who came."
        )
    return paragraphs


def _stopped_most(s, who: Leavers) -> tuple[str, float, float]:
    """The group whose members who came stopped most often: its name, its share, everyone's."""

    def stopped_share(members: np.ndarray) -> float:
        return _share(members & who.lay & who.stopped, members & who.lay & s.ever_attended)

    name, members = max(
        (
            ("people on benefits", s.on_benefits),
            ("disabled people", s.disabled),
            ("rights-based people", s.rationale == RIGHTS),
        ),
        key=lambda item: stopped_share(item[1]),
    )
    return name, stopped_share(members), _share(who.stopped, who.lay & s.ever_attended)


def _share(part: np.ndarray, whole: np.ndarray) -> float:
    n = int(whole.sum())
    return float(part.sum()) / n if n else 0.0


def _parity(parity: float) -> str:
    if parity < 0.9:
        return (
            f"Disadvantaged patients and carers (on benefits or disabled) came "
            f"{100 * (1 - parity):.0f}% less often than the others."
        )
    if parity > 1.1:
        return (
            f"Disadvantaged patients and carers (on benefits or disabled) came "
            f"{100 * (parity - 1):.0f}% more often than the others."
        )
    return "Disadvantaged patients and carers came about as often as the others."


def _knowledge(frame, final: dict) -> Section:
    total = frame["insights"].sum()
    lay_origin = frame["insights_lay_origin"].sum()
    unexpected = frame["insights_unexpected"].sum()
    adopted = frame["insights_adopted"].sum()
    sec = Section("Whose knowledge counted")
    if total == 0:
        sec.paragraphs.append("No new insights yet.")
    else:
        sec.paragraphs.append(
            f"The groups produced **{_n(total, 'new insight')}**. "
            f"{show(lay_origin)} ({_pct(lay_origin, total)}) were proposed by patients and "
            f"carers. {show(unexpected)} ({_pct(unexpected, total)}) were *unexpected*: they "
            f"combined lived experience with medical or practice knowledge, the kind the "
            f"paper illustrates with 'breathlessness' becoming a research theme. "
            f"{show(adopted)} ({_pct(adopted, total)}) were taken up in decisions."
        )
    sec.paragraphs.append(
        f"Lately, patients and carers made {100 * final['lay_voice_share']:.0f}% of what was "
        f"said at meetings, and lived experience was "
        f"{100 * final['experiential_share']:.0f}% of the contributions that were taken up. "
        f"Influence over decisions was {_gini_words(final['influence_gini'])} "
        f"(Gini {final['influence_gini']:.2f} within meetings; 0 is equal)."
    )
    recognised = frame["recognition_of_experience"]
    met = recognised[recognised > 0]
    if met.size > 1:
        first, lately = 100 * met[0], 100 * final["recognition_of_experience"]
        moved = (
            "barely moved" if abs(lately - first) < 2 else ("rose" if lately > first else "fell")
        )
        sec.paragraphs.append(
            f"At the first meetings a patient's or carer's lived experience had a "
            f"{first:.0f}% chance of being recognised; lately {lately:.0f}%: what counts as "
            f"knowledge {moved}. Professionals recognise lived experience more as they build "
            f"ties with lay people and see it produce insights."
        )
    return sec


def _gini_words(g: float) -> str:
    return "shared fairly evenly" if g < 0.25 else "unequal" if g < 0.45 else "very unequal"


def _money(model, frame, final: dict) -> Section:
    s, p, ledger = model.state, model.params, model.ledger
    total = sum(ledger.values())
    sec = Section("Where the money went")
    parts = [
        ("staff time", ledger["staff"]),
        ("refunds of expenses", ledger["refunds"]),
        ("payments to patients and carers", ledger["payments"]),
        ("travel booked by the programme", ledger["travel"]),
    ]
    spent = "; ".join(f"{_gbp(v)} ({_pct(v, total)}) on {name}" for name, v in parts if v > 0)
    nothing = [name for name, v in parts if v <= 0]
    if nothing:
        spent += "; nothing on " + " or ".join(nothing)
    sec.paragraphs.append(
        f"The programme paid out **{_gbp(total)}**: {spent}. "
        f"That is {_gbp(final['cost_per_insight'])} per insight."
    )
    unpaid = frame["unpaid_lay_hours"].sum()
    if unpaid > 0:
        sec.paragraphs.append(
            f"Patients and carers gave **{show(unpaid)} meeting hours unpaid**, "
            f"{show(final['unpaid_hours_per_lay_participant'])} hours each on average "
            f"among those who took part (compensation: {model.rules.compensation})."
        )
    else:
        sec.paragraphs.append("Patients and carers were paid for all of their meeting hours.")
    owed = float(s.owed[s.lay].sum())
    lost = float(s.never_refunded[s.lay].sum())
    if lost > 0:
        sec.paragraphs.append(
            f"Patients and carers spent {_gbp(lost)} on trips that are never refunded, "
            f"{_gbp(final['lay_out_of_pocket'])} each on average among those who took part."
        )
    if owed > 0:
        sec.paragraphs.append(
            f"Right now they are waiting for {_gbp(owed)} of refunds (refunds take "
            f"{_n(p.refund_delay, 'week')})."
        )
    sec.paragraphs.extend(_benefits(model, frame, final))
    return sec


def _benefits(model, frame, final: dict) -> list[str]:
    """What the benefit rules took: suspensions, or Universal Credit taken back."""
    s, p = model.state, model.params
    out: list[str] = []
    cuts = frame["benefit_loss_events"].sum()
    people_cut = int((s.suspended_until > 0).sum())
    taken = float(s.taken_back.sum())  # Universal Credit taken back (benefit_rules=uc)
    if taken > 0:
        out.append(
            f"**Universal Credit took back {_gbp(taken)}** from "
            f"{_n(int((s.taken_back > 0).sum()), 'claimant')} "
            f"({_gbp(final['benefit_taken_back'])} each on average among claimants who took "
            f"part): every {p.uc_assessment_weeks} weeks, {p.uc_taper * 100:.0f}p of each pound "
            f"paid above the work allowance came off their award. Nobody's benefit was suspended."
        )
    if cuts > 0:
        limit = (
            f"the permitted {_gbp(p.permitted_earnings)} a week"
            if p.benefit_rules == "legacy-20"
            else f"ESA's permitted-work limit (£{p.esa_higher_limit:.2f} a week under "
            f"{show(p.esa_hours_limit)} hours, else {_gbp(p.esa_lower_limit)})"
        )
        out.append(
            f"**Benefits were cut {_n(cuts, 'time')}** ({_n(people_cut, 'person', 'people')}): "
            f"a payment above {limit} counted as "
            f"income and stopped their benefit for {p.suspension_weeks} weeks."
        )
    elif p.compensation == "paid" and p.benefit_safe:
        out.append("Nobody lost benefits: payments were arranged benefit-safe.")
    elif p.compensation == "paid" and taken == 0:
        out.append("Nobody has lost benefits so far.")
    return out


def _relations(model, final: dict) -> Section:
    s = model.state
    sec = Section("How people got on")
    sec.paragraphs.append(
        f"Lately, active participants trusted the others at "
        f"{final['mean_trust']:.2f} on a 0-1 scale, and each had "
        f"{final['cross_role_ties']:.2f} strong ties across the lay-professional line on "
        f"average. Professionals' credibility exceeded that of patients and carers by "
        f"{final['power_gap']:.2f} (0-1 scale)."
    )
    sats = (
        ("rights-based participants (who want real influence)", "satisfaction_rights"),
        ("managerial participants (who want results for the money)", "satisfaction_managerial"),
        ("experience-based participants (who want to be heard)", "satisfaction_experience"),
    )
    ranked = sorted(sats, key=lambda item: final[item[1]])
    sec.paragraphs.append(
        "Satisfaction, judged by each person's own reason for taking part: "
        + "; ".join(f"{name} {final[key]:.2f}" for name, key in ranked)
        + f". The least satisfied are the {ranked[0][0].split(' (')[0]}."
    )
    shift_pro, shift_lay = final["values_shift_professional"], final["values_shift_lay"]
    sec.paragraphs.append(
        f"Values moved too. Active professionals' weight on lived experience and being "
        f"heard {_moved(shift_pro)}; patients' and carers' {_moved(shift_lay)}"
        + (", towards demanding real influence (rights)." if shift_lay < -0.02 else ".")
    )
    rights_lay = s.lay & (s.rationale == RIGHTS)
    if rights_lay.any():
        sec.paragraphs.append(
            f"{100 * final['participation_rights_based']:.0f}% of rights-based patients and "
            f"carers came to recent meetings, against {100 * final['participation_lay']:.0f}% "
            f"of all patients and carers."
        )
    return sec


def _management(model, final: dict) -> Section:
    """What the managers did: every rule change with its week and reason (rule 9)."""
    p, events = model.params, model.events
    sec = Section("What the managers did")
    sec.paragraphs.append(
        f"The budget is {_gbp(p.budget)} a year; by now the programme has spent "
        f"{100 * final['budget_used']:.0f}% of it pro rata. Managers review spending every "
        f"{_n(p.review_interval, 'week')}. Patients and carers carry "
        f"{100 * final['lay_cost_share']:.0f}% of the programme's full cost (fares never "
        f"refunded and unpaid hours valued at the payment rate)."
    )
    if not events:
        sec.paragraphs.append("They have changed no rule so far.")
        return sec
    sec.paragraphs.append(f"They changed the rules {_n(len(events), 'time')}:")
    sec.paragraphs.append("\n".join(f"- {event.describe()}" for event in events))
    return sec


def _moved(shift: float) -> str:
    if abs(shift) < 0.02:
        return "barely changed"
    return f"{'rose' if shift > 0 else 'fell'} by {abs(shift):.2f} (0-1 scale)"


def markdown(model) -> str:
    """The whole account as one Markdown document."""
    return "\n\n".join(section.markdown() for section in account(model))

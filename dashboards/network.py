"""The network of ties among participants, as the dashboard draws it.

People only form ties within their standing working group, so the layout places
each group as a ring of its members, on a grid. The layout is computed once per
model instance (a weak cache keyed by the model: it is freed with the model) and
reused every week; only the ties and who is active change from week to week.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from simulation.population import RATIONALES, ROLES

from .charts import ROLE_COLOURS, new_figure, png_bytes

THRESHOLD = 0.2  # ties weaker than this are not drawn
MAX_GROUPS = 24  # larger programmes show their first MAX_GROUPS working groups
ASPECT = 1.7  # width / height of the drawing: sets how many groups go in a row
RING = 0.36  # radius of a group's ring, in grid cells
TITLE = "Ties among participants"
CROSS_COLOUR = "#6a3d9a"
SAME_COLOUR = "#9e9e9e"


@dataclass(frozen=True)
class Layout:
    """Where each drawn person sits, and which agents are drawn."""

    shown: np.ndarray  # agent indices drawn
    xy: np.ndarray  # (len(shown), 2) positions in [0, 1]
    index_grid: np.ndarray  # (groups, slots): agent index, -1 for an empty slot
    n_groups_shown: int
    cols: int
    rows: int

    def group_centres(self) -> np.ndarray:
        """(n_groups_shown, 2) centre of each group's ring, in the same [0, 1] units."""
        g = np.arange(self.n_groups_shown)
        return np.stack(
            [(g % self.cols + 0.5) / self.cols, (g // self.cols + 0.5) / self.rows], axis=1
        )


_LAYOUTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
layout_computations = 0  # how many layouts were computed (tests check the cache works)


def layout_for(model) -> Layout:
    """The model's layout, computed on first use and cached for the model's lifetime."""
    cached = _LAYOUTS.get(model)
    if cached is None:
        cached = _LAYOUTS[model] = _compute_layout(model.state)
    return cached


def _compute_layout(s) -> Layout:
    """Working groups on a grid, each group's members on a ring in role order.

    Ties only form within a group, so each ring holds all of a person's possible
    ties as chords; patients and carers sit on one side of the ring and
    professionals on the other, so ties across roles cross the ring.
    """
    global layout_computations
    layout_computations += 1
    grid = np.full((s.n_groups, s.n_slots), -1, dtype=np.int64)
    grid[s.group, s.slot] = np.arange(s.n)
    n_shown = min(s.n_groups, MAX_GROUPS)
    shown = np.flatnonzero(s.group < n_shown)
    cols = int(np.ceil(np.sqrt(n_shown * ASPECT)))
    rows = int(np.ceil(n_shown / cols))
    size = np.bincount(s.group, minlength=s.n_groups)
    # rank of each member within its group, in role order (slots are dealt in role order)
    rank = np.empty(s.n, dtype=np.int64)
    for g in range(n_shown):
        members = grid[g][grid[g] >= 0]
        rank[members[np.argsort(s.role[members], kind="stable")]] = np.arange(members.size)
    g = s.group[shown]
    angle = np.pi / 2 + 2 * np.pi * rank[shown] / size[g]
    centre = np.stack([g % cols + 0.5, g // cols + 0.5], axis=1)
    xy = centre + RING * np.stack([np.cos(angle), -np.sin(angle)], axis=1)
    xy = xy / np.array([cols, rows])
    return Layout(shown=shown, xy=xy, index_grid=grid, n_groups_shown=n_shown, cols=cols, rows=rows)


@dataclass(frozen=True)
class Snapshot:
    """The ties to draw this week."""

    layout: Layout
    role: np.ndarray  # per drawn person
    active: np.ndarray  # came in the last ``active_weeks`` weeks
    a: np.ndarray  # edge ends: positions in layout.shown
    b: np.ndarray
    strength: np.ndarray
    cross: np.ndarray  # lay-professional tie
    n_total_groups: int
    active_weeks: int  # the run's assumption: how recent "active" is
    strong: float  # the run's assumption: a tie above it is strong


def snapshot(model) -> Snapshot:
    """This week's ties above THRESHOLD among the drawn people."""
    s = model.state
    layout = layout_for(model)
    week = int(model.steps)
    ties = s.ties[: layout.n_groups_shown]
    g, i, j = np.nonzero(np.triu(ties > THRESHOLD, 1))
    a_agent, b_agent = layout.index_grid[g, i], layout.index_grid[g, j]
    ok = (a_agent >= 0) & (b_agent >= 0)
    g, i, j, a_agent, b_agent = g[ok], i[ok], j[ok], a_agent[ok], b_agent[ok]
    position = np.full(s.n, -1, dtype=np.int64)
    position[layout.shown] = np.arange(layout.shown.size)
    shown = layout.shown
    return Snapshot(
        layout=layout,
        role=s.role[shown],
        active=s.last_attended[shown] > week - model.params.active_weeks,
        a=position[a_agent],
        b=position[b_agent],
        strength=ties[g, i, j],
        cross=s.cross_role[g, i, j],
        n_total_groups=int(s.n_groups),
        active_weeks=model.params.active_weeks,
        strong=model.params.strong_tie,
    )


def caption(snap: Snapshot) -> str:
    """One line under the network saying what is drawn."""
    n_cross = int(np.count_nonzero(snap.cross))
    text = (
        f"{snap.a.size} ties above {THRESHOLD:g} ({n_cross} between a patient or carer "
        f"and a professional); {int(snap.active.sum())} of {snap.active.size} people "
        f"came in the last {snap.active_weeks} weeks."
    )
    if snap.layout.n_groups_shown < snap.n_total_groups:
        text += (
            f" Showing the first {snap.layout.n_groups_shown} of "
            f"{snap.n_total_groups} working groups."
        )
    return text


def _nodes(model, snap: Snapshot) -> list[dict]:
    """The drawn people as ECharts graph nodes, with a tooltip saying who they are."""
    s, shown = model.state, snap.layout.shown
    height = 1000.0 * snap.layout.rows / snap.layout.cols
    nodes = []
    for k, agent in enumerate(shown.tolist()):
        role = ROLES[snap.role[k]]
        detail = [
            f"{role}, working group {int(s.group[agent]) + 1}",
            f"takes part for {RATIONALES[s.rationale[agent]]}-based reasons",
        ]
        if s.on_benefits[agent]:
            detail.append("on benefits")
        if s.disabled[agent]:
            detail.append("disabled")
        detail.append("came in the last 8 weeks" if snap.active[k] else "not come lately")
        nodes.append(
            {
                "id": str(k),
                "name": "; ".join(detail),
                "x": round(float(snap.layout.xy[k, 0]) * 1000, 1),
                "y": round(float(snap.layout.xy[k, 1]) * height, 1),
                "category": int(snap.role[k]),
                "symbolSize": 13 if snap.active[k] else 8,
                "itemStyle": {
                    "opacity": 1.0 if snap.active[k] else 0.3,
                    "borderColor": "#222" if snap.active[k] else "#999",
                    "borderWidth": 0.6,
                },
            }
        )
    return nodes


def _links(snap: Snapshot) -> list[dict]:
    """The ties as ECharts graph links: thicker is stronger, purple across roles."""
    return [
        {
            "source": str(a),
            "target": str(b),
            "lineStyle": {
                "width": round(0.6 + 3.5 * float(w) ** 2, 2),
                "color": CROSS_COLOUR if c else SAME_COLOUR,
                "opacity": 0.9 if w > snap.strong else 0.45,
            },
        }
        for a, b, w, c in zip(
            snap.a.tolist(),
            snap.b.tolist(),
            snap.strength.tolist(),
            snap.cross.tolist(),
            strict=True,
        )
    ]


def echarts_option(model, snap: Snapshot | None = None) -> dict:
    """The network as an ECharts graph with fixed positions."""
    snap = snap or snapshot(model)
    categories = [
        {"name": role.capitalize(), "itemStyle": {"color": ROLE_COLOURS[role]}} for role in ROLES
    ]
    nodes, links = _nodes(model, snap), _links(snap)
    return {
        "animation": False,
        "tooltip": {"formatter": "{b}"},
        "legend": {"data": [c["name"] for c in categories], "bottom": 0},
        "series": [
            {
                "type": "graph",
                "layout": "none",
                "roam": True,
                "categories": categories,
                "data": nodes,
                "links": links,
                "emphasis": {"focus": "adjacency"},
                "top": 10,
                "bottom": 40,
                "left": 10,
                "right": 10,
            }
        ],
    }


def network_png(model, subtitle: str = "") -> bytes:
    """The network drawn by matplotlib, as PNG bytes."""
    # matplotlib only when a PNG is drawn
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    snap = snapshot(model)
    xy = snap.layout.xy
    fig = new_figure(7.5, 5.2)
    ax = fig.add_subplot()
    if snap.a.size:
        segments = np.stack([xy[snap.a], xy[snap.b]], axis=1)
        colours = [CROSS_COLOUR if c else SAME_COLOUR for c in snap.cross.tolist()]
        ax.add_collection(
            LineCollection(
                segments,
                colors=colours,
                linewidths=0.4 + 2.5 * snap.strength**2,
                alpha=0.7,
                zorder=1,
            )
        )
    for r, role in enumerate(ROLES):
        for active, alpha, size in ((True, 1.0, 46), (False, 0.3, 18)):
            mask = (snap.role == r) & (snap.active == active)
            ax.scatter(
                xy[mask, 0],
                xy[mask, 1],
                s=size,
                color=ROLE_COLOURS[role],
                alpha=alpha,
                edgecolors="#222" if active else "none",
                linewidths=0.5,
                zorder=2,
            )
    handles = [
        Line2D([], [], marker="o", linestyle="", color=ROLE_COLOURS[r], label=r) for r in ROLES
    ]
    handles += [
        Line2D([], [], color=CROSS_COLOUR, label="lay-professional tie"),
        Line2D([], [], color=SAME_COLOUR, label="other tie"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=6, fontsize=8, frameon=False)
    for g, (cx, cy) in enumerate(snap.layout.group_centres().tolist()):
        ax.text(cx, cy, f"group {g + 1}", ha="center", va="center", fontsize=7, color="#555")
    ax.set_aspect(snap.layout.rows / snap.layout.cols)
    ax.set_axis_off()
    ax.set_title(TITLE + (f"\n{subtitle}" if subtitle else ""), fontsize=11)
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(1.03, -0.03)  # ECharts draws y downwards: keep the same picture
    return png_bytes(fig)

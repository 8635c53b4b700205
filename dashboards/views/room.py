"""The workshop room's pages (issue 13): facilitator, teams or seats, projector.

- ``/room``: the mode (programmes or roles) and **Create room**; then the facilitator's
  page (``/room?code=CODE&token=...``, so a reload keeps it): the room code, the join and
  projector addresses (the server's network address when the browser used localhost:
  :mod:`dashboards.room.address`) and a QR code, the levers teams (or the manager seat)
  may change, **Start round**, pause, undo, end, the debrief (stepping back through the
  rounds, replayed from the log: :mod:`dashboards.room.debrief`) and the downloads.
- ``/room/join``: **Room code**, then **Team name** and **Join** (programmes), or the
  free seats (roles); then the team's or seat's page (``/room/join?code=CODE&token=...``,
  so a reloaded phone returns to it): the round, the countdown, and the team's levers,
  or the seat's situation and choices (:mod:`dashboards.room.roles`).
- ``/room/projector/CODE``: the teams or seats, ``Round N``, the league table, the
  round's events and small multiples, in large type.

Every room lives in :data:`STORE`, one per server process (:mod:`dashboards.room.store`,
plain Python). A page watches its room with :func:`use_room`: the store's callback only
wakes a thread of the page's own (started in the page's kernel context), which re-renders
the page; the same thread ticks once a second while a round's countdown runs.
"""

import html
import io
import itertools
import logging
import threading
import time
import urllib.parse

import reacton.core
import solara

from simulation.params import DEFAULTS, PARAM_BY_NAME
from simulation.text import show

from ..room import RoomError, RoomStore, RoomView, address, debrief, roles
from ..room.log import to_csv, to_json
from ..room.programme import ALLOWABLE, plural
from ..room.store import MODES
from ..state import batching
from .common import DownloadButton, Md
from .controls import param_input, pretty, show_value

try:  # the QR code is a nicety: the join address is shown as text either way
    import segno
except ImportError:  # pragma: no cover - segno is a dependency
    segno = None

logger = logging.getLogger("coprod.room")
STORE = RoomStore()  # every room of this server process
TICK = 1.0  # seconds between the timer's checks, and between a countdown's updates
_timer: list[threading.Thread] = []
_timer_lock = threading.Lock()

ROOM_CSS = """
.coprod-room { max-width: 960px; margin: 0 auto; padding: 8px; font-size: 18px; }
.coprod-room-code { font-size: 2.2em; letter-spacing: 0.15em; font-weight: 700; }
.coprod-room table { border-collapse: collapse; width: 100%; }
.coprod-room th, .coprod-room td { padding: 4px 8px; border-bottom: 1px solid #ccc;
  text-align: left; }
.coprod-projector { font-size: 32px; }
.coprod-projector .coprod-round { font-size: 1.6em; font-weight: 700; }
.coprod-address { word-break: break-all; font-family: monospace; }
.coprod-qr svg { width: 180px; height: 180px; }
.coprod-scroll { overflow-x: auto; max-width: 100%; }
@media (max-width: 600px) {
  .coprod-room { font-size: 15px; padding: 4px; }
  .coprod-room th, .coprod-room td { padding: 2px 4px; }
}
"""


def start_timer() -> None:
    """Start the thread that lets the rooms' timers start rounds (once per process)."""
    with _timer_lock:
        if _timer:
            return

        def run() -> None:
            while True:
                try:
                    STORE.tick()
                except Exception:  # a failed round must not stop every room's timer
                    logger.exception("room: the timer could not start a round")
                time.sleep(TICK)

        thread = threading.Thread(target=run, name="coprod-room-timer", daemon=True)
        _timer.append(thread)
        thread.start()


def query() -> dict[str, str]:
    """The page's query string as a dict (the last value of each key)."""
    search = solara.use_router().search or ""
    return {k: v[-1] for k, v in urllib.parse.parse_qs(search).items()}


def view_of(code: str) -> RoomView | None:
    try:
        return STORE.view(code) if code else None
    except RoomError:
        return None


def use_room(code: str) -> RoomView | None:
    """The room's view, re-read whenever the store changes it (None: no such room)."""
    _, set_count = solara.use_state(0)
    render_context = reacton.core.get_render_context(required=False)

    def watch():
        if not code:
            return None
        wake, stop = threading.Event(), threading.Event()
        try:
            unsubscribe = STORE.subscribe(code, lambda _version: wake.set())
        except RoomError:
            return None
        count = iter(range(1, 1 << 62))

        def loop() -> None:
            while not stop.is_set():
                changed = wake.wait(TICK)
                wake.clear()
                if stop.is_set():
                    return
                current = view_of(code)
                if changed or (current and current.remaining is not None and not current.paused):
                    try:
                        with batching(render_context):
                            set_count(next(count))
                    except Exception:  # the page has gone (closed tab): stop watching
                        logger.debug("room: a page stopped watching room %s", code)
                        unsubscribe()
                        return

        # Solara's threads carry the kernel context they are created in: this page's.
        threading.Thread(target=loop, name="coprod-room-watch", daemon=True).start()

        def cleanup() -> None:
            stop.set()
            wake.set()
            unsubscribe()

        return cleanup

    solara.use_effect(watch, [code])
    return view_of(code)


def host_header() -> str:
    """The ``host:port`` the browser reached this server at ("" outside a request)."""
    try:
        found = solara.lab.headers.value.get("host", [])
    except Exception:  # no request headers outside a server (tests of the logic)
        found = []
    return found[0] if found else ""


def host() -> str:
    """The address the browser reached this server at (for the facilitator's own link)."""
    header = host_header()
    return f"http://{header}" if header else ""


def status(view: RoomView) -> str:
    """The round and the countdown in words."""
    if view.ended:
        return f"The session has ended after {plural(view.round, 'round', 'rounds')}."
    words = f"Round {view.round}" if view.round else "Waiting for round 1"
    words += f" · week {view.week} of {view.weeks}"
    if view.paused:
        words += " · paused"
    elif view.remaining is not None:
        words += f" · next round in {round(view.remaining)} s"
    return words


def table_html(view: RoomView) -> str:
    """The league table as HTML: teams in rows, the four outcomes in columns."""
    return league_html(view.labels, view.table)


def league_html(labels: dict[str, str], table) -> str:
    """A league table (rows of :meth:`Programme.standing`) as HTML."""
    columns = list(labels)
    head = "".join(f"<th>{html.escape(labels[c])}</th>" for c in columns)
    rows = "".join(
        "<tr><td>"
        + html.escape(str(row["team"]))
        + "</td>"
        + "".join(f"<td>{html.escape(show(row[c]))}</td>" for c in columns)
        + "</tr>"
        for row in table
    )
    return f"<table class='coprod-league'><tr><th>Team</th>{head}</tr>{rows}</table>"


def sparkline(values: list[float], low: float, high: float, width=150, height=44) -> str:
    """One team's weekly values of one outcome as a small SVG line (axes shared by teams)."""
    if not values:
        return ""
    span = (high - low) or 1.0
    step = width / max(1, len(values) - 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}"
        for i, v in enumerate(values)
    )
    return (
        f"<svg viewBox='0 0 {width} {height}' width='{width}' height='{height}'>"
        f"<polyline fill='none' stroke='#1565c0' stroke-width='2' points='{points}'/></svg>"
    )


def multiples_html(view: RoomView, series: dict[str, dict[str, list[float]]]) -> str:
    """Small multiples: a row per team, a column per outcome, one scale per column; totals
    (insights, cost) as running totals, as the league table counts them."""
    columns = list(view.labels)
    series = {
        team: {
            c: list(itertools.accumulate(v)) if c in debrief.TOTALS else v for c, v in lines.items()
        }
        for team, lines in series.items()
    }
    head = "".join(f"<th>{html.escape(view.labels[c])}</th>" for c in columns)
    scale = {}
    for c in columns:
        every = [v for team in series.values() for v in team.get(c, [])] or [0.0]
        scale[c] = (min(every), max(every))
    rows = "".join(
        f"<tr><td>{html.escape(team)}</td>"
        + "".join(f"<td>{sparkline(lines.get(c, []), *scale[c])}</td>" for c in columns)
        + "</tr>"
        for team, lines in series.items()
    )
    return f"<table class='coprod-multiples'><tr><th>Team</th>{head}</tr>{rows}</table>"


@solara.component
def RoomState(view: RoomView):
    """Teams, round, league table and the round's events."""
    solara.HTML("div", unsafe_innerHTML=html.escape(status(view)), classes=["coprod-round"])
    if view.mode == "roles":
        seats = "; ".join(
            f"{s['title']} ({'taken' if s['taken'] else 'played by the model'})" for s in view.seats
        )
        line = "<b>Seats:</b> " + html.escape(seats)
    else:
        line = "<b>Teams:</b> " + html.escape(", ".join(view.teams) or "none yet")
    solara.HTML("div", unsafe_innerHTML=line, classes=["coprod-teams"])
    if view.table:
        solara.HTML("div", unsafe_innerHTML=table_html(view), classes=["coprod-scroll"])
    if view.events:
        items = "".join(f"<li>{html.escape(e)}</li>" for e in view.events)
        solara.HTML("div", unsafe_innerHTML=f"<ul class='coprod-events'>{items}</ul>")


# --------------------------------------------------------------------------- facilitator


def qr_svg(text: str) -> str:
    if segno is None:
        return ""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True)
    return out.getvalue().decode("utf-8")


@solara.component
def Addresses(code: str, token: str):
    header = host_header()
    # Phones need the server's network address, not localhost (found once per page).
    lan, problem = solara.use_memo(lambda: address.join_base(header), [header])
    base = host()
    join = f"{lan}/room/join?code={code}"
    solara.HTML(
        "div",
        unsafe_innerHTML=f"<span>Room code</span> <span class='coprod-room-code'>{code}</span>",
        classes=["coprod-room-code-line"],
    )
    solara.HTML(
        "div",
        unsafe_innerHTML=(
            f"<div>Join at: <span class='coprod-address coprod-join'>{html.escape(join)}</span>"
            f"</div><div class='coprod-qr'>{qr_svg(join)}</div>"
            f"<div>Projector: <span class='coprod-address coprod-projector-address'>"
            f"{html.escape(lan)}/room/projector/{code}</span></div>"
            f"<div>Your facilitator link (keep it to yourself): <span class='coprod-address'>"
            f"{html.escape(base)}/room?code={code}&amp;token={html.escape(token)}</span></div>"
        ),
    )
    if problem:
        solara.HTML(
            "div",
            unsafe_innerHTML=f"<b>Before phones can join:</b> {html.escape(problem)}",
            classes=["coprod-address-problem"],
            style={"background": "#fff3e0", "padding": "6px", "border-left": "4px solid #ef6c00"},
        )


@solara.component
def Settings(view: RoomView, code: str, token: str, act):
    solara.SelectMultiple(
        "Levers the manager may change" if view.mode == "roles" else "Levers teams may change",
        values=list(view.levers),
        all_values=list(ALLOWABLE),
        on_value=lambda levers: act(STORE.set_levers, levers),
    )
    solara.SliderInt(
        "Weeks per round",
        value=view.weeks_per_round,
        min=1,
        max=view.weeks,
        on_value=lambda weeks: act(STORE.set_weeks_per_round, int(weeks)),
        thumb_label=True,
    )
    limit = "none" if view.time_limit is None else str(int(view.time_limit))
    solara.Select(
        "Time limit per round (seconds)",
        value=limit,
        values=["none", "60", "120", "180", "300", "600"],
        on_value=lambda v: act(STORE.set_time_limit, None if v == "none" else float(v)),
    )


@solara.component
def RoundButtons(view: RoomView, act):
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.Button("Start round", on_click=lambda: act(STORE.start_round), color="primary")
        if view.paused:
            solara.Button("Resume", on_click=lambda: act(STORE.resume))
        else:
            solara.Button("Pause", on_click=lambda: act(STORE.pause))
        solara.Button("Undo last round", on_click=lambda: act(STORE.undo))
        solara.Button("End session", on_click=lambda: act(STORE.end))


@solara.component
def FacilitatorRoom(code: str, token: str):
    view = use_room(code)
    problem, set_problem = solara.use_state("")
    if view is None:
        solara.Error(f"No room has the code '{code}'.")
        return

    def act(method, *args) -> None:
        try:
            method(code, token, *args)
            set_problem("")
        except RoomError as err:
            set_problem(str(err))

    Addresses(code, token)
    if not view.ended:
        RoundButtons(view, act)
    if problem:
        solara.Error(problem)
    RoomState(view)
    if not view.ended:
        Settings(view, code, token, act)
    Debrief(view, code, token)
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.FileDownload(
            lambda: debrief.zip_bytes(STORE.log(code, token)),
            f"room-{code}-debrief.zip",
            children=[
                DownloadButton("Download the debrief (Markdown and figure)", "coprod-debrief-zip")
            ],
        )
        for kind, write in (("CSV", to_csv), ("JSON", to_json)):
            solara.FileDownload(
                lambda write=write: write(STORE.log(code, token)),
                f"room-{code}-log.{kind.lower()}",
                children=[
                    DownloadButton(f"Download the log ({kind})", f"coprod-room-log-{kind.lower()}")
                ],
            )


@solara.component
def Debrief(view: RoomView, code: str, token: str):
    """Step back through the rounds, replayed from the log, as the room saw each one."""
    opened, set_opened = solara.use_state(False)
    chosen, set_chosen = solara.use_state(0)  # 0: the last round
    done = solara.use_memo(
        lambda: debrief.rounds(STORE.log(code, token)) if opened else [],
        [opened, view.version],
    )
    if not view.round:
        return
    if not opened:
        solara.Button("Debrief: step through the rounds", on_click=lambda: set_opened(True))
        return
    if not done:
        return
    count = len(done)
    at = min(chosen or count, count)
    record = done[at - 1]
    with solara.Column(classes=["coprod-debrief"]):
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
            solara.Button("Previous round", on_click=lambda: set_chosen(at - 1), disabled=at <= 1)
            solara.HTML(
                "span",
                unsafe_innerHTML=f"Round {at} of {count} · weeks {record.start + 1}-{record.week}",
                classes=["coprod-debrief-round"],
            )
            solara.Button("Next round", on_click=lambda: set_chosen(at + 1), disabled=at >= count)
            solara.Button("Close the debrief", on_click=lambda: set_opened(False))
        rules = "".join(
            f"<li>{html.escape(team)}: {html.escape(debrief.rule_words(r))}</li>"
            for team, r in record.rules.items()
        )
        events = "".join(f"<li>{html.escape(e)}</li>" for e in record.events)
        solara.HTML(
            "div",
            unsafe_innerHTML=(
                f"<b>Rules played</b><ul>{rules}</ul>"
                f"<div class='coprod-scroll'>{league_html(view.labels, record.table)}</div>"
                f"<ul>{events}</ul><div class='coprod-scroll'>"
                f"{multiples_html(view, record.series)}</div>"
            ),
        )


def facilitates(code: str, token: str) -> bool:
    try:
        STORE.log(code, token)
    except RoomError:
        return False
    return True


@solara.component
def FacilitatorPage():
    solara.Title("Workshop room")
    solara.Style(ROOM_CSS)
    router = solara.use_router()
    args = query()
    code, token = args.get("code", ""), args.get("token", "")
    mode = solara.use_reactive(MODES[0])

    def create() -> None:
        new, secret = STORE.create_room(mode.value)
        router.push(f"/room?code={new}&token={secret}")

    with solara.Column(classes=["coprod-room"]):
        Md("## Workshop room")
        if code and facilitates(code, token):
            FacilitatorRoom(code, token)
            return
        if code:
            solara.Error("This facilitator link is not valid: create a new room.")
        Md(
            "**Programmes**: every team plays the same programme on the same people, with "
            "its own rules. **Roles**: the room plays one programme together; people take "
            "seats as some of its people, and the model plays everyone else. Create a room, "
            "show its code, and start rounds when the room is ready."
        )
        solara.ToggleButtonsSingle(value=mode, values=list(MODES), classes=["coprod-mode"])
        solara.Button("Create room", on_click=create, color="primary")


# --------------------------------------------------------------------------- teams


@solara.component
def Lever(code: str, token: str, name: str, value, set_problem):
    p = PARAM_BY_NAME[name]

    def put(new) -> None:
        if p.kind == "float":
            new = round(float(new), 6)
        try:
            STORE.set_rules(code, token, {name: new})
            set_problem("")
        except RoomError as err:
            set_problem(str(err))

    with solara.Div(classes=["coprod-control"], attributes={"data-param": name}):
        solara.Text(f"{pretty(name)}: {show_value(p, value)} {p.unit or ''}".strip())
        param_input(p, value, put)


@solara.component
def TeamRoom(code: str, token: str, team: str):
    view = use_room(code)
    problem, set_problem = solara.use_state("")
    if view is None:
        solara.Error(f"No room has the code '{code}'.")
        return
    solara.HTML(
        "div",
        unsafe_innerHTML=f"Team <b class='coprod-team'>{html.escape(team)}</b> · room {view.code}",
    )
    RoomState(view)
    if problem:
        solara.Error(problem)
    if view.ended:
        return
    Md("**Your programme's rules** (they apply from the next round):")
    rules = view.rules.get(team, {})
    for name in view.levers:
        Lever(code, token, name, rules.get(name, DEFAULTS[name]), set_problem)


def team_of(code: str, token: str) -> str:
    try:
        return STORE.rejoin(code, token) if code and token else ""
    except RoomError:
        return ""


@solara.component
def JoinPage():
    solara.Title("Join the workshop room")
    solara.Style(ROOM_CSS)
    router = solara.use_router()
    args = query()
    code, token = args.get("code", ""), args.get("token", "")
    typed = solara.use_reactive(code)
    name = solara.use_reactive("")
    problem, set_problem = solara.use_state("")
    team = team_of(code, token)
    seat = seat_of(code, token)
    typed_room = view_of(typed.value.strip()) if len(typed.value.strip()) >= 4 else None

    def take(key: str) -> None:
        try:
            secret = STORE.take_seat(typed.value, key)
        except RoomError as err:
            set_problem(str(err))
            return
        router.push(f"/room/join?code={STORE.view(typed.value).code}&token={secret}")

    def join() -> None:
        try:
            secret = STORE.join_team(typed.value, name.value)
        except RoomError as err:
            set_problem(str(err))
            return
        found = STORE.view(typed.value).code
        router.push(f"/room/join?code={found}&token={secret}")

    with solara.Column(classes=["coprod-room"]):
        if seat:
            SeatRoom(code, token)
            return
        if team:
            TeamRoom(code, token, team)
            return
        Md("## Join the workshop room")
        solara.InputText("Room code", value=typed, continuous_update=True)
        if typed_room is not None and typed_room.mode == "roles":
            SeatPicker(typed_room, take)
        else:
            solara.InputText("Team name", value=name, continuous_update=True)
            solara.Button("Join", on_click=join, color="primary")
        if problem:
            solara.Error(problem)


# --------------------------------------------------------------------------- seats (roles)


def seat_of(code: str, token: str) -> str:
    try:
        return STORE.seat_of(code, token) if code and token else ""
    except RoomError:
        return ""


@solara.component
def SeatPicker(view: RoomView, take):
    """The free seats of a roles room, one button each (the model plays the others)."""
    Md("**Take a seat**: you decide for this person; the model plays everyone else.")
    free = [s for s in view.seats if not s["taken"]]
    if not free:
        solara.Warning("Every seat is taken: share a phone with someone who has one.")
    for s in free:
        solara.Button(
            f"Take this seat: {s['title']}",
            on_click=lambda key=s["key"]: take(key),
            classes=["coprod-seat"],
            style={"text-transform": "none", "white-space": "normal", "height": "auto"},
        )


@solara.component
def SeatChoices(code: str, token: str, state: dict, set_problem):
    """A seat's choices for the next round: each meeting, how much to say, lived experience."""

    def choose(**what) -> None:
        try:
            STORE.choose(code, token, **what)
            set_problem("")
        except RoomError as err:
            set_problem(str(err))

    Md("**Your choices for the next round** (a meeting left unchosen: the model decides):")
    for week in state["meetings"]:
        chosen = state["attend"].get(week)
        with solara.Row(classes=["coprod-meeting"], style={"align-items": "center"}):
            solara.Text(f"Week {week} meeting:")
            solara.ToggleButtonsSingle(
                value=None if chosen is None else ("go" if chosen else "stay home"),
                values=["go", "stay home"],
                on_value=lambda v, w=week: choose(attend={w: v == "go"}),
            )
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Text("How much you say:")
        solara.ToggleButtonsSingle(
            value=state["say"], values=list(roles.SAY), on_value=lambda v: choose(say=v)
        )
    if state["kind"] == roles.CLINICIAN_SEAT:
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Text("Weight you give to lived experience:")
            solara.ToggleButtonsSingle(
                value=state["listen"],
                values=list(roles.LISTEN),
                on_value=lambda v: choose(listen=v),
            )


def happened_html(view: RoomView, key: str, title: str) -> str:
    """What happened to a seat in the last round, beside what the model would have done."""
    mine = [d for d in view.decisions if d["seat"] == key]
    if not mine:
        return ""
    items = "".join(f"<li>{html.escape(roles.decision_words(d, 'you'))}</li>" for d in mine)
    summary = html.escape(roles.seat_summary(list(view.decisions), key))
    return (
        f"<b>Round {view.round}: what happened to {html.escape(title)}</b>: {summary}"
        f"<ul class='coprod-happened'>{items}</ul>"
    )


@solara.component
def SeatRoom(code: str, token: str):
    """A seat's page: its person's situation, its choices for the next round, what happened."""
    view = use_room(code)
    problem, set_problem = solara.use_state("")
    if view is None:
        solara.Error(f"No room has the code '{code}'.")
        return
    state = STORE.seat_state(code, token)
    solara.HTML(
        "div",
        unsafe_innerHTML=(
            f"Your seat: <b class='coprod-seat-title'>{html.escape(state['title'])}</b>"
            f" · room {view.code}"
        ),
    )
    RoomState(view)
    if state["kind"] != roles.MANAGER_SEAT:
        solara.HTML("div", unsafe_innerHTML=happened_html(view, state["key"], state["title"]))
    if problem:
        solara.Error(problem)
    if view.ended:
        return
    if state["situation"]:
        lines = "".join(
            f"<li>{html.escape(x)}</li>" for x in roles.situation_words(state["situation"])
        )
        solara.HTML("div", unsafe_innerHTML=f"<b>Your situation now</b><ul>{lines}</ul>")
    if state["kind"] == roles.MANAGER_SEAT:
        Md("**The programme's rules** (they apply from the next round):")
        rules = view.rules.get(view.teams[0], {})
        for name in view.levers:
            Lever(code, token, name, rules.get(name, DEFAULTS[name]), set_problem)
    else:
        SeatChoices(code, token, state, set_problem)


# --------------------------------------------------------------------------- projector


@solara.component
def ProjectorPage(code=""):
    solara.Title(f"Room {code}")
    solara.Style(ROOM_CSS)
    view = use_room(code)
    with solara.Column(classes=["coprod-room", "coprod-projector"]):
        if view is None:
            solara.Error(f"No room has the code '{code}'.")
            return
        solara.HTML("div", unsafe_innerHTML=f"Room <b>{view.code}</b> · join with this code")
        RoomState(view)
        if view.round:
            series = STORE.series(view.code)
            solara.HTML(
                "div",
                unsafe_innerHTML="<b>Week by week</b>" + multiples_html(view, series),
                classes=["coprod-scroll"],
            )

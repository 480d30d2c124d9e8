"""Callback data and keyboards of the trainer side and of the reps' tasks and boards.

Every button names what it acts on (a team, a session, an assignment) and the handler passes
that id to a service, which checks the presser may act on it: forged data gets a refusal, never
someone else's data. Data stays under Telegram's 64 bytes: sessions are 32 hex characters,
scenarios travel as `keyboards.scenario_token`, guided flows as their draft's nonce.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.lang import Lang
from bot.domain.periods import Period
from bot.domain.rubric import DIMENSIONS
from bot.domain.scenario import Scenario
from bot.i18n import Catalog
from bot.services.teams import TeamInfo
from bot.telegram.keyboards import data, scenario_token

TEAM = "tm"  # tm:<team>                      a team's card
MEMBERS = "tmm"  # tmm:<team>                 its members
INVITE = "inv"  # inv:<team>:<days>:<r|t>     a new invite (0 days: no expiry; t: a co-trainer)
INVITES = "invl"  # invl:<team>               its invites, each revocable
REVOKE = "rvk"  # rvk:<code>                  revoke an invite
UNLINK = "ulk"  # ulk:<team>                  unlink its group
LINK = "lg"  # lg:<team>                      link the group this button is in
ASSIGNMENTS = "tma"  # tma:<team>             its assignments with completion counts
SUMMARY = "sm"  # sm:<assignment>             one assignment's completion summary
ASSIGN = "asg"  # asg:<team>                  start setting up an assignment
STEP = "as"  # as:<nonce>:<step>:<value>     a step of that set-up
TASK = "tk"  # tk:<assignment>                start one of my tasks
TASK_ANEW = "tkn"  # tkn:<assignment>         abandon the session in progress and start it
BOARD = "bd"  # bd:<team>:<period>:<t|s|d>:<subject>
BOARD_SCENARIOS = "bdl"  # bdl:<team>:<period>  choose a scenario for its board
EXPORT = "ex"  # ex:<team>:<period>           CSV and XLSX of that period
REVIEW = "rv"  # rv:<team>:<offset>           the team's sessions, a page
OPEN = "rvo"  # rvo:<session>                 a session's transcript and scorecard
COMMENT = "rvc"  # rvc:<session>              comment on it
DIMENSION = "rvd"  # rvd:<session>            correct a score: which dimension
SCORE = "rvx"  # rvx:<session>:<dimension>    … which score
REASON = "rvs"  # rvs:<session>:<dimension>:<score>  … then type the reason
UPLOADS = "ups"  # ups:<team>                 a team's own scenarios
UPLOAD_TO = "up"  # up:<nonce>:<team>         put the file just sent into this team
PLAY = "tp"  # tp:<team>:<scenario token>     test-play a team scenario
PLAY_ANEW = "tpn"  # tpn:<team>:<token>       … abandoning the session in progress
STUDIO_TEAM = "nst"  # nst:<team>             /newscenario: draft for this team
STUDIO = "ns"  # ns:<nonce>:<action>:<value>  a step of drafting (bot/telegram/studio_keys.py)
STUDIO_TRY = "nsp"  # nsp:<nonce>             test-play the unsaved draft privately
STUDIO_TRY_ANEW = "nspn"  # nspn:<nonce>      … abandoning the session in progress

# Buttons that start a session, and the verb that starts it anew (abandoning the one in progress).
ANEW = {TASK: TASK_ANEW, PLAY: PLAY_ANEW, STUDIO_TRY: STUDIO_TRY_ANEW}
SCORES = (1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0)
ROW = 3


def button(text: str, verb: str, *args: object) -> InlineKeyboardButton:
    """A button whose callback data is `verb:arg1:arg2…`."""
    return InlineKeyboardButton(text, callback_data=data(verb, ":".join(str(a) for a in args)))


def markup(buttons: Sequence[InlineKeyboardButton], per_row: int = ROW) -> InlineKeyboardMarkup:
    """Buttons laid out `per_row` to a row."""
    rows = [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]
    return InlineKeyboardMarkup(rows)


def stack(*rows: Sequence[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """Rows of buttons as given (empty rows dropped)."""
    return InlineKeyboardMarkup([list(r) for r in rows if r])


def choose_team(teams: Sequence[TeamInfo], verb: str, *after: object) -> InlineKeyboardMarkup:
    """One button per team for a command that needs one (`verb:<team>[:after…]`)."""
    return markup([button(t.name, verb, t.id, *after) for t in teams], per_row=1)


def team_card(catalog: Catalog, lang: Lang, team: TeamInfo) -> InlineKeyboardMarkup:
    """What a trainer can do with a team."""
    t = catalog.t
    rows = [
        [button(t(lang, "tg.team.button_members"), MEMBERS, team.id)],
        [
            button(t(lang, "tg.team.button_invite"), INVITE, team.id, 0, "r"),
            button(t(lang, "tg.team.button_invite_week"), INVITE, team.id, 7, "r"),
        ],
        [
            button(t(lang, "tg.team.button_invite_trainer"), INVITE, team.id, 7, "t"),
            button(t(lang, "tg.team.button_invites"), INVITES, team.id),
        ],
        [
            button(t(lang, "tg.team.button_assignments"), ASSIGNMENTS, team.id),
            button(t(lang, "tg.team.button_uploads"), UPLOADS, team.id),
        ],
    ]
    if team.chat_linked:
        rows.append([button(t(lang, "tg.team.button_unlink"), UNLINK, team.id)])
    return stack(*rows)


def revoke(catalog: Catalog, lang: Lang, codes: Sequence[str]) -> InlineKeyboardMarkup:
    """A revoke button per active invite, numbered as listed."""
    return markup(
        [
            button(catalog.t(lang, "tg.team.button_revoke", n=n), REVOKE, code)
            for n, code in enumerate(codes, start=1)
        ]
    )


def numbered(verb: str, ids: Sequence[object], label: str = "{n}") -> list[InlineKeyboardButton]:
    """A button per listed item, labelled with its number."""
    return [button(label.format(n=n), verb, i) for n, i in enumerate(ids, start=1)]


def board(catalog: Catalog, lang: Lang, team_id: int, period: Period) -> InlineKeyboardMarkup:
    """Other periods, the dimension boards and the scenario chooser."""
    t = catalog.t
    periods = [
        button(t(lang, f"team.period.{p.value}"), BOARD, team_id, p.value, "t", "")
        for p in Period
        if p != period
    ]
    dims = [button(t(lang, f"dim.{d}"), BOARD, team_id, period.value, "d", d) for d in DIMENSIONS]
    scenario = [
        button(t(lang, "tg.team.button_by_scenario"), BOARD_SCENARIOS, team_id, period.value)
    ]
    return stack(periods, dims[:3], dims[3:], scenario)


def board_scenarios(
    team_id: int, period: Period, scenarios: Sequence[Scenario], lang: Lang
) -> InlineKeyboardMarkup:
    """One button per scenario the team can play."""
    return markup(
        [
            button(s.title_in(lang)[:28], BOARD, team_id, period.value, "s", scenario_token(s.id))
            for s in scenarios
        ],
        per_row=1,
    )


def periods(catalog: Catalog, lang: Lang, verb: str, team_id: int) -> InlineKeyboardMarkup:
    """This week / this month / all time."""
    return markup(
        [button(catalog.t(lang, f"team.period.{p.value}"), verb, team_id, p.value) for p in Period]
    )


def review_page(
    catalog: Catalog,
    lang: Lang,
    team_id: int,
    items: Sequence[tuple[str, str, str]],
    offset: int,
    more: bool,
) -> InlineKeyboardMarkup:
    """Open any listed session (id, rep, score or phase), each button naming what it opens;
    older ones."""
    opens = [
        [button(catalog.t(lang, "loop.review_button", n=n, name=name, status=status), OPEN, i)]
        for n, (i, name, status) in enumerate(items, start=1)
    ]
    older = (
        [button(catalog.t(lang, "tg.team.button_older"), REVIEW, team_id, offset)] if more else []
    )
    return stack(*opens, older)


def session_actions(
    catalog: Catalog, lang: Lang, session_id: str, graded: bool
) -> InlineKeyboardMarkup:
    """Comment, and correct a score once it is graded."""
    row = [button(catalog.t(lang, "tg.team.button_comment"), COMMENT, session_id)]
    if graded:
        row.append(button(catalog.t(lang, "tg.team.button_override"), DIMENSION, session_id))
    return stack(row)


def dimensions(
    catalog: Catalog, lang: Lang, session_id: str, scores: Mapping[str, float]
) -> InlineKeyboardMarkup:
    """One button per dimension with its current score."""
    return markup(
        [
            button(
                catalog.t(
                    lang,
                    "tg.team.dimension_button",
                    dimension=catalog.t(lang, f"dim.{d}"),
                    score=f"{s:g}",
                ),
                SCORE,
                session_id,
                d,
            )
            for d, s in scores.items()
        ],
        per_row=2,
    )


def scores(session_id: str, dimension: str) -> InlineKeyboardMarkup:
    """The 1–5 scale in half points."""
    return markup(
        [button(f"{s:g}", REASON, session_id, dimension, f"{s:g}") for s in SCORES], per_row=5
    )


def uploads(catalog: Catalog, lang: Lang, team_id: int, ids: Sequence[str]) -> InlineKeyboardMarkup:
    """Test-play any listed team scenario."""
    label = catalog.t(lang, "tg.team.button_test_play", n="{n}")
    return markup(numbered(PLAY, [f"{team_id}:{scenario_token(i)}" for i in ids], label))


def test_play(catalog: Catalog, lang: Lang, team_id: int, scenario_id: str) -> InlineKeyboardMarkup:
    """Test-play the scenario just uploaded."""
    label = catalog.t(lang, "tg.team.button_test_play", n="").strip()
    return stack([button(label, PLAY, team_id, scenario_token(scenario_id))])


def upload_teams(teams: Sequence[TeamInfo], nonce: str) -> InlineKeyboardMarkup:
    """Which team the file just sent goes to."""
    return markup([button(t.name, UPLOAD_TO, nonce, t.id) for t in teams], per_row=1)


def tasks(catalog: Catalog, lang: Lang, items: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    """Start any listed task (id, title), each button naming its scenario."""
    return stack(
        *[
            [button(catalog.t(lang, "loop.task_button", n=n, title=title[:24]), TASK, i)]
            for n, (i, title) in enumerate(items, start=1)
        ]
    )


def assignments(ids: Sequence[int]) -> InlineKeyboardMarkup:
    """Open any listed assignment's summary."""
    return markup(numbered(SUMMARY, ids, "📊 {n}"), per_row=5)


def summary_button(catalog: Catalog, lang: Lang, assignment_id: int) -> InlineKeyboardMarkup:
    """See who has done a new assignment."""
    return stack([button(catalog.t(lang, "tg.team.button_summary"), SUMMARY, assignment_id)])

"""The trainer side and the reps' tasks and boards as Telegram HTML (and the board as a chart):
every name, title and comment is escaped, since members and uploaded scenarios write them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from bot import charts
from bot.domain.assignment import Progress, TaskStatus
from bot.domain.lang import Lang
from bot.domain.periods import local_text
from bot.domain.roles import Role
from bot.i18n import Catalog, fill
from bot.services.assignments import Task
from bot.services.completion import AssignmentSummary
from bot.services.leaderboard import Board, BoardLine
from bot.services.teams import InviteInfo, InviteLink, Member, TeamInfo
from bot.telegram.menus import OPERATOR_COMMANDS, TRAINER_COMMANDS, describe

TAIL = 4  # characters of an invite code shown in listings (the code itself is a secret)


class Texts:
    """Catalog lookups in one language, escaped for Telegram HTML."""

    def __init__(self, catalog: Catalog, lang: Lang) -> None:
        self.catalog = catalog
        self.lang = lang

    def __call__(self, key: str, **params: object) -> str:
        """A message with its parameters escaped."""
        raw = escape(self.catalog.raw(self.lang, key), quote=False)  # braces survive escaping
        safe = {k: escape(str(v), quote=False) for k, v in params.items()}
        return fill(raw, safe) if safe or "{" in raw else raw

    def plain(self, key: str, **params: object) -> str:
        """A message as plain text (for captions and labels)."""
        return self.catalog.t(self.lang, key, **params)

    def bold(self, key: str, **params: object) -> str:
        """A heading."""
        return f"<b>{self(key, **params)}</b>"

    def role(self, role: Role) -> str:
        """A role's name."""
        return self.plain(f"team.role.{role.value}")

    def status(self, progress: Progress) -> str:
        """A task status's name."""
        return self.plain(f"team.status.{progress.status.value}")


def teams(t: Texts, items: Sequence[TeamInfo]) -> str:
    """The teams a trainer runs."""
    lines = [t.bold("tg.team.teams_title")]
    for n, team in enumerate(items, start=1):
        linked = t.plain("tg.team.linked_mark") if team.chat_linked else ""
        lines.append(
            t("tg.team.team_line", n=n, name=team.name, members=team.members, zone=team.time_zone)
            + escape(linked)
        )
    lines.append(t("tg.team.teams_hint"))
    return "\n".join(lines)


def team_card(t: Texts, team: TeamInfo) -> str:
    """One team at a glance."""
    group = "tg.team.group_linked" if team.chat_linked else "tg.team.group_unlinked"
    return "\n".join(
        [
            f"<b>{escape(team.name)}</b>",
            t("tg.team.team_facts", members=team.members, zone=team.time_zone),
            t(group),
        ]
    )


def members(t: Texts, team: TeamInfo, items: Sequence[Member]) -> str:
    """Who is in the team."""
    lines = [t.bold("tg.team.members_title", team=team.name, count=len(items))]
    lines += [
        t("tg.team.member_line", n=n, name=m.name, role=t.role(m.role))
        for n, m in enumerate(items, start=1)
    ]
    return "\n".join(lines)


def _expiry(t: Texts, expires_at: dt.datetime | None, zone: str) -> str:
    if expires_at is None:
        return t.plain("tg.team.expiry_never")
    return t.plain("tg.team.expiry_until", until=local_text(expires_at, zone))


def invite(t: Texts, team: TeamInfo, link: InviteLink) -> str:
    """A fresh invite link to pass on."""
    return t(
        "tg.team.invite_created",
        team=team.name,
        role=t.role(link.role),
        expiry=_expiry(t, link.expires_at, team.time_zone),
        url=link.url,
    )


def invites(t: Texts, team: TeamInfo, items: Sequence[InviteInfo]) -> str:
    """A team's invites: which still work, how often each was used."""
    if not items:
        return t("tg.team.invites_empty")
    lines = [t.bold("tg.team.invites_title", team=team.name)]
    for n, i in enumerate(items, start=1):
        state = "active" if i.active else "revoked" if i.revoked else "expired"
        lines.append(
            t(
                "tg.team.invite_line",
                n=n,
                tail=i.code[-TAIL:],
                role=t.role(i.role),
                uses=i.uses,
                state=t.plain(f"tg.team.invite_{state}"),
                expiry=_expiry(t, i.expires_at, team.time_zone),
            )
        )
    return "\n".join(lines)


def _progress(t: Texts, p: Progress, minimum: int) -> str:
    detail = (
        t.plain("task.ungraded", attempts=p.attempts, minimum=minimum)
        if p.best is None
        else t.plain("tg.team.task_detail", attempts=p.attempts, minimum=minimum, best=p.best)
    )
    # "late" qualifies a pass or a fail; an overdue task says so already.
    late = t.plain("tg.team.task_late") if p.late and p.status != TaskStatus.OVERDUE else ""
    return t.status(p) + late + detail


def tasks(t: Texts, items: Sequence[Task]) -> str:
    """A rep's tasks, those needing action first."""
    lines = [t.bold("tg.team.tasks_title")]
    for n, task in enumerate(items, start=1):
        a = task.assignment
        lines.append(
            t(
                "tg.team.task_line",
                n=n,
                title=a.title(t.lang),
                team=a.team_name,
                due=a.due_local,
                pass_mark=a.pass_mark,
                status=_progress(t, task.progress, a.min_attempts),
            )
        )
    return "\n\n".join(lines)


def _counts(t: Texts, summary: AssignmentSummary) -> dict[str, int]:
    return {status.value: count for status, count in summary.counts.items()}


def assignments(t: Texts, team: TeamInfo, items: Sequence[AssignmentSummary]) -> str:
    """A team's assignments with how many reps stand where."""
    lines = [t.bold("tg.team.assignments_title", team=team.name)]
    for n, s in enumerate(items, start=1):
        a = s.assignment
        lines.append(
            t("tg.team.assignment_line", n=n, title=a.title(t.lang), due=a.due_local)
            + "\n"
            + t("tg.team.counts", total=len(s.members), **_counts(t, s))
        )
    return "\n\n".join(lines)


def summary(t: Texts, s: AssignmentSummary) -> str:
    """Who passed, failed, is late or has not started one assignment."""
    a = s.assignment
    lines = [
        t.bold("tg.team.summary_title", title=a.title(t.lang), team=a.team_name),
        t(
            "tg.team.summary_terms",
            due=a.due_local,
            pass_mark=a.pass_mark,
            attempts=a.min_attempts,
        ),
        t("tg.team.counts", total=len(s.members), **_counts(t, s)),
    ]
    if not s.members:
        lines.append(t("tg.team.summary_empty"))
    lines += [
        t("tg.team.summary_line", name=m.name, status=_progress(t, m.progress, a.min_attempts))
        for m in s.members
    ]
    return "\n".join(lines)


def board_title(t: Texts, board: Board, subject: str) -> str:
    """The board's title: team and period, and its scenario or dimension."""
    period = t.plain(f"team.period.{board.period.value}")
    key = f"team.board.title_{board.kind}"
    if board.kind == "scenario":
        return t.plain(key, team=board.team_name, period=period, scenario=subject)
    if board.kind == "dimension":
        return t.plain(key, team=board.team_name, period=period, dimension=subject)
    return t.plain(key, team=board.team_name, period=period)


def value_label(t: Texts, board: Board) -> str:
    """What the numbers on the board are."""
    unit = {"team": "points", "scenario": "best", "dimension": "level"}[board.kind]
    return t.plain(f"team.board.{unit}")


def value(board: Board, line: BoardLine) -> str:
    """A line's number as shown: points to one decimal, a best score whole, a level to two."""
    if board.kind == "scenario":
        return f"{line.value:.0f}"
    if board.kind == "dimension":
        return f"{line.value:.2f}"
    return f"{line.value:.1f}"


def board(t: Texts, board: Board, subject: str) -> str:
    """A ranked board as text (the chart comes as an image)."""
    lines = [f"<b>{escape(board_title(t, board, subject))}</b>"]
    if not board.lines:
        lines.append(t("team.board.empty"))
    lines += [
        t(
            "tg.team.board_line",
            rank=x.rank,
            name=x.name,
            value=value(board, x),
            unit=value_label(t, board),
            attempts=x.attempts,
        )
        for x in board.lines
    ]
    lines.append(t("tg.team.board_footer"))
    return "\n".join(lines)


CAPTION = 1024  # Telegram's limit for a photo's caption


def _size(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def board_caption(t: Texts, found: Board, subject: str) -> str:
    """The ranking under the chart; the lowest lines give way when it would not fit."""
    text = board(t, found, subject)
    if _size(text) <= CAPTION:
        return text
    head, *body, foot = text.split("\n")
    while body and _size("\n".join([head, *body, "…", foot])) > CAPTION:
        body.pop()
    return "\n".join([head, *body, "…", foot])


async def board_chart(t: Texts, found: Board, subject: str) -> bytes:
    """The board as a bar chart (PNG), titled and labelled in the reader's language (drawn
    in the chart worker)."""
    return await charts.draw(
        charts.leaderboard,
        [x.name for x in found.lines],
        [round(x.value, 2) for x in found.lines],
        board_title(t, found, subject),
        value_label(t, found),
        found.kind == "dimension",
    )


def guide(t: Texts, role: Role) -> str:
    """/help: the commands this user has, and how the leaderboard ranks."""
    blocks = [t.bold("tg.team.help_title"), t("tg.team.help_rep")]
    if role != Role.REP:
        names = TRAINER_COMMANDS + (OPERATOR_COMMANDS if role == Role.OPERATOR else ())
        lines = [t.bold("tg.team.help_trainer")]
        lines += [f"/{n} — {escape(describe(t.catalog, t.lang, n))}" for n in names]
        lines.append(t("tg.team.help_trainer_more"))
        blocks.append("\n".join(lines))
    blocks.append(t("team.board.formula"))
    return "\n\n".join(blocks)

"""A rep's own past sessions in Telegram HTML: the list (abandoned ones hidden unless asked),
the trainer's comments, the transcript on demand, and an attempt beside the previous one."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape

from bot.domain.periods import local_text
from bot.domain.scenario import Dimension
from bot.domain.session import Phase
from bot.services.practice import Started
from bot.services.practice_types import ProgressPoint
from bot.services.review import CommentInfo, Comparison
from bot.storage.repositories import SessionSummary
from bot.telegram.team_text import Texts
from bot.views.text import labelled

Title = Callable[[SessionSummary], str]


def shown(items: Sequence[SessionSummary], everything: bool) -> list[SessionSummary]:
    """The sessions to list: abandoned ones only when asked for."""
    return [s for s in items if everything or s.phase != Phase.ABANDONED]


def status(t: Texts, item: SessionSummary) -> str:
    """Where a session stands: its score and verdict, or its phase."""
    if item.overall is None:
        return t.plain(f"tg.phase.{item.phase.value}")
    verdict = t.plain("tg.passed" if item.passed else "tg.failed")
    return t.plain("tg.history_score", score=item.overall, verdict=verdict)


def listing(t: Texts, items: Sequence[SessionSummary], title: Title, zone: str, hidden: int) -> str:
    """The history list, with a note of how many abandoned sessions are hidden."""
    lines = [t("tg.history_title")]
    lines += [
        t(
            "tg.history_line",
            n=n,
            # In the product's time zone: a session at 07:00 in Beijing is not "yesterday".
            date=local_text(item.created_at, zone),
            title=title(item),
            status=status(t, item),
        )
        for n, item in enumerate(items, start=1)
    ]
    if hidden:
        lines.append(t("loop.history_hidden", count=hidden))
    return "\n".join(lines)


def comments(t: Texts, found: Sequence[CommentInfo], zone: str) -> str:
    """The trainer's comments on a session ("" when there are none)."""
    if not found:
        return ""
    lines = [t.bold("tg.team.comments_title")]
    lines += [
        t("tg.team.comment_line", author=c.author, at=local_text(c.at, zone), text=c.text)
        for c in found
    ]
    return "\n".join(lines)


def transcript(t: Texts, started: Started, rep: str) -> str:
    """The whole conversation, speaker by speaker."""
    title = started.scenario.title_in(t.lang)
    lines = [t.bold("loop.transcript_head", title=title), *transcript_lines(t, started, rep)]
    return "\n".join(lines)


def transcript_lines(t: Texts, started: Started, rep: str) -> list[str]:
    """One line per turn; the rep's are numbered as the scorecard counts them (#2 is the rep's
    second message), the client's are not."""
    scenario, session = started.scenario, started.session
    lines = []
    for turn in session.transcript:
        stage = next((s for s in scenario.stages if s.id == turn.stage), scenario.stages[0])
        who = rep if turn.speaker == "rep" else stage.persona.name
        ordinal = session.transcript.rep_ordinal(turn.number)
        mark = f"#{ordinal} " if ordinal is not None else ""
        lines.append(mark + labelled(f"<b>{escape(who)}</b>", "", t.lang) + escape(turn.text))
    return lines


def _arrow(after: float, before: float) -> str:
    return "↑" if after > before else "↓" if after < before else "＝"


def comparison(t: Texts, found: Comparison, zone: str) -> str:
    """Each dimension and the overall, this attempt against the previous one."""
    title = found.started.scenario.title_in(t.lang)
    if found.previous is None or found.previous_at is None:
        return t("loop.compare_first", title=title)
    before, after = found.previous, found.card
    lines = [t.bold("loop.compare_head", title=title, at=local_text(found.previous_at, zone))]
    lines.append(
        t(
            "loop.compare_overall",
            before=before.overall,
            after=after.overall,
            arrow=_arrow(after.overall, before.overall),
        )
    )
    for dim, now in after.dimensions.items():
        was = before.dimensions.get(dim)
        if was is None:
            continue
        lines.append(
            t(
                "loop.compare_line",
                dimension=t.plain(f"dim.{dim}"),
                before=f"{was.score:g}",
                after=f"{now.score:g}",
                arrow=_arrow(now.score, was.score),
            )
        )
    return "\n".join(lines)


def progress_summary(
    t: Texts, points: Sequence[ProgressPoint], labels: Mapping[Dimension, str]
) -> str:
    """/me in a few lines: how many graded sessions, the latest and best overall, and each
    dimension's latest score against the one before."""
    last = points[-1]
    before = points[-2] if len(points) > 1 else None
    lines = [
        t.bold("tg.me_title"),
        t(
            "tg.me_caption",
            count=len(points),
            last=last.overall,
            best=max(p.overall for p in points),
        ),
    ]
    for dim, name in labels.items():
        if dim not in last.scores:
            continue
        now = last.scores[dim]
        arrow = _arrow(now, before.scores[dim]) if before and dim in before.scores else ""
        lines.append(t("loop.me_line", dimension=name, score=f"{now:g}", arrow=arrow).rstrip())
    return "\n".join(lines)

"""A team's sessions as their trainer reads them in Telegram HTML: the list, and one session's
transcript with its scorecard, comments and the audit trail of score corrections."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.periods import local_text
from bot.services.review import SessionLine, SessionReview
from bot.services.teams import TeamInfo
from bot.telegram.history_text import transcript_lines
from bot.telegram.team_text import Texts
from bot.views.text import scorecard_text


def sessions(t: Texts, team: TeamInfo, items: Sequence[SessionLine], offset: int) -> str:
    """A page of the team's sessions."""
    if not items:
        return t("tg.team.review_empty")
    lines = [t.bold("tg.team.review_title", team=team.name)]
    for n, s in enumerate(items, start=1):
        lines.append(
            t(
                "tg.team.review_line",
                n=n,
                name=s.name,
                title=s.title(t.lang),
                date=local_text(s.created_at, team.time_zone),
                status=status(t, s),
            )
        )
    return "\n".join(lines)


def status(t: Texts, s: SessionLine) -> str:
    """A team session's score and verdict (marked when corrected), or its phase."""
    if s.overall is None:
        return t.plain(f"team.phase.{s.phase.value}")
    verdict = t.plain("tg.passed" if s.passed else "tg.failed")
    mark = t.plain("tg.team.overridden_mark") if s.overridden else ""
    return t.plain("tg.history_score", score=s.overall, verdict=verdict) + mark


def review(t: Texts, r: SessionReview, zone: str) -> str:
    """A team session for its trainer: transcript, scorecard, comments and the audit trail."""
    session, scenario = r.started.session, r.started.scenario
    title = scenario.title_in(t.lang)
    blocks = [
        t.bold(
            "tg.team.session_head",
            name=r.player,
            title=title,
            phase=t.plain(f"team.phase.{session.phase.value}"),
            turns=len(session.transcript.rep_turns()),
        ),
        "\n".join([t.bold("tg.team.transcript_title"), *transcript_lines(t, r.started, r.player)]),
        scorecard_text(r.card, t.catalog, t.lang, title=title, html=True, zone=zone)
        if r.card
        else t("tg.team.not_graded"),
    ]
    if r.comments:
        blocks.append(
            "\n".join(
                [t.bold("tg.team.comments_title")]
                + [
                    t(
                        "tg.team.comment_line",
                        author=c.author,
                        at=local_text(c.at, zone),
                        text=c.text,
                    )
                    for c in r.comments
                ]
            )
        )
    if r.trail:
        blocks.append(
            "\n".join(
                [t.bold("tg.team.trail_title")]
                + [
                    t(
                        "tg.team.trail_line",
                        at=local_text(o.at, zone),
                        author=o.author,
                        dimension=t.plain(f"dim.{o.dimension}"),
                        previous=f"{o.previous:g}",
                        score=f"{o.score:g}",
                        reason=o.reason,
                    )
                    for o in r.trail
                ]
            )
        )
    return "\n\n".join(blocks)

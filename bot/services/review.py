"""Review: a trainer reads the team's sessions, comments, and corrects a grade with a reason."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.domain.clock import system_clock
from bot.domain.lang import parse_lang
from bot.domain.periods import Clock
from bot.domain.review import Override, apply_overrides, check_override
from bot.domain.roles import Action
from bot.domain.scenario import Scenario
from bot.domain.scorecard import Scorecard
from bot.domain.session import Phase
from bot.errors import AccessDenied, InvalidRequest, SessionNotFound
from bot.scenarios.team_scenarios import pick_title, titles
from bot.services.access import Access
from bot.services.notices import Link, Notice, Ref, notice_to
from bot.services.practice import Started
from bot.storage.database import Database
from bot.storage.training_repository import OverrideRecord, SessionRecord
from bot.storage.unit import Unit

MAX_COMMENT = 1000
MAX_PAGE = 50
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class SessionLine:
    """A team session in the trainer's list."""

    id: str
    user_id: int
    name: str
    scenario_id: str
    scenario_version: int
    titles: dict[str, str]
    phase: Phase
    created_at: dt.datetime
    turns: int
    overall: int | None
    passed: bool | None
    overridden: bool
    assignment_id: int | None

    def title(self, lang: str) -> str:
        """The scenario's title in the interface language."""
        return pick_title(self.titles, lang, self.scenario_id)


@dataclass(frozen=True)
class CommentInfo:
    """A trainer's comment."""

    author: str
    text: str
    at: dt.datetime


@dataclass(frozen=True)
class OverrideInfo:
    """One entry of the audit trail."""

    dimension: str
    score: float
    previous: float
    reason: str
    author: str
    at: dt.datetime


@dataclass(frozen=True)
class SessionReview:
    """Everything a trainer sees of one session: transcript, scorecard, comments, corrections."""

    started: Started
    player_id: int
    player: str
    team_id: int
    card: Scorecard | None
    comments: list[CommentInfo]
    trail: list[OverrideInfo]


@dataclass(frozen=True)
class Feedback:
    """One of a rep's own sessions as they read it: scorecard, comments and corrections."""

    started: Started
    card: Scorecard | None
    comments: list[CommentInfo]
    trail: list[OverrideInfo]


@dataclass(frozen=True)
class Comparison:
    """A graded attempt beside the previous graded one on the same scenario (if any)."""

    started: Started
    card: Scorecard
    previous: Scorecard | None
    previous_at: dt.datetime | None


@dataclass(frozen=True)
class Commented:
    """A stored comment and the notice that tells the rep."""

    comment: CommentInfo
    notices: list[Notice]


@dataclass(frozen=True)
class Overridden:
    """The corrected scorecard, the audit entry, and the notice that tells the rep."""

    card: Scorecard
    entry: OverrideInfo
    notices: list[Notice]


class ReviewService:
    """What a trainer does with the team's sessions."""

    def __init__(self, db: Database, access: Access, clock: Clock = system_clock) -> None:
        self.db = db
        self.access = access
        self.clock = clock

    async def _team_session(
        self, u: Unit, actor: int, session_id: str, action: Action
    ) -> SessionRecord:
        """The session, if the actor may act on it in its team (private practice never)."""
        row = await u.training.session(session_id)
        if row is None:
            raise SessionNotFound(session=session_id[:32])
        if row.team_id is None:
            raise AccessDenied("team.denied.not_member")
        await self.access.require(u.teams, actor, row.team_id, action)
        return row

    async def sessions(
        self,
        actor: int,
        team_id: int,
        limit: int = 20,
        offset: int = 0,
        member_id: int | None = None,
    ) -> list[SessionLine]:
        """The team's recent sessions, newest first (optionally one member's)."""
        async with self.db.unit() as u:
            await self.access.require(u.teams, actor, team_id, Action.REVIEW)
            rows = await u.training.team_sessions(
                team_id, user_id=member_id, limit=max(1, min(limit, MAX_PAGE)), offset=offset
            )
        return [
            SessionLine(
                r.session.id,
                r.user.id,
                r.user.display_name,
                r.session.scenario_id,
                r.session.scenario_version,
                titles(r.session.scenario),
                Phase(r.session.phase),
                r.session.created_at,
                r.turns,
                int(r.card["overall"]) if r.card else None,
                bool(r.card["passed"]) if r.card else None,
                bool(r.card and r.card.get("overrides")),
                r.session.assignment_id,
            )
            for r in rows
        ]

    async def open(self, actor: int, session_id: str) -> SessionReview:
        """A team session's transcript with its scorecard, comments and corrections."""
        async with self.db.unit() as u:
            row = await self._team_session(u, actor, session_id, Action.REVIEW)
            sessions = u.sessions
            loaded = await sessions.load(session_id)
            assert loaded is not None and row.team_id is not None
            repo = u.training
            player = await u.teams.user(row.user_id)
            return SessionReview(
                Started(*loaded),
                row.user_id,
                player.display_name if player else "",
                row.team_id,
                await sessions.scorecard(session_id),
                [
                    CommentInfo(u.display_name, c.text, c.created_at)
                    for c, u in await repo.comments(session_id)
                ],
                [_entry(o, u.display_name) for o, u in await repo.overrides(session_id)],
            )

    async def mine(self, user_id: int, session_id: str) -> Feedback:
        """A rep's own session with what the trainer did to it (comments, corrections)."""
        async with self.db.unit() as u:
            sessions = u.sessions
            loaded = await sessions.load(session_id)
            if loaded is None or loaded[0].user_id != user_id:
                raise SessionNotFound(session=session_id[:32])
            repo = u.training
            return Feedback(
                Started(*loaded),
                await sessions.scorecard(session_id),
                [
                    CommentInfo(u.display_name, c.text, c.created_at)
                    for c, u in await repo.comments(session_id)
                ],
                [_entry(o, u.display_name) for o, u in await repo.overrides(session_id)],
            )

    async def compare(self, user_id: int, session_id: str) -> Comparison:
        """A rep's graded session and their previous graded attempt on the same scenario."""
        async with self.db.unit() as u:
            sessions = u.sessions
            loaded = await sessions.load(session_id)
            card = await sessions.scorecard(session_id)
            if loaded is None or loaded[0].user_id != user_id:
                raise SessionNotFound(session=session_id[:32])
            if card is None:
                raise InvalidRequest("team.error.not_graded")
            row = await u.training.session(session_id)
            assert row is not None
            earlier = [
                (at, c)
                for at, sid, c in await sessions.graded_cards(user_id)
                if sid == row.scenario_id and at < row.created_at
            ]
        at, previous = earlier[-1] if earlier else (None, None)
        return Comparison(Started(*loaded), card, previous, at)

    async def comment(
        self, actor: int, session_id: str, text: str, request_key: str | None = None
    ) -> Commented:
        """Store a comment on a team session; the rep is notified. With a `request_key`, a
        replay returns the stored comment (and its notice again) instead of adding another."""
        cleaned = _CONTROL.sub("", text).strip()
        if not cleaned:
            raise InvalidRequest("team.error.comment_empty")
        if len(cleaned) > MAX_COMMENT:
            raise InvalidRequest("team.error.comment_too_long", limit=MAX_COMMENT)
        async with self.db.unit() as u:
            row = await self._team_session(u, actor, session_id, Action.COMMENT)
            teams = u.teams
            author, player = await teams.user(actor), await teams.user(row.user_id)
            assert author is not None and player is not None
            repo = u.training
            stored = await repo.comment_by_request_key(request_key)
            if stored is None or stored.session_id != session_id:
                stored = await repo.add_comment(session_id, actor, cleaned, request_key)
            lang = parse_lang(player.language)
        info = CommentInfo(author.display_name, cleaned, stored.created_at)
        notice = notice_to(
            player,
            "team.notice.comment",
            opens=Link("session", session_id),
            trainer=author.display_name,
            title=pick_title(titles(row.scenario), lang, row.scenario_id),
            text=cleaned,
            session=session_id,
        )
        return Commented(info, [notice] if notice and player.id != actor else [])

    async def override(
        self,
        actor: int,
        session_id: str,
        dimension: str,
        score: float,
        reason: str,
        request_key: str | None = None,
    ) -> Overridden:
        """Correct one dimension's score with a reason; overall and pass/fail are recomputed.
        With a `request_key`, a replay finds the correction it stored instead of adding one."""
        dim, value, why = check_override(dimension, score, reason)
        now = self.clock()
        async with self.db.unit() as u:
            row = await self._team_session(u, actor, session_id, Action.OVERRIDE)
            repo = u.training
            stored = await repo.scorecard_data(session_id, lock=True)
            if stored is None:
                raise InvalidRequest("team.error.not_graded")
            current = Scorecard.from_json(stored)
            teams = u.teams
            author, player = await teams.user(actor), await teams.user(row.user_id)
            assert author is not None and player is not None
            entry = await repo.override_by_request_key(request_key)
            if entry is None or entry.session_id != session_id:
                entry = await repo.add_override(
                    session_id=session_id,
                    dimension=dim,
                    score=value,
                    previous=current.dimensions[dim].score,
                    reason=why,
                    author_id=actor,
                    created_at=now,
                    request_key=request_key,
                )
            trail = [
                Override(o.dimension, o.score, o.reason, u.display_name, o.created_at)  # type: ignore[arg-type]
                for o, u in await repo.overrides(session_id)
            ]
            weights = Scenario.model_validate(row.scenario).rubric.as_dict()
            card = apply_overrides(current, trail, weights)
            await repo.save_scorecard(
                session_id, card.overall, card.passed, card.to_json(full=True)
            )
        info = _entry(entry, author.display_name)
        notice = notice_to(
            player,
            "team.notice.override",
            opens=Link("session", session_id),
            trainer=author.display_name,
            dimension=Ref(f"dim.{dim}"),
            previous=info.previous,
            score=info.score,
            reason=why,
            overall=card.overall,
        )
        return Overridden(card, info, [notice] if notice and player.id != actor else [])


def _entry(row: OverrideRecord, author: str) -> OverrideInfo:
    return OverrideInfo(row.dimension, row.score, row.previous, row.reason, author, row.created_at)

"""The practice use case: start, prepare, play turn by turn, hint, end and grade, resume.

Every adapter (Telegram, terminal) drives exactly this. State lives in the database: the rep's
turn is committed before the client is asked, and the client's turn with the new state after,
so a crash in between leaves a session that `resume_pending` (or the rep's next message)
completes without losing or duplicating a turn.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from bot.domain.audio import VoiceNote
from bot.domain.clock import Clock, system_clock
from bot.domain.cues import analyze
from bot.domain.dates import as_of
from bot.domain.engine import apply, initial_state, next_hint, plan_aside, plan_turn
from bot.domain.lang import Lang
from bot.domain.ports import ClientModel, ClientTurn, DeltaSink
from bot.domain.scenario import Scenario
from bot.domain.scorecard import Scorecard
from bot.domain.session import EndReason, Phase, PracticeSession
from bot.domain.transcript import Transcript, Turn
from bot.errors import (
    ActiveSessionExists,
    ProviderError,
    SessionNotFound,
    WrongPhase,
)
from bot.scenarios.library import ScenarioLibrary
from bot.services.grading import GradingService
from bot.services.practice_types import (
    MAX_PLAN_CHARS,
    Hint,
    HintCoach,
    InProgress,
    PlayContext,
    ProgressPoint,
    Started,
    TurnResult,
    clean_message,
)
from bot.services.usage import ModelCall, UsageLedger
from bot.storage.database import Database
from bot.storage.repositories import DuplicateTurn, SessionRepository, SessionSummary

__all__ = [
    "MAX_PLAN_CHARS",
    "Hint",
    "HintCoach",
    "InProgress",
    "PlayContext",
    "PracticeService",
    "ProgressPoint",
    "Started",
    "TurnResult",
    "clean_message",
]

BUDGET_NOTICE = "llm.budget_offline"


def _answer_to(transcript: Transcript, number: int | None) -> str:
    """The client's stored answer to rep turn `number` ("" when none is stored)."""
    if number is None or number >= len(transcript):
        return ""
    following = transcript.turns[number]
    return following.text if following.speaker == "client" else ""


def _stage_when_sent(
    repo: SessionRepository,
    practice: PracticeSession,
    scenario: Scenario,
    sent_at: dt.datetime | None,
) -> str:
    """The stage a rep message was written to: the current one, or the one before it when the
    message was sent before the answer that moved the meeting on was stored."""
    current = scenario.stages[practice.client.stage].id
    answers = practice.transcript.client_turns()
    if sent_at is None or not answers or answers[-1].stage in (None, current):
        return current
    answered_at = repo.saved_at(practice.id)  # saved with the answer that moved it on
    if answered_at is None or _utc(sent_at) >= _utc(answered_at):
        return current
    return answers[-1].stage or current


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class PracticeService:
    """Runs practice sessions for any adapter."""

    def __init__(
        self,
        db: Database,
        scenarios: ScenarioLibrary,
        client: ClientModel,
        grading: GradingService,
        max_message_chars: int = 1000,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        *,
        coach: HintCoach | None = None,
        ledger: UsageLedger | None = None,
        offline_client: ClientModel | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.db = db
        self.scenarios = scenarios
        self.client = client
        self.grading = grading
        self.max_message_chars = max_message_chars
        self._new_id = new_id
        self.coach = coach
        self.ledger = ledger
        self.offline_client = offline_client
        self.clock = clock  # a session's scenario dates are moved to the day it starts

    async def _within_budget(self, user_id: int) -> bool:
        """Whether model calls are still allowed for this user this month."""
        return self.ledger is None or await self.ledger.allows(user_id)

    async def _record(self, practice: PracticeSession, call: ModelCall) -> None:
        if self.ledger is not None:
            await self.ledger.record(call, practice.user_id, practice.id, practice.team_id)

    async def _load(
        self, repo: SessionRepository, user_id: int, session_id: str, lock: bool = False
    ) -> Started:
        loaded = await repo.load(session_id, lock=lock)
        if loaded is None or loaded[0].user_id != user_id:
            raise SessionNotFound(session=session_id)
        return Started(*loaded)

    async def start(
        self,
        user_id: int,
        scenario_id: str,
        replace: bool = False,
        context: PlayContext | None = None,
    ) -> Started:
        """Open a new session at the brief; one active session per rep.

        With a `context`, its scenario (a pinned or team-private version) is played in its team.
        """
        scenario = context.scenario if context else self.scenarios.get(scenario_id)
        scenario = as_of(scenario, self.clock().date())
        async with self.db.session() as s:
            repo = SessionRepository(s)
            active = await repo.active_for(user_id)
            if active is not None:
                current = await self._load(repo, user_id, active, lock=True)
                if _unbegun_same(current, scenario, context):
                    # A second press of the same scenario (or the same update replayed after
                    # its brief was lost) opens the session it already opened.
                    return current
                if not replace:
                    raise ActiveSessionExists(scenario=current.scenario.title, session=active)
                current.session.move_to(Phase.ABANDONED)
                await repo.save_state(current.session)
            practice = PracticeSession(
                id=self._new_id(),
                user_id=user_id,
                scenario_id=scenario.id,
                scenario_version=scenario.version,
                language=scenario.language,
                client=initial_state(scenario),
                team_id=context.team_id if context else None,
            )
            await repo.create(
                practice,
                scenario,
                self.client.label,
                assignment_id=context.assignment_id if context else None,
            )
        return Started(practice, scenario)

    async def current(self, user_id: int) -> Started | None:
        """The rep's session in progress, if any."""
        async with self.db.session() as s:
            repo = SessionRepository(s)
            active = await repo.active_for(user_id)
            return await self._load(repo, user_id, active) if active else None

    async def in_progress(self, user_id: int) -> InProgress | None:
        """Which session the rep has in progress and its phase, without loading it."""
        async with self.db.session() as s:
            found = await SessionRepository(s).active_phase(user_id)
        return InProgress(*found) if found else None

    async def prepare(self, user_id: int, session_id: str) -> Started:
        """The rep chose to write a plan."""
        async with self.db.session() as s:
            repo = SessionRepository(s)
            started = await self._load(repo, user_id, session_id, lock=True)
            if started.session.phase == Phase.BRIEF:
                started.session.move_to(Phase.PREPARE)
                await repo.save_state(started.session)
            return started

    async def begin(self, user_id: int, session_id: str, plan: str | None = None) -> TurnResult:
        """Leave the brief (with a plan or without) and hear the client's opening line.

        A plan longer than `MAX_PLAN_CHARS` is refused with the reason, never silently cut.
        """
        plan_text = clean_message(plan, MAX_PLAN_CHARS) if plan and plan.strip() else None
        async with self.db.session() as s:
            repo = SessionRepository(s)
            started = await self._load(repo, user_id, session_id, lock=True)
            practice, scenario = started.session, started.scenario
            practice.require(Phase.BRIEF, Phase.PREPARE)
            practice.plan = plan_text
            practice.move_to(Phase.PLAY)
            opening = scenario.stages[0].opening
            practice.transcript = practice.transcript.add("client", opening, scenario.stages[0].id)
            await repo.add_turn(practice.id, practice.transcript.turns[-1])
            await repo.save_state(practice)
        return TurnResult(practice, scenario, opening)

    async def reply(
        self,
        user_id: int,
        session_id: str,
        text: str | None,
        source_key: str | None = None,
        on_delta: DeltaSink | None = None,
        sent_at: dt.datetime | None = None,
        voice: VoiceNote | None = None,
    ) -> TurnResult:
        """Play one rep message (typed, or a voice note's transcript with `voice`) and get the
        client's (streamed) answer.

        A message sent (`sent_at`) before the client's last answer was stored was written to
        the person who was there then: when that answer moved the meeting on, it is read
        against the stage the rep was looking at, not the new one.
        """
        message = clean_message(text, self.max_message_chars)
        async with self.db.session() as s:
            repo = SessionRepository(s)
            started = await self._load(repo, user_id, session_id, lock=True)
            practice, scenario = started.session, started.scenario
            practice.require(Phase.PLAY)
            if practice.awaiting_reply():
                # The same message again (replayed after a crash) is answered, not merged twice.
                if source_key is None or not await repo.has_source_key(practice.id, source_key):
                    last = practice.transcript.turns[-1]
                    merged = f"{last.text}\n{message}"
                    spoken = voice.seconds if voice else None
                    await repo.replace_turn_text(practice.id, last.number, merged, spoken)
                    seconds = (last.seconds or 0.0) + spoken if spoken else last.seconds
                    turns = (
                        *practice.transcript.turns[:-1],
                        Turn(last.number, "rep", merged, last.stage, seconds),
                    )
                    practice.transcript = type(practice.transcript)(turns)
            else:
                stored = practice.transcript
                stage = _stage_when_sent(repo, practice, scenario, sent_at)
                seconds = voice.seconds if voice else None
                practice.transcript = stored.add("rep", message, stage, seconds)
                try:
                    await repo.add_turn(
                        practice.id, practice.transcript.turns[-1], source_key, voice
                    )
                except DuplicateTurn:
                    practice.transcript = stored
                    number = await repo.turn_for_source(practice.id, source_key or "")
                    return TurnResult(
                        practice, scenario, _answer_to(stored, number), duplicate=True
                    )
        return await self._answer(practice, scenario, on_delta)

    async def stored_from(self, user_id: int, session_id: str, source_key: str) -> str | None:
        """The text of the turn already stored from this source (a voice note delivered
        again), so it is answered without being heard twice; None when there is none."""
        async with self.db.session() as s:
            repo = SessionRepository(s)
            started = await self._load(repo, user_id, session_id)
            number = await repo.turn_for_source(session_id, source_key)
        if number is None or number > len(started.session.transcript):
            return None
        return started.session.transcript.turns[number - 1].text

    async def resume_pending(
        self, user_id: int, session_id: str, on_delta: DeltaSink | None = None
    ) -> TurnResult | None:
        """Answer a rep turn left without a reply (by a crash or a provider failure)."""
        async with self.db.session() as s:
            started = await self._load(SessionRepository(s), user_id, session_id)
        if not started.session.awaiting_reply():
            return None
        return await self._answer(started.session, started.scenario, on_delta)

    async def _answer(
        self, practice: PracticeSession, scenario: Scenario, on_delta: DeltaSink | None
    ) -> TurnResult:
        rep = practice.transcript.turns[-1]
        heard = practice.transcript.client_before(rep.number)
        cues = analyze(rep.text, heard, scenario.language)
        before = practice.client
        now_stage = scenario.stages[before.stage].id
        aside = rep.stage is not None and rep.stage != now_stage
        plan = plan_aside(cues) if aside else plan_turn(scenario, before, cues, rep.text, heard)
        after = apply(scenario, before, plan, rep.text)
        turn = ClientTurn(scenario, before, after, plan, practice.transcript, seed=practice.id)
        client, notice = self.client, None
        if aside and self.offline_client is not None:
            client = self.offline_client  # the scripted voice knows who spoke last
        if self.offline_client is not None and not await self._within_budget(practice.user_id):
            client, notice = self.offline_client, BUDGET_NOTICE
        try:
            answer = await client.reply(turn, on_delta)
        except ProviderError as exc:
            await self._record(
                practice, ModelCall("client", client.label, ok=False, error=exc.code)
            )
            raise
        if answer.usage:
            detail = {**answer.report, "turn": len(practice.transcript) + 1}
            await self._record(
                practice, ModelCall("client", client.label, answer.usage, detail=detail)
            )
        async with self.db.session() as s:
            repo = SessionRepository(s)
            fresh = await self._load(repo, practice.user_id, practice.id, lock=True)
            if len(fresh.session.transcript) != len(practice.transcript):
                return TurnResult(fresh.session, scenario, "", duplicate=True)
            practice = fresh.session
            stage = rep.stage if aside and rep.stage else now_stage
            practice.transcript = practice.transcript.add("client", answer.text, stage)
            await repo.add_turn(practice.id, practice.transcript.turns[-1])
            practice.client = after
            if after.ended is not None:
                practice.end_reason = after.ended
                practice.move_to(Phase.ENDED)
            await repo.save_state(practice)
        return TurnResult(practice, scenario, answer.text, plan, notice=notice)

    async def hint(self, user_id: int, session_id: str, lang: Lang | None = None) -> Hint:
        """The coach's next-move hint (never a fact's value); rule-based if the model fails."""
        async with self.db.session() as s:
            started = await self._load(SessionRepository(s), user_id, session_id)
        practice, scenario = started.session, started.scenario
        practice.require(Phase.PLAY)
        code, params = next_hint(scenario, practice.client)
        if self.coach is None or not await self._within_budget(user_id):
            return Hint(code, params)
        try:
            text, usage = await self.coach.hint(
                scenario,
                practice.client,
                practice.transcript,
                (code, params),
                lang or scenario.language,
            )
        except ProviderError as exc:
            await self._record(
                practice, ModelCall("coach", self.coach.label, ok=False, error=exc.code)
            )
            return Hint(code, params)
        await self._record(practice, ModelCall("coach", self.coach.label, usage))
        return Hint(code, params, text)

    async def finish(self, user_id: int, session_id: str, lang: Lang) -> tuple[Started, Scorecard]:
        """End the meeting (if still playing) and grade it; grading twice returns the same card."""
        async with self.db.session() as s:
            repo = SessionRepository(s)
            started = await self._load(repo, user_id, session_id, lock=True)
            practice = started.session
            if practice.phase == Phase.GRADED:
                card = await repo.scorecard(practice.id)
                if card is not None:
                    return started, card
            if practice.phase == Phase.PLAY:
                practice.end_reason = practice.client.ended or EndReason.REP_ENDED
                practice.move_to(Phase.ENDED)
                await repo.save_state(practice)
            practice.require(Phase.ENDED)
        offline = not await self._within_budget(user_id)

        async def record(call: ModelCall) -> None:
            await self._record(practice, call)

        card = await self.grading.grade(
            practice.transcript,
            started.scenario,
            practice.plan,
            lang,
            started.scenario.pass_mark,
            offline=offline,
            on_usage=record,
            committed=practice.client.commitment is not None,
        )
        async with self.db.session() as s:
            repo = SessionRepository(s)
            await repo.save_scorecard(practice.id, card)
            practice.move_to(Phase.GRADED)
            await repo.save_state(practice)
        return started, card

    async def abandon(self, user_id: int, session_id: str) -> None:
        """Give up a session in progress."""
        async with self.db.session() as s:
            repo = SessionRepository(s)
            started = await self._load(repo, user_id, session_id, lock=True)
            if not started.session.active:
                raise WrongPhase(current=started.session.phase.value, wanted="active")
            if started.session.phase == Phase.ENDED:
                raise WrongPhase(current="ended", wanted="active")
            started.session.move_to(Phase.ABANDONED)
            await repo.save_state(started.session)

    async def history(self, user_id: int, limit: int = 10, offset: int = 0) -> list[SessionSummary]:
        """The rep's recent sessions with their scores."""
        async with self.db.session() as s:
            return await SessionRepository(s).history(user_id, limit, offset)

    async def open(self, user_id: int, session_id: str) -> tuple[Started, Scorecard | None]:
        """One of the rep's sessions with its scorecard, if graded."""
        async with self.db.session() as s:
            repo = SessionRepository(s)
            started = await self._load(repo, user_id, session_id)
            return started, await repo.scorecard(session_id)

    async def progress(self, user_id: int) -> list[ProgressPoint]:
        """Every graded session, oldest first, for the progress chart."""
        async with self.db.session() as s:
            cards = await SessionRepository(s).graded_cards(user_id)
        return [
            ProgressPoint(at, sid, card.overall, {d: v.score for d, v in card.dimensions.items()})
            for at, sid, card in cards
        ]


def _unbegun_same(current: Started, scenario: Scenario, context: PlayContext | None) -> bool:
    """The active session is this scenario, in this team, and nothing has been said in it yet."""
    session = current.session
    return (
        session.scenario_id == scenario.id
        and session.scenario_version == scenario.version
        and session.team_id == (context.team_id if context else None)
        and session.phase in (Phase.BRIEF, Phase.PREPARE)
    )

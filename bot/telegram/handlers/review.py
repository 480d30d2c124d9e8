"""/review: a team's recent sessions; any one's transcript with its scorecard, comments and the
audit trail of score changes; a comment the rep receives; a dimension score corrected with a
reason. Every button names a session, and the service checks the presser may see it. The
comment and the reason are typed after a prompt: a `CommentState` or `ReasonState` draft
(typed, in the database) waits for that text."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.services.users import Person
from bot.telegram import inputs, keyboards, review_text, team_keys
from bot.telegram.buttons import stale
from bot.telegram.drafts import Draft, Flow, FlowState, drafts
from bot.telegram.runtime import NEW_MESSAGES, App, Context, rep, say, sender
from bot.telegram.staff import args, notify, number, one_team, screen, texts

PAGE = 10
SCORES = {f"{s:g}" for s in team_keys.SCORES}  # what the score buttons send
COMMENT, REASON = "comment", "reason"


class CommentState(FlowState):
    """A comment on a session, waiting to be typed."""

    session: str
    name: str
    awaits: str | None = COMMENT


class ReasonState(FlowState):
    """A dimension's new score, waiting for its reason to be typed."""

    session: str
    dimension: str
    score: float
    name: str
    awaits: str | None = REASON


async def review(update: Update, context: Context) -> None:
    """/review: which team (if I run several), then its latest sessions."""
    person = await rep(update, context)
    mine = await context.runtime.training.teams.managed(person.id)
    team = await one_team(update, context, person, mine, team_keys.REVIEW, 0)
    if team is not None:
        await _page(update, context, person, team.id, 0)


async def page(update: Update, context: Context) -> None:
    """A team button or "older": a page of the team's sessions."""
    person = await rep(update, context)
    team_id, offset = args(update, 2)
    await _page(update, context, person, number(team_id), inputs.offset(offset))


async def _page(
    update: Update, context: Context, person: Person, team_id: int, offset: int
) -> None:
    rt = context.runtime
    found = await rt.training.review.sessions(person.id, team_id, limit=PAGE + 1, offset=offset)
    info = await rt.training.teams.team(person.id, team_id)
    shown, more = found[:PAGE], len(found) > PAGE
    t = texts(context, person)
    labels = [(s.id, s.name, review_text.status(t, s)) for s in shown]
    keys = team_keys.review_page(rt.catalog, person.language, team_id, labels, offset + PAGE, more)
    await screen(
        update,
        context,
        review_text.sessions(t, info, shown, offset),
        keys if shown else None,
    )


async def open_session(update: Update, context: Context) -> None:
    """A session button: transcript, scorecard, comments, corrections; comment / correct."""
    person = await rep(update, context)
    rt = context.runtime
    found = await rt.training.review.open(person.id, args(update, 1)[0])
    info = await rt.training.teams.team(person.id, found.team_id)
    text = review_text.review(texts(context, person), found, info.time_zone)
    keys = team_keys.session_actions(
        rt.catalog, person.language, found.started.session.id, found.card is not None
    )
    await say(update, context, text, keys)


async def ask_comment(update: Update, context: Context) -> None:
    """ "Comment": the next message is the comment."""
    person = await rep(update, context)
    found = await context.runtime.training.review.open(person.id, args(update, 1)[0])
    session = found.started.session.id
    await drafts(context).begin(
        sender(update), COMMENT, CommentState(session=session, name=found.player)
    )
    await say(update, context, texts(context, person)("tg.team.comment_prompt", name=found.player))


async def ask_dimension(update: Update, context: Context) -> None:
    """ "Correct a score": which dimension (with the current scores)."""
    person = await rep(update, context)
    rt = context.runtime
    found = await rt.training.review.open(person.id, args(update, 1)[0])
    if found.card is None:
        await say(update, context, texts(context, person)("team.error.not_graded"))
        return
    scores: dict[str, float] = {d: v.score for d, v in found.card.dimensions.items()}
    keys = team_keys.dimensions(rt.catalog, person.language, found.started.session.id, scores)
    await say(update, context, texts(context, person)("tg.team.override_dimension"), keys)


async def ask_score(update: Update, context: Context) -> None:
    """A dimension button: the new score, on the 1–5 scale in half points."""
    person = await rep(update, context)
    session, dimension = args(update, 2)
    t = texts(context, person)
    found = await context.runtime.training.review.open(person.id, session)
    if found.card is None or dimension not in found.card.dimensions:
        await stale(update, context)
        return
    current = found.card.dimensions[dimension].score
    text = t("tg.team.override_score", dimension=t.plain(f"dim.{dimension}"), score=f"{current:g}")
    await screen(update, context, text, team_keys.scores(found.started.session.id, dimension))


async def ask_reason(update: Update, context: Context) -> None:
    """A score button: the next message is the reason (kept in the audit trail)."""
    person = await rep(update, context)
    session, dimension, score = args(update, 3)
    found = await context.runtime.training.review.open(person.id, session)
    if found.card is None or dimension not in found.card.dimensions or score not in SCORES:
        await stale(update, context)
        return
    state = ReasonState(
        session=found.started.session.id, dimension=dimension, score=float(score), name=found.player
    )
    await drafts(context).begin(sender(update), REASON, state)
    previous = found.card.dimensions[dimension].score
    await screen(update, context, _reason_prompt(context, person, state, previous, score))


def _reason_prompt(
    context: Context, person: Person, state: ReasonState, previous: float, score: str
) -> str:
    t = texts(context, person)
    return t(
        "tg.team.reason_prompt",
        dimension=t.plain(f"dim.{state.dimension}"),
        previous=f"{previous:g}",
        score=score,
        name=state.name,
    )


async def typed(update: Update, context: Context, person: Person, draft: Draft, text: str) -> None:
    """The comment or the reason, typed after its prompt."""
    if draft.kind == COMMENT:
        comment = await drafts(context).read(sender(update), draft, CommentState)
        await _comment(update, context, person, comment, text)
    else:
        reason = await drafts(context).read(sender(update), draft, ReasonState)
        await _override(update, context, person, reason, text)


async def _comment(
    update: Update, context: Context, person: Person, flow: Flow[CommentState], text: str
) -> None:
    key = flow.request_key(sender(update))
    done = await context.runtime.training.review.comment(
        person.id, flow.state.session, text, request_key=key
    )
    await drafts(context).clear(sender(update))
    told = await notify(context, done.notices)
    key = "tg.team.commented" if told else "tg.team.commented_quietly"
    await say(update, context, texts(context, person)(key, name=flow.state.name))


async def _override(
    update: Update, context: Context, person: Person, flow: Flow[ReasonState], text: str
) -> None:
    s, t, key = flow.state, texts(context, person), flow.request_key(sender(update))
    fixed = await context.runtime.training.review.override(
        person.id, s.session, s.dimension, s.score, text, request_key=key
    )
    await drafts(context).clear(sender(update))
    await notify(context, fixed.notices)
    verdict = t.plain("tg.passed" if fixed.card.passed else "tg.failed")
    text = t(
        "tg.team.overridden",
        dimension=t.plain(f"dim.{fixed.entry.dimension}"),
        previous=f"{fixed.entry.previous:g}",
        score=f"{fixed.entry.score:g}",
        overall=fixed.card.overall,
        verdict=verdict,
    )
    await say(update, context, text)


def register(application: App) -> None:
    """Add this flow's handlers."""
    private = NEW_MESSAGES & filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("review", review, filters=private))
    for verb, handler in (
        (team_keys.REVIEW, page),
        (team_keys.OPEN, open_session),
        (team_keys.COMMENT, ask_comment),
        (team_keys.DIMENSION, ask_dimension),
        (team_keys.SCORE, ask_score),
        (team_keys.REASON, ask_reason),
    ):
        application.add_handler(CallbackQueryHandler(handler, pattern=keyboards.pattern(verb)))

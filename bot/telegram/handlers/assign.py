"""/assign: a short guided set-up — team, scenario, who, due date, pass mark, minimum attempts,
confirm. The state is an `AssignState` (see `assign_flow`: the typed steps and their pure
transitions) stored in the trainer's draft (the database, not process memory), so a restart
mid-way loses nothing; the buttons carry the draft's nonce, so an old button cannot act on a
newer draft. Pressing an earlier step's button again changes that answer."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.domain.roles import Role
from bot.domain.scenario import Scenario
from bot.errors import InvalidRequest, StaleButton
from bot.services.assignments import Assigned
from bot.services.teams import TeamInfo
from bot.services.users import Person
from bot.telegram import assign_keys, inputs, keyboards, team_keys
from bot.telegram.assign_flow import (
    BUTTON_STEPS,
    TYPED,
    AssignState,
    Step,
    answer,
    asking,
    choose_scenario,
    due_missed,
    next_step,
    offer_reps,
    target_name,
)
from bot.telegram.buttons import stale
from bot.telegram.drafts import Draft, Flow, drafts
from bot.telegram.failures import report_error
from bot.telegram.jobs import schedule
from bot.telegram.runtime import NEW_MESSAGES, App, Context, rep, say, sender
from bot.telegram.staff import args, chosen, notify, number, one_team, screen, texts

KIND = "assign"
DUE_ERRORS = ("team.error.due_past", "team.error.due_far")
Assign = Flow[AssignState]


async def _scenarios(context: Context, person: Person, flow: Assign) -> list[Scenario]:
    found = await context.runtime.training.uploads.scenarios(person.id, flow.state.team)
    return [entry.scenario for entry in found]


async def assign(update: Update, context: Context) -> None:
    """/assign: which team (if I run several), then the scenario."""
    person = await rep(update, context)
    mine = await context.runtime.training.teams.managed(person.id)
    team = await one_team(update, context, person, mine, team_keys.ASSIGN)
    if team is not None:
        await _begin(update, context, person, team)


async def assign_team(update: Update, context: Context) -> None:
    """A team button under /assign."""
    person = await rep(update, context)
    mine = await context.runtime.training.teams.managed(person.id)
    await _begin(update, context, person, chosen(mine, number(args(update, 1)[0])))


async def _begin(update: Update, context: Context, person: Person, team: TeamInfo) -> None:
    state = AssignState(team=team.id, team_name=team.name, zone=team.time_zone)
    flow = await drafts(context).begin(sender(update), KIND, state)
    await _scenario_page(update, context, person, flow, await _scenarios(context, person, flow), 0)


async def _scenario_page(
    update: Update,
    context: Context,
    person: Person,
    flow: Assign,
    scenarios: list[Scenario],
    page: int,
) -> None:
    rt, t = context.runtime, texts(context, person)
    page = max(0, min(page, keyboards.pages(len(scenarios)) - 1))
    head = t("tg.team.assign_scenario", team=flow.state.team_name)
    body = html.escape(keyboards.picker(rt.catalog, person.language, scenarios, page))
    keys = assign_keys.scenario_picker(rt.catalog, person.language, flow.nonce, scenarios, page)
    await screen(update, context, f"{head}\n\n{body}", keys)


async def step(update: Update, context: Context) -> None:
    """A button of the set-up: record the answer, then ask the next open question."""
    person = await rep(update, context)
    nonce, kind, value = args(update, 3)
    flow = await drafts(context).load(sender(update), AssignState, KIND, nonce)
    if flow is None:
        await stale(update, context)
        return
    handler = BUTTONS.get(kind, _answered)
    await handler(update, context, person, flow, kind, value)


async def _page(
    update: Update, context: Context, person: Person, flow: Assign, kind: str, value: str
) -> None:
    """A page of the scenario picker."""
    scenarios = await _scenarios(context, person, flow)
    await _scenario_page(update, context, person, flow, scenarios, inputs.page(value))


async def _cancel(
    update: Update, context: Context, person: Person, flow: Assign, kind: str, value: str
) -> None:
    """ "Cancel": nothing is assigned, and the set-up's buttons are stale from now on."""
    await drafts(context).clear(sender(update))
    await screen(update, context, texts(context, person)("tg.team.assign_cancelled"))


async def _ok(
    update: Update, context: Context, person: Person, flow: Assign, kind: str, value: str
) -> None:
    """ "Assign": confirmed (or the first question still open is asked)."""
    await _confirm(update, context, person, flow)


async def _scenario(
    update: Update, context: Context, person: Person, flow: Assign, kind: str, value: str
) -> None:
    """A scenario picked from the picker (one the trainer may still assign)."""
    scenario = keyboards.find_scenario_in(await _scenarios(context, person, flow), value)
    if scenario is None:
        await stale(update, context)
        return
    title = scenario.title_in(person.language)
    state = choose_scenario(flow.state, scenario.id, title, scenario.pass_mark)
    await _next(update, context, person, flow.to(state))


async def _answered(
    update: Update, context: Context, person: Person, flow: Assign, kind: str, value: str
) -> None:
    """A button answering who, when, the pass mark or the attempts (else: ask again)."""
    state = flow.state
    if kind in BUTTON_STEPS:
        state = answer(state, BUTTON_STEPS[kind], value, _now(context))
    await _next(update, context, person, flow.to(state))


Button = Callable[[Update, Context, Person, Assign, str, str], Awaitable[None]]
BUTTONS: dict[str, Button] = {"p": _page, "x": _cancel, "ok": _ok, "s": _scenario}
"""The buttons that do something other than answer a step (those go to `_answered`)."""


def _now(context: Context) -> dt.datetime:
    return context.runtime.training.assignments.clock()


async def typed(update: Update, context: Context, person: Person, draft: Draft, text: str) -> None:
    """Text typed while the set-up waits for a due date or a pass mark."""
    flow = await drafts(context).read(sender(update), draft, AssignState)
    state = flow.state
    if state.awaits in TYPED:
        state = answer(state, state.awaits, text, _now(context))
    await _next(update, context, person, flow.to(state))


async def _next(
    update: Update, context: Context, person: Person, flow: Assign, fresh: bool = False
) -> None:
    """Store the flow and ask the first question still open (or for confirmation), in the
    pressed button's message unless `fresh` (after an error, the question goes below it)."""
    step, state = asking(flow.state)
    if step == "member":
        state = offer_reps(state, await _reps(context, person, state.team))
    flow = flow.to(state)
    await drafts(context).save(sender(update), flow)
    await ASKS[step](update, context, person, flow, say if fresh else screen)


async def _reps(context: Context, person: Person, team: int) -> dict[int, str]:
    found = await context.runtime.training.teams.members(person.id, team)
    return {m.user_id: m.name for m in found if m.role == Role.REP}


async def _ask_scenario(
    update: Update, context: Context, person: Person, flow: Assign, show: Show
) -> None:
    scenarios = await _scenarios(context, person, flow)
    await _scenario_page(update, context, person, flow, scenarios, 0)


async def _ask_member(
    update: Update, context: Context, person: Person, flow: Assign, show: Show
) -> None:
    rt, t = context.runtime, texts(context, person)
    reps = [(int(k), v) for k, v in flow.state.reps.items()]
    keys = assign_keys.targets(rt.catalog, person.language, flow.nonce, reps)
    await show(update, context, t("tg.team.assign_member", title=flow.state.title), keys)


async def _ask_due(
    update: Update, context: Context, person: Person, flow: Assign, show: Show
) -> None:
    rt, t = context.runtime, texts(context, person)
    keys = assign_keys.due_choices(rt.catalog, person.language, flow.nonce)
    await show(update, context, t("tg.team.assign_due", zone=flow.state.zone), keys)


async def _ask_mark(
    update: Update, context: Context, person: Person, flow: Assign, show: Show
) -> None:
    rt, t = context.runtime, texts(context, person)
    keys = assign_keys.pass_marks(rt.catalog, person.language, flow.nonce, flow.state.default_mark)
    await show(update, context, t("tg.team.assign_mark"), keys)


async def _ask_attempts(
    update: Update, context: Context, person: Person, flow: Assign, show: Show
) -> None:
    text = texts(context, person)("tg.team.assign_attempts")
    await show(update, context, text, assign_keys.attempts(flow.nonce))


async def _ask_confirm(
    update: Update, context: Context, person: Person, flow: Assign, show: Show
) -> None:
    keys = assign_keys.confirm(context.runtime.catalog, person.language, flow.nonce)
    await show(update, context, _summary(context, person, flow.state), keys)


Show = Callable[[Update, Context, str, InlineKeyboardMarkup | None], Awaitable[object]]
Ask = Callable[[Update, Context, Person, Assign, Show], Awaitable[None]]
ASKS: dict[Step | None, Ask] = {
    "scenario": _ask_scenario,
    "member": _ask_member,
    "due": _ask_due,
    "mark": _ask_mark,
    "attempts": _ask_attempts,
    None: _ask_confirm,
}


def _summary(context: Context, person: Person, state: AssignState) -> str:
    t = texts(context, person)
    target = target_name(state)
    return t(
        "tg.team.assign_confirm",
        team=state.team_name,
        title=state.title,
        target=t.plain("tg.team.button_everyone") if target is None else target,
        due=state.due_local,
        zone=state.zone,
        pass_mark=state.mark,
        attempts=state.attempts,
    )


async def _confirm(update: Update, context: Context, person: Person, flow: Assign) -> None:
    """Assign, tell the reps (and the linked group), schedule the reminders."""
    if next_step(flow.state) is not None:
        await _next(update, context, person, flow)
        return
    try:
        assigned = await _assign(context, person, flow, sender(update))
    except InvalidRequest as exc:
        if exc.code not in DUE_ERRORS:
            raise
        # The due date passed while the trainer was deciding: say so and ask for it again.
        await report_error(update, context, exc)
        await _next(update, context, person, flow.to(due_missed(flow.state)), fresh=True)
        return
    await drafts(context).clear(sender(update))
    await _announce(update, context, person, assigned)


async def _assign(context: Context, person: Person, flow: Assign, telegram_id: int) -> Assigned:
    s = flow.state
    if s.scenario is None or s.due is None or s.mark is None or s.attempts is None:
        raise StaleButton()  # not reached: confirming waits for next_step to be None
    return await context.runtime.training.assignments.assign(
        person.id,
        s.team,
        s.scenario,
        s.due,
        pass_mark=s.mark,
        min_attempts=s.attempts,
        member_id=s.target or None,
        request_key=flow.request_key(telegram_id),
    )


async def _announce(update: Update, context: Context, person: Person, assigned: Assigned) -> None:
    rt, t = context.runtime, texts(context, person)
    # The reps are counted; the linked group (a notice without a user) hears it too.
    told = await notify(context, [n for n in assigned.notices if n.user_id is not None])
    await notify(context, [n for n in assigned.notices if n.user_id is None])
    if context.job_queue is not None:
        schedule(context.job_queue, assigned.reminders, rt.training.reminders.clock())
    text = t("tg.team.assigned", title=assigned.assignment.title(person.language), notified=told)
    keys = team_keys.summary_button(rt.catalog, person.language, assigned.assignment.id)
    await screen(update, context, text, keys)


def register(application: App) -> None:
    """Add this flow's handlers."""
    private = NEW_MESSAGES & filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("assign", assign, filters=private))
    application.add_handler(
        CallbackQueryHandler(assign_team, pattern=keyboards.pattern(team_keys.ASSIGN))
    )
    application.add_handler(CallbackQueryHandler(step, pattern=keyboards.pattern(team_keys.STEP)))

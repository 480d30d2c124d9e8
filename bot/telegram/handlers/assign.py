"""/assign: a short guided set-up — team, scenario, who, due date, pass mark, minimum attempts,
confirm. Each answer is stored in the trainer's draft (the database, not process memory), so a
restart mid-way loses nothing; the buttons carry the draft's nonce, so an old button cannot act
on a newer draft. Pressing an earlier step's button again changes that answer."""

from __future__ import annotations

import datetime as dt
import html

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.domain.periods import local_text, parse_due
from bot.domain.roles import Role
from bot.domain.scenario import Scenario
from bot.errors import InvalidRequest
from bot.services.teams import TeamInfo
from bot.services.users import Person
from bot.telegram import assign_keys, inputs, keyboards, team_keys
from bot.telegram.buttons import stale
from bot.telegram.drafts import AWAITS, Draft, drafts
from bot.telegram.failures import report_error
from bot.telegram.jobs import schedule
from bot.telegram.runtime import NEW_MESSAGES, App, Context, rep, say, sender
from bot.telegram.staff import args, chosen, notify, number, one_team, screen, texts

KIND = "assign"
STEPS = ("scenario", "member", "due", "mark", "attempts")
DUE_ERRORS = ("team.error.due_past", "team.error.due_far")


async def _scenarios(context: Context, person: Person, draft: Draft) -> list[Scenario]:
    found = await context.runtime.training.uploads.scenarios(person.id, int(draft.data["team"]))
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
    scenarios = await context.runtime.training.uploads.scenarios(person.id, team.id)
    draft = await drafts(context).begin(
        sender(update), KIND, team=team.id, team_name=team.name, zone=team.time_zone
    )
    await _scenario_page(update, context, person, draft, [e.scenario for e in scenarios], 0)


async def _scenario_page(
    update: Update,
    context: Context,
    person: Person,
    draft: Draft,
    scenarios: list[Scenario],
    page: int,
) -> None:
    rt, t = context.runtime, texts(context, person)
    page = max(0, min(page, keyboards.pages(len(scenarios)) - 1))
    head = t("tg.team.assign_scenario", team=draft.data["team_name"])
    body = html.escape(keyboards.picker(rt.catalog, person.language, scenarios, page))
    keys = assign_keys.scenario_picker(rt.catalog, person.language, draft.nonce, scenarios, page)
    await screen(update, context, f"{head}\n\n{body}", keys)


async def step(update: Update, context: Context) -> None:
    """A button of the set-up: record the answer, then ask the next open question."""
    person = await rep(update, context)
    nonce, kind, value = args(update, 3)
    draft = await drafts(context).get(sender(update), KIND, nonce)
    if draft is None:
        await stale(update, context)
        return
    if kind == "p":
        await _scenario_page(
            update,
            context,
            person,
            draft,
            await _scenarios(context, person, draft),
            inputs.page(value),
        )
        return
    if kind == "x":
        await drafts(context).clear(sender(update))
        await screen(update, context, texts(context, person)("tg.team.assign_cancelled"))
        return
    if kind == "ok":
        await _confirm(update, context, person, draft)
        return
    if kind == "s":
        scenario = keyboards.find_scenario_in(await _scenarios(context, person, draft), value)
        if scenario is None:
            await stale(update, context)
            return
        draft.data.update(
            scenario=scenario.id,
            title=scenario.title_in(person.language),
            default_mark=scenario.pass_mark,
        )
    elif kind == "m":
        reps: dict[str, str] = draft.data.get("reps", {})
        if value != "0" and value not in reps:
            await stale(update, context)
            return
        draft.data["member"] = None if value == "0" else int(value)
    elif kind == "d":
        _set_due(context, draft, value)
    elif kind == "k":
        draft.data["mark"] = _mark(value)
    elif kind == "a":
        draft.data["attempts"] = inputs.count(value, 100)
    await _next(update, context, person, draft)


async def typed(update: Update, context: Context, person: Person, draft: Draft, text: str) -> None:
    """Text typed while the set-up waits for a due date or a pass mark."""
    if draft.awaits == "due":
        _set_due(context, draft, text)
    elif draft.awaits == "mark":
        draft.data["mark"] = _mark(text)
    await _next(update, context, person, draft)


def _set_due(context: Context, draft: Draft, text: str) -> None:
    """Read the due date in the team's time zone now, so a mistake is caught at this step."""
    clock = context.runtime.training.assignments.clock
    due = parse_due(text, str(draft.data["zone"]), clock())
    draft.data.update(due=due.isoformat(), due_local=local_text(due, str(draft.data["zone"])))


def _mark(text: str) -> int:
    return inputs.percent(text)


async def _next(
    update: Update, context: Context, person: Person, draft: Draft, fresh: bool = False
) -> None:
    """Store the draft and ask the first question still open (or for confirmation), in the
    pressed button's message unless `fresh` (after an error, the question goes below it)."""
    rt, t, lang = context.runtime, texts(context, person), person.language
    show = say if fresh else screen
    draft.data.pop(AWAITS, None)
    missing = next((s for s in STEPS if s not in draft.data), None)
    if missing == "scenario":
        await drafts(context).save(sender(update), draft)
        await _scenario_page(
            update, context, person, draft, await _scenarios(context, person, draft), 0
        )
        return
    if missing == "member":
        found = await rt.training.teams.members(person.id, int(draft.data["team"]))
        reps = {str(m.user_id): m.name for m in found if m.role == Role.REP}
        draft.data["reps"] = reps
        await drafts(context).save(sender(update), draft)
        keys = assign_keys.targets(
            rt.catalog, lang, draft.nonce, [(int(k), v) for k, v in reps.items()]
        )
        await show(update, context, t("tg.team.assign_member", title=draft.data["title"]), keys)
        return
    if missing == "due":
        draft.data[AWAITS] = "due"
        await drafts(context).save(sender(update), draft)
        keys = assign_keys.due_choices(rt.catalog, lang, draft.nonce)
        await show(update, context, t("tg.team.assign_due", zone=draft.data["zone"]), keys)
        return
    if missing == "mark":
        draft.data[AWAITS] = "mark"
        await drafts(context).save(sender(update), draft)
        keys = assign_keys.pass_marks(
            rt.catalog, lang, draft.nonce, int(draft.data["default_mark"])
        )
        await show(update, context, t("tg.team.assign_mark"), keys)
        return
    if missing == "attempts":
        await drafts(context).save(sender(update), draft)
        await show(update, context, t("tg.team.assign_attempts"), assign_keys.attempts(draft.nonce))
        return
    await drafts(context).save(sender(update), draft)
    await show(
        update,
        context,
        _summary(context, person, draft),
        assign_keys.confirm(rt.catalog, lang, draft.nonce),
    )


def _summary(context: Context, person: Person, draft: Draft) -> str:
    t, d = texts(context, person), draft.data
    member = d.get("member")
    target = d["reps"].get(str(member), "") if member else t.plain("tg.team.button_everyone")
    return t(
        "tg.team.assign_confirm",
        team=d["team_name"],
        title=d["title"],
        target=target,
        due=d["due_local"],
        zone=d["zone"],
        pass_mark=d["mark"],
        attempts=d["attempts"],
    )


async def _confirm(update: Update, context: Context, person: Person, draft: Draft) -> None:
    """Assign, tell the reps (and the linked group), schedule the reminders."""
    rt, t, d = context.runtime, texts(context, person), draft.data
    if any(s not in d for s in STEPS):
        await _next(update, context, person, draft)
        return
    try:
        assigned = await rt.training.assignments.assign(
            person.id,
            int(d["team"]),
            str(d["scenario"]),
            dt.datetime.fromisoformat(str(d["due"])),
            pass_mark=int(d["mark"]),
            min_attempts=int(d["attempts"]),
            member_id=d.get("member"),
            request_key=draft.request_key(sender(update)),
        )
    except InvalidRequest as exc:
        if exc.code not in DUE_ERRORS:
            raise
        # The due date passed while the trainer was deciding: say so and ask for it again.
        d.pop("due", None)
        await report_error(update, context, exc)
        await _next(update, context, person, draft, fresh=True)
        return
    await drafts(context).clear(sender(update))
    # The reps are counted; the linked group (a notice without a user) hears it too.
    told = await notify(context, [n for n in assigned.notices if n.user_id is not None])
    await notify(context, [n for n in assigned.notices if n.user_id is None])
    if context.job_queue is not None:
        schedule(context.job_queue, assigned.reminders, rt.training.reminders.clock())
    text = t("tg.team.assigned", title=assigned.assignment.title(person.language), notified=told)
    await screen(
        update,
        context,
        text,
        team_keys.summary_button(rt.catalog, person.language, assigned.assignment.id),
    )


def register(application: App) -> None:
    """Add this flow's handlers."""
    private = NEW_MESSAGES & filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("assign", assign, filters=private))
    application.add_handler(
        CallbackQueryHandler(assign_team, pattern=keyboards.pattern(team_keys.ASSIGN))
    )
    application.add_handler(CallbackQueryHandler(step, pattern=keyboards.pattern(team_keys.STEP)))

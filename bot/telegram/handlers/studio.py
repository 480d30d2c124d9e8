"""/newscenario: a trainer describes a case in a few sentences (or a .txt file), the author model
drafts it (strict loader, at most two repairs) and the trainer reads a preview with **试玩**,
**保存为团队场景** and **修改…**. Without a model, six questions build the same kind of file.

The draft (its YAML, the questionnaire's answers, what typed text it waits for) lives in the
database like every guided flow, so a restart loses nothing; its buttons carry the draft's
nonce, so a button of a saved or replaced draft is stale. Nothing goes live until it is saved.
"""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable

from telegram import Document, Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.domain.lang import Lang
from bot.errors import ProviderError, ScenarioInvalid
from bot.scenarios import quick_case
from bot.services.scenario_draft import MAX_DESCRIPTION_CHARS
from bot.services.scenario_draft import Draft as ScenarioDraft
from bot.services.scenario_studio import Checked
from bot.services.teams import TeamInfo
from bot.services.users import Person
from bot.telegram import keyboards, studio_keys, studio_text, team_keys
from bot.telegram.buttons import stale
from bot.telegram.drafts import Draft, Flow, drafts
from bot.telegram.failures import report_error
from bot.telegram.handlers.picker import send_brief
from bot.telegram.runtime import NEW_MESSAGES, App, Context, rep, say, sender
from bot.telegram.staff import args, chosen, number, one_team, texts
from bot.telegram.studio_flow import (
    CHANGES,
    DESCRIPTION,
    StudioState,
    asking,
    chosen_answer,
    composing,
    previewed,
    quiz_again,
    revising,
    typed_answer,
    waiting,
)

KIND = "scenario"
Studio = Flow[StudioState]
MAX_TXT_BYTES = 16 * 1024
OVER_CAP = "tg.studio.over_cap"
GROUPS = {"temperament": "temperament", "phenomenon": "phenomenon", "main_hardship": "hardship"}
GROUPS["language"] = "tg.studio.lang"
TXT = filters.Document.FileExtension("txt") | filters.Document.MimeType("text/plain")
_CJK = re.compile(r"[\u4e00-\u9fff]")


async def newscenario(update: Update, context: Context) -> None:
    """/newscenario [description]: which team (if several), then the draft."""
    person = await rep(update, context)
    mine = await context.runtime.training.teams.managed(person.id)  # reps are refused here
    team = await one_team(update, context, person, mine, team_keys.STUDIO_TEAM)
    if team is not None:
        await _begin(update, context, person, team, " ".join(context.args or []))


async def studio_team(update: Update, context: Context) -> None:
    """A team button under /newscenario."""
    person = await rep(update, context)
    mine = await context.runtime.training.teams.managed(person.id)
    await _begin(update, context, person, chosen(mine, number(args(update, 1)[0])), "")


async def _begin(
    update: Update, context: Context, person: Person, team: TeamInfo, description: str
) -> None:
    studio, t = context.runtime.training.studio, texts(context, person)
    await studio.allowed(person.id, team.id)
    state = StudioState(team=team.id, team_name=team.name)
    flow = await drafts(context).begin(sender(update), KIND, state)
    if studio.model is None:
        await say(update, context, t("tg.studio.no_model"))
        await _ask(update, context, person, flow)
        return
    flow = flow.to(waiting(flow.state, DESCRIPTION))
    await drafts(context).save(sender(update), flow)
    if description.strip():
        await _compose(update, context, person, flow, description)
        return
    keys = studio_keys.waiting(context.runtime.catalog, person.language, flow.nonce)
    await say(update, context, t("tg.studio.describe", team=team.name), keys)


async def typed(update: Update, context: Context, person: Person, draft: Draft, text: str) -> None:
    """Text typed while the draft waits for it: a description, change requests, an answer."""
    flow = await drafts(context).read(sender(update), draft, StudioState)
    if composing(flow.state):
        await _compose(update, context, person, flow, text)
        return
    answered = typed_answer(flow.state, text)
    if answered is not None:
        await _ask(update, context, person, flow.to(answered))


def case_language(description: str) -> Lang:
    """The language the case is written in: Chinese if the description has Chinese in it."""
    return "zh" if _CJK.search(description) else "en"


async def _compose(
    update: Update, context: Context, person: Person, flow: Studio, text: str
) -> None:
    """Ask the model for the draft (or the change), then show the preview or why not."""
    rt, t = context.runtime, texts(context, person)
    keys = studio_keys.waiting(rt.catalog, person.language, flow.nonce)
    try:
        result = await _drafted(update, context, person, flow, text.strip()[:MAX_DESCRIPTION_CHARS])
    except ProviderError as exc:
        said = OVER_CAP if exc.code == OVER_CAP else "tg.studio.model_failed"
        await say(update, context, t(said), keys)
        return
    if result.scenario is None:
        problems = html.escape("\n".join(result.errors)[:1500])
        invalid = t("tg.studio.draft_invalid", attempts=result.attempts)
        await say(update, context, f"{invalid}\n<pre>{problems}</pre>", keys)
        return
    await _show(update, context, person, flow, Checked(result.text, result.scenario))


async def _drafted(
    update: Update, context: Context, person: Person, flow: Studio, text: str
) -> ScenarioDraft:
    """The model's draft of the description, or its change of the draft shown."""
    studio, team, t = context.runtime.training.studio, flow.state.team, texts(context, person)
    await studio.ready(person.id, team)
    await say(update, context, t("tg.studio.drafting", model=studio.model or ""))
    current = revising(flow.state)
    if current is not None:
        lang = flow.state.lang or case_language(text)
        return await studio.revise(person.id, team, current, text, lang)
    return await studio.draft(person.id, team, text, case_language(text))


async def _ask(update: Update, context: Context, person: Person, flow: Studio) -> None:
    """The questionnaire's next question, or the preview once every answer is in."""
    rt, t = context.runtime, texts(context, person)
    step, state = asking(flow.state)
    if step is None:
        await _show(update, context, person, flow, rt.training.studio.from_answers(state.answers))
        return
    flow = flow.to(state)
    await drafts(context).save(sender(update), flow)
    question = t(f"tg.studio.ask.{step}", n=len(state.answers) + 1, total=len(quick_case.STEPS))
    codes = quick_case.choices(step)
    keys = (
        studio_keys.options(rt.catalog, person.language, flow.nonce, GROUPS[step], codes)
        if codes
        else None
    )
    await say(update, context, question, keys)


async def _show(
    update: Update, context: Context, person: Person, flow: Studio, checked: Checked
) -> None:
    """Keep the checked YAML in the draft and show the preview with its three buttons."""
    rt = context.runtime
    if checked.scenario is None:
        error = checked.error or ScenarioInvalid(detail="draft.yaml")
        await report_error(update, context, error)
        return
    flow = flow.to(previewed(flow.state, checked.text, checked.scenario.language))
    await drafts(context).save(sender(update), flow)
    text = studio_text.preview(rt.catalog, person.language, checked.scenario)
    await say(update, context, text, studio_keys.preview(rt.catalog, person.language, flow.nonce))


async def step(update: Update, context: Context) -> None:
    """A button of the draft: questionnaire, an answer, save, change, cancel."""
    person = await rep(update, context)
    nonce, action, value = args(update, 3)
    flow = await drafts(context).load(sender(update), StudioState, KIND, nonce)
    action_of = ACTIONS.get(action)
    if flow is None or action_of is None or (action in NEEDS_PREVIEW and not flow.state.yaml):
        await stale(update, context)
        return
    await action_of(update, context, person, flow, value)


async def _quiz(update: Update, context: Context, person: Person, flow: Studio, value: str) -> None:
    await _ask(update, context, person, flow.to(quiz_again(flow.state)))


async def _answer(
    update: Update, context: Context, person: Person, flow: Studio, value: str
) -> None:
    await _ask(update, context, person, flow.to(chosen_answer(flow.state, value)))


async def _edit(update: Update, context: Context, person: Person, flow: Studio, value: str) -> None:
    t = texts(context, person)
    if context.runtime.training.studio.model is None:
        await say(update, context, t("tg.studio.edit_no_model"))
        return
    await drafts(context).save(sender(update), flow.to(waiting(flow.state, CHANGES)))
    await say(update, context, t("tg.studio.ask_changes"))


async def _cancel(
    update: Update, context: Context, person: Person, flow: Studio, value: str
) -> None:
    await drafts(context).clear(sender(update))
    await say(update, context, texts(context, person)("tg.studio.cancelled"))


async def _save(update: Update, context: Context, person: Person, flow: Studio, value: str) -> None:
    rt, t, state = context.runtime, texts(context, person), flow.state
    stored = await rt.training.studio.save(person.id, state.team, state.yaml or "")
    await drafts(context).clear(sender(update))  # its buttons are stale from now on
    s = stored.scenario
    key = "tg.team.uploaded" if stored.changed else "tg.team.upload_unchanged"
    title = s.title_in(person.language)
    text = t(key, title=title, id=s.id, team=state.team_name, version=stored.version)
    keys = team_keys.test_play(rt.catalog, person.language, state.team, s.id)
    await say(update, context, text, keys)


Action = Callable[[Update, Context, Person, Studio, str], Awaitable[None]]
ACTIONS: dict[str, Action] = {
    studio_keys.QUIZ: _quiz,
    studio_keys.ANSWER: _answer,
    studio_keys.SAVE: _save,
    studio_keys.EDIT: _edit,
    studio_keys.CANCEL: _cancel,
}
NEEDS_PREVIEW = frozenset({studio_keys.SAVE, studio_keys.EDIT})
"""The actions of a preview's buttons: stale until a checked draft is kept."""


async def _try(update: Update, context: Context, replace: bool) -> None:
    person = await rep(update, context)
    flow = await drafts(context).load(sender(update), StudioState, KIND, args(update, 1)[0])
    if flow is None or not flow.state.yaml:
        await stale(update, context)
        return
    started = await context.runtime.training.studio.try_out(
        person.id, flow.state.team, flow.state.yaml, replace
    )
    await send_brief(update, context, person, started)


async def try_out(update: Update, context: Context) -> None:
    """试玩: the unsaved draft at its brief, played privately."""
    await _try(update, context, replace=False)


async def try_out_anew(update: Update, context: Context) -> None:
    """ "Abandon it and start this": the session in progress gives way to the test play."""
    await _try(update, context, replace=True)


async def text_file(update: Update, context: Context) -> None:
    """A .txt file while a draft waits for a description or changes: its text is that."""
    user, message = update.effective_user, update.effective_message
    doc = message.document if message else None
    if user is None or doc is None:
        return
    draft = await drafts(context).get(user.id, KIND)
    if draft is None or draft.awaits not in (DESCRIPTION, CHANGES):
        return  # not ours: the other handlers answer it
    try:
        person = await rep(update, context)
        flow = await drafts(context).read(user.id, draft, StudioState)
        text = await _txt(update, context, person, doc)
        if text is not None:
            await _compose(update, context, person, flow, text)
    except Exception as exc:  # noqa: BLE001 — reported here, unexpected ones logged in full
        await report_error(update, context, exc)
    raise ApplicationHandlerStop


async def _txt(update: Update, context: Context, person: Person, doc: Document) -> str | None:
    """The text of a .txt file, or None once told why it cannot be read."""
    t = texts(context, person)
    if doc.file_size is not None and doc.file_size > MAX_TXT_BYTES:
        await say(update, context, t("tg.studio.txt_too_big", kb=MAX_TXT_BYTES // 1024))
        return None
    file = await context.bot.get_file(doc.file_id)
    content = bytes(await file.download_as_bytearray())
    try:
        return content[:MAX_TXT_BYTES].decode("utf-8-sig")
    except UnicodeDecodeError:
        await say(update, context, t("tg.studio.txt_not_text"))
        return None


def register(application: App) -> None:
    """Add this flow's handlers (the .txt one ahead of the other document handlers)."""
    private = NEW_MESSAGES & filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("newscenario", newscenario, filters=private))
    application.add_handler(MessageHandler(private & TXT, text_file), group=-1)
    for verb, handler in (
        (team_keys.STUDIO_TEAM, studio_team),
        (team_keys.STUDIO, step),
        (team_keys.STUDIO_TRY, try_out),
        (team_keys.STUDIO_TRY_ANEW, try_out_anew),
    ):
        application.add_handler(CallbackQueryHandler(handler, pattern=keyboards.pattern(verb)))

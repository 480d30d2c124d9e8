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

from telegram import Update
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
from bot.services.scenario_studio import Checked
from bot.services.teams import TeamInfo
from bot.services.users import Person
from bot.telegram import keyboards, studio_keys, studio_text, team_keys
from bot.telegram.buttons import stale
from bot.telegram.drafts import AWAITS, Draft, drafts
from bot.telegram.failures import report_error
from bot.telegram.handlers.picker import send_brief
from bot.telegram.runtime import NEW_MESSAGES, App, Context, rep, say, sender
from bot.telegram.staff import args, chosen, number, one_team, texts

KIND = "scenario"
DESCRIPTION, CHANGES = "description", "changes"
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
    draft = await drafts(context).begin(
        sender(update), KIND, team=team.id, team_name=team.name, answers={}
    )
    if studio.model is None:
        await say(update, context, t("tg.studio.no_model"))
        await _ask(update, context, person, draft)
        return
    draft.data[AWAITS] = DESCRIPTION
    await drafts(context).save(sender(update), draft)
    if description.strip():
        await _compose(update, context, person, draft, description)
        return
    keys = studio_keys.waiting(context.runtime.catalog, person.language, draft.nonce)
    await say(update, context, t("tg.studio.describe", team=team.name), keys)


async def typed(update: Update, context: Context, person: Person, draft: Draft, text: str) -> None:
    """Text typed while the draft waits for it: a description, change requests, an answer."""
    if draft.awaits in (DESCRIPTION, CHANGES):
        await _compose(update, context, person, draft, text)
        return
    step = quick_case.next_step(draft.data["answers"])
    if step is None or draft.awaits != step:
        return
    if step == "case":
        quick_case.split_case(text)  # a mistake is caught at this step
    elif step == "money":
        quick_case.parse_money(text)
    draft.data["answers"][step] = text.strip()
    await _ask(update, context, person, draft)


def case_language(description: str) -> Lang:
    """The language the case is written in: Chinese if the description has Chinese in it."""
    return "zh" if _CJK.search(description) else "en"


async def _compose(
    update: Update, context: Context, person: Person, draft: Draft, text: str
) -> None:
    """Ask the model for the draft (or the change), then show the preview or why not."""
    rt, t = context.runtime, texts(context, person)
    studio, team = rt.training.studio, int(draft.data["team"])
    text = text.strip()[:MAX_DESCRIPTION_CHARS]
    try:
        await studio.ready(person.id, team)
        await say(update, context, t("tg.studio.drafting", model=studio.model or ""))
        if draft.awaits == CHANGES and draft.data.get("yaml"):
            lang = draft.data.get("lang", case_language(text))
            result = await studio.revise(person.id, team, str(draft.data["yaml"]), text, lang)
        else:
            lang = case_language(text)
            result = await studio.draft(person.id, team, text, lang)
    except ProviderError as exc:
        keys = studio_keys.waiting(rt.catalog, person.language, draft.nonce)
        said = OVER_CAP if exc.code == OVER_CAP else "tg.studio.model_failed"
        await say(update, context, t(said), keys)
        return
    if result.scenario is None:
        keys = studio_keys.waiting(rt.catalog, person.language, draft.nonce)
        problems = html.escape("\n".join(result.errors)[:1500])
        await say(
            update,
            context,
            t("tg.studio.draft_invalid", attempts=result.attempts) + f"\n<pre>{problems}</pre>",
            keys,
        )
        return
    await _show(update, context, person, draft, Checked(result.text, result.scenario))


async def _ask(update: Update, context: Context, person: Person, draft: Draft) -> None:
    """The questionnaire's next question, or the preview once every answer is in."""
    rt, t = context.runtime, texts(context, person)
    answers: dict[str, str] = draft.data["answers"]
    step = quick_case.next_step(answers)
    if step is None:
        await _show(update, context, person, draft, rt.training.studio.from_answers(answers))
        return
    codes = quick_case.choices(step)
    draft.data[AWAITS] = None if codes else step
    await drafts(context).save(sender(update), draft)
    n = len(answers) + 1
    question = t(f"tg.studio.ask.{step}", n=n, total=len(quick_case.STEPS))
    keys = (
        studio_keys.options(rt.catalog, person.language, draft.nonce, GROUPS[step], codes)
        if codes
        else None
    )
    await say(update, context, question, keys)


async def _show(
    update: Update, context: Context, person: Person, draft: Draft, checked: Checked
) -> None:
    """Keep the checked YAML in the draft and show the preview with its three buttons."""
    rt = context.runtime
    if checked.scenario is None:
        error = checked.error or ScenarioInvalid(detail="draft.yaml")
        await report_error(update, context, error)
        return
    draft.data.update(yaml=checked.text, lang=checked.scenario.language, **{AWAITS: None})
    await drafts(context).save(sender(update), draft)
    text = studio_text.preview(rt.catalog, person.language, checked.scenario)
    await say(update, context, text, studio_keys.preview(rt.catalog, person.language, draft.nonce))


async def step(update: Update, context: Context) -> None:
    """A button of the draft: questionnaire, an answer, save, change, cancel."""
    person = await rep(update, context)
    nonce, action, value = args(update, 3)
    draft = await drafts(context).get(sender(update), KIND, nonce)
    if draft is None:
        await stale(update, context)
        return
    t = texts(context, person)
    if action == studio_keys.QUIZ:
        draft.data.update(answers={}, yaml=None)
        await _ask(update, context, person, draft)
    elif action == studio_keys.ANSWER:
        await _answer(update, context, person, draft, value)
    elif action == studio_keys.SAVE and draft.data.get("yaml"):
        await _save(update, context, person, draft)
    elif action == studio_keys.EDIT and draft.data.get("yaml"):
        if context.runtime.training.studio.model is None:
            await say(update, context, t("tg.studio.edit_no_model"))
            return
        draft.data[AWAITS] = CHANGES
        await drafts(context).save(sender(update), draft)
        await say(update, context, t("tg.studio.ask_changes"))
    elif action == studio_keys.CANCEL:
        await drafts(context).clear(sender(update))
        await say(update, context, t("tg.studio.cancelled"))
    else:
        await stale(update, context)


async def _answer(
    update: Update, context: Context, person: Person, draft: Draft, value: str
) -> None:
    step = quick_case.next_step(draft.data["answers"])
    if step is None or value not in quick_case.choices(step):
        await stale(update, context)  # a choice of a step already answered
        return
    draft.data["answers"][step] = value
    await _ask(update, context, person, draft)


async def _save(update: Update, context: Context, person: Person, draft: Draft) -> None:
    rt, t = context.runtime, texts(context, person)
    team_id = int(draft.data["team"])
    stored = await rt.training.studio.save(person.id, team_id, str(draft.data["yaml"]))
    await drafts(context).clear(sender(update))  # its buttons are stale from now on
    s = stored.scenario
    key = "tg.team.uploaded" if stored.changed else "tg.team.upload_unchanged"
    title = s.title_in(person.language)
    text = t(key, title=title, id=s.id, team=draft.data["team_name"], version=stored.version)
    await say(
        update, context, text, team_keys.test_play(rt.catalog, person.language, team_id, s.id)
    )


async def _try(update: Update, context: Context, replace: bool) -> None:
    person = await rep(update, context)
    draft = await drafts(context).get(sender(update), KIND, args(update, 1)[0])
    if draft is None or not draft.data.get("yaml"):
        await stale(update, context)
        return
    started = await context.runtime.training.studio.try_out(
        person.id, int(draft.data["team"]), str(draft.data["yaml"]), replace
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
        t = texts(context, person)
        if doc.file_size is not None and doc.file_size > MAX_TXT_BYTES:
            await say(update, context, t("tg.studio.txt_too_big", kb=MAX_TXT_BYTES // 1024))
            raise ApplicationHandlerStop
        file = await context.bot.get_file(doc.file_id)
        content = bytes(await file.download_as_bytearray())
        try:
            text = content[:MAX_TXT_BYTES].decode("utf-8-sig")
        except UnicodeDecodeError:
            await say(update, context, t("tg.studio.txt_not_text"))
            raise ApplicationHandlerStop from None
        await _compose(update, context, person, draft, text)
    except ApplicationHandlerStop:
        raise
    except Exception as exc:  # noqa: BLE001 — reported here, unexpected ones logged in full
        await report_error(update, context, exc)
    raise ApplicationHandlerStop


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

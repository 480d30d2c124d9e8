"""Text typed into a guided flow: a due date or pass mark while setting up an assignment, a
comment, the reason for a score change, a scenario's description. Runs before the practice
flow (handler group -1) and only when the sender has a draft waiting for text; then the
message is the flow's, never a practice turn (even when it is refused, or its draft has
expired), and /cancel drops the draft."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from bot.telegram.drafts import drafts
from bot.telegram.failures import report_error
from bot.telegram.handlers import assign, review, studio
from bot.telegram.runtime import NEW_MESSAGES, App, Context, rep, say

GROUP = -1
FLOWS = {
    assign.KIND: assign.typed,
    review.COMMENT: review.typed,
    review.REASON: review.typed,
    studio.KIND: studio.typed,
}


async def typed(update: Update, context: Context) -> None:
    """Hand the text to the flow waiting for it; otherwise let the other handlers have it."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or message.text is None:
        return
    draft = await drafts(context).get(user.id)
    if draft is None or draft.awaits is None or draft.kind not in FLOWS:
        return
    text = message.text
    if text.startswith("/"):
        if text.split()[0].split("@")[0] != "/cancel":
            return  # another command: it runs, and the draft still waits
        await _cancel(update, context, user.id)
        raise ApplicationHandlerStop
    try:
        person = await rep(update, context)
        await FLOWS[draft.kind](update, context, person, draft, text)
    except Exception as exc:  # noqa: BLE001 — reported here, unexpected ones logged in full
        # Refused or failed, the text still belongs to the flow: report it here, since an error
        # would otherwise let the practice flow play it as a turn.
        await report_error(update, context, exc)
    raise ApplicationHandlerStop


async def _cancel(update: Update, context: Context, telegram_id: int) -> None:
    """/cancel while a flow waits for text: the draft is dropped, and the user told."""
    await drafts(context).clear(telegram_id)
    person = await rep(update, context)
    text = context.runtime.t(person.language, "tg.team.draft_cancelled")
    await say(update, context, html.escape(text))


def register(application: App) -> None:
    """Add this flow's handler (ahead of the practice flow)."""
    private = NEW_MESSAGES & filters.ChatType.PRIVATE & filters.TEXT
    application.add_handler(MessageHandler(private, typed), group=GROUP)

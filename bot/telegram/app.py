"""The one place the Telegram application is built: handlers, per-chat ordering, rate limits,
the services opened in `post_init` and closed in `post_shutdown`, and one error handler."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from urllib.parse import urlsplit

from telegram import Update
from telegram.ext import (
    ApplicationBuilder,
    ApplicationHandlerStop,
    TypeHandler,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot import heap
from bot.composition import Container, container
from bot.i18n import Catalog
from bot.metrics import metrics
from bot.settings import Settings
from bot.storage.locks import AdvisoryLocks
from bot.telegram import buttons, jobs, menus
from bot.telegram.failures import on_error
from bot.telegram.handlers import (
    assign,
    boards,
    exports,
    fallback,
    guide,
    history,
    picker,
    play,
    replies,
    review,
    start,
    studio,
    tasks,
    teams,
    uploads,
    voice,
)
from bot.telegram.inbox import Inbox
from bot.telegram.ops import OpsServer
from bot.telegram.ordering import ChatOrderedProcessor
from bot.telegram.polling import ScreenedUpdates
from bot.telegram.retries import Backoff, RetryingRateLimiter
from bot.telegram.runtime import CONTEXT_TYPES, App, Context, Runtime
from bot.telegram.streaming import StreamPolicy
from bot.telegram.workers import WorkerClaim, claim

log = logging.getLogger("bot.telegram")

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
# The flows, in the order their handlers are tried; the fallback catches the rest. (`replies`
# sits in an earlier handler group: text typed into a trainer's guided flow is not a turn.)
FLOWS = (
    start,
    picker,
    play,
    history,
    tasks,
    boards,
    teams,
    assign,
    review,
    exports,
    uploads,
    voice,
    studio,
    guide,
    replies,
    fallback,
)
RATE_LIMIT_RETRIES = 3  # a 429 is waited out (retry_after) this many times before giving up
KEEP_HANDLED_UPDATES = dt.timedelta(days=7)
RESEND_OWED_EVERY = dt.timedelta(seconds=15)  # replies Telegram did not take, tried again
TAKE_OVER_EVERY = dt.timedelta(seconds=5)  # several workers: look for a killed worker's updates
ORPHANED_AFTER = dt.timedelta(seconds=10)  # unfinished this long with its chat free: orphaned

ServicesFactory = Callable[[], AbstractAsyncContextManager[Container]]


async def settle(update: Update, context: Context) -> None:
    """Before a chat's next update, handle again the earlier ones whose reply is still owed,
    and (several workers) the earlier ones no worker finished, in order; while one is still
    not taken, this update waits behind it."""
    inbox = context.runtime.inbox
    blocked = False
    earlier_ones = {u.update_id: u for u in await inbox.earlier_unfinished(update, context.bot)}
    earlier_ones.update({u.update_id: u for u in inbox.take_owed(update)})
    for _, earlier in sorted(earlier_ones.items()):
        if blocked:
            inbox.owe(earlier)
            continue
        await context.application.process_update(earlier)
        if inbox.is_owed(earlier):
            blocked = True
        else:
            await inbox.done(earlier)
    if blocked:
        inbox.owe(update)
        raise ApplicationHandlerStop


async def resend_owed(context: Context) -> None:
    """Hand the owed updates back to the queue (the chat may stay quiet for a while)."""
    owed = context.runtime.inbox.all_owed()
    for update in owed:
        await context.application.update_queue.put(update)
    if owed:
        log.info("inbox: %d owed replies tried again", len(owed))


async def take_over(context: Context) -> None:
    """Hand this worker the updates a killed worker left unfinished (PostgreSQL)."""
    orphans = await context.runtime.inbox.orphans(ORPHANED_AFTER, context.bot)
    for update in orphans:
        await context.application.update_queue.put(update)
    if orphans:
        log.warning("inbox: %d updates left by another worker taken over", len(orphans))


class RecordingQueue(asyncio.Queue[object]):
    """The update queue, writing each update to the inbox before taking it: the webhook
    answers Telegram only after that, so the chat's next update, wherever it lands, finds this
    one on disk. An update already handled is dropped here."""

    def __init__(self) -> None:
        super().__init__()
        self.inbox: Inbox | None = None

    async def put(self, item: object) -> None:
        """Record, then queue (unless it was handled already)."""
        if self.inbox is not None and not await self.inbox.record(item):
            metrics().updates.labels("duplicate").inc()
            return
        await super().put(item)


async def prune_inbox(context: Context) -> None:
    """Forget handled updates older than a week."""
    removed = await context.runtime.inbox.prune(KEEP_HANDLED_UPDATES)
    log.info("inbox: %d handled updates forgotten", removed)


class Lifecycle:
    """Opens the services when the bot starts and closes them when it stops."""

    def __init__(
        self,
        settings: Settings,
        services: ServicesFactory,
        processor: ChatOrderedProcessor,
        queue: RecordingQueue,
    ) -> None:
        self.settings = settings
        self.services = services
        self.processor = processor
        self.queue = queue
        self.claim: WorkerClaim | None = None
        self.locks: AdvisoryLocks | None = None
        self._stack: AsyncExitStack | None = None
        self.ops: OpsServer | None = None
        self.settle_heap = False  # the serving process only (not tests that build the bot)

    async def post_init(self, application: App) -> None:
        """Open the services, replay unfinished updates, set the command menus."""
        self._stack = AsyncExitStack()
        try:
            services = await self._open(application)
            leftovers = await self._replay(application)
            await self._set_commands(application, services.catalog)
            await self._start_ops(services)
            await jobs.start(application)
            if self.settle_heap:
                heap.settle()  # after start-up, before the first update
        except BaseException:
            await self.post_shutdown(application)
            raise
        self._schedule(application)
        log.info(
            "bot @%s ready (client %s, judge %s); %d unfinished updates to replay",
            application.bot.username,
            services.client.label,
            services.judge_label,
            leftovers,
        )

    async def _open(self, application: App) -> Container:
        """The services, the worker claim and the inbox, wired into the update processing."""
        assert self._stack is not None
        services = await self._stack.enter_async_context(self.services())
        if not services.db.is_sqlite:
            self.locks = AdvisoryLocks(services.db.engine)
        if self.settle_heap:  # the serving process: may it serve alongside the others?
            self.claim = await claim(self.settings, services.db, self.locks, application.bot.id)
        inbox = Inbox(services.db, application.bot.id, self.locks)
        application.bot_data.runtime = Runtime(
            services, StreamPolicy(), inbox, started_at=services.db.now()
        )
        self.processor.gate = inbox
        self.processor.turns = inbox.turn
        self.queue.inbox = inbox
        return services

    async def _replay(self, application: App) -> int:
        """Queue the updates a previous run took in but did not finish; how many."""
        inbox = application.bot_data.started().inbox
        leftovers = await inbox.leftovers(application.bot)
        for update in leftovers:
            await application.update_queue.put(update)
        return len(leftovers)

    async def _start_ops(self, services: Container) -> None:
        if self.settings.metrics_port is not None:
            self.ops = OpsServer(services, self.settings.metrics_listen, self.settings.metrics_port)
            await self.ops.start()

    def _schedule(self, application: App) -> None:
        """The housekeeping jobs: inbox pruning, owed replies, taking over a dead worker's."""
        if application.job_queue is None:
            return
        application.job_queue.run_repeating(
            prune_inbox, interval=dt.timedelta(hours=6), first=dt.timedelta(minutes=5)
        )
        application.job_queue.run_repeating(
            resend_owed, interval=RESEND_OWED_EVERY, first=RESEND_OWED_EVERY
        )
        if self.locks is not None:
            application.job_queue.run_repeating(
                take_over, interval=TAKE_OVER_EVERY, first=TAKE_OVER_EVERY
            )

    async def _set_commands(self, application: App, catalog: Catalog) -> None:
        # Trainers' and operators' menus follow in a job (`jobs.refresh_menus`), not to hold
        # up the start on one request per staff member.
        await menus.set_default(application.bot, catalog, self.settings.default_language)

    async def post_shutdown(self, application: App) -> None:
        """Close the services."""
        self.processor.gate = None
        self.processor.turns = None
        self.queue.inbox = None
        if self.ops is not None:
            ops, self.ops = self.ops, None
            await ops.stop()
        application.bot_data.runtime = None
        if self.claim is not None:
            self.claim.release()
            self.claim = None
        if self.locks is not None:
            locks, self.locks = self.locks, None
            await locks.close()
        if self._stack is not None:
            stack, self._stack = self._stack, None
            await stack.aclose()


def file_url(base_url: str) -> str:
    """Where a Bot API server serves files: `…/bot` → `…/file/bot` (uploaded scenarios are
    downloaded from there)."""
    head, sep, tail = base_url.rpartition("/bot")
    return f"{head}/file/bot{tail}" if sep else base_url


def build_application(
    settings: Settings,
    request: BaseRequest | None = None,
    services: ServicesFactory | None = None,
    backoff: Backoff | None = None,
    serving: bool = False,
) -> App:
    """The bot for these settings (`request` replaces HTTP in tests; `services` the container;
    `backoff` the pauses between tries of a failed call; `serving`: the long-running process,
    whose heap is settled after start-up)."""
    token = settings.telegram_bot_token
    if token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    # Opt in to PTB's timedelta durations (RetryAfter.retry_after) and away from its warning.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    processor = ChatOrderedProcessor()
    queue = RecordingQueue()
    lifecycle = Lifecycle(settings, services or (lambda: container(settings)), processor, queue)
    lifecycle.settle_heap = serving
    builder = (
        ApplicationBuilder()
        .token(token.get_secret_value())
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(processor)
        .update_queue(queue)
        .rate_limiter(RetryingRateLimiter(RATE_LIMIT_RETRIES, backoff))
        .post_init(lifecycle.post_init)
        .post_shutdown(lifecycle.post_shutdown)
    )
    if settings.telegram_api_base_url:
        # PTB appends the token unless the URL has a {token} placeholder; HTTP/1.1 (PTB's
        # default) is what a self-hosted Bot API server speaks.
        builder = builder.base_url(settings.telegram_api_base_url).base_file_url(
            file_url(settings.telegram_api_base_url)
        )
    if request is not None:
        builder = builder.request(request)
    # PTB's default for polling (one connection), screened for updates it cannot parse.
    builder = builder.get_updates_request(ScreenedUpdates(request or HTTPXRequest()))
    application = builder.build()
    application.add_handler(TypeHandler(Update, settle), group=buttons.FIRST - 1)
    buttons.register(application)  # the private-chat rule first, the spinner stopped last
    for flow in FLOWS:
        flow.register(application)
    application.add_error_handler(on_error)
    return application


def run(settings: Settings) -> None:
    """Serve until stopped (Ctrl-C or SIGTERM finish the update in hand first): long polling,
    or a webhook when TELEGRAM_WEBHOOK_URL is set.

    With a webhook, PTB answers 403 to any POST without the right secret token, and Telegram
    retries an update it got no 200 for: the inbox drops the retry, so nothing is played twice.
    """
    application = build_application(settings, serving=True)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # chatty at INFO
    if settings.telegram_webhook_url and settings.telegram_webhook_secret:
        application.run_webhook(
            listen=settings.telegram_webhook_listen,
            port=settings.telegram_webhook_port,
            url_path=urlsplit(settings.telegram_webhook_url).path.strip("/"),
            webhook_url=settings.telegram_webhook_url,
            secret_token=settings.telegram_webhook_secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )
        return
    application.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)

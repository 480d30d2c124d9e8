"""Terminal play: the same practice service as Telegram, driven by stdin and stdout.

Interactive in a terminal; scriptable with piped stdin (one rep message per line; `/end`, a
blank line or end of input ends and grades).
"""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from dataclasses import dataclass
from typing import TextIO

from bot.composition import Container
from bot.domain.lang import Lang
from bot.domain.session import Phase
from bot.errors import InputRejected, TrainerError
from bot.services.practice import Started, TurnResult
from bot.services.users import Person
from bot.views.text import brief_text, hint_text, labelled, model_name, scorecard_text


def _undecodable(line: str) -> bool:
    """Bytes that were not UTF-8 reach Python as lone surrogates; they can never be stored."""
    return any("\ud800" <= ch <= "\udfff" for ch in line)


def _watchable(stream: TextIO) -> bool:
    """Whether the event loop can wait for this stream (a terminal or a pipe; POSIX only)."""
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (AttributeError, OSError, ValueError):
        return False
    return os.name == "posix" and (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode))


async def _read_when_ready(fd: int) -> bytes:
    """What is there to read on `fd` once it is readable (b"" at end of input)."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(fd, wake)
    try:
        await ready
    finally:
        loop.remove_reader(fd)
    return os.read(fd, 65536)


@dataclass
class Console:
    """Reads the rep's lines and prints the conversation."""

    app: Container
    lang: Lang
    stdin: TextIO
    stdout: TextIO
    interactive: bool
    _speaking: bool = False
    _pending: bytes = b""
    _watch: bool | None = None  # None: not yet known whether stdin's descriptor can be watched

    def say(self, text: str = "") -> None:
        """Print a line."""
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def t(self, key: str, **params: object) -> str:
        """A catalog message in the console's language."""
        return self.app.catalog.t(self.lang, key, **params)

    async def ask(self, prompt: str = "") -> str | None:
        """One line from the rep; None at end of input."""
        if self.interactive and prompt:
            self.stdout.write(prompt)
            self.stdout.flush()
        line = await self._readline()
        if line == "":
            return None
        line = line.rstrip("\r\n")
        if not self.interactive and prompt:
            self.say(prompt + line)  # piped input: echo it so the output reads as a dialogue
        return line

    async def _readline(self) -> str:
        """One line of stdin, read on the event loop when its descriptor can be watched.

        A read in a worker thread cannot be interrupted: Ctrl-C would wait for Enter. Watching
        the descriptor keeps the loop free, so one Ctrl-C cancels at once (state is already
        saved after every turn). Regular files and in-memory streams are read directly.
        """
        if self._watch is None:
            self._watch = _watchable(self.stdin)
        if not self._watch:
            return await asyncio.to_thread(self.stdin.readline)
        fd = self.stdin.fileno()
        while b"\n" not in self._pending:
            chunk = await _read_when_ready(fd)
            if not chunk:
                break
            self._pending += chunk
        line, sep, self._pending = self._pending.partition(b"\n")
        return (line + sep).decode(self.stdin.encoding or "utf-8", errors="surrogateescape")

    def error(self, exc: TrainerError) -> None:
        """A domain error as a polite, localised line."""
        self.say("⚠️ " + self.app.catalog.error(self.lang, exc.code, exc.params))

    def label(self, key: str) -> str:
        """「客户：」 / "Client: " — a speaker's name with the language's colon."""
        return labelled(self.t(key), "", self.lang)

    async def stream(self, delta: str) -> None:
        """Print a piece of the client's reply as it arrives, after the client's name."""
        if not self._speaking:
            # Named only once words arrive, so a refused message leaves no empty "client:".
            self.stdout.write(self.label("console.client"))
            self._speaking = True
        self.stdout.write(delta)
        self.stdout.flush()

    def end_reply(self, reply: str = "") -> None:
        """Close the client's streamed line; a reply that did not stream is printed whole."""
        if self._speaking:
            self.say()
        elif reply:
            self.say(self.label("console.client") + reply)
        self._speaking = False


async def _pick_scenario(con: Console, scenario_id: str | None) -> str:
    scenarios = con.app.scenarios.all()
    if scenario_id or not con.interactive:
        return scenario_id or scenarios[0].id
    for i, s in enumerate(scenarios, start=1):
        temperament = con.t(f"temperament.{s.temperament}")
        con.say(f"  {i}. {s.title_in(con.lang)}  [{'★' * s.difficulty}] {temperament} ({s.id})")
    while True:
        answer = (await con.ask(con.t("console.pick") + " ")) or "1"
        if answer.isdigit() and 1 <= int(answer) <= len(scenarios):
            return scenarios[int(answer) - 1].id
        if any(s.id == answer for s in scenarios):
            return answer


async def _prepare(con: Console, started: Started, plan: str | None) -> TurnResult:
    practice = con.app.practice
    while True:
        if plan is None and con.interactive:
            con.say(con.t("console.prepare"))
            lines: list[str] = []
            while (line := await con.ask("> ")) not in (None, ""):
                lines.append(line or "")
            plan = "\n".join(lines) or None
        try:
            result = await practice.begin(started.session.user_id, started.session.id, plan)
        except InputRejected as exc:
            con.error(exc)
            if not con.interactive:
                raise
            plan = None
            continue
        con.say(con.t("console.plan_saved") if plan else con.t("console.plan_skipped"))
        return result


async def _open_session(
    con: Console, person: Person, scenario_id: str | None, new: bool, plan: str | None
) -> tuple[Started, TurnResult | None]:
    practice = con.app.practice
    current = await practice.current(person.id)
    if current and not new and (scenario_id in (None, current.scenario.id)):
        # Rounds as the turn budget counts them: the rep's messages.
        turns = len(current.session.transcript.rep_turns())
        con.say(con.t("console.resumed", title=current.scenario.title_in(con.lang), turns=turns))
        return current, None
    if scenario_id:
        con.app.scenarios.get(scenario_id)  # an unknown id fails here, before anything is lost
    if current:
        con.say(con.t("console.abandoned"))
    chosen = await _pick_scenario(con, scenario_id)
    started = await practice.start(person.id, chosen, replace=True)
    con.say(con.t("console.picked", title=started.scenario.title_in(con.lang)))
    con.say()
    con.say(brief_text(started.scenario, con.app.catalog, con.lang))
    con.say()
    return started, await _prepare(con, started, plan)


async def play(
    app: Container,
    person: Person,
    lang: Lang,
    scenario_id: str | None = None,
    new: bool = False,
    plan: str | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """A whole session in the terminal; returns the exit code."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    con = Console(app, lang, stdin, stdout, interactive=stdin.isatty())
    con.say(
        con.t(
            "console.welcome",
            client=model_name(app.client.label, app.catalog, lang, "label.offline_client"),
            grader=model_name(app.judge_label, app.catalog, lang),
        )
    )
    started, opening = await _open_session(con, person, scenario_id, new, plan)
    session = opening.session if opening else started.session
    if opening is None and session.phase in (Phase.BRIEF, Phase.PREPARE):
        con.say(brief_text(started.scenario, app.catalog, lang))
        opening = await _prepare(con, started, plan)
        session = opening.session
    con.say(con.t("console.play"))
    if opening is not None:
        con.say(con.label("console.client") + opening.reply)
    else:
        for turn in session.transcript:
            who = "console.you" if turn.speaker == "rep" else "console.client"
            con.say(con.label(who) + turn.text)
        if session.awaiting_reply():
            pending = await app.practice.resume_pending(person.id, session.id, con.stream)
            con.end_reply(pending.reply if pending else "")
            session = pending.session if pending else session
    noticed: set[str] = set()
    while session.phase == Phase.PLAY:
        line = await con.ask(con.label("console.you"))
        if line is None or line.strip() == "/end" or (not con.interactive and not line.strip()):
            if line is None:
                con.say(con.t("console.no_input"))
            break
        if not line.strip():
            # At a keyboard an empty Enter is a slip, not the end of the meeting.
            con.error(InputRejected("error.input_empty"))
            continue
        if line.strip() == "/hint":
            hint = await app.practice.hint(person.id, session.id, lang)
            shown = hint_text(hint, app.catalog, lang)
            con.say("💡 " + labelled(con.t("console.hint"), shown, lang))
            continue
        if _undecodable(line):
            con.error(InputRejected("error.input_not_text"))
            continue
        try:
            result = await app.practice.reply(person.id, session.id, line, on_delta=con.stream)
            con.end_reply(result.reply)
        except TrainerError as exc:
            con.end_reply()
            con.error(exc)
            continue
        session = result.session
        if result.notice and result.notice not in noticed:
            noticed.add(result.notice)
            con.say("ℹ️ " + con.t(result.notice))
    if session.phase == Phase.ENDED and session.end_reason:
        con.say(con.t("console.ended", reason=con.t(f"end_reason.{session.end_reason.value}")))
    con.say(con.t("console.grading"))
    finished, card = await app.practice.finish(person.id, session.id, lang)
    con.say()
    con.say(scorecard_text(card, app.catalog, lang, title=finished.scenario.title_in(lang)))
    return 0

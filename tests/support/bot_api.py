"""An in-memory Telegram Bot API: answers the methods the bot uses with real objects, records
every call, holds the users' updates for getUpdates, and injects faults on request.

Two adapters share it: `OfflineRequest` (PTB's request seam, unit tests) and
`FakeBotApiServer` (a real HTTP server on 127.0.0.1 for end-to-end tests and benchmarks). It
behaves the way PTB needs and the npm emulators do not: `getMe` has `is_bot`, dates are in
seconds, edits return the edited `Message`, callback queries carry `chat_instance`, HTML is
checked the way Telegram checks it and a text over 4,096 characters is refused.
"""

from __future__ import annotations

import html
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from tests.support.chaos import Chaos

from tests.support.flood import FloodLimits

T = TypeVar("T")
JSON = dict[str, Any]

TOKEN = "123456789:TEST-fake-token-for-the-offline-bot-api"
MAX_TEXT, MAX_CAPTION = 4096, 1024
# Keys whose form value is JSON (PTB JSON-encodes every non-string parameter).
_JSON_KEYS = {
    "reply_markup",
    "entities",
    "caption_entities",
    "commands",
    "scope",
    "allowed_updates",
    "link_preview_options",
    "reply_parameters",
    "media",
}
_INT_KEYS = {"chat_id", "message_id", "draft_id", "offset", "limit", "timeout", "user_id"}
_HTML_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}
_TRUE_METHODS = {
    "deleteWebhook",
    "setWebhook",
    "setMyCommands",
    "deleteMyCommands",
    "sendChatAction",
    "answerCallbackQuery",
    "setChatMenuButton",
    "setMyDescription",
    "setMyShortDescription",
    "close",
    "logOut",
}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


@dataclass(frozen=True)
class Call:
    """One request the bot made."""

    method: str
    params: JSON
    files: dict[str, bytes]
    at: float

    @property
    def chat_id(self) -> Any:
        """The chat the call addressed, if any."""
        return self.params.get("chat_id")

    @property
    def text(self) -> str:
        """The text or caption sent."""
        return str(self.params.get("text") or self.params.get("caption") or "")


@dataclass
class Fault:
    """An error to answer instead of the next call(s) to a method."""

    status: int
    description: str
    retry_after: int | None = None
    times: int = 1
    chat_id: int | None = None  # only calls to this chat (None: any)


@dataclass
class Hold:
    """Calls to a method block here until released (to kill a process mid-request)."""

    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)


class ApiError(Exception):
    """A Bot API error reply."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after


class _EntityCheck(HTMLParser):
    """Telegram's HTML rules: known tags only, properly nested."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.visible: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            self.error = self.error or f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = self.error or f'Unmatched end tag "{tag}"'
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.visible.append(data)


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text as the user sees it; `ApiError` where Telegram would refuse the markup."""
    if (parse_mode or "").upper() != "HTML":
        return text
    check = _EntityCheck()
    check.feed(text)
    check.close()
    if check.stack and not check.error:
        check.error = f'Can\'t find end tag corresponding to start tag "{check.stack[-1]}"'
    if check.error:
        raise ApiError(400, f"Bad Request: can't parse entities: {check.error}")
    return html.unescape("".join(check.visible))


def _kind(chat_id: int) -> str:
    """A positive chat id is a private chat; a negative one a supergroup."""
    return "private" if chat_id > 0 else "supergroup"


def utf16_len(text: str) -> int:
    """Length the way Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def decode_params(raw: dict[str, str]) -> JSON:
    """Form values as PTB sent them, decoded back into JSON values."""
    params: JSON = {}
    for key, value in raw.items():
        if key in _JSON_KEYS:
            params[key] = json.loads(value)
        elif key in _INT_KEYS:
            try:
                params[key] = int(value)
            except ValueError:
                params[key] = value
        else:
            params[key] = value
    return params


class BotApi:
    """The Bot API's state and behaviour; thread-safe."""

    def __init__(self, token: str = TOKEN, username: str = "huikuan_test_bot") -> None:
        self.token = token
        self.bot_user: JSON = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "回款陪练",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.calls: list[Call] = []
        self._calls_by: dict[tuple[str, Any], list[Call]] = {}  # by (method, chat id | None)
        self._changes = 0  # bumped on every call and update: what `wait_for` waits on
        self.limits: FloodLimits | None = None  # Telegram's flood limits, when enforced
        self.limited: list[Call] = []  # the calls those limits refused with 429
        self.unexpected: list[str] = []
        self.messages: dict[tuple[int, int], JSON] = {}
        self.drafts: dict[int, str] = {}
        self.chats: dict[int, JSON] = {}
        self.fetched: list[int] = []  # update ids, each time getUpdates handed them out
        self.files: dict[str, bytes] = {}  # documents users sent, by file id
        self.downloads: list[str] = []  # file ids the bot downloaded
        self._cond = threading.Condition(threading.RLock())
        self._queue: list[JSON] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._faults: dict[str, list[Fault]] = {}
        self._holds: dict[str, Hold] = {}
        self._closed = False
        self.chaos: Chaos | None = None  # random 5xx and resets on sends (tests.support.chaos)

    # --- the bot's side -------------------------------------------------------------------

    def handle(self, method: str, raw: dict[str, str], files: dict[str, bytes]) -> tuple[int, JSON]:
        """Answer one Bot API call: (HTTP status, JSON body)."""
        params = decode_params(raw)
        with self._cond:
            call = Call(method, params, files, time.monotonic())
            self.calls.append(call)
            self._calls_by.setdefault((method, None), []).append(call)
            if call.chat_id is not None:
                self._calls_by.setdefault((method, call.chat_id), []).append(call)
            flood_wait = self._flood_check(call)  # decided as it is recorded, for readers
            self._changed()
            hold = self._holds.get(method)
        if hold is not None:
            hold.arrived.set()
            while not hold.released.wait(0.05):
                if self._closed:
                    break
        try:
            with self._cond:
                if self.chaos is not None:
                    self.chaos.strike(method)  # a `Reset` leaves here: the adapter drops the line
                self._raise_fault(method, params.get("chat_id"))
                if flood_wait is not None:
                    raise ApiError(429, f"Too Many Requests: retry after {flood_wait}", flood_wait)
                result = self._dispatch(method, params, files)
                self._changed()
        except ApiError as exc:
            body: JSON = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            return exc.status, body
        return 200, {"ok": True, "result": result}

    def _changed(self) -> None:
        self._changes += 1
        self._cond.notify_all()

    def enforce_limits(self, limits: FloodLimits | None = None) -> FloodLimits:
        """Answer 429 with `retry_after` when the bot breaks Telegram's flood limits."""
        with self._cond:
            self.limits = limits or FloodLimits()
            return self.limits

    def _flood_check(self, call: Call) -> int | None:
        """None, or the retry_after a call over Telegram's limits is answered with."""
        if self.limits is None:
            return None
        private = self.chats.get(call.chat_id, {}).get("type", "private") == "private"
        wait = self.limits.check(call.method, call.chat_id, private, call.at)
        if wait is not None:
            self.limited.append(call)
        return wait

    def _raise_fault(self, method: str, chat_id: Any) -> None:
        faults = self._faults.get(method) or []
        fault = next((f for f in faults if f.chat_id in (None, chat_id)), None)
        if fault is None:
            return
        fault.times -= 1
        if fault.times <= 0:
            faults.remove(fault)
        raise ApiError(fault.status, fault.description, fault.retry_after)

    def _dispatch(self, method: str, p: JSON, files: dict[str, bytes]) -> Any:
        if method == "getMe":
            return self.bot_user
        if method == "getUpdates":
            return self._get_updates(p)
        if method in _TRUE_METHODS:
            return True
        if method == "sendMessageDraft":
            return self._draft(p)
        if method == "sendMessage":
            text = str(p.get("text", ""))
            self._check_text(text, p.get("parse_mode"), MAX_TEXT, "message is too long")
            return self._new_message(p, {"text": text})
        if method == "editMessageText":
            return self._edit(p)
        if method == "editMessageReplyMarkup":
            message = self._message(p)
            message["reply_markup"] = p.get("reply_markup") or {"inline_keyboard": []}
            return message
        if method == "editMessageMedia":
            return self._edit_media(p, files)
        if method in ("sendPhoto", "sendDocument", "sendVoice"):
            return self._media(method, p, files)
        if method == "getFile":
            return self._file(str(p.get("file_id", "")))
        self.unexpected.append(method)
        raise ApiError(404, "Not Found: method not found")

    def _get_updates(self, p: JSON) -> list[JSON]:
        offset = int(p.get("offset") or 0)
        self._queue = [u for u in self._queue if u["update_id"] >= offset]
        deadline = time.monotonic() + float(p.get("timeout") or 0)
        while not self._queue and not self._closed:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._cond.wait(min(left, 0.5))
        limit = int(p.get("limit") or 100)
        batch = list(self._queue[:limit])
        self.fetched += [u["update_id"] for u in batch]
        return batch

    def _draft(self, p: JSON) -> bool:
        chat_id, draft_id = p["chat_id"], int(p.get("draft_id") or 0)
        if draft_id == 0:
            raise ApiError(400, "Bad Request: draft_id must be non-zero")
        if self.chats.get(chat_id, {}).get("type", "private") != "private":
            raise ApiError(400, "Bad Request: method is available only in private chats")
        text = str(p.get("text") or "")
        self._check_text(text, p.get("parse_mode"), MAX_TEXT, "text is too long")
        self.drafts[chat_id] = text
        return True

    def _check_text(self, text: str, parse_mode: Any, limit: int, too_long: str) -> str:
        shown = visible_text(text, parse_mode)
        if utf16_len(shown) > limit:
            raise ApiError(400, f"Bad Request: {too_long}")
        return shown

    def _chat(self, chat_id: Any) -> JSON:
        if chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        return self.chats[chat_id]

    def _next_message_id(self, chat_id: int) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    def _new_message(self, p: JSON, content: JSON) -> JSON:
        chat = self._chat(p["chat_id"])
        message: JSON = {
            "message_id": self._next_message_id(chat["id"]),
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user,
            **content,
        }
        if p.get("reply_markup"):
            message["reply_markup"] = p["reply_markup"]
        quoted = (p.get("reply_parameters") or {}).get("message_id")
        if quoted is not None and (chat["id"], quoted) in self.messages:
            message["reply_to_message"] = self.messages[(chat["id"], quoted)]
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    def _message(self, p: JSON) -> JSON:
        key = (p.get("chat_id"), p.get("message_id"))
        message = self.messages.get(key)  # type: ignore[arg-type]
        if message is None or message.get("from", {}).get("id") != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    def _edit(self, p: JSON) -> JSON:
        message = self._message(p)
        text = str(p.get("text", ""))
        self._check_text(text, p.get("parse_mode"), MAX_TEXT, "MESSAGE_TOO_LONG")
        markup = p.get("reply_markup")
        if text == message.get("text") and markup == message.get("reply_markup"):
            raise ApiError(400, NOT_MODIFIED)
        message["text"] = text
        message["edit_date"] = int(time.time())
        if markup is not None:
            message["reply_markup"] = markup
        return message

    def _media(self, method: str, p: JSON, files: dict[str, bytes]) -> JSON:
        field_name = {"sendPhoto": "photo", "sendVoice": "voice"}.get(method, "document")
        data = files.get(field_name) or next(iter(files.values()), b"")
        if not data:
            raise ApiError(400, f"Bad Request: there is no {field_name} in the request")
        caption = str(p.get("caption") or "")
        self._check_text(caption, p.get("parse_mode"), MAX_CAPTION, "message caption is too long")
        file_id = f"file-{len(self.calls)}"
        if method == "sendPhoto":
            content: JSON = {
                "photo": [
                    {
                        "file_id": file_id,
                        "file_unique_id": file_id,
                        "width": 800,
                        "height": 800,
                        "file_size": len(data),
                    }
                ]
            }
        elif method == "sendVoice":
            if not data.startswith((b"OggS", b"ID3", b"\xff\xfb")) and data[4:8] != b"ftyp":
                # What Telegram says of a voice that is not OGG/Opus, MP3 or M4A.
                raise ApiError(400, "Bad Request: wrong file type for a voice message")
            voice = {"file_id": file_id, "file_unique_id": file_id, "file_size": len(data)}
            content = {"voice": {**voice, "duration": 1, "mime_type": "audio/ogg"}}
        else:
            content = {
                "document": {"file_id": file_id, "file_unique_id": file_id, "file_size": len(data)}
            }
        if caption:
            content["caption"] = caption
        return self._new_message(p, content)

    def _edit_media(self, p: JSON, files: dict[str, bytes]) -> JSON:
        """Replace a photo message's image and caption (Telegram refuses it on a text)."""
        message = self._message(p)
        if "photo" not in message:
            raise ApiError(400, "Bad Request: there is no media in the message to edit")
        media = p.get("media") or {}
        attached = str(media.get("media", "")).removeprefix("attach://")
        if not files.get(attached):
            raise ApiError(400, "Bad Request: there is no photo in the request")
        caption = str(media.get("caption") or "")
        self._check_text(
            caption, media.get("parse_mode"), MAX_CAPTION, "message caption is too long"
        )
        file_id = f"file-{len(self.calls)}"
        message["photo"] = [
            {"file_id": file_id, "file_unique_id": file_id, "width": 800, "height": 800}
        ]
        message["caption"] = caption
        message["edit_date"] = int(time.time())
        message["reply_markup"] = p.get("reply_markup") or {"inline_keyboard": []}
        return message

    def _file(self, file_id: str) -> JSON:
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        size = len(self.files[file_id])
        path = f"documents/{file_id}"
        return {"file_id": file_id, "file_unique_id": file_id, "file_size": size, "file_path": path}

    def download(self, path: str) -> tuple[int, bytes]:
        """A file the bot fetches from `<file url>/<file_path>` (after getFile)."""
        with self._cond:
            file_id = path.rsplit("/", 1)[-1]
            if file_id not in self.files:
                return 404, b"Not Found"
            self.downloads.append(file_id)
            return 200, self.files[file_id]

    # --- the users' side ------------------------------------------------------------------

    def user(self, user_id: int, name: str = "小陈", language_code: str = "zh-hans") -> JSON:
        """A Telegram user as it appears in updates."""
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": name,
            "language_code": language_code,
        }

    def _user_chat(self, chat_id: int, sender: JSON, chat_type: str) -> JSON:
        with self._cond:
            if chat_id not in self.chats:
                chat: JSON = {"id": chat_id, "type": chat_type}
                if chat_type == "private":
                    chat["first_name"] = sender["first_name"]
                else:
                    chat["title"] = "销售一组"
                self.chats[chat_id] = chat
            return self.chats[chat_id]

    def _user_message(
        self, chat_id: int, sender: JSON | None, chat_type: str, content: JSON
    ) -> JSON:
        sender = sender or self.user(chat_id if chat_id > 0 else 1001)
        chat = self._user_chat(chat_id, sender, chat_type)
        with self._cond:
            message: JSON = {
                "message_id": self._next_message_id(chat_id),
                "date": int(time.time()),
                "chat": chat,
                "from": sender,
                **content,
            }
            self.messages[(chat_id, message["message_id"])] = message
            return {"update_id": next(self._update_ids), "message": message}

    def text(
        self, chat_id: int, text: str, sender: JSON | None = None, chat_type: str | None = None
    ) -> JSON:
        """An update: the user sent a text (a leading /command gets its entity); a negative
        chat id is a supergroup unless `chat_type` says otherwise."""
        content: JSON = {"text": text}
        if text.startswith("/"):
            length = len(text.split()[0])
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._user_message(chat_id, sender, chat_type or _kind(chat_id), content)

    def sticker(self, chat_id: int, sender: JSON | None = None) -> JSON:
        """An update: the user sent a sticker."""
        sticker = {
            "file_id": "sticker-1",
            "file_unique_id": "sticker-1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return self._user_message(chat_id, sender, _kind(chat_id), {"sticker": sticker})

    def photo(self, chat_id: int, sender: JSON | None = None) -> JSON:
        """An update: the user sent a photo."""
        size = {"file_id": "photo-1", "file_unique_id": "photo-1", "width": 90, "height": 90}
        return self._user_message(chat_id, sender, _kind(chat_id), {"photo": [size]})

    def voice(
        self,
        chat_id: int,
        sender: JSON | None = None,
        content: bytes | None = None,
        duration: int = 3,
        field: str = "voice",
    ) -> JSON:
        """An update: the user sent a voice note (with `content`, one the bot can download;
        `field="audio"` for an audio file)."""
        voice: JSON = {"file_id": "voice-1", "file_unique_id": "voice-1", "duration": duration}
        if content is not None:
            with self._cond:
                file_id = f"voice-{len(self.files) + 2}"
                self.files[file_id] = content
            voice.update(file_id=file_id, file_unique_id=file_id, file_size=len(content))
        if field == "audio":
            voice.update(mime_type="audio/ogg", file_name="call.ogg")
        else:
            voice["mime_type"] = "audio/ogg"
        return self._user_message(chat_id, sender, _kind(chat_id), {field: voice})

    def video_note(self, chat_id: int, sender: JSON | None = None) -> JSON:
        """An update: the user sent a round video message."""
        note = {"file_id": "vn-1", "file_unique_id": "vn-1", "length": 240, "duration": 4}
        return self._user_message(chat_id, sender, _kind(chat_id), {"video_note": note})

    def document(
        self,
        chat_id: int,
        sender: JSON | None = None,
        file_name: str = "plan.docx",
        content: bytes | None = None,
        file_size: int | None = None,
    ) -> JSON:
        """An update: the user sent a file (with `content`, the bot can download it; the size
        Telegram reports is `file_size`, else the content's)."""
        doc: JSON = {"file_id": "doc-1", "file_unique_id": "doc-1", "file_name": file_name}
        if content is not None:
            with self._cond:
                file_id = f"doc-{len(self.files) + 2}"
                self.files[file_id] = content
            doc.update(file_id=file_id, file_unique_id=file_id, file_size=len(content))
        if file_size is not None:
            doc["file_size"] = file_size
        return self._user_message(chat_id, sender, _kind(chat_id), {"document": doc})

    def edited(self, update: JSON, new_text: str) -> JSON:
        """An update: the user edited the message of an earlier update."""
        with self._cond:
            message = {**update["message"], "text": new_text, "edit_date": int(time.time())}
            return {"update_id": next(self._update_ids), "edited_message": message}

    def press(
        self,
        chat_id: int,
        label: str | None = None,
        data: str | None = None,
        sender: JSON | None = None,
    ) -> JSON:
        """An update: the user pressed a button (by label substring or callback data prefix)
        on the newest bot message in the chat that has one."""
        with self._cond:
            for (cid, _), message in sorted(self.messages.items(), reverse=True):
                if cid != chat_id or message.get("from", {}).get("id") != self.bot_user["id"]:
                    continue
                for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                    for button in row:
                        found = (label is not None and label in button.get("text", "")) or (
                            data is not None and str(button.get("callback_data")).startswith(data)
                        )
                        if found:
                            chat = self.chats[chat_id]
                            who = sender or self.user(chat_id if chat_id > 0 else 1001)
                            update_id = next(self._update_ids)
                            query = {
                                "id": f"cq-{update_id}",
                                "from": who,
                                "chat_instance": f"ci-{chat['id']}",
                                "message": message,
                                "data": button["callback_data"],
                            }
                            return {"update_id": update_id, "callback_query": query}
        raise LookupError(f"no button {label or data!r} in chat {chat_id}; sent: {self.texts()}")

    def forged(self, chat_id: int, data: str, sender: JSON | None = None) -> JSON:
        """An update: a callback query with any data at all (as a tampering client can send),
        on the newest bot message in the chat."""
        with self._cond:
            mine = [m for (cid, _), m in sorted(self.messages.items()) if cid == chat_id]
            update_id = next(self._update_ids)
            query = {
                "id": f"cq-{update_id}",
                "from": sender or self.user(chat_id if chat_id > 0 else 1001),
                "chat_instance": f"ci-{chat_id}",
                "message": mine[-1],
                "data": data,
            }
            return {"update_id": update_id, "callback_query": query}

    def deliver(self, *updates: JSON) -> None:
        """Queue updates for the bot's next getUpdates (the same one twice = a re-delivery)."""
        with self._cond:
            self._queue.extend(updates)
            self._queue.sort(key=lambda u: u["update_id"])
            self._changed()

    # --- what tests look at ---------------------------------------------------------------

    def calls_to(self, method: str, chat_id: int | None = None) -> list[Call]:
        """Calls to one method (optionally to one chat), in order."""
        with self._cond:
            return list(self._calls_by.get((method, chat_id), ()))

    def calls_after(self, start: int, timeout: float) -> list[Call]:
        """The calls made after the first `start`, waiting up to `timeout` for one to come."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.calls) <= start and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return self.calls[start:]

    def sent(self, chat_id: int) -> list[JSON]:
        """The bot's messages in a chat as they stand now (edits applied), oldest first."""
        with self._cond:
            return [
                m
                for (cid, _), m in sorted(self.messages.items())
                if cid == chat_id and m.get("from", {}).get("id") == self.bot_user["id"]
            ]

    def texts(self, chat_id: int | None = None) -> list[str]:
        """Texts and captions of the bot's messages (all chats when none given)."""
        with self._cond:
            chats = [chat_id] if chat_id is not None else sorted(self.chats)
            return [
                str(m.get("text") or m.get("caption") or "") for c in chats for m in self.sent(c)
            ]

    def wait_for(self, check: Callable[[], T], timeout: float = 30.0, what: str = "") -> T:
        """Block until `check()` is truthy (re-checked after every call and update); its value.

        `check()` runs outside the lock, so the bot's requests are not held up while it looks.
        """
        deadline = time.monotonic() + timeout
        while True:
            with self._cond:
                seen = self._changes
            value = check()
            if value:
                return value
            with self._cond:
                while self._changes == seen:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        recent = [(c.method, c.text[:60]) for c in self.calls[-12:]]
                        raise TimeoutError(
                            f"timed out waiting for {what or check}; recent: {recent}"
                        )
                    self._cond.wait(min(left, 0.5))

    def wait_calls(self, method: str, count: int, chat_id: int | None = None, **kw: Any) -> Call:
        """Block until at least `count` calls to `method` were made; the `count`-th one."""
        found = self.wait_for(
            lambda: len(self.calls_to(method, chat_id)) >= count,
            what=f"{count} × {method}",
            **kw,
        )
        assert found
        return self.calls_to(method, chat_id)[count - 1]

    # --- faults ---------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int,
        description: str,
        retry_after: int | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Answer the next call to `method` (to `chat_id`, if given) with an error (e.g. 429
        with retry_after, or 403 from a user who blocked the bot)."""
        with self._cond:
            fault = Fault(status, description, retry_after, chat_id=chat_id)
            self._faults.setdefault(method, []).append(fault)

    def hold(self, method: str) -> Hold:
        """Make calls to `method` block until `release(method)` (or close)."""
        with self._cond:
            return self._holds.setdefault(method, Hold())

    def release(self, method: str) -> None:
        """Let held calls to `method` through and stop holding."""
        with self._cond:
            hold = self._holds.pop(method, None)
        if hold is not None:
            hold.released.set()

    def close(self) -> None:
        """Wake every waiting long poll and held call."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

"""Voice notes as turns: check the audio, transcribe it within the caps, record what it cost.

The adapter brings the bytes (Telegram downloads the voice note; the CLI reads a file); this
service decides whether they can be heard and returns the transcript, which the adapter shows
to the rep and then plays as a text turn. Nothing is stored when the audio cannot be heard,
and the audio itself is never stored.
"""

from __future__ import annotations

from typing import Protocol

from bot.domain.audio import Clip, VoiceNote, checked
from bot.errors import VoiceRejected
from bot.llm.transcriber import Heard
from bot.services.usage import ModelCall, UsageLedger


class SpeechToText(Protocol):
    """What the service needs of a transcription model (the real one and test fakes)."""

    label: str

    async def transcribe(self, data: bytes, kind: str, seconds: float, language: str) -> Heard:
        """The words in the audio."""
        ...


class VoiceService:
    """Hears the rep's voice notes."""

    def __init__(
        self,
        transcriber: SpeechToText | None,
        ledger: UsageLedger | None = None,
        max_seconds: float = 600,
    ) -> None:
        self.transcriber = transcriber
        self.ledger = ledger
        self.max_seconds = max_seconds

    @property
    def configured(self) -> bool:
        """Whether a transcription model is set (STT_MODEL)."""
        return self.transcriber is not None

    async def hear(
        self,
        clip: Clip,
        language: str,
        user_id: int | None = None,
        session_id: str | None = None,
        team_id: int | None = None,
    ) -> VoiceNote:
        """The clip's transcript with its length and file id; `VoiceRejected` saying why when
        it cannot be heard (not configured, over the cap, bad audio, the provider failing)."""
        if self.transcriber is None:
            raise VoiceRejected("voice.not_configured")
        kind, seconds = checked(clip, self.max_seconds)
        if (
            self.ledger is not None
            and user_id is not None
            and not await self.ledger.allows(user_id)
        ):
            raise VoiceRejected("voice.budget")
        model = self.transcriber.label
        try:
            heard = await self.transcriber.transcribe(clip.data, kind, seconds, language)
        except VoiceRejected as exc:
            await self._record(
                ModelCall("stt", model, ok=False, error=exc.code, audio_seconds=seconds),
                user_id,
                session_id,
                team_id,
            )
            raise
        detail = {"kind": clip.kind, "container": kind}
        call = ModelCall("stt", model, heard.usage, detail=detail, audio_seconds=seconds)
        await self._record(call, user_id, session_id, team_id)
        if not heard.text.strip():
            raise VoiceRejected("voice.unheard")
        return VoiceNote(clip.file_id, round(seconds, 2), heard.text.strip())

    async def _record(
        self, call: ModelCall, user_id: int | None, session_id: str | None, team_id: int | None
    ) -> None:
        if self.ledger is not None:
            await self.ledger.record(call, user_id, session_id, team_id)

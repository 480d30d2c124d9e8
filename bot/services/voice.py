"""Voice notes as turns: check the audio, transcribe it within the caps, record what it cost.

The adapter brings the bytes (Telegram downloads the voice note; the CLI reads a file); this
service decides whether they can be heard and returns the transcript, which the adapter shows
to the rep and then plays as a text turn. Nothing is stored when the audio cannot be heard,
and the audio itself is never stored.
"""

from __future__ import annotations

import logging
import re
from typing import Literal, Protocol

from bot.domain.audio import Clip, VoiceNote, checked, container, measured_seconds
from bot.domain.call import Segment, call_transcript
from bot.domain.scenario import Persona
from bot.domain.transcript import Transcript
from bot.errors import ProviderError, VoiceRejected
from bot.llm.synthesis import Spoken
from bot.llm.transcriber import Heard
from bot.offline import espeak
from bot.services.usage import ModelCall, UsageLedger


class SpeechToText(Protocol):
    """What the service needs of a transcription model (the real one and test fakes)."""

    label: str

    async def transcribe(self, data: bytes, kind: str, seconds: float, language: str) -> Heard:
        """The words in the audio."""
        ...

    async def transcribe_call(
        self, data: bytes, kind: str, seconds: float, language: str | None
    ) -> tuple[list[Segment], dict[str, int]]:
        """A recording's segments (timed, and attributed where the endpoint can)."""
        ...


log = logging.getLogger(__name__)
CALL_MAX_SECONDS = 3 * 3600  # a recorded call may be long; a turn is VOICE_MAX_SECONDS
Gender = Literal["female", "male"]
_FEMALE = re.compile(r"女士|小姐|阿姨|大姐|\b(?:Ms|Mrs|Miss|Madam)\b\.?", re.IGNORECASE)
_MALE = re.compile(r"先生|大哥|\b(?:Mr|Sir)\b\.?", re.IGNORECASE)


class TextToSpeech(Protocol):
    """What the service needs of a speech model."""

    label: str

    async def speak(self, text: str, voice: str) -> Spoken:
        """The text as audio."""
        ...


def gender_of(persona: Persona) -> Gender | None:
    """The persona's gender: as the scenario says, else as its name or role says, else None."""
    if persona.gender is not None:
        return persona.gender
    said = f"{persona.name} {persona.role}"
    if _FEMALE.search(said):
        return "female"
    if _MALE.search(said):
        return "male"
    return None


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

    async def hear_call(
        self, clip: Clip, language: str | None, user_id: int | None = None
    ) -> tuple[Transcript, bool]:
        """A recorded call as rep and client turns (`bot/domain/call.py`), and whether the
        endpoint named the speakers (else the two-speaker heuristic cut it)."""
        if self.transcriber is None:
            raise VoiceRejected("voice.call_not_configured")
        kind, seconds = checked(clip, CALL_MAX_SECONDS)
        ledger = self.ledger
        if ledger is not None and user_id is not None and not await ledger.allows(user_id):
            raise VoiceRejected("voice.budget")
        model = self.transcriber.label
        try:
            segments, usage = await self.transcriber.transcribe_call(
                clip.data, kind, seconds, language
            )
        except VoiceRejected as exc:
            failed = ModelCall("stt", model, ok=False, error=exc.code, audio_seconds=seconds)
            await self._record(failed, user_id, None, None)
            raise
        detail = {"kind": "call", "container": kind, "segments": len(segments)}
        await self._record(
            ModelCall("stt", model, usage, detail=detail, audio_seconds=seconds or None),
            user_id,
            None,
            None,
        )
        transcript = call_transcript(segments)
        if not transcript.rep_turns():
            raise VoiceRejected("voice.unheard")
        return transcript, any(s.speaker for s in segments)

    async def _record(
        self, call: ModelCall, user_id: int | None, session_id: str | None, team_id: int | None
    ) -> None:
        if self.ledger is not None:
            await self.ledger.record(call, user_id, session_id, team_id)


class ReplyVoice:
    """Speaks the client's replies for reps who asked (/voice on): the TTS_MODEL where set,
    else (or when it fails, or the monthly cap is reached) espeak-ng's offline voice where
    installed."""

    def __init__(
        self,
        synthesizer: TextToSpeech | None,
        voices: dict[Gender | None, str],
        ledger: UsageLedger | None = None,
        offline: bool = True,
    ) -> None:
        self.synthesizer = synthesizer
        self.voices = voices
        self.ledger = ledger
        self.offline = offline and espeak.available()

    @property
    def available(self) -> bool:
        """Whether any voice can speak (a model or the offline one)."""
        return self.synthesizer is not None or self.offline

    async def speak(
        self,
        text: str,
        lang: str,
        persona: Persona,
        user_id: int | None = None,
        session_id: str | None = None,
    ) -> bytes | None:
        """The reply as a voice note (Ogg/Opus, or MP3/M4A as a provider sends them), or None
        when no voice could speak it; the text has been sent already, so nothing is lost."""
        ledger = self.ledger
        capped = ledger is not None and user_id is not None and not await ledger.allows(user_id)
        if self.synthesizer is not None and not capped:  # at the cap: the offline voice
            voice = self.voices.get(gender_of(persona)) or self.voices.get(None, "alloy")
            model = self.synthesizer.label
            try:
                spoken = await self.synthesizer.speak(text, voice)
            except ProviderError as exc:
                await self._record(ModelCall("tts", model, ok=False, error=exc.code), user_id)
            else:
                kind = container(spoken.audio)
                if kind in ("ogg", "mp3", "m4a"):
                    seconds = measured_seconds(spoken.audio, kind)
                    detail = {"voice": voice, "container": kind}
                    call = ModelCall(
                        "tts", model, spoken.usage, detail=detail, audio_seconds=seconds
                    )
                    await self._record(call, user_id, session_id)
                    return spoken.audio
                log.warning("speech model answered with no usable audio (%s)", kind)
        if self.offline:
            return await espeak.speak(text, lang)
        return None

    async def _record(
        self, call: ModelCall, user_id: int | None, session_id: str | None = None
    ) -> None:
        if self.ledger is not None:
            await self.ledger.record(call, user_id, session_id)

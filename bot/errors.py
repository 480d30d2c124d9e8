"""The small hierarchy of errors the services raise and each adapter translates once.

Every error carries a message-catalog key and its parameters, never user-facing prose, so the
bot, the terminal and the CLI each render it in the user's language.
"""

from __future__ import annotations

from typing import Any


class TrainerError(Exception):
    """A failure the user can understand and act on."""

    code = "error.generic"
    exit_code = 1
    """What the CLI exits with (2: a setting or argument is wrong)."""

    def __init__(self, code: str | None = None, /, **params: Any) -> None:
        self.code = code or type(self).code
        self.params = params
        detail = ", ".join(f"{k}={v}" for k, v in params.items())
        super().__init__(f"{self.code}({detail})" if detail else self.code)


class ScenarioNotFound(TrainerError):
    """No scenario with that id (or not visible to this user)."""

    code = "error.scenario_not_found"


class ScenarioInvalid(TrainerError):
    """A scenario file failed validation; `params['detail']` names file, line and field."""

    code = "error.scenario_invalid"


class TranscriptInvalid(TrainerError):
    """A written transcript could not be read."""

    code = "error.transcript_invalid"


class InputRejected(TrainerError):
    """A rep message that cannot be played: empty, too long, not text."""

    code = "error.input_rejected"


class SessionNotFound(TrainerError):
    """No such practice session for this user."""

    code = "error.session_not_found"


class NoActiveSession(TrainerError):
    """The user has no session in progress."""

    code = "error.no_active_session"


class ActiveSessionExists(TrainerError):
    """The user already has a session in progress; continue or abandon it first."""

    code = "error.active_session_exists"


class StaleButton(TrainerError):
    """A button whose data no longer means anything (an old keyboard, or made-up data)."""

    code = "loop.stale"


class WrongPhase(TrainerError):
    """The action does not fit the session's current phase."""

    code = "error.wrong_phase"


class ProviderError(TrainerError):
    """The language model provider failed after retries."""

    code = "error.provider"


class AccessDenied(TrainerError):
    """The user's role does not allow this."""

    code = "error.access_denied"


class InvalidRequest(TrainerError):
    """A value the user gave is out of range or unreadable (a due date, a score, a name)."""

    code = "team.error.invalid"


class InviteInvalid(TrainerError):
    """An invite code that is unknown, revoked or expired."""

    code = "team.error.invite_invalid"


class AssignmentNotFound(TrainerError):
    """No such assignment visible to this user."""

    code = "team.error.assignment_not_found"


class VoiceRejected(TrainerError):
    """A voice note or audio file that cannot be heard (empty, too long, not audio, the
    transcription service failing); nothing of it was played or stored."""

    code = "voice.unheard"

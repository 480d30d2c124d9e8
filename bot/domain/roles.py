"""Who may do what: operators, trainers and reps, globally and inside one team.

Two levels. Globally, operators come from settings, trainers are granted by an operator, and
everyone else is a rep. Inside a team, a membership is either a trainer's or a rep's; an
operator acts as a trainer in every team. Every check the services make goes through `can`.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A user's standing, from most to least powerful."""

    OPERATOR = "operator"
    TRAINER = "trainer"
    REP = "rep"


class Action(StrEnum):
    """Everything the training side lets someone do."""

    GRANT_TRAINER = "grant_trainer"
    CREATE_TEAM = "create_team"
    MANAGE_TEAM = "manage_team"  # invites, linked group chat
    ASSIGN = "assign"
    REVIEW = "review"  # team sessions, transcripts, completion summaries
    COMMENT = "comment"
    OVERRIDE = "override"
    EXPORT = "export"
    UPLOAD_SCENARIO = "upload_scenario"
    VIEW_BOARD = "view_board"
    PLAY_TEAM_SCENARIO = "play_team_scenario"
    DO_TASKS = "do_tasks"


_TRAINING = frozenset(
    {
        Action.MANAGE_TEAM,
        Action.ASSIGN,
        Action.REVIEW,
        Action.COMMENT,
        Action.OVERRIDE,
        Action.EXPORT,
        Action.UPLOAD_SCENARIO,
        Action.VIEW_BOARD,
        Action.PLAY_TEAM_SCENARIO,
    }
)
_PRACTICE = frozenset({Action.VIEW_BOARD, Action.PLAY_TEAM_SCENARIO, Action.DO_TASKS})

GLOBAL_PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.OPERATOR: frozenset({Action.GRANT_TRAINER, Action.CREATE_TEAM}),
    Role.TRAINER: frozenset({Action.CREATE_TEAM}),
    Role.REP: frozenset(),
}
TEAM_PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.OPERATOR: _TRAINING,
    Role.TRAINER: _TRAINING,
    Role.REP: _PRACTICE,
}
TRAINER_ACTIONS: frozenset[Action] = _TRAINING - _PRACTICE
"""What a rep is refused inside a team (the trainer commands)."""


def global_role(is_operator: bool, is_trainer: bool) -> Role:
    """A user's global role from the settings' operator list and the operator's grants."""
    if is_operator:
        return Role.OPERATOR
    return Role.TRAINER if is_trainer else Role.REP


def team_role(global_: Role, membership: Role | None) -> Role | None:
    """The role a user acts with inside one team (None: an outsider)."""
    return Role.OPERATOR if global_ == Role.OPERATOR else membership


def can(role: Role | None, action: Action, in_team: bool = True) -> bool:
    """Whether someone with this role may take this action (in a team, or globally)."""
    if role is None:
        return False
    table = TEAM_PERMISSIONS if in_team else GLOBAL_PERMISSIONS
    return action in table[role]

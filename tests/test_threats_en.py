"""English escalation read by meaning: the rep's side as the agent of a legal or escalation
step aimed at the client is a threat; an echo, a negation, reported speech or a neutral step
to the same authority is not."""

from __future__ import annotations

import pytest

from bot.reading.lexical import read
from bot.reading.types import Dialogue, Line


def _tone(rep: str, client: str = "We are still waiting on the bureau.") -> str:
    return read(Dialogue(rep=rep, context=(Line("client", client),), lang="en")).tone


@pytest.mark.parametrize(
    "rep",
    [
        "If you don't pay we will report this to the finance bureau and everyone will look bad.",
        "I will have to escalate this to your director if nothing moves this week.",
        "My company will take this to court.",
        "Frankly, we're going to complain to the audit office about the delay.",
        "We'll bring the matter to the discipline commission.",
        "If this drags on, we'll have no choice but to refer the matter to arbitration.",
    ],
)
def test_the_reps_side_taking_the_client_to_an_authority_is_a_threat(rep: str) -> None:
    assert _tone(rep) == "threat"


@pytest.mark.parametrize(
    "rep",
    [
        "Our legal department is already preparing the documents.",
        "Think carefully about what happens next.",
        "Our lawyers have the file now, so it's your call.",
        "I'd hate for this to end up with our legal team.",
        "We'll be forced to notify the audit office about the delay.",
    ],
)
def test_a_legal_side_at_work_or_a_hinted_consequence_is_a_veiled_threat(rep: str) -> None:
    assert _tone(rep) == "veiled_threat"


@pytest.mark.parametrize(
    ("rep", "client"),
    [
        (
            "No, we would never go to lawyers over this. We want to solve it together.",
            "Will you sue?",
        ),
        (
            "So the finance bureau audit is what worries you most.",
            "The finance bureau will audit us.",
        ),
        (
            "You said your lawyers might get involved; I can see that worries you.",
            "Our lawyers may step in.",
        ),
        ("We will send the invoice to the finance bureau by Friday.", "Send the invoice first."),
        ("What does the bureau need from us to release it?", "The bureau is strict."),
        ("No, we will not report this to the finance bureau.", "Will you report us?"),
        ("I'll report back to you by Friday.", "When will I hear back?"),
        ("We'll raise an invoice to your finance department today.", "We need an invoice."),
        ("I'll escalate internally to our head office to speed up the certificates.", "Late."),
        ("Our legal team reviewed the contract and the amount is correct.", "Is the amount right?"),
        (
            "We could ask our lawyers to help draft the supplement with your legal office.",
            "The wording is unclear.",
        ),
    ],
)
def test_echoes_negations_and_neutral_steps_are_calm(rep: str, client: str) -> None:
    assert _tone(rep, client) == "calm"

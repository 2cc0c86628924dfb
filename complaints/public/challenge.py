"""The web intake form's one-time token and arithmetic question (no outside service, no session).

A token is ``django.core.signing`` of ``{"n": nonce, "a": a, "b": b}``: the question travels with
the form, signed, so the server keeps nothing until the form comes back. The nonce is the
``Idempotency-Key`` of the filing (``services.complaint_file_web``): a form sent twice files one
complaint. The question is a speed bump against scripts, not a secret (it is printed on the page);
the limits per address and per phone do the rest.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

SALT = "complaints.public.complain"


def max_age() -> int:
    """How long a form stays good (seconds): ``PUBLIC_COMPLAIN_FORM_MAX_AGE``, default 2 hours."""
    return getattr(settings, "PUBLIC_COMPLAIN_FORM_MAX_AGE", 2 * 3600)


@dataclass(frozen=True)
class Challenge:
    token: str
    nonce: str
    a: int
    b: int

    @property
    def answer(self) -> int:
        return self.a + self.b


def challenge_new() -> Challenge:
    nonce = secrets.token_urlsafe(16)
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = signing.dumps({"n": nonce, "a": a, "b": b}, salt=SALT, compress=False)
    return Challenge(token=token, nonce=nonce, a=a, b=b)


class ChallengeInvalid(Exception):
    """A token that was not made here (tampered, another key) or that cannot be read."""


class ChallengeExpired(Exception):
    """A genuine token older than ``max_age()``; carries the challenge (its nonce may have filed)."""

    def __init__(self, challenge: Challenge):
        super().__init__("expired")
        self.challenge = challenge


def challenge_read(token: str) -> Challenge:
    """The challenge a token carries; ``ChallengeInvalid`` or ``ChallengeExpired`` otherwise."""
    try:
        data = signing.loads(token or "", salt=SALT)
        challenge = Challenge(token=token, nonce=str(data["n"]), a=int(data["a"]), b=int(data["b"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ChallengeInvalid from None
    try:
        signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired:
        raise ChallengeExpired(challenge) from None
    return challenge

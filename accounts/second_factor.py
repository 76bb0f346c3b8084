"""Wrong second-factor codes are limited per clinician, across sessions, IPs and app servers.

A code (TOTP or recovery code) is guessed from a small space, so attempts must be scarce:

- every code typed takes one of `MFA_WRONG_CODES_LIMIT` attempt slots for that user before it is
  checked; a right code frees them all, a wrong one keeps its slot for the cool-off
  (`AXES_COOLOFF_TIME`). With every slot taken, codes are refused, even the right one, until the
  oldest slot expires: the second step is locked for that user.
- `MFA_WRONG_CODES_PER_SIGN_IN` wrong codes end the pending sign-in (the password must be typed
  again, which the password lock-out counts).

Slots live in the shared cache (database or Redis, see settings.CACHES) and are taken with
`cache.add`, which is atomic on both, so parallel guesses cannot share a slot. Taking the slot before
checking the code means that a burst of simultaneous guesses is limited as well as a series.
Security keys are not limited here: their answer cannot be guessed, and they keep working while
codes are locked, so an attacker who knows the password cannot lock the clinician out with them.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.http import HttpRequest

# In the session of a pending sign-in: how many wrong codes it has had.
WRONG_CODES_SESSION_KEY = "mfa_wrong_codes"


def _limit() -> int:
    return max(1, int(settings.MFA_WRONG_CODES_LIMIT))


def _cool_off_seconds() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds()))


def _slot_keys(user: AbstractBaseUser) -> list[str]:
    return [f"mfa-code-attempt:{user.pk}:{slot}" for slot in range(_limit())]


def take_attempt(user: AbstractBaseUser) -> int | None:
    """Take a free attempt slot for this user: its number, or None when every slot is taken (locked)."""
    for slot, key in enumerate(_slot_keys(user)):
        if cache.add(key, 1, timeout=_cool_off_seconds()):
            return slot
    return None


def is_last_slot(slot: int) -> bool:
    return slot >= _limit() - 1


def is_locked(user: AbstractBaseUser) -> bool:
    return len(cache.get_many(_slot_keys(user))) >= _limit()


def clear(user: AbstractBaseUser) -> None:
    """A right code (or an administrator) frees every slot."""
    cache.delete_many(_slot_keys(user))


def count_wrong_code_in_sign_in(request: HttpRequest) -> bool:
    """Count one wrong code against the pending sign-in; True when that sign-in must now end."""
    wrong = int(request.session.get(WRONG_CODES_SESSION_KEY, 0)) + 1
    request.session[WRONG_CODES_SESSION_KEY] = wrong
    return wrong >= int(settings.MFA_WRONG_CODES_PER_SIGN_IN)


def forget_sign_in(request: HttpRequest) -> None:
    request.session.pop(WRONG_CODES_SESSION_KEY, None)


def cool_off_minutes() -> int:
    return max(1, _cool_off_seconds() // 60)

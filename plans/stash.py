"""A form posted just after an automatic logoff, kept in the signed-out session for the same clinician.

accounts.middleware.SessionTimeoutMiddleware keeps it (`stash_post`); the editor views show it again,
unsaved, once the same clinician has signed in again on the same page (`take_stashed_post`).
"""

from django.http import HttpRequest

STASH_KEY = "stashed_post"


def stash_post(request: HttpRequest, *, user_id: int, data: dict[str, list[str]]) -> None:
    """Keep `data` (posted to this path by `user_id`) in the current, signed-out session."""
    request.session[STASH_KEY] = {"path": request.path, "user_id": user_id, "data": data}


def take_stashed_post(request: HttpRequest) -> dict[str, list[str]] | None:
    """The form this clinician posted just after being signed out, for this page, once."""
    stash = request.session.get(STASH_KEY)
    if not stash or stash.get("path") != request.path or stash.get("user_id") != request.user.pk:
        return None
    del request.session[STASH_KEY]
    data: dict[str, list[str]] = stash["data"]
    return data

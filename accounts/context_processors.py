from django.conf import settings
from django.http import HttpRequest


def session_timeouts(request: HttpRequest) -> dict[str, int]:
    """Lets the idle warning know when the server will sign the clinician out."""
    return {
        "session_idle_timeout": settings.SESSION_IDLE_TIMEOUT,
        "session_idle_warning": settings.SESSION_IDLE_WARNING,
    }

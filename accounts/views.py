from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST


@login_required
@require_POST
def keep_alive(request: HttpRequest) -> JsonResponse:
    """The clinician pressed "Stay signed in" in the idle warning (never called on a timer)."""
    import time

    request.session["last_activity"] = time.time()
    return JsonResponse({"status": "ok", "idle_timeout": settings.SESSION_IDLE_TIMEOUT})

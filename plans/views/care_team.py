"""A client's care team: everyone on it sees who is on it; its lead clinician changes it.

Administrators change care teams in the admin. Every change goes through plans/actions.py and is audited.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import actions, audit
from ..access import get_client_for, is_lead, signed_in_user
from ..forms.care_team import AddMemberForm
from ..models import AuditEvent, CareTeamMember, Client
from .common import audit_read


def _page(
    request: HttpRequest, client: Client, form: AddMemberForm, *, lead: bool, refused: bool = False
) -> HttpResponse:
    members = list(client.care_team.select_related("user").order_by("role", "user__username"))
    leads = sum(1 for member in members if member.role == CareTeamMember.Role.LEAD)
    return render(
        request,
        "plans/care_team.html",
        {
            "client": client,
            "members": members,
            "leads": leads,
            "form": form,
            "lead": lead,
            "refusal": _("Only the lead clinician can change the care team.") if refused else "",
        },
        status=403 if refused else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def care_team(request: HttpRequest, pk: int) -> HttpResponse:
    """The care team, and (for its lead) a form to add someone by username."""
    client = get_client_for(request, pk)
    user = signed_in_user(request)
    lead = is_lead(client, user)
    if request.method != "POST":
        audit_read(request, client, AuditEvent.Action.CLIENT_VIEWED, "care-team")
        return _page(request, client, AddMemberForm(client=client), lead=lead)
    if not lead:
        return _page(request, client, AddMemberForm(client=client), lead=lead, refused=True)
    form = AddMemberForm(request.POST, client=client)
    if not form.is_valid():
        return _page(request, client, form, lead=lead)
    added = form.cleaned_data["username"]
    try:
        actions.add_to_care_team(
            client=client, user=added, by=user, role=form.cleaned_data["role"], ip=audit.client_ip(request)
        )
    except actions.NotAllowedError:
        return _page(request, client, AddMemberForm(client=client), lead=False, refused=True)
    messages.success(request, _("%(username)s is now on the care team.") % {"username": added.get_username()})
    return redirect("plans:care_team", pk=client.pk)


@login_required
@require_POST
def care_team_remove(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    client = get_client_for(request, pk)
    removed = get_object_or_404(client.care_team.select_related("user"), pk=member)
    user = signed_in_user(request)
    if not is_lead(client, user):
        return _page(request, client, AddMemberForm(client=client), lead=False, refused=True)
    try:
        actions.remove_from_care_team(client=client, user=removed.user, by=user, ip=audit.client_ip(request))
    except actions.LastLeadError:
        messages.error(
            request,
            _("A client always needs a lead clinician. Add another lead first, then remove this one."),
        )
        return redirect("plans:care_team", pk=client.pk)
    except actions.NotAllowedError:
        return _page(request, client, AddMemberForm(client=client), lead=False, refused=True)
    if removed.user_id == user.pk:
        messages.success(request, _("You are no longer on this client's care team."))
        return redirect("plans:client_list")
    messages.success(
        request, _("%(username)s is no longer on the care team.") % {"username": removed.user.get_username()}
    )
    return redirect("plans:care_team", pk=client.pk)

"""A client's follow-up: its page, starting it, recording a contact, correcting a record, confirming an agreed
step for safer surroundings, and ending it. Every URL takes the client first (care team, or 404)."""

import dataclasses
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from plans import actions as plan_actions
from plans import audit, checklist
from plans.access import get_client_for, signed_in_user
from plans.compare import compare_plans
from plans.content import PlanContent
from plans.models import AuditEvent, Client, PlanVersion, SafetyPlan

from .. import actions
from ..forms import ConfirmForm, ContactForm, CorrectionForm, EndForm, StartForm
from ..models import MIN_CONTACTS_BEFORE_ENGAGED, Contact, ContactRecord, FollowUp
from ..worklist import state_of


def _read(request: HttpRequest, client: Client, target: str) -> None:
    plan_actions.record_access(
        client=client,
        by=signed_in_user(request),
        action=AuditEvent.Action.PLAN_VIEWED,
        target=target,
        ip=audit.client_ip(request),
    )


def _open_follow_up(client: Client) -> FollowUp | None:
    return FollowUp.objects.filter(client=client, ended_at__isnull=True).first()


def _contact(client: Client, contact: int) -> Contact:
    """A contact of one of the client's follow-ups (through the client already fetched), else 404."""
    return get_object_or_404(
        Contact.objects.with_attempts().select_related("follow_up"), pk=contact, follow_up__client=client
    )


@login_required
def client_followup(request: HttpRequest, pk: int) -> HttpResponse:
    """Every follow-up of the client, newest first, with its contacts and what each attempt found."""
    client = get_client_for(request, pk)
    records = ContactRecord.objects.select_related("recorded_by").order_by("attempt", "pk")
    contacts = (
        Contact.objects.with_attempts().prefetch_related(Prefetch("records", queryset=records)).order_by("number")
    )
    follow_ups = list(
        FollowUp.objects.filter(client=client)
        .prefetch_related(Prefetch("contacts", queryset=contacts))
        .order_by("-started_at")
    )
    _read(request, client, "followup")
    now = timezone.now()
    open_ids = set(Contact.objects.open().filter(follow_up__client=client).values_list("pk", flat=True))
    for follow_up in follow_ups:
        for item in follow_up.contacts.all():
            made = [record for record in item.records.all() if record.corrects_id is None]
            if item.pk in open_ids:
                outcome = state_of(item.due_at, now)
            elif any(record.reached for record in made):
                outcome = "reached"
            else:
                outcome = "not_reached" if len(made) >= item.attempts_allowed else "ended"
            item.outcome = outcome  # type: ignore[attr-defined]
    return render(
        request,
        "followup/client_followup.html",
        {
            "client": client,
            "follow_ups": follow_ups,
            "open_ids": open_ids,
            "has_plan": plan_actions.client_plan(client) is not None,
            "min_contacts": MIN_CONTACTS_BEFORE_ENGAGED,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_client_for(request, pk)
    if plan_actions.client_plan(client) is None:
        messages.info(request, _("Make the safety plan first; follow-up starts from a plan."))
        return redirect("plans:plan_edit", pk=client.pk)
    if _open_follow_up(client) is not None:
        messages.info(request, _("Follow-up is already running for this client."))
        return redirect("followup:client", pk=client.pk)
    form = StartForm(
        request.POST or None, initial={"started_at": timezone.localtime().replace(second=0, microsecond=0)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.start_follow_up(
                client=client,
                by=signed_in_user(request),
                setting=form.cleaned_data["setting"],
                started_at=form.cleaned_data["started_at"],
                ip=audit.client_ip(request),
            )
        except actions.AlreadyRunningError:
            messages.info(request, _("Follow-up is already running for this client."))
        else:
            messages.success(request, _("Follow-up started. The first contact is due within 72 hours."))
        return redirect("followup:client", pk=client.pk)
    return render(request, "followup/start.html", {"client": client, "form": form})


def _version_during(client: Client, contact: Contact, number: Any, user_pk: int) -> PlanVersion | None:
    """Version `number` of the plan if this clinician saved it while this contact was open, else None."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        return None
    return (
        PlanVersion.objects.filter(
            plan__client=client, number=number, created_by_id=user_pk, created_at__gte=contact.created_at
        )
        .select_related("plan")
        .first()
    )


def _what_changed(version: PlanVersion | None) -> Any:
    if version is None:
        return None
    previous = version.plan.versions.filter(number=version.number - 1).first()
    before = PlanContent.from_json(previous.snapshot) if previous else PlanContent()
    return compare_plans(before, PlanContent.from_json(version.snapshot))


def _means(plan: SafetyPlan | None) -> tuple[list[Any], list[Any]]:
    """Every agreed step for safer surroundings, and a confirmation form for each one not yet confirmed
    (plans.checklist.unconfirmed_means finds them, as at a review)."""
    content = PlanContent.from_plan(plan, with_notes=False)
    entries = content.sections.get("means_safety", [])
    unconfirmed = set(checklist.unconfirmed_means(content))
    today = timezone.localdate()
    rows = [
        {
            "entry": entry,
            "form": ConfirmForm(initial={"uid": entry.uid, "confirmed_on": today}, prefix=f"m{position}")
            if position in unconfirmed
            else None,
            "prefix": f"m{position}",
            "entries": [entry],
        }
        for position, entry in enumerate(entries, start=1)
    ]
    return rows, entries


def _contact_url(client: Client, contact: Contact) -> str:
    return reverse("followup:contact", kwargs={"pk": client.pk, "contact": contact.pk})


def _contact_page(
    request: HttpRequest, client: Client, contact: Contact, form: ContactForm, version: PlanVersion | None
) -> HttpResponse:
    plan = plan_actions.client_plan(client)
    means, _entries = _means(plan)
    latest = plan.versions.defer("snapshot").order_by("-number").first() if plan else None
    here = _contact_url(client, contact)
    records = list(contact.records.select_related("recorded_by", "version").order_by("attempt", "pk"))
    corrected = {record.corrects_id for record in records if record.corrects_id}
    return render(
        request,
        "followup/contact.html",
        {
            "client": client,
            "contact": contact,
            "follow_up": contact.follow_up,
            "is_open": Contact.objects.open().filter(pk=contact.pk).exists()
            and not any(r.reached for r in records if not r.corrects_id),
            "state": state_of(contact.due_at, timezone.now()),
            "form": form,
            "means": means,
            "plan": plan,
            "records": records,
            "corrected": corrected,
            "version": version,
            "comparison": _what_changed(version),
            "unsaved_changes": plan is not None and (latest is None or latest.revision != plan.revision),
            "next_query": urlencode({"next": here}),
        },
    )


def _contact_data(form: ContactForm, version: PlanVersion | None, plan: SafetyPlan | None) -> actions.ContactData:
    data = form.cleaned_data
    return actions.ContactData(
        reached=bool(data["reached"]),
        method=data["method"],
        left_message=data["left_message"],
        how_doing=data["how_doing"],
        used_plan=data["used_plan"],
        steps_helped=tuple(data["steps_helped"]),
        got_in_way=data["got_in_way"],
        means_checked=data["means_checked"],
        next_appointment=data["next_appointment"],
        appointment_note=data["appointment_note"],
        version=version,
        means_status=actions.means_status(plan),
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest, pk: int, contact: int) -> HttpResponse:
    """One contact: its attempts so far, the re-check of the agreed steps for safer surroundings, and the form
    for the next attempt. `?version=N` names the plan version saved during it (the editor sends it back)."""
    client = get_client_for(request, pk)
    found = _contact(client, contact)
    user = signed_in_user(request)
    raw_version = request.POST.get("version") if request.method == "POST" else request.GET.get("version")
    version = _version_during(client, found, raw_version, user.pk)
    form = ContactForm(request.POST or None, initial={"version": version.number if version else None})
    if request.method == "POST" and form.is_valid():
        if raw_version and version is None:
            form.add_error(None, _("That plan version was not saved during this contact, so it can't be linked to it."))
        else:
            try:
                actions.record_contact(
                    client=client,
                    by=user,
                    contact=found,
                    data=_contact_data(form, version, plan_actions.client_plan(client)),
                    ip=audit.client_ip(request),
                )
            except actions.ContactClosedError:
                messages.info(request, _("This contact was already completed; nothing was recorded twice."))
            else:
                messages.success(request, _("Contact recorded."))
            return redirect("followup:contact", pk=client.pk, contact=found.pk)
    _read(request, client, f"contact:{found.pk}")
    return _contact_page(request, client, found, form, version)


@login_required
@require_POST
def confirm_means(request: HttpRequest, pk: int, contact: int) -> HttpResponse:
    """Mark one agreed step for safer surroundings as confirmed done: saved in the plan itself."""
    client = get_client_for(request, pk)
    found = _contact(client, contact)
    prefix = request.POST.get("prefix", "")
    form = ConfirmForm(request.POST, prefix=prefix if prefix.startswith("m") and prefix[1:].isdigit() else "m0")
    back = _contact_url(client, found) + "#safer-surroundings"
    if not form.is_valid():
        messages.error(request, _("Nothing was confirmed: choose a date that is not in the future."))
        return redirect(back)
    try:
        actions.confirm_means_step(
            client=client,
            by=signed_in_user(request),
            uid=str(form.cleaned_data["uid"]),
            confirmed_on=form.cleaned_data["confirmed_on"],
            ip=audit.client_ip(request),
        )
    except (actions.FollowUpError, plan_actions.StalePlanError):
        messages.error(request, _("Nothing was confirmed: the plan changed meanwhile. Check the list and try again."))
    else:
        messages.success(
            request, _("Confirmed done, and saved in the plan. Save a version when the review is finished.")
        )
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    """Correct a record: a new record pointing to it (the record itself never changes)."""
    client = get_client_for(request, pk)
    old = get_object_or_404(
        ContactRecord.objects.select_related("contact__follow_up", "version"),
        pk=record,
        contact__follow_up__client=client,
    )
    if ContactRecord.objects.filter(corrects=old).exists():
        messages.info(request, _("This record was already corrected; correct the newest one."))
        return redirect("followup:contact", pk=client.pk, contact=old.contact_id)
    initial = {
        "reached": "yes" if old.reached else "no",
        "method": old.method,
        "left_message": old.left_message,
        "how_doing": old.how_doing,
        "used_plan": old.used_plan,
        "steps_helped": old.steps_helped_list,
        "got_in_way": old.got_in_way,
        "means_checked": old.means_checked,
        "next_appointment": old.next_appointment,
        "appointment_note": old.appointment_note,
        "version": old.version.number if old.version else None,
    }
    form = CorrectionForm(request.POST or None, initial=initial, reached=old.reached)
    if request.method == "POST" and form.is_valid():
        data = _contact_data(form, old.version, plan_actions.client_plan(client))
        if old.reached and old.means_checked == data.means_checked:
            data = dataclasses.replace(data, means_status=old.means_status)  # as it was then
        actions.correct_record(
            client=client,
            by=signed_in_user(request),
            record=old,
            data=data,
            note=form.cleaned_data["correction_note"],
            ip=audit.client_ip(request),
        )
        messages.success(request, _("Correction recorded. The earlier record is kept as it was."))
        return redirect("followup:contact", pk=client.pk, contact=old.contact_id)
    _read(request, client, f"record:{old.pk}")
    return render(request, "followup/correct.html", {"client": client, "record": old, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def end(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_client_for(request, pk)
    follow_up = _open_follow_up(client)
    if follow_up is None:
        messages.info(request, _("No follow-up is running for this client."))
        return redirect("followup:client", pk=client.pk)
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_follow_up(
                client=client,
                by=signed_in_user(request),
                follow_up=follow_up,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                ip=audit.client_ip(request),
            )
        except actions.TooFewContactsError:
            form.add_error(
                "reason",
                _("Follow-up ends on engagement in care after at least %(n)s contacts that reached the client.")
                % {"n": MIN_CONTACTS_BEFORE_ENGAGED},
            )
        else:
            messages.success(request, _("Follow-up ended."))
            return redirect("followup:client", pk=client.pk)
    reached = actions.contacts_reached(follow_up)
    return render(
        request,
        "followup/end.html",
        {"client": client, "form": form, "reached": reached, "min_contacts": MIN_CONTACTS_BEFORE_ENGAGED},
    )

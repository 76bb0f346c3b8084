"""Together mode: one step at a time, large type, no clinician fields, nothing lost switching."""

from django.urls import reverse

from plans.models import SafetyPlan, StepNote

from .factories import save, texts
from .helpers import form_data_from_page


def together_url(pk, step):
    return reverse("plans:plan_together", args=[pk, step])


def test_it_shows_one_step_with_progress_and_no_clinician_fields(alice_client, client_record):
    page = alice_client.get(together_url(client_record.pk, 3)).content.decode()
    assert "Step 3 of 7" in page
    assert 'aria-current="step"' in page
    assert "social_people-TOTAL_FORMS" in page and "social_places-TOTAL_FORMS" in page
    assert "warning_signs-TOTAL_FORMS" not in page
    assert "-likelihood" not in page and "-barriers" not in page
    assert "What might get in the way" not in page
    assert "For the clinician" not in page
    assert 'class="together"' in page


def test_next_saves_the_step_and_moves_on(alice_client, alice, client_record):
    save(client_record, alice, coping=[{"text": "Walk"}])
    StepNote.objects.create(plan=SafetyPlan.objects.get(), step=1, likelihood=3, barriers="Kept by clinician")
    data = form_data_from_page(alice_client, together_url(client_record.pk, 1))
    data["warning_signs-0-text"] = "Me aíslo de todos"
    data["go"] = "next"
    response = alice_client.post(together_url(client_record.pk, 1), data)
    assert response["Location"] == together_url(client_record.pk, 2)
    plan = SafetyPlan.objects.get()
    assert texts(plan, "warning_signs") == ["Me aíslo de todos"]
    # Steps and fields not on the page are left alone.
    assert texts(plan, "coping") == ["Walk"]
    assert StepNote.objects.get(plan=plan, step=1).barriers == "Kept by clinician"


def test_back_and_finish_navigate_after_saving(alice_client, client_record):
    data = form_data_from_page(alice_client, together_url(client_record.pk, 7))
    data["most_important"] = "我的孩子"
    data["go"] = "back"
    assert alice_client.post(together_url(client_record.pk, 7), data)["Location"] == together_url(client_record.pk, 6)
    assert SafetyPlan.objects.get().most_important == "我的孩子"
    data = form_data_from_page(alice_client, together_url(client_record.pk, 7))
    data["go"] = "finish"
    assert alice_client.post(together_url(client_record.pk, 7), data)["Location"] == reverse(
        "plans:plan_edit", args=[client_record.pk]
    )


def test_the_editor_shows_what_was_typed_in_together_mode(alice_client, client_record):
    data = form_data_from_page(alice_client, together_url(client_record.pk, 2))
    data["coping-0-text"] = "الاستماع إلى الموسيقى"
    data["go"] = "stay"
    alice_client.post(together_url(client_record.pk, 2), data)
    assert (
        "الاستماع إلى الموسيقى"
        in alice_client.get(reverse("plans:plan_edit", args=[client_record.pk])).content.decode()
    )


def test_an_unknown_step_is_404(alice_client, client_record):
    assert alice_client.get(together_url(client_record.pk, 8)).status_code == 404
    assert alice_client.get(together_url(client_record.pk, 0)).status_code == 404


def test_row_operations_work_in_together_mode(alice_client, alice, client_record):
    save(client_record, alice, reasons=[{"text": "A"}, {"text": "B"}])
    data = form_data_from_page(alice_client, together_url(client_record.pk, 7))
    data["op"] = "down:reasons:0"
    alice_client.post(together_url(client_record.pk, 7), data)
    assert texts(SafetyPlan.objects.get(), "reasons") == ["B", "A"]


def test_together_mode_refuses_sections_of_other_steps(alice_client, client_record):
    data = form_data_from_page(alice_client, together_url(client_record.pk, 1))
    data["op"] = "add:coping"
    assert alice_client.post(together_url(client_record.pk, 1), data).status_code == 400

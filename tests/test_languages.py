"""The client's copy in their language while the clinician works in theirs."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from plans.models import CrisisResource, StepText, Suggestion
from plans.steps import STEPS

from .factories import make_plan
from .pdfs import all_text

LOCALE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
SPANISH = {
    "warning_signs": ["No duermo bien", "Me quedo en la cama todo el día"],
    "coping": ["Salir a caminar con mi perro"],
    "help_people": ["Mi hermana Lucía"],
}


def pdf(http, name: str, client_record, **query: str) -> bytes:
    response = http.get(reverse(f"printing:{name}", args=[client_record.pk]), query)
    assert response.status_code == 200, response.get("Location")
    return response.content


def printed_english() -> list[str]:
    """Runs of words of our own English that print: msgids used by print templates, printing and the steps."""
    text = LOCALE.read_text()
    fragments: set[str] = set()
    for block in text.split("\n\n"):
        if not re.search(r"^#: .*(templates/pdf/|printing/(card|plan|document)\.py|plans/steps\.py)", block, re.M):
            continue
        match = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if not match:
            continue
        msgid = "".join(re.findall(r'"(.*)"', match.group(1))).replace('\\"', '"')
        for piece in re.split(r"%\(\w+\)s|<[^>]+>|[“”\"'()]", msgid):
            words = " ".join(piece.split())
            if len(words) >= 12 and " " in words:
                fragments.add(words)
    return sorted(fragments)


@pytest.fixture
def spanish_client(client_record):
    client_record.preferred_language = "es"
    client_record.save()
    make_plan(client_record, texts=SPANISH, most_important="Mis hijos")
    return client_record


def test_the_english_we_look_for_is_really_printed_for_an_english_client(alice_client, client_record):
    make_plan(client_record, texts=SPANISH)
    text = " ".join(all_text(pdf(alice_client, "plan_pdf", client_record)).split())
    fragments = printed_english()
    assert len(fragments) > 30
    assert sum(fragment in text for fragment in fragments) >= 10  # the check below would catch English


def test_a_spanish_speaking_clients_plan_and_card_carry_none_of_our_english(alice_client, spanish_client):
    plan_text = " ".join(all_text(pdf(alice_client, "plan_pdf", spanish_client)).split())
    card_text = " ".join(all_text(pdf(alice_client, "card_pdf", spanish_client)).split())
    for text in (plan_text, card_text):
        english = [fragment for fragment in printed_english() if fragment in text]
        assert not english, english
    assert "Mi plan de seguridad" in plan_text and "Página 1 de" in plan_text
    assert "Señales" in plan_text and "Lo que más me importa" in plan_text
    assert "Cómo hacer la tarjeta de bolsillo" in card_text
    # The client's own words, as typed; dates in Spanish; the 988 line in the Spanish it offers.
    assert "Me quedo en la cama todo el día" in plan_text and "Mis hijos" in plan_text
    assert re.search(r"\d+ de \w+ de \d{4}", plan_text)
    assert "988 Línea de Prevención del Suicidio y Crisis" in plan_text
    assert "988: llame y oprima 2" in card_text


def test_the_clinician_works_in_english_while_the_client_prints_in_spanish(alice_client, spanish_client):
    page = alice_client.get(reverse("plans:client_list")).content.decode()
    assert '<html lang="en"' in page and "Clients" in page
    editor = alice_client.get(reverse("plans:plan_edit", args=[spanish_client.pk])).content.decode()
    assert "Signs that a hard time may be starting" in editor and "Señales de" not in editor
    options = alice_client.get(reverse("printing:print_plan", args=[spanish_client.pk])).content.decode()
    assert "Print in" in options and 'value="es" checked' in options
    assert "Mi plan de seguridad" in all_text(pdf(alice_client, "plan_pdf", spanish_client))


def test_the_plan_as_the_client_reads_it_is_in_their_language_inside_the_clinicians_page(alice_client, spanish_client):
    page = alice_client.get(reverse("plans:client_detail", args=[spanish_client.pk])).content.decode()
    assert "Edit plan" in page  # the clinician's page
    assert '<div lang="es" dir="ltr">' in page and "Lo que más me importa" in page


def test_together_mode_follows_the_clients_language(alice_client, spanish_client):
    page = alice_client.get(reverse("plans:plan_together", args=[spanish_client.pk, 1])).content.decode()
    assert '<html lang="es" dir="ltr">' in page
    assert "Paso 1 de 7" in page and "Signs that a hard time" not in page
    response = alice_client.post(
        reverse("plans:plan_together", args=[spanish_client.pk, 1]), {"revision": "x"}, follow=True
    )
    assert response.status_code == 400  # a tampered form, whatever the language


def test_the_clinician_can_choose_the_language_of_their_screens(alice_client, alice):
    assert "Clients" in alice_client.get(reverse("plans:client_list")).content.decode()
    response = alice_client.post(reverse("clinician_language"), {"language": "es"}, follow=True)
    assert '<html lang="es"' in response.content.decode()
    assert "Sus pantallas están ahora en este idioma." in response.content.decode()
    page = alice_client.get(reverse("plans:client_list")).content.decode()
    assert '<html lang="es"' in page and "Clients" not in page
    alice_client.post(reverse("clinician_language"), {"language": ""})
    assert '<html lang="en"' in alice_client.get(reverse("plans:client_list")).content.decode()
    assert alice_client.post(reverse("clinician_language"), {"language": "xx"}).status_code == 200  # refused
    assert alice.clinician_settings.language == ""


def test_without_a_choice_the_screens_follow_the_browser(alice_client):
    page = alice_client.get(reverse("plans:client_list"), headers={"accept-language": "es"}).content.decode()
    assert '<html lang="es"' in page


def test_a_language_we_have_no_wording_for_prints_in_english_and_says_so(alice_client, client_record):
    client_record.preferred_language = "ht"
    client_record.save()
    make_plan(client_record, texts={"warning_signs": ["Mwen pa ka dòmi"]})
    options = alice_client.get(reverse("printing:print_plan", args=[client_record.pk])).content.decode()
    assert "Headings will print in English: there is no wording in" in options
    text = all_text(pdf(alice_client, "plan_pdf", client_record))
    assert "My safety plan" in text and "Mwen pa ka dòmi" in text


def test_the_clinician_can_print_in_another_language_than_the_clients(alice_client, spanish_client):
    text = all_text(pdf(alice_client, "plan_pdf", spanish_client, lang="en"))
    assert "My safety plan" in text and "No duermo bien" in text
    assert "Mi plan de seguridad" in all_text(pdf(alice_client, "plan_pdf", spanish_client, lang="xx"))


def test_an_organisations_arabic_step_texts_print_right_to_left(alice_client, client_record):
    for step in STEPS:
        StepText.objects.create(step=step.number, language="ar", heading=f"الخطوة {step.number}: عنوان")
    client_record.preferred_language = "ar"
    client_record.save()
    make_plan(client_record, texts={"warning_signs": ["لا أنام جيداً"]})
    preview = alice_client.get(reverse("printing:plan_preview", args=[client_record.pk])).content.decode()
    assert '<html lang="ar" dir="rtl"' in preview
    assert "الخطوة 1: عنوان" in preview
    # Our own wording has no Arabic yet: it keeps its English and its own direction.
    assert '<header class="plan-header" dir="ltr">' in preview
    text = all_text(pdf(alice_client, "plan_pdf", client_record))
    assert "الخطوة 1" in text or "1 الخطوة" in text
    together = alice_client.get(reverse("plans:plan_together", args=[client_record.pk, 1])).content.decode()
    assert '<html lang="ar" dir="rtl">' in together and "الخطوة 1: عنوان" in together


def test_suggestions_are_offered_in_the_clients_language(alice_client, client_record):
    assert Suggestion.objects.filter(language="es").exists()
    english = alice_client.get(reverse("plans:plan_edit", args=[client_record.pk])).content.decode()
    assert "Go for a walk" in english and "Salir a caminar" not in english
    client_record.preferred_language = "es"
    client_record.save()
    spanish = alice_client.get(reverse("plans:plan_edit", args=[client_record.pk])).content.decode()
    assert "Salir a caminar" in spanish and "Go for a walk" not in spanish


def test_an_administrator_gives_a_crisis_line_its_words_in_spanish(client, db):
    from .factories import make_user

    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    line = CrisisResource.objects.get(country="US", number="741741")
    url = reverse("admin:plans_crisisresource_change", args=[line.pk])
    page = client.get(url).content.decode()
    assert "where the service is offered in it" in page
    data = {
        "name": line.name,
        "kind": line.kind,
        "method": line.method,
        "number": line.number,
        "text_keyword": line.text_keyword,
        "url": line.url,
        "hours": line.hours,
        "details": line.details,
        "card_label": line.card_label,
        "country": line.country,
        "position": line.position,
        "is_active": "on",
        "name_es": "Línea de texto de crisis",
        "card_label_es": "Texto: AYUDA al 741741",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    line.refresh_from_db()
    assert line.translations == {"es": {"name": "Línea de texto de crisis", "card_label": "Texto: AYUDA al 741741"}}
    assert line.in_language("es").card_label == "Texto: AYUDA al 741741" and line.in_language("en").name == line.name

"""The organisation's library (crisis lines, step wording, suggestions, vague phrases) through the shared cache:
read once a request, and never stale after a change (plans/library.py)."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from plans import library
from plans.models import CrisisResource, StepText, Suggestion, VaguePhrase

pytestmark = pytest.mark.django_db


def plan_page(http, client_record) -> str:
    response = http.get(reverse("plans:client_detail", args=[client_record.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_page_reads_the_library_from_the_cache_at_most_once(alice_client, client_record):
    plan_page(alice_client, client_record)  # fills the cache
    with mock.patch.object(library, "_read", wraps=library._read) as read:
        alice_client.get(reverse("plans:plan_edit", args=[client_record.pk]))  # wording, lines, ideas, phrases
    assert read.call_count == 1


def test_outside_a_request_every_call_reads_the_cache(db):
    with mock.patch.object(library, "_read", wraps=library._read) as read:
        library.library()
        library.library()
    assert read.call_count == 2


def test_a_changed_crisis_line_shows_on_the_next_page(alice_client, client_record, settings):
    line = CrisisResource.objects.create(
        name="Night line", number="+12125550199", country=settings.CRISIS_COUNTRY, kind="crisis"
    )
    assert "Night line" in plan_page(alice_client, client_record)  # now in the cache
    line.name = "Evening line"
    line.save()
    page = plan_page(alice_client, client_record)
    assert "Evening line" in page and "Night line" not in page
    line.delete()
    assert "Evening line" not in plan_page(alice_client, client_record)


@pytest.mark.parametrize(
    "make",
    [
        lambda: StepText.objects.create(step=1, language="en", heading="Signs only I know"),
        lambda: Suggestion.objects.create(section="coping", text="Bake bread"),
        lambda: VaguePhrase.objects.create(phrase="do stuff", ask="what"),
    ],
)
def test_every_kind_of_library_row_empties_the_cache_when_saved(db, make):
    library.library()
    assert cache.get(library.KEY) is not None
    make()
    assert cache.get(library.KEY) is None


def test_the_cache_is_emptied_again_when_the_change_commits(db, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        CrisisResource.objects.create(name="Line", number="988", country=settings.CRISIS_COUNTRY)
        library.library()  # a request that read the library before the change committed
        assert cache.get(library.KEY) is not None
    assert callbacks and cache.get(library.KEY) is None


def test_migrate_empties_the_cache(db):
    library.library()
    call_command("migrate", verbosity=0)
    assert cache.get(library.KEY) is None


def test_what_the_library_offers_is_what_the_tables_hold(db, settings):
    assert library.library().crisis_resources_on_plans() == list(CrisisResource.objects.on_plans())
    assert library.library().warning_sign_suggestions() == list(
        Suggestion.objects.filter(section="warning_signs").values_list("text", flat=True)
    )
    assert list(library.library().vague_phrases) == list(
        VaguePhrase.objects.filter(is_active=True).values_list("phrase", "ask")
    )

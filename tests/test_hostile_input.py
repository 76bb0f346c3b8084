"""Hostile input to every form: arbitrary Unicode, control characters, 1 MB strings, phone-number garbage,
missing or tampered formset management data, tampered uids and replayed submits.

Always a 4xx or the form again with its messages, never a 500, never a partial save: when a form comes
back, nothing in the database changed; when it saved, every word is what was typed after the documented
normalisation (NFC, control characters other than newline and tab removed, stripped), never truncated.
XSS payloads typed into every text field show as text on every page, in the admin and in the PDF.

Each hypothesis example runs in a savepoint that is rolled back, so every example starts from the same
plan. Examples are few per form (the whole module stays under a minute); the runs differ from one CI run
to the next, so the search goes on over time.
"""

import contextlib
import datetime
import io
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import phonenumbers
import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.messages import constants as message_levels
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from plans import actions
from plans.content import PlanContent
from plans.forms.editor import MAX_ENTRIES_PER_SECTION, PlanEditorForm
from plans.merge import Base
from plans.models import CardSelection, Client, Entry, PendingConflict, PlanVersion, SafetyPlan, StepNote
from plans.steps import PHONE, PHONE_AFTER_HOURS, SECTIONS, SECTIONS_BY_KEY, STEPS, STEPS_BY_NUMBER

from .factories import make_user
from .helpers import edit_url, form_data_from_page, sample_value, takes_words
from .urlwalk import ROUTES, World

XSS_PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)"]
RAW_MARKUP = ["<script>alert(1)", "<img src=x onerror", "onerror=alert(1)>"]

HOSTILE = settings(
    max_examples=30,
    deadline=None,
    database=None,  # nothing written into the repository; every CI run searches afresh
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- What hostile input looks like ------------------------------------------------------------------------

CONTROL = [chr(c) for c in range(32)] + ["\x7f", "\x85", "\u200b", "\u200e", "\u202e", "\u2028", "\u2029", "\ufeff"]
ANY_CHAR = st.characters(codec="utf-8")  # every code point that can travel in UTF-8 (no lone surrogates)
ODD_TEXTS = [
    *XSS_PAYLOADS,
    "",
    " ",
    "\x00",
    "Walk\x00 on",
    "e\u0301",  # NFC composes it
    "\u0958" * 300,  # NFC doubles its length
    "\r\n",
    " padded ",
    "Ｆｕｌｌ ｗｉｄｔｈ",
    "🙂" * 10,
    "\u202eevil",
    "Robert'); DROP TABLE plans_entry;--",
    "{{ 7|add:7 }} {% debug %}",
    "%s%n%x",
]


def _repeat(seed: str, size: int) -> str:
    return (seed * (size // len(seed) + 1))[:size]


LONG_TEXTS = st.builds(
    _repeat,
    st.text(ANY_CHAR, min_size=1, max_size=3),
    st.sampled_from([100, 101, 120, 121, 200, 201, 300, 301, 500, 501, 1000, 1001, 2000, 2001, 1_000_000]),
)
TEXTS = st.one_of(
    st.text(ANY_CHAR, max_size=30),
    st.text(st.one_of(st.sampled_from(CONTROL), ANY_CHAR), max_size=30),
    st.sampled_from(ODD_TEXTS),
    LONG_TEXTS,
)
PHONES = st.one_of(
    st.sampled_from(
        [
            "",
            "212 555 0175",
            "+44 20 7946 0958",
            "(617) 555-0142",
            "+1 212 555 0175 ext. 2",
            "911",
            "12345",
            "+",
            "++1",
            "tel:+12125550175",
            "+999999999999999999",
            "0" * 40,
            "0" * 41,
            "２１２ ５５５ ０１７５",
            "٢١٢٥٥٥٠١٧٥",
            "212\x00555\x000175",
            "212-555-0175\n",
            "1-800-FLOWERS",
        ]
    ),
    st.from_regex(r"\A\+?[0-9 ()\-.]{0,24}\Z"),
    st.text(st.sampled_from("0123456789+-()# .*xX١٢²"), max_size=30),
    TEXTS,
)
SOME_COUNT = st.one_of(
    st.integers(-5, 60).map(str),
    st.sampled_from(["", "abc", "1e3", "1.5", " 2 ", "١", "²", "9" * 5000, str(2**63), "-0", "0x10", "1\x00"]),
)
COUNTS = st.one_of(st.none(), SOME_COUNT)  # None: the field is missing
DATES = st.one_of(
    st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31)).map(str),
    st.dates(datetime.date(2020, 1, 1), datetime.date(2028, 12, 31)).map(str),
    st.sampled_from(["", "2024-02-30", "0000-00-00", "99999-01-01", "yesterday", "1/2/2025", "２０２５-０１-０１"]),
    TEXTS,
)
CHOICES = st.one_of(st.sampled_from(["", "1", "3", "5", "0", "6", "-1", "x", "１", "²", "9" * 5000, "1.0"]), TEXTS)
REVISIONS = st.sampled_from(["", "x", "-1", "²", "١", "9" * 5000, str(2**63), "1.5", " 0 ", "\x00"])
BASES = st.sampled_from(
    [
        "",
        "garbage",
        "null",
        "[]",
        '{"revision": "x"}',
        '{"revision": 0, "entries": [], "fields": {}, "notes": {}}',
        '{"revision": 1e400, "entries": {}, "fields": {}, "notes": {}}',
        "[" * 200_000,
        '{"a":' * 100_000,
    ]
)
UIDS = st.one_of(
    st.sampled_from(["", "existing", "existing-elsewhere", "duplicate", "not-a-uuid", "0" * 32, "\x00", "' OR 1=1"]),
    st.uuids().map(str),
)


def normalised(value: str) -> str:
    """The documented normalisation of typed text, written out independently of plans/forms.py."""
    value = unicodedata.normalize("NFC", value)
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


def e164(value: str) -> str:
    if not value.strip():
        return ""
    number = phonenumbers.parse(value.strip(), django_settings.PHONE_DEFAULT_REGION)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- The database, before and after ------------------------------------------------------------------------


def db_state(*, drafts: bool = True) -> dict[str, Any]:
    """Every row of the app's tables (audit logs may grow, and drafts are autosave's business)."""
    state: dict[str, Any] = {}
    for model in apps.get_app_config("plans").get_models():
        if model.__name__.startswith("Audit") or (model.__name__ == "PlanDraft" and not drafts):
            continue
        state[model.__name__] = list(model._default_manager.order_by("pk").values())
    state["users"] = list(get_user_model().objects.order_by("pk").values_list("pk", "username", "is_active"))
    return state


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """One hypothesis example: whatever it saves is undone afterwards."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def signed_in(user: Any) -> HttpClient:
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http


def has_errors(value: Any) -> bool:
    """Whether a value in a template's context is a bound form (or formset, or editor page) with errors."""
    if isinstance(value, PlanEditorForm):
        return bool(value.error_count())
    if isinstance(value, BaseForm):
        return value.is_bound and bool(value.errors)
    if isinstance(value, BaseFormSet):
        return value.is_bound and bool(value.total_error_count())
    return False


def context_has_errors(response: Any) -> bool:
    contexts = response.context if isinstance(response.context, list) else [response.context]
    return any(has_errors(value) for context in contexts if context is not None for value in context.flatten().values())


def has_warning_messages(response: Any) -> bool:
    storage = response.wsgi_request._messages
    messages = [*storage._queued_messages, *getattr(storage, "_loaded_messages", [])]
    return any(message.level >= message_levels.WARNING for message in messages)


def shows_problems(response: Any) -> bool:
    """The form came back with something to fix: a warning or error message, or a form with errors."""
    return context_has_errors(response) or has_warning_messages(response)


def assert_form_again_or_4xx(response: Any, before: dict[str, Any], *, drafts: bool = True) -> None:
    assert response.status_code < 500
    if response.status_code == 200:
        assert shows_problems(response), "the form came back without saying what to fix"
    assert db_state(drafts=drafts) == before, f"answered {response.status_code} but the database changed"


# --- The fixture world -------------------------------------------------------------------------------------


@pytest.fixture
def plan(client_record, alice, bob, settings) -> SafetyPlan:
    """Alice's client with entries in every section, step notes and version 1."""
    settings.MFA_REQUIRED = False
    sections = {}
    for section in SECTIONS:
        rows = []
        for i in range(2):
            values = {field: sample_value(field, f"{section.key} {field} {i}") for field in section.fields}
            rows.append(actions.EntryData(**values))
        sections[section.key] = rows
    changes = actions.PlanChanges(
        sections=sections,
        plan_fields={"most_important": "My daughter", "where_kept": "Wallet", "shared_with": "Sam"},
        step_notes={step.number: actions.StepNoteData(likelihood=3, barriers="Tired") for step in STEPS},
    )
    saved = actions.save_plan(client=client_record, by=alice, changes=changes, expected_revision=0).plan
    actions.save_version(
        client=client_record, by=alice, review_date=timezone.localdate(), note="First", next_review_date=None
    )
    saved.refresh_from_db()
    return saved


@pytest.fixture
def page_data(alice, plan):
    """What alice's browser would post back from a page, unchanged (read once per test)."""
    pages: dict[str, dict[str, Any]] = {}

    def read(url: str) -> dict[str, Any]:
        if url not in pages:
            pages[url] = form_data_from_page(signed_in(alice), url)
        return dict(pages[url])

    return read


def _uid_for(token: str, section: str, plan: SafetyPlan, used: list[str]) -> str:
    entries = list(plan.entries.order_by("section", "position"))
    if token == "existing":
        return next((str(e.uid) for e in entries if e.section == section), "")
    if token == "existing-elsewhere":
        return next((str(e.uid) for e in entries if e.section != section), "")
    if token == "duplicate":
        return used[-1] if used else ""
    return token


def _entry_values(name: str) -> Any:
    """What a hostile page may put in an entry field: anything, and for our choices and dates valid ones too."""
    if name in (PHONE, PHONE_AFTER_HOURS):
        return PHONES
    if takes_words(name):
        return TEXTS
    return st.one_of(st.just(sample_value(name, "")), st.just(""), TEXTS)


@st.composite
def editor_mutations(draw: Any, section_keys: list[str], field_names: list[str]) -> dict[str, Any]:
    """What a hostile page posts instead of what the editor sent: rows, fields, management data, uids."""
    rows = {}
    for key in draw(st.lists(st.sampled_from(section_keys), unique=True, max_size=3)):
        section = SECTIONS_BY_KEY[key]
        rows[key] = [
            {
                "uid": draw(UIDS),
                **{name: draw(_entry_values(name)) for name in section.fields},
            }
            for _ in range(draw(st.integers(0, 3)))
        ]
    names = draw(st.lists(st.sampled_from(field_names), unique=True, max_size=4)) if field_names else []
    fields = {name: draw(CHOICES if "likelihood" in name else DATES if "date" in name else TEXTS) for name in names}
    management = draw(
        st.lists(
            st.tuples(
                st.sampled_from(section_keys),
                st.sampled_from(["TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"]),
                COUNTS,
            ),
            max_size=2,
        )
    )
    return {
        "rows": rows,
        "fields": fields,
        "management": management,
        "revision": draw(st.one_of(st.none(), REVISIONS, st.none())),
        "base": draw(st.one_of(st.none(), st.none(), BASES)),
        "go": draw(st.sampled_from(["", "stay", "view", "together", "version", "next", "back", "finish", "\x00"])),
        "replay": draw(st.booleans()),
    }


def apply_mutations(base: dict[str, Any], mutation: dict[str, Any], plan: SafetyPlan) -> dict[str, Any]:
    data = dict(base)
    for key, rows in mutation["rows"].items():
        for name in [
            name for name in data if name.startswith(f"{key}-") and name[len(key) + 1 : len(key) + 2].isdigit()
        ]:
            del data[name]
        data[f"{key}-TOTAL_FORMS"] = str(len(rows))
        data[f"{key}-INITIAL_FORMS"] = "0"
        used: list[str] = []
        for i, row in enumerate(rows):
            for name, value in row.items():
                if name == "uid":
                    value = _uid_for(value, key, plan, used)
                    used.append(value)
                data[f"{key}-{i}-{name}"] = value
    data.update(mutation["fields"])
    for key, part, value in mutation["management"]:
        if value is None:
            data.pop(f"{key}-{part}", None)
        else:
            data[f"{key}-{part}"] = value
    if mutation["revision"] is not None:
        data["revision"] = mutation["revision"]
    if mutation["base"] is not None:
        data["base"] = mutation["base"]
    data["go"] = mutation["go"]
    return data


def expected_section(data: dict[str, Any], key: str) -> list[dict[str, str]]:
    """The entries a save of `data` must leave in section `key`, in order."""
    section = SECTIONS_BY_KEY[key]
    rows = []
    for i in range(int(data[f"{key}-TOTAL_FORMS"])):
        row = {}
        for name in section.fields:
            value = data.get(f"{key}-{i}-{name}", "")
            row[name] = e164(value) if name in (PHONE, PHONE_AFTER_HOURS) else normalised(value)
        if any(row.values()):
            rows.append(row)
    return rows


def saved_section(plan: SafetyPlan, key: str) -> list[dict[str, str]]:
    section = SECTIONS_BY_KEY[key]
    return [
        {name: getattr(entry, name) for name in section.fields}
        for entry in Entry.objects.filter(plan=plan, section=key).order_by("position")
    ]


@dataclass(frozen=True)
class Page:
    """What one editor page saves: its sections, plan fields and clinician notes."""

    url: str
    keys: list[str]
    fields: list[str]
    note_steps: list[int]

    @classmethod
    def editor(cls, pk: int) -> "Page":
        return cls(edit_url(pk), [s.key for s in SECTIONS], list(PLAN_TEXTS), [s.number for s in STEPS])

    @classmethod
    def together(cls, pk: int, number: int) -> "Page":
        url = reverse("plans:plan_together", args=[pk, number])
        keys = [s.key for s in STEPS_BY_NUMBER[number].sections]
        return cls(url, keys, ["most_important"] if number == 7 else [], [])


PLAN_TEXTS = ("most_important", "where_kept", "shared_with", "likelihood_of_use")


def check_sections_saved_as_typed(data: dict[str, Any], mutation: dict[str, Any], plan: SafetyPlan, page: Page) -> None:
    """Every section on the page holds exactly the rows typed (unless its management data was tampered
    with), and never more than the cap."""
    tampered = {key for key, _part, _value in mutation["management"]}
    for key in page.keys:
        if key not in tampered:
            assert saved_section(plan, key) == expected_section(data, key), key
        assert Entry.objects.filter(plan=plan, section=key).count() <= MAX_ENTRIES_PER_SECTION


def typed_choice(value: str) -> int | None:
    """A likelihood as the form posted it: a number, or nothing."""
    return int(value) if value else None


def check_plan_fields_saved_as_typed(data: dict[str, Any], plan: SafetyPlan, page: Page) -> None:
    for name in page.fields:
        if name in data and name != "likelihood_of_use":
            assert getattr(plan, name) == normalised(data[name]), name
    if "likelihood_of_use" in data and "likelihood_of_use" in page.fields:
        assert plan.likelihood_of_use == typed_choice(data["likelihood_of_use"])


def check_notes_saved_as_typed(data: dict[str, Any], plan: SafetyPlan, page: Page) -> None:
    for number in page.note_steps:
        note = StepNote.objects.get(plan=plan, step=number)
        if f"step{number}-barriers" in data:
            assert note.barriers == normalised(data[f"step{number}-barriers"])
        if f"step{number}-likelihood" in data:
            assert note.likelihood == typed_choice(data[f"step{number}-likelihood"])


def check_saved_as_typed(data: dict[str, Any], mutation: dict[str, Any], plan: SafetyPlan, page: Page) -> None:
    """After a save: every section, field and note on the page is exactly what was typed, normalised."""
    plan = SafetyPlan.objects.get(pk=plan.pk)
    check_sections_saved_as_typed(data, mutation, plan, page)
    check_plan_fields_saved_as_typed(data, plan, page)
    check_notes_saved_as_typed(data, plan, page)


def post_editor(http: HttpClient, page: Page, data: dict[str, Any], mutation: dict[str, Any], plan: SafetyPlan) -> None:
    before = db_state()
    response = http.post(page.url, data)
    event(f"answered {response.status_code}")
    if response.status_code != 302:
        assert_form_again_or_4xx(response, before)
        return
    if "conflicts" in response["Location"]:
        return  # saved nothing; the conflict view keeps both texts (tests/test_merge.py)
    if mutation["revision"] is None:
        check_saved_as_typed(data, mutation, plan, page)
    if mutation["replay"]:
        after = db_state()
        again = http.post(page.url, data)
        assert again.status_code < 500
        assert db_state() == after, "a replayed submit saved twice"


@HOSTILE
@given(mutation=editor_mutations([s.key for s in SECTIONS], ["most_important", "where_kept", "shared_with"]))
def test_the_plan_editor_keeps_every_word_or_nothing(alice, plan, page_data, mutation):
    page = Page.editor(plan.client_id)
    base = page_data(page.url)
    with rolled_back():
        post_editor(signed_in(alice), page, apply_mutations(base, mutation, plan), mutation, plan)


@HOSTILE
@given(
    mutation=editor_mutations(
        [s.key for s in SECTIONS],
        ["next_review_date", "likelihood_of_use", "step1-likelihood", "step4-barriers", "step7-barriers"],
    )
)
def test_the_plan_details_and_step_notes_keep_every_word_or_nothing(alice, plan, page_data, mutation):
    page = Page.editor(plan.client_id)
    base = page_data(page.url)
    with rolled_back():
        post_editor(signed_in(alice), page, apply_mutations(base, mutation, plan), mutation, plan)


@HOSTILE
@given(step=st.sampled_from(STEPS), data=st.data())
def test_together_mode_keeps_every_word_or_nothing(alice, plan, page_data, step, data):
    page = Page.together(plan.client_id, step.number)
    base = page_data(page.url)
    mutation = data.draw(editor_mutations(page.keys, page.fields))
    with rolled_back():
        post_editor(signed_in(alice), page, apply_mutations(base, mutation, plan), mutation, plan)


@HOSTILE
@given(
    mutation=editor_mutations([s.key for s in SECTIONS], ["most_important", "step2-barriers"]),
    step=st.one_of(st.none(), st.sampled_from(["1", "7", "0", "8", "", "x", "²", "١", "9" * 5000, "-1", "1 "])),
)
def test_autosave_always_answers_and_keeps_every_word_or_nothing(alice, plan, page_data, mutation, step):
    url = reverse("plans:plan_autosave", args=[plan.client_id]) + ("" if step is None else "?step=" + step)
    page = Page.together(plan.client_id, int(step)) if step in {"1", "7"} else Page.editor(plan.client_id)
    base = page_data(page.url)
    with rolled_back():
        data = apply_mutations(base, mutation, plan)
        http = signed_in(alice)
        before = db_state(drafts=False)
        response = http.post(url, data)
        assert response.status_code < 500
        status = response.json()["status"] if response["Content-Type"] == "application/json" else "not json"
        event(f"autosave answered {response.status_code} {status}")
        if status == "saved":
            if mutation["revision"] is None:
                check_saved_as_typed(data, mutation, plan, page)
        else:
            assert response.status_code != 200 or status in {"draft", "already_saved"}, status
            assert db_state(drafts=False) == before, f"autosave answered {status} but the plan changed"


OPS = st.one_of(
    st.tuples(
        st.sampled_from(["add", "remove", "up", "down", "suggest", "explode", ""]),
        st.sampled_from([*[s.key for s in SECTIONS], "not_a_section", ""]),
        st.one_of(st.integers(-3, 60).map(str), st.sampled_from(["", "x", "²", "9" * 5000]), TEXTS),
    ).map(lambda t: ":".join(t)),
    TEXTS,
)


@HOSTILE
@given(op=OPS, add=st.one_of(st.none(), TEXTS))
def test_row_operations_without_javascript_never_break(alice, plan, page_data, op, add):
    url = edit_url(plan.client_id)
    base = page_data(url)
    with rolled_back():
        http = signed_in(alice)
        before = db_state()
        response = http.post(url, {**base, "op": op})
        event(f"op answered {response.status_code}")
        assert response.status_code < 500
        if response.status_code != 302:
            assert_form_again_or_4xx(response, before)
        if add is not None:
            assert http.get(url, {"add": add}).status_code == 200


CLIENT_FIELDS = {
    "name": TEXTS,
    "preferred_name": TEXTS,
    "record_number": st.one_of(TEXTS, st.just("MRN-001"), st.just("mrn-001 ")),
    "preferred_language": st.one_of(st.sampled_from(["en", "es", "ar", "zz", "", "EN"]), TEXTS),
    "date_of_birth": DATES,
    "token": st.one_of(st.uuids().map(str), st.sampled_from(["", "not-a-uuid", "\x00"]), st.none()),
}


@st.composite
def client_posts(draw: Any) -> dict[str, Any]:
    data = {"name": "Sam Lee", "preferred_language": "en", "token": str(uuid.uuid4())}
    for name in draw(st.lists(st.sampled_from(list(CLIENT_FIELDS)), unique=True, min_size=1)):
        value = draw(CLIENT_FIELDS[name])
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def check_client_saved(client: Client, data: dict[str, Any]) -> None:
    for name in ("name", "preferred_name", "record_number"):
        assert getattr(client, name) == normalised(data.get(name, "")), name


@HOSTILE
@given(data=client_posts(), replay=st.booleans())
def test_adding_a_client_keeps_every_word_or_nothing(alice, plan, data, replay):
    with rolled_back():
        http = signed_in(alice)
        before = db_state()
        response = http.post(reverse("plans:client_create"), data)
        event(f"add client answered {response.status_code}")
        if response.status_code != 302:
            assert_form_again_or_4xx(response, before)
            return
        added = Client.objects.exclude(pk__in=[row["id"] for row in before["Client"]]).get()
        check_client_saved(added, data)
        if replay and data.get("token") and len(data["token"]) == 36:
            again = http.post(reverse("plans:client_create"), data)
            assert again.status_code == 302
            assert Client.objects.count() == len(before["Client"]) + 1, "a replayed submit added the client twice"


@HOSTILE
@given(data=client_posts(), replay=st.booleans())
def test_editing_a_client_keeps_every_word_or_nothing(alice, plan, data, replay):
    url = reverse("plans:client_edit", args=[plan.client_id])
    with rolled_back():
        http = signed_in(alice)
        before = db_state()
        response = http.post(url, data)
        event(f"edit client answered {response.status_code}")
        if response.status_code != 302:
            assert_form_again_or_4xx(response, before)
            return
        check_client_saved(Client.objects.get(pk=plan.client_id), data)
        if replay:
            after = db_state()
            assert http.post(url, data).status_code == 302
            assert db_state() == after


@HOSTILE
@given(
    review_date=st.one_of(st.just(str(datetime.date.today())), st.just("2024-05-01"), DATES),
    note=TEXTS,
    next_review_date=st.one_of(st.just(""), DATES),
    replay=st.booleans(),
)
def test_the_version_form_keeps_every_word_or_nothing(alice, plan, review_date, note, next_review_date, replay):
    url = reverse("plans:version_create", args=[plan.client_id])
    data = {"review_date": review_date, "note": note, "next_review_date": next_review_date}
    with rolled_back():
        http = signed_in(alice)
        before = db_state()
        response = http.post(url, data)
        event(f"version answered {response.status_code}")
        if response.status_code != 302:
            assert_form_again_or_4xx(response, before)
            return
        version = PlanVersion.objects.filter(plan=plan).order_by("-number").first()
        assert version.number == 2
        assert version.note == normalised(note)
        if replay:
            after = db_state()
            assert http.post(url, data).status_code < 500
            assert db_state() == after, "a replayed submit saved the version twice"


@pytest.fixture
def conflict(plan, alice, bob) -> PendingConflict:
    """A save from a stale copy that changed the same entry as bob: waiting for alice's choice."""
    base = Base.parse(PlanContent.from_plan(plan).base_json(plan.revision))
    entry = plan.entries.get(section="coping", position=0)
    others = [actions.EntryData(uid=e.uid, text=e.text) for e in plan.entries.filter(section="coping", position__gt=0)]
    theirs = actions.PlanChanges(sections={"coping": [actions.EntryData(uid=entry.uid, text="Bob's words"), *others]})
    actions.save_plan(client=plan.client, by=bob, changes=theirs, expected_revision=plan.revision)
    mine = actions.PlanChanges(sections={"coping": [actions.EntryData(uid=entry.uid, text="Alice's words"), *others]})
    result = actions.save_plan(client=plan.client, by=alice, changes=mine, expected_revision=plan.revision, base=base)
    assert result.conflict is not None
    return result.conflict


@HOSTILE
@given(
    choice=st.one_of(st.sampled_from(["mine", "theirs", "both"]), st.sampled_from(["", "MINE", "mine\x00"]), TEXTS),
    revision=st.one_of(st.just("current"), st.just("missing"), REVISIONS, st.just("stale")),
    extra=st.dictionaries(TEXTS, TEXTS, max_size=2),
    replay=st.booleans(),
)
def test_the_conflict_form_keeps_every_word_or_nothing(alice, plan, conflict, choice, revision, extra, replay):
    url = reverse("plans:plan_conflict", args=[plan.client_id, conflict.pk])
    current = SafetyPlan.objects.get(pk=plan.pk).revision
    data = {k: v for k, v in extra.items() if "\x00" not in k}
    for entry in Entry.objects.filter(plan=plan, section="coping", position=0):
        data[f"choice-entry:coping:{entry.uid}"] = choice
    if revision == "current":
        data["revision"] = str(current)
    elif revision == "stale":
        data["revision"] = str(current - 1)
    elif revision != "missing":
        data["revision"] = revision
    with rolled_back():
        http = signed_in(alice)
        before = db_state()
        response = http.post(url, data)
        event(f"conflict answered {response.status_code}")
        if response.status_code != 302:
            assert_form_again_or_4xx(response, before)
            return
        assert PendingConflict.objects.get(pk=conflict.pk).resolved_at is not None
        assert SafetyPlan.objects.get(pk=plan.pk).revision == current + 1
        if replay:
            after = db_state()
            assert http.post(url, data).status_code == 302
            assert db_state() == after, "a replayed choice saved twice"


@HOSTILE
@given(
    q=st.one_of(TEXTS, st.none()),
    page=st.one_of(st.none(), CHOICES, st.integers().map(str)),
    token=st.one_of(st.none(), TEXTS),
)
def test_the_search_box_never_breaks(alice, plan, q, page, token):
    http = signed_in(alice)
    with rolled_back():
        before = db_state()
        response = http.post(reverse("plans:client_list"), {} if q is None else {"q": q})
        too_big = q is not None and len(q.encode()) > django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2
        assert response.status_code in ({200, 302, 400} if too_big else {200, 302})
        if response.status_code == 302:
            # Never in a URL: the list's path and a random token, nothing else.
            location = urlsplit(response["Location"])
            assert location.path == reverse("plans:client_list")
            assert set(parse_qs(location.query)) <= {"s"}
            assert len(parse_qs(location.query).get("s", [""])[0]) <= 12
        params = {k: v for k, v in {"s": token, "page": page}.items() if v is not None}
        response = http.get(reverse("plans:client_list"), params)
        assert response.status_code == 200
        assert db_state() == before
        assert 'name="q"' in response.content.decode()  # the client list with its search box, not an empty page


PAPER = st.one_of(st.sampled_from(["letter", "a4", "A4", "", "legal", "a4\x00"]), TEXTS)
TICK = st.one_of(st.sampled_from(["1", "on", "true", "0", "false", "", "yes"]), TEXTS)


@HOSTILE
@given(
    view=st.sampled_from(
        ["printing:print_plan", "printing:plan_preview", "printing:card_preview", "printing:print_card"]
    ),
    size=st.one_of(st.none(), PAPER),
    notes=st.one_of(st.none(), TICK),
    choose=st.one_of(st.none(), TICK),
    entries=st.lists(st.one_of(st.just("real"), st.just("most-important"), UIDS, TEXTS), max_size=4),
    go=st.one_of(st.none(), st.sampled_from(["save", "preview", "download", ""]), TEXTS),
    method=st.sampled_from(["get", "post"]),
    replay=st.booleans(),
)
def test_the_print_forms_never_break(alice, plan, view, size, notes, choose, entries, go, method, replay):
    url = reverse(view, args=[plan.client_id])
    real = [str(uid) for uid in plan.entries.values_list("uid", flat=True)[:3]]
    data: dict[str, Any] = {"size": size, "notes": notes, "choose": choose, "go": go}
    data = {key: value for key, value in data.items() if value is not None}
    data["entry"] = [real[i % len(real)] if value == "real" else value for i, value in enumerate(entries)]
    with rolled_back():
        http = signed_in(alice)
        before = db_state()
        response = getattr(http, method)(url, data)
        event(f"{view} {method} answered {response.status_code}")
        assert response.status_code < 500
        if method == "get" or response.status_code != 302:
            assert db_state() == before
            return
        selection = CardSelection.objects.get(plan=plan)
        candidates = {str(uid) for uid in plan.entries.values_list("uid", flat=True)} | {"most-important"}
        assert set(selection.entry_uids) <= candidates
        if replay:
            after = db_state()
            assert http.post(url, data).status_code < 500
            after_again = db_state()
            after["CardSelection"][0].pop("updated_at")
            after_again["CardSelection"][0].pop("updated_at")
            assert after_again == after


@HOSTILE
@given(
    params=st.dictionaries(
        st.sampled_from(["from", "to", "print", "add", "step"]),
        st.one_of(st.sampled_from(["1", "2", "0", "draft", "²", "١", "-1", str(2**63), "9" * 5000]), TEXTS),
        max_size=3,
    ),
    view=st.sampled_from(["plans:compare", "plans:history", "plans:plan_edit", "plans:client_detail"]),
)
def test_query_strings_never_break_a_page(alice, plan, params, view):
    with rolled_back():
        before = db_state()
        response = signed_in(alice).get(reverse(view, args=[plan.client_id]), params)
        assert response.status_code in {200, 302, 404}
        assert db_state() == before


def _post_form_names(html: str) -> list[str]:
    """The names of the fields of the page's forms (what a browser could post back)."""
    names: list[str] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            name = dict(attrs).get("name")
            if tag in {"input", "textarea", "select", "button"} and name and name not in names:
                names.append(name)

    Parser().feed(html)
    return names


def _world(plan: SafetyPlan, conflict: PendingConflict, users: dict[str, Any]) -> World:
    return World(client=plan.client, plan=plan, conflict=conflict, users=users)


CHEAP = settings(HOSTILE, max_examples=100)
WALKED = [route for route in ROUTES if route.name != "admin:view_on_site"]  # the admin's redirect to the site


@pytest.fixture
def superuser(db):
    return make_user("root", is_staff=True, is_superuser=True)


@CHEAP
@given(
    route=st.sampled_from(WALKED),
    as_anonymous=st.booleans(),
    values=st.lists(st.one_of(TEXTS, PHONES, SOME_COUNT, UIDS), min_size=1, max_size=40),
    stray=st.dictionaries(TEXTS.filter(lambda k: "\x00" not in k), TEXTS, max_size=3),
)
def test_every_form_in_the_url_walk_survives_anything(
    alice, bob, superuser, plan, conflict, route, as_anonymous, values, stray
):
    """Any form the URL walk finds (new ones too, the admin's too): its fields filled with anything, never a 500."""
    world = _world(plan, conflict, {"member": bob, "lead": alice})
    url = world.url(route)
    user = {"admin": superuser, "auth": None if as_anonymous else alice, "app": alice, "phone": None}[route.area]
    with rolled_back():
        http = signed_in(user)
        page = http.get(url)
        assert page.status_code < 500
        names = _post_form_names(page.content.decode(errors="replace")) if page.status_code == 200 else []
        data = {**stray, **{name: values[i % len(values)] for i, name in enumerate(names)}}
        response = http.post(url, data)
        event(f"{route.name} answered {response.status_code}")
        assert response.status_code < 500, route.name


@pytest.mark.parametrize("route", [r for r in ROUTES if r.area == "app" and r.kwargs], ids=lambda r: r.name)
def test_out_of_range_ids_in_urls_are_404(alice, plan, conflict, route):
    world = _world(plan, conflict, {"member": alice, "lead": alice})
    http = signed_in(alice)
    for huge in (2**31, 2**63, 10**30):
        for name in route.kwargs:
            url = world.url(route, **{name: huge})
            assert http.get(url).status_code in {404, 405}, url
            assert http.post(url, {}).status_code in {404, 405}, url


# --- Known cases, kept as plain tests -----------------------------------------------------------------------


def test_the_admin_shows_a_tampered_care_team_user_as_an_error(superuser, plan):
    url = reverse("admin:plans_client_change", args=[plan.client_id])
    http = signed_in(superuser)
    data = {name: "" for name in _post_form_names(http.get(url).content.decode())}
    data.update({"name": "Jordan Rivera", "preferred_language": "en", "care_team-TOTAL_FORMS": "1"})
    data.update({"care_team-INITIAL_FORMS": "0", "care_team-0-user": "abc", "care_team-0-role": "member"})
    before = db_state()
    response = http.post(url, data)
    assert response.status_code == 200
    assert db_state() == before
    # The form comes back with the tampered row marked, not merely unsaved.
    page = response.content.decode()
    assert 'class="errornote"' in page
    assert "Select a valid choice. That choice is not one of the available choices." in page


@pytest.mark.parametrize("odd", ["²", "١", "9" * 5000, "-1", "x", "1\x00", str(2**63)])
def test_the_admin_answers_odd_ids_and_filters_without_a_500(superuser, plan, odd):
    http = signed_in(superuser)
    pages = [f"{reverse('admin:plans_client_changelist')}{odd}/change/"]
    pages += [reverse(r.name) for r in ROUTES if r.area == "admin" and r.name.endswith("_changelist")]
    for url in pages:
        for params in ({}, {"q": odd}, {"client_id": odd}, {"o": odd}, {"p": odd}):
            assert http.get(url, params).status_code < 500, (url, params)


@pytest.mark.parametrize("step", ["²", "٣", "9" * 5000])
def test_autosave_answers_400_for_a_step_it_cannot_read(alice_client, plan, step):
    url = reverse("plans:plan_autosave", args=[plan.client_id]) + f"?step={step}"
    response = alice_client.post(url, form_data_from_page(alice_client, edit_url(plan.client_id)))
    assert response.status_code == 400
    assert response.json()["status"] == "bad_request"


@pytest.mark.parametrize("revision", ["²", "9" * 5000, "-1", "١٢"])
def test_the_conflict_form_refuses_a_revision_it_cannot_read(alice_client, plan, conflict, revision):
    url = reverse("plans:plan_conflict", args=[plan.client_id, conflict.pk])
    key = f"choice-entry:coping:{plan.entries.get(section='coping', position=0).uid}"
    before = db_state()
    response = alice_client.post(url, {key: "mine", "revision": revision})
    assert response.status_code in {200, 400}
    assert db_state() == before


@pytest.mark.parametrize("base", ["[" * 200_000, '{"revision": 1e400, "entries": {}, "fields": {}, "notes": {}}'])
def test_a_tampered_base_is_ignored_not_a_crash(alice_client, plan, base):
    data = form_data_from_page(alice_client, edit_url(plan.client_id))
    data["base"] = base
    data["coping-0-text"] = "Walk by the sea"
    response = alice_client.post(edit_url(plan.client_id), data)
    assert response.status_code == 302
    assert Entry.objects.get(plan=plan, section="coping", position=0).text == "Walk by the sea"


def test_a_draft_keeps_what_was_typed_without_null_characters(alice_client, plan):
    """PostgreSQL's JSON can't hold U+0000: autosave must keep the draft without it, not crash."""
    data = form_data_from_page(alice_client, edit_url(plan.client_id))
    data["coping-0-text"] = "Walk\x00 on"
    data["help_people-0-phone"] = "555-12"  # half typed: the draft is kept
    data["stray\x00key"] = "x"
    response = alice_client.post(reverse("plans:plan_autosave", args=[plan.client_id]), data)
    assert response.status_code == 200 and response.json()["status"] == "draft"
    page = alice_client.get(edit_url(plan.client_id)).content.decode()
    assert "Walk on" in page


def test_a_replayed_add_client_form_with_a_record_number_adds_one_client(alice_client, plan):
    data = {"name": "Sam Lee", "record_number": "MRN-777", "preferred_language": "en", "token": str(uuid.uuid4())}
    first = alice_client.post(reverse("plans:client_create"), data)
    again = alice_client.post(reverse("plans:client_create"), data, follow=True)
    assert first.status_code == 302
    assert "already added" in again.content.decode()
    assert Client.objects.filter(record_number="MRN-777").count() == 1


def test_a_replayed_version_form_saves_one_version(alice_client, plan):
    url = reverse("plans:version_create", args=[plan.client_id])
    data = {"review_date": str(timezone.localdate()), "note": "Reviewed after a hard week", "next_review_date": ""}
    assert alice_client.post(url, data).status_code == 302
    assert alice_client.post(url, data).status_code == 302
    assert list(PlanVersion.objects.filter(plan=plan).values_list("number", flat=True).order_by("number")) == [1, 2]


def test_the_version_note_is_normalised_like_every_other_text(alice_client, plan):
    url = reverse("plans:version_create", args=[plan.client_id])
    data = {
        "review_date": str(timezone.localdate()),
        "note": " Added\x1b[31m a step\u0007\r\n ",
        "next_review_date": "",
    }
    assert alice_client.post(url, data).status_code == 302
    assert PlanVersion.objects.get(plan=plan, number=2).note == "Added[31m a step"


# --- XSS: every text field, every page, the admin and the PDF -----------------------------------------------


class _Markup(HTMLParser):
    """What in a page could run: script elements, event-handler attributes, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on") and value and "alert(1)" in value:
                self.found.append(f"<{tag} {name}=...>")
            url = "".join((value or "").split()).lower()  # browsers ignore whitespace in "java script:"
            if name in {"href", "src", "action", "formaction", "data", "xlink:href"} and url.startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "script" and (dict(attrs).get("type") or "text/javascript") in {"text/javascript", "module"}:
            self._script = ""

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            if "alert(1)" in self._script:
                self.found.append(f"<script>{self._script[:40]}")
            self._script = None


def assert_inert(html: str, where: str) -> None:
    for raw in RAW_MARKUP:
        assert raw not in html, f"{where} shows {raw!r} as markup"
    parser = _Markup()
    parser.feed(html)
    assert not parser.found, f"{where}: {parser.found}"


def _fill_every_field(http: HttpClient, url: str, payload: str) -> dict[str, Any]:
    data = form_data_from_page(http, url)
    for section in SECTIONS:
        for i in range(int(data.get(f"{section.key}-TOTAL_FORMS", 0))):
            for name in section.fields:
                if takes_words(name):
                    data[f"{section.key}-{i}-{name}"] = f"{payload} {section.key} {name}"
    for name in ("most_important", "where_kept", "shared_with"):
        data[name] = f"{payload} {name}"
    for step in STEPS:
        data[f"step{step.number}-barriers"] = f"{payload} barriers {step.number}"
    return data


def type_payload_everywhere(http: HttpClient, plan: SafetyPlan, payload: str) -> None:
    """The client's details, every text field of the plan and a version note, saved with the payload."""
    pk = plan.client_id
    record = payload[:40]
    response = http.post(
        reverse("plans:client_edit", args=[pk]),
        {"name": payload, "preferred_name": payload, "record_number": record, "preferred_language": "en"},
    )
    assert response.status_code == 302
    response = http.post(edit_url(pk), _fill_every_field(http, edit_url(pk), payload))
    assert response.status_code == 302, "the payloads were not saved"
    assert Entry.objects.filter(plan=plan, text__startswith=payload).exists()
    version = {"review_date": str(timezone.localdate()), "note": f"{payload} note", "next_review_date": ""}
    assert http.post(reverse("plans:version_create", args=[pk]), version).status_code == 302


def conflict_with_payload_on_both_sides(http: HttpClient, bob: Any, plan: SafetyPlan, payload: str) -> str:
    """A save from a stale copy over bob's change to the same entry; returns the conflict page's URL."""
    pk = plan.client_id
    current = SafetyPlan.objects.get(pk=plan.pk)
    stale = form_data_from_page(http, edit_url(pk))
    entry = current.entries.get(section="coping", position=0)
    others = [
        actions.EntryData(uid=e.uid, text=e.text) for e in current.entries.filter(section="coping", position__gt=0)
    ]
    theirs = [actions.EntryData(uid=entry.uid, text=f"{payload} theirs"), *others]
    actions.save_plan(
        client=plan.client,
        by=bob,
        changes=actions.PlanChanges(sections={"coping": theirs}),
        expected_revision=current.revision,
    )
    stale["coping-0-text"] = f"{payload} mine"
    conflict_url = http.post(edit_url(pk), stale)["Location"]
    assert "conflicts" in conflict_url
    return conflict_url


def draft_with_payload(alice: Any, plan: SafetyPlan, payload: str) -> HttpClient:
    """Another clinician's autosave, kept as a draft with an error; returns their signed-in client."""
    pk = plan.client_id
    other = make_user("dana")
    actions.add_to_care_team(client=plan.client, user=other, by=alice)
    draft = form_data_from_page(signed_in(other), edit_url(pk))
    draft["reasons-0-text"] = f"{payload} draft"
    draft["help_people-0-phone"] = "555-12"
    assert signed_in(other).post(reverse("plans:plan_autosave", args=[pk]), draft).json()["status"] == "draft"
    return signed_in(other)


def pages_showing_the_client(pk: int, payload: str, conflict_url: str) -> dict[str, str]:
    pages = {
        "client list": reverse("plans:client_list"),
        "search": reverse("plans:client_list") + "?q=" + payload.replace("&", "%26").replace("#", "%23"),
        "reviews due": reverse("plans:reviews_due"),
        "plan page": reverse("plans:client_detail", args=[pk]),
        "client form": reverse("plans:client_edit", args=[pk]),
        "editor": edit_url(pk),
        "history": reverse("plans:history", args=[pk]),
        "version 1": reverse("plans:version_detail", args=[pk, 1]),
        "version 2": reverse("plans:version_detail", args=[pk, 2]),
        "new version": reverse("plans:version_create", args=[pk]),
        "compare": reverse("plans:compare", args=[pk]),
        "compare with the working plan": reverse("plans:compare", args=[pk]) + "?from=1&to=draft",
        "conflict": conflict_url,
        "print": reverse("printing:print_plan", args=[pk]),
        "print preview": reverse("printing:plan_preview", args=[pk]),
        "card": reverse("printing:print_card", args=[pk]),
        "card preview": reverse("printing:card_preview", args=[pk]),
        **{f"together step {s.number}": reverse("plans:plan_together", args=[pk, s.number]) for s in STEPS},
    }
    if any(route.name == "plans:care_team" for route in ROUTES):
        pages["care team"] = reverse("plans:care_team", args=[pk])
    return pages


def assert_every_page_shows_it_as_text(http: HttpClient, pages: dict[str, str], payload: str) -> None:
    shown = escape(payload)
    for where, url in pages.items():
        response = http.get(url)
        assert response.status_code == 200, where
        html = response.content.decode()
        assert_inert(html, where)
        if where not in {"reviews due", "print", "card"}:
            assert shown in html, f"{where} does not show the typed text"


def assert_the_admin_shows_it_as_text(pk: int, payload: str) -> None:
    """The admin, signed in as a superuser."""
    admin = signed_in(make_user("root", is_staff=True, is_superuser=True))
    for where, url in {
        "admin client": reverse("admin:plans_client_change", args=[pk]),
        "admin client list": reverse("admin:plans_client_changelist") + "?q=" + payload.replace("&", "%26"),
        "admin client history": reverse("admin:plans_client_history", args=[pk]),
    }.items():
        response = admin.get(url)
        assert response.status_code == 200, where
        assert_inert(response.content.decode(), where)
    assert escape(payload) in admin.get(reverse("admin:plans_client_change", args=[pk])).content.decode()


def assert_the_pdf_shows_it_as_text(http: HttpClient, pk: int, payload: str) -> None:
    """The characters are there, as text; no link or script comes from them."""
    response = http.get(reverse("printing:plan_pdf", args=[pk]), {"notes": "1"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert " ".join(payload.split()) in text
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            assert "javascript" not in str(action.get("/URI", "")).lower()
            assert action.get("/S") != "/JavaScript"
    assert "/JavaScript" not in reader.trailer["/Root"].get("/Names", {})


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payloads_show_as_text_everywhere(alice, bob, plan, payload):
    http = signed_in(alice)
    pk = plan.client_id
    type_payload_everywhere(http, plan, payload)
    # A conflict whose both sides carry the payload, and a draft autosave kept with an error.
    conflict_url = conflict_with_payload_on_both_sides(http, bob, plan, payload)
    other = draft_with_payload(alice, plan, payload)

    assert_every_page_shows_it_as_text(http, pages_showing_the_client(pk, payload, conflict_url), payload)
    assert_inert(other.get(edit_url(pk)).content.decode(), "draft shown again")
    assert escape(payload) in other.get(edit_url(pk)).content.decode()
    assert_the_admin_shows_it_as_text(pk, payload)
    assert_the_pdf_shows_it_as_text(http, pk, payload)


# --- Bodies that cannot be read --------------------------------------------------------------------


def csrf_client(user: Any) -> tuple[HttpClient, str]:
    """A browser-like client: CSRF enforced, with the token a page gave it."""
    import re

    http = HttpClient(enforce_csrf_checks=True, raise_request_exception=False)
    http.force_login(user)
    page = http.get(reverse("plans:client_list")).content.decode()
    return http, re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


UNREADABLE = {
    "utf-16 form": ("application/x-www-form-urlencoded; charset=utf-16", "csrfmiddlewaretoken={token}&q=a"),
    "utf-16 form, ascii bytes": ("application/x-www-form-urlencoded; charset=UTF-16", "csrfmiddlewaretoken={token}"),
    "latin-1 form": ("application/x-www-form-urlencoded; charset=latin-1", "csrfmiddlewaretoken={token}"),
    "multipart without boundary": ("multipart/form-data", "csrfmiddlewaretoken={token}"),
    "too many fields": ("application/x-www-form-urlencoded", "csrfmiddlewaretoken={token}" + "&f=1" * 1100),
}


@pytest.mark.parametrize("case", UNREADABLE)
@pytest.mark.parametrize("target", ["client list", "editor", "autosave", "sign-in"])
def test_a_body_that_cannot_be_read_is_a_400_never_a_500(alice, plan, case, target):
    content_type, body = UNREADABLE[case]
    http, token = csrf_client(alice)
    url = {
        "client list": reverse("plans:client_list"),
        "editor": reverse("plans:plan_edit", args=[plan.client_id]),
        "autosave": reverse("plans:plan_autosave", args=[plan.client_id]),
        "sign-in": "/accounts/login/",
    }[target]
    raw = body.format(token=token)
    encoded = raw.encode("utf-16") if "utf-16" in case else raw.encode()
    before = db_state()
    headers = {"accept": "application/json"} if target == "autosave" else {}
    response = http.generic("POST", url, encoded, content_type=content_type, headers=headers, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 400
    if target == "autosave":
        assert response.json()["status"] == "bad_request"
    else:
        assert "Nothing was saved" in response.content.decode()
    assert db_state() == before


def test_a_suspicious_host_gets_the_plain_400_page(client, db):
    response = client.get(reverse("plans:client_list"), HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "This request could not be read" in response.content.decode()


def test_the_unwanted_character_pattern_is_exactly_unicodes_controls_and_surrogates_less_tab_and_newline():
    """clean_text uses one pattern for speed: it must drop what the Unicode categories say, no more, no less."""
    import unicodedata

    from plans.forms.fields import UNWANTED_CHARACTERS

    for code in range(0x110000):
        ch = chr(code)
        unwanted = ch not in "\n\t" and unicodedata.category(ch) in {"Cc", "Cs"}
        assert bool(UNWANTED_CHARACTERS.fullmatch(ch)) == unwanted, hex(code)

"""Checkpoints and verification: what `verify_audit_chain` finds after someone tampered with the database."""

import hashlib
import hmac
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from plans import audit
from plans.audit import checkpoints
from plans.models import AuditCheckpoint, AuditEventIsImmutableError
from plans.models import AuditEvent as Event

from .trail import assert_trail_ok, execute, guards_lifted


@pytest.fixture
def trail(alice_client, alice, client_record):
    """Five events in the client's chain (created, bob joined, three views) and one in alice's."""
    for _ in range(3):
        alice_client.get(reverse("plans:client_detail", args=[client_record.pk]))
    audit.record(action="sign_in", by=alice)
    return list(Event.objects.filter(client_id=client_record.pk).order_by("seq").values_list("pk", flat=True))


@pytest.fixture
def chain(client_record):
    return f"client:{client_record.pk}"


def problems():
    return [problem.message for problem in audit.verify_trail().problems]


def command_fails(match):
    with pytest.raises(CommandError, match=match):
        call_command("verify_audit_chain")


def checkpoint():
    call_command("audit_checkpoint")
    return AuditCheckpoint.objects.order_by("number").last()


# --- Writing checkpoints --------------------------------------------------------------------------------


def test_a_checkpoint_signs_every_chains_head_with_hmac_sha256(trail, chain, alice, settings):
    written = checkpoint()
    last = Event.objects.get(pk=trail[-1])
    alices = Event.objects.get(chain=f"user:{alice.pk}")
    assert (written.number, written.previous) == (1, "")
    assert written.heads == sorted([[chain, 5, last.hash], [f"user:{alice.pk}", 1, alices.hash]])
    # The MAC, computed here from the documented canonical form.
    canonical = json.dumps(
        {
            "created_at": written.created_at.astimezone(timezone.UTC).isoformat(timespec="microseconds"),
            "format": 1,
            "heads": written.heads,
            "number": 1,
            "previous": "",
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    expected = hmac.new(settings.AUDIT_CHECKPOINT_KEY.encode(), canonical.encode(), hashlib.sha256).hexdigest()
    assert written.mac == expected
    report = assert_trail_ok()
    assert (report.checkpoints, report.notes) == (1, [])


def test_the_next_checkpoint_holds_the_chains_that_moved_and_links_to_the_one_before(
    trail, chain, alice_client, client_record
):
    first = checkpoint()
    unmoved = checkpoint()
    alice_client.get(reverse("plans:client_detail", args=[client_record.pk]))
    moved = checkpoint()
    assert (unmoved.number, unmoved.previous, unmoved.heads) == (2, first.mac, [])
    newest = Event.objects.filter(chain=chain).order_by("-seq").first()
    assert (moved.number, moved.previous, moved.heads) == (3, unmoved.mac, [[chain, 6, newest.hash]])
    assert audit.verify_trail().checkpoints == 3


def test_a_checkpoint_is_refused_when_a_chain_went_back(trail, chain):
    checkpoint()
    with guards_lifted():
        execute("DELETE FROM plans_auditevent WHERE id = %s", [trail[-1]])
    with pytest.raises(CommandError, match=f"chain {chain} no longer reaches seq 5"):
        call_command("audit_checkpoint")
    assert AuditCheckpoint.objects.count() == 1


def test_checkpoints_cannot_be_changed_or_deleted(trail):
    written = checkpoint()
    written.heads = []
    with pytest.raises(AuditEventIsImmutableError):
        written.save()
    with pytest.raises(AuditEventIsImmutableError):
        written.delete()
    for sql in ["UPDATE plans_auditcheckpoint SET heads = '[]'", "DELETE FROM plans_auditcheckpoint"]:
        with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
            execute(sql)
    assert AuditCheckpoint.objects.get().heads != []


def test_the_command_says_ok_and_what_it_checked(trail, capsys):
    call_command("verify_audit_chain")
    out = capsys.readouterr().out
    assert "No checkpoint yet" in out
    assert "6 audit events in 2 chains checked against 0 checkpoints: OK" in out
    checkpoint()
    call_command("verify_audit_chain")
    assert "6 audit events in 2 chains checked against 1 checkpoints: OK" in capsys.readouterr().out


# --- Events changed or removed ----------------------------------------------------------------------------


def test_a_changed_event_is_found(trail, chain):
    tampered = trail[2]
    with guards_lifted():
        execute("UPDATE plans_auditevent SET client_id = 999 WHERE id = %s", [tampered])
        assert problems() == [
            f"chain {chain}: event #{tampered} (seq 3) was changed: its hash does not match its fields"
        ]
        command_fails(f"chain {chain}: event #{tampered} \\(seq 3\\) was changed")
    # The guard is back.
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        Event.objects.filter(pk=tampered).update(client_id=1)


def test_a_changed_event_with_a_recomputed_hash_breaks_the_next_link(trail, chain):
    event = Event.objects.get(pk=trail[2])
    forged = audit.event_hash(
        chain=event.chain,
        seq=event.seq,
        prev_hash=event.prev_hash,
        created_at=event.created_at,
        actor_id=None,  # "nobody did this"
        action=event.action,
        client_id=event.client_id,
        target=event.target,
        ip=event.ip,
    )
    with guards_lifted():
        Event.objects.filter(pk=event.pk).update(actor=None, hash=forged)
    assert problems() == [
        f"chain {chain}: event #{trail[3]} (seq 4) does not link to the event before it: that one was changed"
    ]


def test_an_event_removed_from_the_middle_is_found(trail, chain):
    with guards_lifted():
        execute("DELETE FROM plans_auditevent WHERE id = %s", [trail[1]])
    assert problems() == [f"chain {chain}: event #{trail[2]} is seq 3, after seq 1: events before it were removed"]


def test_an_event_moved_to_another_chain_is_found(trail, chain, alice):
    with guards_lifted():
        execute("UPDATE plans_auditevent SET chain = %s WHERE id = %s", [f"user:{alice.pk}", trail[-1]])
    assert (
        f"chain user:{alice.pk}: event #{trail[-1]} is seq 5, after seq 1: events before it were removed" in problems()
    )


def test_events_removed_from_the_end_are_found_back_to_the_last_checkpoint(trail, chain):
    checkpoint()
    with guards_lifted():
        execute("DELETE FROM plans_auditevent WHERE id IN (%s, %s)", trail[-2:])
    assert problems() == [
        f"chain {chain}: ends at event #{trail[2]} (seq 3), but checkpoint #1 recorded seq 5: "
        "events were removed from its end"
    ]
    command_fails("events were removed from its end")


def test_a_whole_chain_removed_is_found(trail, alice):
    checkpoint()
    with guards_lifted():
        execute("DELETE FROM plans_auditevent WHERE chain = %s", [f"user:{alice.pk}"])
    assert problems() == [
        f"chain user:{alice.pk}: ends at no event, but checkpoint #1 recorded seq 1: events were removed from its end"
    ]


def test_events_removed_from_the_end_after_the_last_checkpoint_cannot_be_found(trail, alice_client, client_record):
    """The limit of checkpoints, written down: what was appended since the last one can go unnoticed."""
    checkpoint()
    alice_client.get(reverse("plans:client_detail", args=[client_record.pk]))
    with guards_lifted():
        execute("DELETE FROM plans_auditevent WHERE id = %s", [Event.objects.order_by("-pk").first().pk])
    assert problems() == []


def test_a_rewritten_chain_end_is_found_even_with_valid_hashes(trail, chain, alice):
    """A forged head: the last two events replaced by two others, each hashed and linked correctly."""
    checkpoint()
    with guards_lifted():
        execute("DELETE FROM plans_auditevent WHERE id IN (%s, %s)", trail[-2:])
    forged = [audit.record(action="client_viewed", by=alice, client_id=int(chain.split(":")[1])) for _ in range(2)]
    assert [event.seq for event in forged] == [4, 5]
    assert problems() == [f"chain {chain}: event #{forged[1].pk} (seq 5) is not the one checkpoint #1 recorded"]


# --- Checkpoints forged, changed or removed --------------------------------------------------------------------


def test_a_changed_checkpoint_is_found(trail, chain):
    written = checkpoint()
    heads = [[c, 3 if c == chain else s, h] for c, s, h in written.heads]  # make room to cut the chain back
    with guards_lifted():
        execute("UPDATE plans_auditcheckpoint SET heads = %s WHERE id = %s", [json.dumps(heads), written.pk])
    assert problems() == [
        "checkpoint #1 is forged or was changed: its HMAC does not match "
        "(or AUDIT_CHECKPOINT_KEY is not the key it was signed with)"
    ]
    command_fails("checkpoint #1 is forged")


def test_a_checkpoint_signed_without_the_key_is_found(trail, chain):
    """Someone who can write to the database, and not read the key, writes a checkpoint for a shorter chain."""
    checkpoint()
    with guards_lifted():
        execute("DELETE FROM plans_auditcheckpoint")
        execute("DELETE FROM plans_auditevent WHERE id IN (%s, %s)", trail[-2:])
    checkpoints.write_checkpoint(key="a guess at the key, " * 3)
    assert problems() == [
        "checkpoint #1 is forged or was changed: its HMAC does not match "
        "(or AUDIT_CHECKPOINT_KEY is not the key it was signed with)"
    ]


def test_a_checkpoint_removed_from_the_middle_is_found(trail, alice_client, client_record):
    checkpoint()
    alice_client.get(reverse("plans:client_detail", args=[client_record.pk]))
    removed = checkpoint()
    checkpoint()
    with guards_lifted():
        execute("DELETE FROM plans_auditcheckpoint WHERE id = %s", [removed.pk])
    assert problems() == ["checkpoints #2 to #2 are missing: removed from the database"]


def test_a_checkpoint_spliced_in_from_elsewhere_is_found(trail, alice_client, client_record):
    checkpoint()
    replaced = checkpoint()
    with guards_lifted():
        execute("DELETE FROM plans_auditcheckpoint WHERE id = %s", [replaced.pk])
    with guards_lifted():  # a properly signed checkpoint #2 whose previous MAC is not #1's
        mac = checkpoints.checkpoint_mac(
            key=audit_key(), number=2, created_at=replaced.created_at, previous="0" * 64, heads=[]
        )
        AuditCheckpoint.objects.create(number=2, created_at=replaced.created_at, previous="0" * 64, heads=[], mac=mac)
    assert problems() == ["checkpoint #2 does not follow checkpoint #1"]


def audit_key():
    from django.conf import settings

    return settings.AUDIT_CHECKPOINT_KEY


# --- The checkpoint file outside the database ---------------------------------------------------------------


@pytest.fixture
def checkpoint_file(tmp_path, settings):
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"
    return settings.AUDIT_CHECKPOINT_FILE


def test_each_checkpoint_is_appended_to_the_file_as_one_signed_line(trail, checkpoint_file):
    written = [checkpoint(), checkpoint()]
    lines = [json.loads(line) for line in checkpoint_file.read_text().splitlines()]
    assert [(line["number"], line["mac"], line["heads"]) for line in lines] == [
        (c.number, c.mac, c.heads) for c in written
    ]
    assert assert_trail_ok().notes == []


def test_the_newest_checkpoint_deleted_from_the_database_is_found_in_the_file(trail, chain, checkpoint_file):
    checkpoint()
    newest = checkpoint()
    with guards_lifted():
        execute("DELETE FROM plans_auditcheckpoint WHERE id = %s", [newest.pk])
    assert problems() == [f"checkpoint #2 is in {checkpoint_file} but not in the database: deleted"]


def test_without_the_file_the_newest_checkpoint_deleted_goes_unnoticed(trail, settings):
    """Why the file is worth having (on another machine): the database alone cannot tell."""
    checkpoint()
    with guards_lifted():
        execute("DELETE FROM plans_auditcheckpoint")
    settings.AUDIT_CHECKPOINT_FILE = None
    assert problems() == []


def test_events_cut_back_with_their_checkpoint_deleted_are_found_through_the_file(trail, chain, checkpoint_file):
    checkpoint()
    with guards_lifted():
        execute("DELETE FROM plans_auditcheckpoint")
        execute("DELETE FROM plans_auditevent WHERE id IN (%s, %s)", trail[-2:])
    assert problems() == [
        f"checkpoint #1 is in {checkpoint_file} but not in the database: deleted",
        f"chain {chain}: ends at event #{trail[2]} (seq 3), but checkpoint #1 recorded seq 5: "
        "events were removed from its end",
    ]


def test_a_forged_line_in_the_file_is_found(trail, checkpoint_file):
    checkpoint()
    line = json.loads(checkpoint_file.read_text())
    line["heads"] = []
    with checkpoint_file.open("a") as file:
        file.write(json.dumps(line) + "\n")
    assert problems() == [f"line 2 of {checkpoint_file} is not a checkpoint signed with the key"]


def test_a_file_that_does_not_exist_yet_is_a_note(trail, checkpoint_file):
    assert f"The checkpoint file {checkpoint_file} does not exist yet." in assert_trail_ok().notes

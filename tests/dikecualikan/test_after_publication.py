"""Exemptions end: working days, periods that obey the law, end dates, review_due
(issue "Exemptions end", items 1-4)."""

import csv
import datetime
import io
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from dikecualikan import workdays, workflow
from dikecualikan.models import CapChange, ExemptionGround, OfficeDay, Record, period_text
from dikecualikan.workflow import WorkflowError

from ..conftest import CLASSIFICATION

D = datetime.date


# --- Working days ------------------------------------------------------------------------


def test_a_working_day_count_skips_the_weekend(db):
    friday = D(2026, 11, 6)
    assert workdays.working_days_after(friday, 1) == D(2026, 11, 9)
    assert workdays.working_days_after(friday, 0) == friday


def test_idul_fitri_and_its_cuti_bersama_are_not_working_days(db):
    # 2026: Nyepi 19 March (cuti bersama 18), Idul Fitri 21-22 March, cuti bersama 20, 23, 24.
    assert workdays.working_days_after(D(2026, 3, 17), 1) == D(2026, 3, 25)
    # After Friday 13 March: 16 and 17, then nothing until 25, 26 and 27 March.
    assert workdays.working_days_between(D(2026, 3, 13), D(2026, 3, 27)) == 5


def test_a_count_crosses_the_year_boundary_and_its_holidays(db):
    # 24 December cuti bersama, 25 Christmas, 1 January New Year.
    assert workdays.working_days_after(D(2026, 12, 23), 1) == D(2026, 12, 28)
    assert workdays.working_days_after(D(2026, 12, 23), 4) == D(2026, 12, 31)
    assert workdays.working_days_after(D(2026, 12, 23), 5) == D(2027, 1, 4)


def test_the_office_adds_a_day_off_and_gives_back_a_moved_holiday(db):
    tuesday = D(2026, 11, 10)
    assert workdays.working_days_after(D(2026, 11, 9), 1) == tuesday
    OfficeDay.objects.create(date=tuesday, kind="off", name="Hari jadi Kota Pontianak (contoh)")
    assert workdays.working_days_after(D(2026, 11, 9), 1) == D(2026, 11, 11)
    # A holiday moved by decree: the day becomes a working day again.
    OfficeDay.objects.create(date=D(2026, 8, 17), kind="working", name="Dipindahkan (contoh)")
    assert workdays.working_days_after(D(2026, 8, 14), 1) == D(2026, 8, 17)


def test_a_count_from_a_saturday_or_a_holiday_starts_on_the_next_working_day(db):
    saturday, holiday = D(2026, 11, 7), D(2026, 12, 25)
    assert workdays.working_days_after(saturday, 1) == D(2026, 11, 9)
    assert workdays.working_days_after(holiday, 1) == D(2026, 12, 28)


# --- Periods that obey the law ----------------------------------------------------------


def classify(make_record, ppid, **changes):
    record = make_record("collected")
    return record, lambda: workflow.classify(
        record=record, by=ppid, **{**CLASSIFICATION, **changes}
    )


@pytest.mark.parametrize("years", [500, 9999])
def test_a_period_of_hundreds_of_years_is_refused(make_record, ppid, years):
    record, take = classify(make_record, ppid, period_years=years)
    with pytest.raises(WorkflowError) as refusal:
        take()
    assert "period_years" in refusal.value.field_errors
    assert Record.objects.get(pk=record.pk).state == "collected"


def test_an_until_date_in_2199_is_refused(make_record, ppid):
    _record, take = classify(
        make_record, ppid, grounds=["17b"], period_type="until_date", period_until=D(2199, 1, 1)
    )
    with pytest.raises(WorkflowError) as refusal:
        take()
    assert "30 tahun" in refusal.value.field_errors["period_until"]


def test_an_event_period_on_17a_needs_a_backstop_within_its_cap(make_record, ppid):
    event = {"grounds": ["17a1"], "period_type": "until_event", "period_event": "Sampai inkrah"}
    _record, take = classify(make_record, ppid, **event)
    with pytest.raises(WorkflowError) as refusal:
        take()
    assert "Pasal 20" in refusal.value.field_errors["period_until"]
    _record, take = classify(make_record, ppid, **event, period_until=D(2060, 1, 1))
    with pytest.raises(WorkflowError):  # beyond 30 years from the test of 1 August 2025
        take()
    record, take = classify(make_record, ppid, **event, period_until=D(2040, 1, 1))
    take()
    record.refresh_from_db()
    assert record.period_until == D(2040, 1, 1) and "paling lambat" in record.period_display


def test_grounds_17b_to_17f_have_a_cap_of_thirty_years(db):
    caps = dict(ExemptionGround.objects.values_list("code", "max_years"))
    assert {
        code: caps[code] for code in ("17a", "17b", "17c", "17d", "17e", "17f")
    } == dict.fromkeys(("17a", "17b", "17c", "17d", "17e", "17f"), 30)
    assert caps["17h"] is None and caps["17j"] is None


def test_only_a_superuser_changes_a_cap_and_each_change_is_kept(client, ppid, django_user_model):
    url = reverse("admin:dikecualikan_exemptionground_change", args=["17b"])
    client.force_login(ppid)
    client.post(url, {"max_years": "99"})
    assert ExemptionGround.objects.get(pk="17b").max_years == 30
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(root)
    response = client.post(
        url,
        {"max_years": "20", "cap_changes-TOTAL_FORMS": "0", "cap_changes-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ExemptionGround.objects.get(pk="17b").max_years == 20
    change = CapChange.objects.get()
    assert (change.old_years, change.new_years, change.actor) == (30, 20, root)


def test_a_17h_period_carries_the_pasal_18_exceptions_on_every_page(client, make_record, ppid):
    record = make_record("published")
    words = "kecuali yang bersangkutan memberikan persetujuan tertulis"
    assert words in client.get(reverse("dikecualikan:record", args=[record.pk])).content.decode()
    assert words in client.get("/").content.decode()
    rows = list(csv.DictReader(io.StringIO(b"".join(client.get("/dik.csv")).decode())))
    assert words in rows[0]["jangka_waktu"]
    client.force_login(ppid)
    assert (
        words in client.get(reverse("dikecualikan:staff-record", args=[record.pk])).content.decode()
    )


def test_a_period_until_consent_names_consent_once_and_adds_the_public_office_exception():
    with translation.override("id"):
        text = period_text(
            "until_event",
            None,
            None,
            "Sampai pemilik data memberikan persetujuan tertulis",
            ["17h"],
        )
    assert text.count("persetujuan") == 1
    assert text.endswith(
        "kecuali informasi berkaitan dengan posisi yang bersangkutan dalam "
        "jabatan publik (UU 14/2008 Pasal 18 ayat (2))"
    )
    with translation.override("id"):  # any other period carries both exceptions
        text = period_text("fixed", 5, None, "", ["17h"])
    assert "persetujuan tertulis dan/atau" in text


def test_the_classification_says_when_the_public_office_exception_applies(
    client, make_record, ppid
):
    reason = "Rincian diagnosis tidak berkaitan dengan jabatan yang dicalonkan oleh calon."
    record = make_record(
        "classified",
        classification={"concerns_public_office": True, "public_office_reason": reason},
    )
    client.force_login(ppid)
    page = client.get(reverse("dikecualikan:staff-record", args=[record.pk])).content.decode()
    assert "berkaitan dengan (calon) pejabat publik" in page
    other = make_record("classified")
    page = client.get(reverse("dikecualikan:staff-record", args=[other.pk])).content.decode()
    assert "berkaitan dengan (calon) pejabat publik" not in page


# --- Every item knows when it ends --------------------------------------------------------


def published_ending(make_record, ends_on, **fields):
    """A record published for five years under a decision set five years before `ends_on`.

    One that has already ended was published while it still ran: the clock goes back to
    a month before its end for the publication (time-machine), then on to today.
    """
    start = ends_on.replace(year=ends_on.year - 5)
    classification = {"test_date": start - datetime.timedelta(days=10)}
    when = min(timezone.now(), at_noon(ends_on - datetime.timedelta(days=30)))
    with time_machine.travel(when, tick=False):
        decision = make_record.decision(date_set=start, year=start.year)
        record = make_record(
            "published", decision=decision, classification=classification, **fields
        )
    return record


def at_noon(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def test_a_decided_item_knows_when_it_ends(client, make_record):
    record = make_record("published")
    assert record.ends_on == D(2030, 8, 21)  # five years from the decision of 21 August 2025
    page = client.get(reverse("dikecualikan:record", args=[record.pk])).content.decode()
    assert "berakhir 21 Agustus 2030" in page


def test_an_ended_item_reads_masa_pengecualian_berakhir_until_it_is_opened(client, make_record):
    record = published_ending(make_record, timezone.localdate() - datetime.timedelta(days=3))
    rows = list(csv.DictReader(io.StringIO(b"".join(client.get("/dik.csv")).decode())))
    (row,) = rows
    assert row["status"] == "masa pengecualian berakhir"
    assert row["berakhir"] == record.ends_on.isoformat()
    assert "Masa pengecualian berakhir" in client.get("/").content.decode()


def test_a_decision_cannot_publish_an_item_whose_period_has_ended(make_record, ppid):
    start = timezone.localdate().replace(year=timezone.localdate().year - 6)
    decision = make_record.decision(date_set=start, year=start.year)
    record = make_record(
        "decided", decision=decision, classification={"test_date": start - datetime.timedelta(1)}
    )
    with pytest.raises(WorkflowError, match="berakhir"):
        workflow.publish_decision(decision=decision, by=ppid)
    assert Record.objects.get(pk=record.pk).state == "decided"


# --- review_due ---------------------------------------------------------------------------


def review(**kwargs):
    out = StringIO()
    call_command("review_due", stdout=out, stderr=StringIO(), **kwargs)
    return out.getvalue()


def test_review_due_opens_ended_items_and_queues_ending_ones_with_one_mail(
    client, make_record, ppid, atasan, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    ended = published_ending(make_record, today - datetime.timedelta(days=1))
    soon = published_ending(make_record, workdays.working_days_after(today, 10))
    later = published_ending(make_record, today + datetime.timedelta(days=200))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        output = review()
    assert "opened 1, queued 1, errors 0" in output
    ended.refresh_from_db()
    assert ended.state == "opened" and ended.opened_reason == "expired"
    row = ended.transitions.last()
    assert row.actor.username == "register" and "Register PPID" in row.actor.get_full_name()
    assert row.instrument.startswith("masa pengecualian berakhir pada")
    assert Record.objects.get(pk=soon.pk).state == "published"
    assert Record.objects.get(pk=later.pk).state == "published"
    # One mail per person of the PPID and the Atasan PPID, naming the item in the queue.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ppid.email, atasan.email])
    assert f"#{soon.pk}" in mail.outbox[0].body and f"#{later.pk}" not in mail.outbox[0].body
    assert ended.public_title in client.get("/dibuka/").content.decode()


def test_review_due_run_twice_the_same_day_does_nothing_twice(
    make_record, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    published_ending(make_record, today - datetime.timedelta(days=1))
    soon = published_ending(make_record, workdays.working_days_after(today, 5))
    with django_capture_on_commit_callbacks(execute=True):
        review()
    assert mail.outbox
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert "opened 0, queued 0, errors 0" in review()
    assert mail.outbox == []
    assert soon.transitions.filter(action="review").count() == 1


def test_review_due_exits_1_when_an_item_cannot_be_opened(make_record, monkeypatch):
    published_ending(make_record, timezone.localdate() - datetime.timedelta(days=1))

    def refuse(**kwargs):
        raise WorkflowError("changed meanwhile")

    monkeypatch.setattr("dikecualikan.workflow.review.expire", refuse)
    with pytest.raises(CommandError):
        review()


def test_the_register_account_cannot_sign_in_nor_act_for_a_person(make_record, ppid):
    register = workflow.register_user()
    assert not register.is_active and not register.has_usable_password()
    record = make_record("published")
    with pytest.raises(WorkflowError, match="review_due"):
        workflow.expire(record=record, by=ppid)


def test_the_ppid_declares_an_ending_item_open_from_the_review_queue(client, make_record, ppid):
    soon = published_ending(make_record, workdays.working_days_after(timezone.localdate(), 8))
    client.force_login(ppid)
    page = client.get(reverse("dikecualikan:dashboard")).content.decode()
    declare = reverse("dikecualikan:staff-record-open", args=[soon.pk]) + "?alasan=declared"
    assert declare in page.replace("&amp;", "&")
    form = client.get(declare).context["form"]
    assert form["reason"].initial == "declared"
    response = client.post(
        declare,
        {
            "reason": "declared",
            "instrument": "Pernyataan PPID Nomor 12/2026",
            "version": soon.version,
        },
    )
    assert response.status_code == 302
    assert Record.objects.get(pk=soon.pk).opened_reason == "declared"


def test_declaring_open_early_outside_the_review_window_is_refused(make_record, ppid):
    record = make_record("published")  # ends in 2030
    with pytest.raises(WorkflowError) as refusal:
        workflow.open_record(record=record, by=ppid, reason="declared", instrument="Pernyataan")
    assert "reason" in refusal.value.field_errors
    with pytest.raises(WorkflowError):
        workflow.open_record(record=record, by=ppid, reason="expired", instrument="Berakhir")
    assert Record.objects.get(pk=record.pk).state == "published"


def test_the_review_queue_costs_the_same_queries_for_few_items_or_many(client, make_record, ppid):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("dikecualikan:dashboard")).status_code == 200
        return len(queries)

    client.force_login(ppid)
    target = workdays.working_days_after(timezone.localdate(), 6)
    published_ending(make_record, target)
    cost()
    few = cost()
    for _ in range(4):
        published_ending(make_record, target)
    assert cost() == few


def test_review_due_reviews_each_office_in_service_in_its_own_register_or_the_one_named(
    make_record,
):
    from dikecualikan import office
    from dikecualikan.office import Office

    today = timezone.localdate()
    ended = published_ending(make_record, today - datetime.timedelta(days=1))
    Office.objects.filter(slug="kuburayakab").update(in_service=True)
    output = review()
    # Pontianak opens its own ended item; Kubu Raya, in service with an empty register, none.
    assert "kuburayakab review_due" in output and "pontianakkota review_due" in output
    assert "opened 1" in output.split("pontianakkota")[1]
    assert Record.objects.get(pk=ended.pk).state == "opened"
    assert "opened 0, queued 0" in review(office="kuburayakab")
    with pytest.raises(CommandError, match="names no office"):
        review(office="pontianak")
    assert office.current().slug == "pontianakkota"  # the command acted, then let go

"""The demo's collection period runs today, at every `make run`: a record made in the demo is
not late a minute after it is made."""

import datetime
from io import StringIO

import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dikecualikan import workflow
from dikecualikan.models import CollectionPeriod


def seed():
    call_command("seed_demo", force=True, stdout=StringIO())


def new_record(desk):
    return workflow.collect(
        by=desk,
        public_title="Rekaman rapat pleno tertutup",
        title="Rekaman rapat pleno tertutup 2 Desember",
        holding_unit="Subbagian Teknis",
        document_type="Rekaman",
    )


def test_a_record_made_in_the_demo_is_not_late_and_its_period_says_the_days_left(client, db):
    seed()
    desk = User.objects.get(username="desk")
    record = new_record(desk)
    period = CollectionPeriod.objects.current()
    today = timezone.localdate()
    assert period.starts_on <= today <= period.collect_by
    assert record in period.records() and not period.late_records().exists()
    client.force_login(User.objects.get(username="ppid"))  # the next step is the PPID's
    page = client.get(reverse("dikecualikan:dashboard")).content.decode()
    assert period.name in page and "hari kerja." in page  # "Sisa 7 hari kerja."
    assert "Terlambat: dihimpun dalam periode ini" not in page
    (row,) = [row for row in page.split("<tr") if "Rekaman rapat pleno tertutup 2 Desember" in row]
    assert "terlambat" not in row and "overdue" not in row  # waiting for the PPID, on time


def test_the_demo_period_moves_with_every_run_and_stays_one_period(db):
    seed()
    later = timezone.now() + datetime.timedelta(days=60)
    with time_machine.travel(later, tick=False):
        seed()  # make run, two months on
        period = CollectionPeriod.objects.current()
        assert period.starts_on <= timezone.localdate() <= period.collect_by
        assert not period.late_records().exists()
    assert CollectionPeriod.objects.count() == 1

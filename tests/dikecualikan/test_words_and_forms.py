"""Words that say the right thing and forms that help, through the HTTP client in Indonesian:
file boxes, errors said as what is wrong, one pass for every error, "(wajib)", the reasons
to open a record, one decision however its number is typed, sign-out and a staff 404."""

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from dikecualikan import workflow
from dikecualikan.models import DecidingBody, Decision, Objection, OpenReason, Transition
from dikecualikan.templatetags.filters import lines_as_list
from dikecualikan.workflow import WorkflowError

from ..conftest import OBJECTION, pdf_file


def text_of(response):
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def post_forms(html):
    """The opening tags of the page's forms that post."""
    return re.findall(r"<form\b[^>]*method=\"post\"[^>]*>", html)


# --- File boxes -----------------------------------------------------------------------


def test_a_decision_s_correction_links_its_current_pdf_and_offers_no_clearing(
    client, make_decision, ppid
):
    decision = make_decision()
    client.force_login(ppid)
    html = client.get(reverse("dikecualikan:staff-decision-edit", args=[decision.pk])).content
    html = html.decode()
    pdf_url = reverse("dikecualikan:staff-decision-pdf", args=[decision.pk])
    assert f'<a href="{pdf_url}">PDF saat ini</a>' in html
    assert 'type="checkbox" name="pdf-clear"' not in html
    assert "Hapus saringan" not in html and "Saat ini:" not in html
    pdf = client.get(pdf_url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_clearing_the_filters_and_clearing_a_file_are_said_apart(client, desk):
    client.force_login(desk)
    assert "Hapus saringan" in text_of(client.get(reverse("dikecualikan:staff-records")))
    with translation.override("id"):
        assert translation.gettext("Clear") == "Kosongkan"  # Django's clear-file checkbox


# --- Errors said as what is wrong, all in one pass --------------------------------------


def test_an_objection_s_dates_and_missing_fields_are_reported_together(client, make_record, ppid):
    record = make_record("published")
    client.force_login(ppid)
    data = {
        **OBJECTION,
        "requester_name": "",
        "received_on": "2026-11-02",
        "request_refused_on": "2026-11-03",
        "records": [record.pk],
    }
    response = client.post(reverse("dikecualikan:staff-objection-new"), data)
    form = response.context["form"]
    assert form.errors["received_on"] == ["Tanggal diterima tidak boleh sebelum tanggal penolakan."]
    assert "requester_name" in form.errors
    assert not Objection.objects.exists()


def test_an_answer_dated_before_the_objection_says_what_is_wrong(make_record, ppid, atasan):
    objection = workflow.receive_objection(by=ppid, records=[make_record("published")], **OBJECTION)
    with pytest.raises(WorkflowError) as refusal:
        workflow.answer_objection(
            objection=objection,
            by=atasan,
            outcome="refused",
            number="01/KEB/2026",
            answered_on=datetime.date(2026, 11, 1),
            reasons="Pengecualian tetap berlaku.",
        )
    assert refusal.value.field_errors["answered_on"] == (
        "Tanggal tanggapan tidak boleh sebelum tanggal keberatan diterima."
    )


def test_an_objection_s_receipt_is_recorded_not_upheld(make_record, ppid):
    record = make_record("published")
    workflow.receive_objection(by=ppid, records=[record], **OBJECTION)
    row = Transition.objects.filter(record=record).last()
    with translation.override("id"):
        assert row.get_action_display() == "Keberatan dicatat"
        assert str(row).startswith("Keberatan dicatat oleh ")


# --- A decision's history, by labels; its number, however typed ------------------------


def test_a_decision_s_history_names_fields_by_their_labels_and_lists_lines(
    client, make_decision, ppid
):
    decision = make_decision(title="tentang DIK")
    fields = {name: getattr(decision, name) for name in Decision.FORM_FIELDS}
    workflow.correct_decision(
        decision=decision, by=ppid, **{**fields, "title": "tentang DIK\nLampiran I"}
    )
    client.force_login(ppid)
    html = client.get(reverse("dikecualikan:staff-decision", args=[decision.pk])).content.decode()
    assert "Judul:" in html and "title:" not in html
    assert '<ul class="lines"><li>tentang DIK</li><li>Lampiran I</li></ul>' in html


def test_a_number_as_printed_and_as_typed_are_one_decision(make_decision, ppid):
    make_decision(number="Keputusan Komisi Pemilihan Umum Nomor 1210 Tahun 2025")
    with pytest.raises(WorkflowError) as refusal:
        make_decision(number="1210")
    assert "Nomor 1210 Tahun 2025" in refusal.value.field_errors["number"]
    with pytest.raises(WorkflowError):
        make_decision(number="Nomor  1210")
    make_decision(number="1211")  # another number is another decision
    assert Decision.objects.count() == 2


def test_a_decision_entered_twice_under_another_spelling_is_refused_on_the_form(
    client, make_decision, ppid
):
    make_decision(number="731")
    client.force_login(ppid)
    body = DecidingBody.objects.get(name="Komisi Pemilihan Umum")
    data = {
        "body": body.pk,
        "number": "Keputusan Komisi Pemilihan Umum Nomor 731 Tahun 2025",
        "year": 2025,
        "title": "tentang DIK",
        "date_set": "2025-08-21",
        "place": "Jakarta",
        "signatory": "Ketua KPU",
        "pdf": pdf_file("k.pdf", "Keputusan"),
    }
    response = client.post(reverse("dikecualikan:staff-decision-new"), data)
    assert response.status_code == 200
    assert "sudah ada di register" in str(response.context["form"].errors["number"])
    assert Decision.objects.count() == 1


# --- "(wajib)", novalidate, and the server's summary ------------------------------------


def test_the_classification_marks_every_field_the_workflow_requires(client, make_record, ppid):
    record = make_record("collected")
    client.force_login(ppid)
    response = client.get(reverse("dikecualikan:staff-record-classify", args=[record.pk]))
    form = response.context["form"]
    html = response.content.decode()
    marked = [
        name
        for name in ("grounds", "test_scope", "harm", "statutes", "public_interest", "balancing")
        + ("test_conclusion", "period_type", "test_date", "test_place")
        if name in form.fields
    ]
    assert len(marked) == 10
    assert html.count('<span class="required">(wajib)</span>') >= len(marked)
    for name in marked:
        label = re.search(
            rf'(?:for="id_{name}"|<legend>)[^<]*{re.escape(str(form[name].label))}[^<]*'
            r'<span class="required">\(wajib\)</span>',
            html,
        )
        assert label, name


def test_every_staff_form_leaves_checking_to_the_server(client, make_record, make_decision, cast):
    published = make_record("published")
    collected = make_record("collected")
    archived = make_record("approved")
    decision = make_decision()
    pages = {
        "desk": [
            reverse("dikecualikan:staff-record-new"),
            reverse("arsip:record", args=[archived.pk]),
        ],
        "ppid": [
            reverse("dikecualikan:staff-record-classify", args=[collected.pk]),
            reverse("dikecualikan:staff-record-open", args=[published.pk]),
            reverse("dikecualikan:staff-decision-new"),
            reverse("dikecualikan:staff-decision-edit", args=[decision.pk]),
            reverse("dikecualikan:staff-objection-new"),
        ],
    }
    for username, urls in pages.items():
        client.force_login(cast[username])
        for url in urls:
            forms = post_forms(client.get(url).content.decode())
            assert forms, url
            for tag in forms:
                if "logout" not in tag:
                    assert "novalidate" in tag, (url, tag)
    client.logout()
    assert all(
        "novalidate" in tag for tag in post_forms(client.get(reverse("login")).content.decode())
    )


def test_a_form_posted_empty_answers_with_the_server_s_summary(client, desk):
    client.force_login(desk)
    response = client.post(reverse("dikecualikan:staff-record-new"), {"token": "a1"})
    html = response.content.decode()
    assert 'id="error-summary"' in html
    # Each error under its own field as well, inside the field's box.
    field = re.search(
        r'<div class="field has-error">\s*<label for="id_title">.*?</div>', html, re.S
    )
    assert field and '<span class="errors">' in field.group(0)


# --- A second post of the same form ----------------------------------------------------


def test_a_second_post_of_a_step_s_form_gets_a_message_not_an_error(client, make_record, ppid):
    record = make_record("archived")
    client.force_login(ppid)
    url = reverse("dikecualikan:staff-record-request", args=[record.pk])
    data = {
        "version": record.version,
        "letter_number": "123/PP.01-SD/6171/2025",
        "letter_date": "2025-08-04",
        "addressee": workflow.DEFAULT_ADDRESSEE,
    }
    assert client.post(url, data).status_code == 302
    second = client.post(url, data)  # the same form, sent again (a double click)
    assert second.status_code == 200
    assert "Tidak ada yang disimpan" in str(second.context["form"].non_field_errors())
    assert Transition.objects.filter(record=record, action="request").count() == 1


def test_sqlite_makes_two_posts_at_once_wait_for_each_other(settings):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's row locks order two posts at once (test_concurrency.py)")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 5


# --- "Buka": only the reasons that apply now ---------------------------------------------


def test_the_open_form_offers_only_the_reasons_that_apply_and_says_why_not(
    client, make_record, ppid
):
    record = make_record("published")  # 17h2, five years: consent and a public office apply
    client.force_login(ppid)
    response = client.get(reverse("dikecualikan:staff-record-open", args=[record.pk]))
    form = response.context["form"]
    assert [value for value, _label in form.fields["reason"].choices] == [
        OpenReason.CONSENT,
        OpenReason.PUBLIC_OFFICE,
    ]
    page = text_of(response)
    assert "Tidak ditawarkan untuk entri ini sekarang" in page
    assert "hanya dari antrean peninjauan" in page and "jangka waktunya berakhir pada" in page


def test_consent_does_not_open_an_item_that_is_not_personal_information(client, make_record, ppid):
    record = make_record(
        "published", classification={"grounds": ["17b"], "period_type": "fixed", "period_years": 5}
    )
    client.force_login(ppid)
    url = reverse("dikecualikan:staff-record-open", args=[record.pk])
    form = client.get(url).context["form"]
    assert OpenReason.CONSENT not in dict(form.fields["reason"].choices)
    assert "hanya untuk informasi pribadi" in form.fields["reason"].help_text
    with pytest.raises(WorkflowError) as refusal:
        workflow.open_record(record=record, by=ppid, reason="consent", instrument="Surat")
    assert "hanya untuk informasi pribadi" in refusal.value.field_errors["reason"]


# --- Sign-out and a staff 404 -----------------------------------------------------------


def test_signing_out_says_so(client, desk):
    client.force_login(desk)
    response = client.post(reverse("logout"), follow=True)
    assert "Anda telah keluar" in text_of(response)
    assert reverse("login") in response.content.decode()


def test_a_staff_404_leads_back_to_the_dashboard(client, desk):
    client.force_login(desk)
    response = client.get("/staf/entri/999999/")
    assert response.status_code == 404
    assert f'<a href="{reverse("dikecualikan:dashboard")}">Kembali ke dasbor</a>' in (
        response.content.decode()
    )


def test_a_visitor_s_404_leads_to_the_public_list(client, db):
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    assert "Kembali ke dasbor" not in response.content.decode()


# --- Multi-line values as lists ------------------------------------------------------------


def test_a_value_of_several_lines_is_a_list_and_one_line_stays_text():
    assert lines_as_list("Rina, PPID\nAhmad, Ketua\n") == (
        '<ul class="lines"><li>Rina, PPID</li><li>Ahmad, Ketua</li></ul>'
    )
    assert lines_as_list("satu baris") == "satu baris"
    assert lines_as_list("<b>\nx") == '<ul class="lines"><li>&lt;b&gt;</li><li>x</li></ul>'


def test_the_objection_list_tells_receipt_apart_from_an_upheld_objection(client, make_record, ppid):
    workflow.receive_objection(by=ppid, records=[make_record("published")], **OBJECTION)
    client.force_login(ppid)
    html = client.get(reverse("dikecualikan:staff-objections")).content.decode()
    assert '<th scope="col">Tanggal diterima</th>' in html
    assert '<th scope="col">Diterima</th>' not in html


def test_a_decision_form_shows_a_missing_title_and_a_known_number_at_once(
    client, make_decision, ppid
):
    make_decision(number="Keputusan Komisi Pemilihan Umum Nomor 805 Tahun 2025")
    client.force_login(ppid)
    data = {
        "body": DecidingBody.objects.get(name="Komisi Pemilihan Umum").pk,
        "number": "805",
        "year": 2025,
        "title": "",
        "date_set": "2025-08-21",
        "place": "Jakarta",
        "signatory": "Ketua KPU",
    }
    errors = client.post(reverse("dikecualikan:staff-decision-new"), data).context["form"].errors
    assert "title" in errors
    assert "sudah ada di register" in str(errors["number"])

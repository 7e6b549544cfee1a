"""The staff forms help: an error summary, required fields marked, used values offered."""

import re

from django.urls import reverse

NEW = reverse("dikecualikan:staff-record-new")


def test_a_failed_post_puts_an_error_summary_linking_to_each_field_and_says_so_in_the_title(
    client, desk
):
    client.force_login(desk)
    page = client.post(NEW, {"title": "", "public_title": "", "token": "t1"}).content.decode()
    summary = page[page.index('id="error-summary"') : page.index("</div>")]
    assert 'href="#id_title"' in summary and 'href="#id_public_title"' in summary
    assert re.search(r"<title>Kesalahan: ", page)
    assert client.get(NEW).content.decode().count("error-summary") == 0


def test_required_fields_are_marked_and_hidden_fields_have_no_label(client, desk):
    client.force_login(desk)
    page = client.get(NEW).content.decode()
    label = page[page.index('<label for="id_title">') :]
    assert label[: label.index("</label>")].endswith('<span class="required">(wajib)</span>')
    assert ">Token<" not in page and ">Version<" not in page and ">Versi<" not in page


def test_holding_units_and_document_types_already_used_are_offered(client, desk, make_record):
    make_record("collected", holding_unit="Divisi Hukum dan Pengawasan")
    client.force_login(desk)
    page = client.get(NEW).content.decode()
    assert 'list="holding_unit-used"' in page
    datalist = page[page.index('<datalist id="holding_unit-used">') :]
    assert (
        '<option value="Divisi Hukum dan Pengawasan">' in datalist[: datalist.index("</datalist>")]
    )


def test_long_free_text_is_bounded_with_a_clear_error(client, desk):
    client.force_login(desk)
    page = client.get(NEW).content.decode()
    assert 'maxlength="4000"' in page
    data = {
        "title": "x" * 4001,
        "public_title": "Judul publik",
        "holding_unit": "Divisi Teknis",
        "document_type": "Dokumen",
        "token": "t2",
    }
    response = client.post(NEW, data)
    assert response.status_code == 200 and "4000" in response.content.decode()


def test_the_grounds_are_grouped_under_the_ten_letters_with_their_full_text(
    client, ppid, make_record
):
    from dikecualikan.models import ExemptionGround

    record = make_record("classified")  # CLASSIFICATION chose its grounds
    chosen = set(record.grounds.values_list("code", flat=True))
    client.force_login(ppid)
    page = client.get(reverse("dikecualikan:staff-record-classify", args=[record.pk]))
    html = page.content.decode()
    letters = re.findall(r'<details class="ground-letter"( open)?>\s*<summary>([^<]*)', html)
    assert [summary.split(":")[0] for _open, summary in letters] == [
        f"Pasal 17 huruf {letter}" for letter in "abcdefghij"
    ]
    opened = {summary[len("Pasal 17 huruf ")] for is_open, summary in letters if is_open}
    assert opened == {code[2] for code in chosen}  # only the letters with a chosen ground
    for is_open, summary in letters:
        if is_open:
            count = sum(code[2] == summary[len("Pasal 17 huruf ")] for code in chosen)
            assert f'<span class="chosen">({count} dipilih)</span>' in html
    longest = max(ExemptionGround.objects.all(), key=lambda g: len(g.label_id))
    assert len(longest.label_id) > 300 and longest.label_id in html  # never cut short
    assert html.count('type="checkbox" name="grounds"') == 38

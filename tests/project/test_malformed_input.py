"""Bad input gets a clear answer, never a 500: every URL pattern, walked with malformed values.

The patterns are read from the URL resolver (the admin's own aside, but for the records'
pages), so a new page is walked too. Each is asked for with malformed path parameters,
with malformed query parameters, and posted malformed forms, signed out and as the PPID.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from dikecualikan import documents
from dikecualikan.models import DikVersion

HUGE = "9" * 25  # beyond 64 bits
BAD_QUERY = {
    "tanggal": ["9999-12-31", "0001-01-01", "2026-02-30", "kemarin"],
    "date_from": ["0001-01-01", "9999-12-31"],
    "date_to": ["9999-12-31", "0001-01-01"],
    "record": [HUGE, "-1", "1.5"],
    "tahun": [HUGE, "0", "abc"],
    "keputusan": [HUGE, "abc"],
    "halaman": ["abc", HUGE, "-3"],
    "setelah": ["abc", HUGE, "1,2"],
    "sebelum": ["abc", HUGE],
    "versi": ["abc", "1.5", HUGE],
    "q": ["\x00", "a" * 5000],
    "format": ["exe"],
    "next": ["https://jahat.example/", "//jahat.example"],
    "alasan": ["xyz"],
    "antrean": ["xyz"],
    "state": ["xyz"],
    "urut": ["xyz"],
}
PDF_QUERY = ("tanggal", "versi", "record", "date_from", "date_to", "keputusan")
BAD_POST = {
    "version": ["abc", "1.5", HUGE, ""],
    "_selected_action": ["abc", HUGE],
    "action": ["reset_second_factor"],
    "index": ["0"],
    "token": ["t" * 500],
    "letter_date": ["9999-12-31"],
    "due_date": ["0001-01-01"],
    "reason": ["x" * 20],
    "username": ["u" * 10_000],
    "password": ["salah"],
}


def routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route.startswith("admin/"):
                continue  # Django's own admin: the records' screens are walked below
            yield from routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route.lstrip("^").rstrip("$")


ADMIN = [
    "admin/dikecualikan/record/<int:pk>/change/",
    "admin/dikecualikan/record/<int:pk>/putusan/approve/",
    "admin/dikecualikan/record/<int:pk>/putusan/xyz/",
    "admin/dikecualikan/record/",
    "admin/auth/user/",
    "admin/auth/group/",
]


def filled(route, value) -> str:
    url = re.sub(r"<int:\w+>", value, route)
    url = re.sub(r"<(str|path):\w+>", "abc%00", url)
    return "/" + url


def first_of(values):
    return {name: options[0] for name, options in values.items()}


@pytest.fixture
def everything(make_record, ppid):
    """Records in several states, so that pages answer with their content, not a 404.

    Returns the route prefixes' objects: the walk fills a route with one that exists (the
    numbers differ between databases: PostgreSQL's sequences do not restart per test).
    """
    from arsip.models import SoftcopyVersion
    from dikecualikan.models import Decision

    records = [make_record(state) for state in ("collected", "awaiting_approval", "archived")]
    records.append(make_record("published"))
    return {
        "staf/keputusan/": Decision.objects.first().pk,
        "keputusan/": Decision.objects.first().pk,
        "staf/arsip/berkas/": SoftcopyVersion.objects.first().pk,
        "": records[0].pk,
    }


def existing(route, objects) -> str:
    return str(next(pk for prefix, pk in objects.items() if route.startswith(prefix)))


def asked(client, url, full):
    """Yield (what was asked, response): the page, each malformed parameter, malformed posts.

    Each malformed parameter goes to a page that answers at all (a refusal to the plain
    request, a 404 or a 405, is where a parameter is never read).
    """
    page = client.get(url)
    yield "GET", page
    post = client.post(url, first_of(BAD_POST))
    yield "POST", post
    if not full:
        return
    if page.status_code not in (404, 405):
        # A document renders for seconds: only the parameters documents read, there.
        query = {k: BAD_QUERY[k] for k in PDF_QUERY} if url.endswith(".pdf") else BAD_QUERY
        for name, values in query.items():
            for value in values:
                yield f"GET ?{name}={value[:30]!r}", client.get(url, {name: value})
    if post.status_code not in (404, 405):
        for name, values in BAD_POST.items():
            for value in values:
                yield f"POST {name}={value[:30]!r}", client.post(url, {name: value})


@pytest.mark.parametrize("who", ["anonymous", "ppid", "admin"])
def test_no_url_answers_500_to_malformed_parameters(everything, who, ppid, it_admin):
    client = Client(raise_request_exception=False)
    if who != "anonymous":
        client.force_login({"ppid": ppid, "admin": it_admin}[who])
    # The DIK's PDFs as the worker leaves them (before, /dik.pdf answers "being prepared").
    for version in DikVersion.objects.all():
        documents.render_dik.call(version.number)
    errors, answered = [], set()
    for route in [*routes(), *ADMIN]:
        if route == "accounts/logout/":
            continue  # it would end the walk's session (it takes no parameters)
        if who == "anonymous" and route.startswith(("staf/", "admin/")):
            continue  # signed out, these only send to the sign-in page (walked once below)
        real = existing(route, everything)
        for value in [real, HUGE, "0"]:
            url = filled(route, value)
            for what, response in asked(client, url, full=value == real):
                if response.status_code >= 500:
                    errors.append(f"{url} {what}")
                elif response.status_code == 200:
                    answered.add(route)
    assert errors == [], "\n".join(errors)
    # The walk went through the pages themselves, not only through refusals.
    assert len(answered) >= {"anonymous": 10, "ppid": 30, "admin": 8}[who], sorted(answered)


def test_signed_out_the_staff_pages_send_to_sign_in_whatever_the_parameters(db):
    # db: the request's office is a row (dikecualikan/office.py)
    client = Client(raise_request_exception=False)
    for route in routes():
        if route.startswith("staf/"):
            for value in ["1", HUGE]:
                response = client.get(filled(route, value), first_of(BAD_QUERY))
                assert response.status_code in (302, 404), route


# The cases the walk found, each with the answer a person gets.


@pytest.mark.parametrize("version", ["abc", "1.5", HUGE])
def test_a_damaged_version_field_is_refused_with_a_message_and_changes_nothing(
    client, make_record, desk, version
):
    record = make_record("approved")
    client.force_login(desk)
    response = client.post(f"/staf/arsip/entri/{record.pk}/arsipkan/", {"version": version})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "rusak" in page or "mengubah entri ini" in page
    record.refresh_from_db()
    assert record.state == "approved"


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_nota_dinas_refuses_a_date_outside_the_calendar(client, ppid, day):
    client.force_login(ppid)
    response = client.get("/staf/nota-dinas.pdf", {"tanggal": day})
    assert response.status_code == 302
    assert "Isikan tanggal pengajuan" in client.get(response.url).content.decode()


@pytest.mark.parametrize("field,day", [("date_from", "0001-01-01"), ("date_to", "9999-12-31")])
def test_date_filters_refuse_dates_outside_the_calendar_with_a_form_error(client, ppid, field, day):
    client.force_login(ppid)
    response = client.get("/staf/arsip/akses/", {field: day})
    assert response.status_code in (200, 400)
    assert response.context["form"].errors[field]


def test_a_record_number_beyond_64_bits_in_a_filter_is_a_form_error(client, ppid):
    client.force_login(ppid)
    response = client.get("/staf/arsip/akses/", {"record": HUGE})
    assert "lebih kecil dari atau sama dengan" in str(response.context["form"].errors["record"])


@pytest.mark.parametrize("selected", ["abc", HUGE])
def test_an_admin_action_on_a_selection_that_names_no_row_is_a_400(client, it_admin, selected):
    client.force_login(it_admin)
    response = client.post(
        "/admin/auth/user/",
        {"action": "reset_second_factor", "_selected_action": selected, "index": "0"},
    )
    assert response.status_code == 400


def test_a_ten_thousand_character_username_is_an_ordinary_failed_sign_in(client, desk):
    response = client.post("/accounts/login/", {"username": "u" * 10_000, "password": "pw"})
    assert response.status_code == 200
    assert "nama pengguna dan kata sandi yang benar" in response.content.decode()


def test_a_download_of_a_file_gone_from_the_storage_says_so_and_logs_nothing(
    client, make_record, desk
):
    from arsip.models import AccessLog

    version = make_record("archived").softcopies.get().versions.get()
    version.file.storage.delete(version.file.name)
    client.force_login(desk)
    response = client.post(
        f"/staf/arsip/berkas/{version.pk}/unduh/", {"reason": "Pemeriksaan berkas hilang"}
    )
    assert response.status_code == 404
    assert "tidak ditemukan" in response.content.decode()
    assert not AccessLog.objects.exists()

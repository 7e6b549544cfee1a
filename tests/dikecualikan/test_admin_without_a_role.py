"""No role, no record: every admin URL, walked as a superuser and a staff account without one.

The URLs come from the admin site itself (its own views, every registered model admin's,
the custom verdict pages included), so a screen added later is walked too. Each URL is
filled with a real object of its model, and the page must not show what is withheld: an
internal title, a softcopy's file name, an approver's note, an objection's requester.
"""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver

from dikecualikan import workflow
from dikecualikan.management.commands.seed_demo import tiny_pdf
from dikecualikan.models import Verdict

from ..conftest import receive_objection

SECRETS = {
    "internal title": "Judul-internal-rahasia",
    "softcopy name": "pindaian-rahasia-budi",
    "approver's note": "Catatan-pengembalian-rahasia",
    "requester": "Pemohon-Keberatan-Rahasia",
}


# Object pages that must be walked with a real row (the rest are walked when they have one).
WITHHELD = [
    "dikecualikan/record",
    "dikecualikan/transition",
    "dikecualikan/objection",
    "arsip/softcopyversion",
]


@pytest.fixture
def register(make_record, cast):
    """A register holding each kind of withheld content the admin could show."""
    record = make_record("published", title=f"{SECRETS['internal title']} 1")
    workflow.upload_softcopy(
        record=record,
        by=cast["desk"],
        file=ContentFile(tiny_pdf(["x"]), name=f"{SECRETS['softcopy name']}.pdf"),
        softcopy=record.softcopies.get(),
    )
    returned = make_record("awaiting_approval", title=f"{SECRETS['internal title']} 2")
    workflow.return_for_revision(
        record=returned, by=cast["pembina"], note=SECRETS["approver's note"]
    )
    receive_objection(cast["atasan"], [record], requester_name=SECRETS["requester"])
    make_record("awaiting_approval", title=f"{SECRETS['internal title']} 3")
    return record


def admin_routes():
    """(model or None, route) for every URL the admin site serves."""
    for pattern in admin.site.get_urls():
        if isinstance(pattern, URLPattern):
            yield None, str(pattern.pattern)
    for model, model_admin in admin.site._registry.items():
        prefix = f"{model._meta.app_label}/{model._meta.model_name}/"
        for pattern in model_admin.get_urls():
            if isinstance(pattern, URLResolver):
                continue
            yield model, prefix + str(pattern.pattern)


def urls_of(model, route) -> list[str]:
    route = route.lstrip("^").rstrip("$")
    if "<path:object_id>" in route:
        obj = model._base_manager.order_by("pk").first() if model else None
        if obj is None:
            return []
        route = route.replace("<path:object_id>", str(obj.pk))
    if "<str:verdict>" in route:
        return [f"/admin/{route.replace('<str:verdict>', v)}" for v in Verdict.values]
    if re.search(r"<[^>]+>", route):
        return []  # the site's own (content types, app lists) are filled below
    return [f"/admin/{route}"]


@pytest.fixture
def roleless_staff(db):
    return User.objects.create_user("staf-tanpa-peran", "s@example.org", "pw", is_staff=True)


@pytest.mark.parametrize("persona", ["it_admin", "roleless_staff"])
def test_no_admin_url_shows_withheld_content_to_someone_without_a_role(
    client, register, persona, request
):
    client.force_login(request.getfixturevalue(persona))
    urls = [url for model, route in admin_routes() for url in urls_of(model, route)]
    urls += [f"/admin/{app}/" for app in ("dikecualikan", "arsip", "auth")]
    urls += [
        "/admin/autocomplete/?app_label=dikecualikan&model_name=record&field_name=record",
        "/admin/dikecualikan/record/?q=internal",
    ]
    # Every registered admin's pages, and the object pages of what is withheld.
    for model in admin.site._registry:
        assert f"/admin/{model._meta.app_label}/{model._meta.model_name}/" in urls
    for withheld in WITHHELD:
        assert any(re.fullmatch(rf"/admin/{withheld}/\d+/change/", u) for u in urls), withheld
    verdict_pages = [u for u in urls if "/putusan/" in u]
    assert len(verdict_pages) == len(Verdict.values)
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        body = response.content.decode(errors="replace")
        for what, secret in SECRETS.items():
            assert secret not in body, f"{url} shows the {what}"
    for url in verdict_pages:
        assert client.get(url).status_code == 403, url


def test_the_verdict_page_is_offered_only_where_the_workflow_takes_the_verdict(
    client, make_record, pembina
):
    record = make_record("approved")  # no longer waiting for anyone
    client.force_login(pembina)
    url = f"/admin/dikecualikan/record/{record.pk}/putusan/approve/"
    response = client.get(url, follow=True)
    assert response.redirect_chain[0][0] == f"/admin/dikecualikan/record/{record.pk}/change/"
    assert "Anda tidak dapat memberikan putusan ini" in response.content.decode()
    # A post is refused the same way and changes nothing.
    client.post(url, {"version": record.version, "note": ""})
    record.refresh_from_db()
    assert record.state == "approved"


def test_an_approver_still_gives_a_verdict_on_the_confirmation_page(client, make_record, pembina):
    record = make_record("awaiting_approval")
    client.force_login(pembina)
    url = f"/admin/dikecualikan/record/{record.pk}/putusan/approve/"
    page = client.get(url)
    assert page.status_code == 200
    assert record.public_title in page.content.decode()
    client.post(url, {"version": record.version, "note": ""})
    assert record.approvals.filter(user=pembina, verdict="approve").exists()

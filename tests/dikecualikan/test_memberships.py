"""A person holds a role in an office: the staff pages, the admin, mail and the consequence
test's officials ask about roles in the office the person acts for, and no other."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.urls import reverse

from dikecualikan import office, workflow
from dikecualikan.models import Office
from dikecualikan.roles import (
    ADMIN,
    CHOSEN_OFFICE,
    Membership,
    Role,
    administers,
    grant,
    offices_of,
    roles_of,
)
from dikecualikan.workflow.mail import recipients

from ..conftest import user_change_form


def kubu_raya() -> Office:
    return Office.objects.get(slug="kuburayakab")


def person(username, *roles, place=None):
    user = User.objects.create_user(
        username, f"{username}@example.org", "pw", is_staff=True, first_name=username.title()
    )
    grant(user, *roles, place=place)
    return user


def test_a_role_held_in_one_office_is_no_role_in_another(db):
    desk = person("desk-kr", Role.DESK, place=kubu_raya())
    assert roles_of(desk) == frozenset()  # Pontianak acts
    with office.acting(kubu_raya()):
        assert roles_of(desk) == {"desk"}
    assert [place.slug for place in offices_of(desk)] == ["kuburayakab"]


def test_the_staff_pages_act_for_the_office_where_the_person_holds_a_role(
    client, make_record, same_roles_in
):
    ours = make_record("collected", title="Daftar hadir rapat pleno Pontianak")
    same_roles_in(kubu_raya())  # the fixtures' people make Kubu Raya's record
    theirs_person = person("ppid-kr", Role.PPID, place=kubu_raya())
    with office.acting(kubu_raya()):
        theirs = make_record("collected", title="Daftar hadir rapat pleno Kubu Raya")
    client.force_login(theirs_person)
    page = client.get(reverse("dikecualikan:staff-records")).content.decode()
    assert "Kubu Raya" in page and "pleno Pontianak" not in page
    assert client.get(reverse("dikecualikan:staff-record", args=[theirs.pk])).status_code == 200
    assert client.get(reverse("dikecualikan:staff-record", args=[ours.pk])).status_code == 404
    dashboard = client.get(reverse("dikecualikan:dashboard")).content.decode()
    assert "KPU Kabupaten Kubu Raya" in dashboard
    # The public site at / is still Pontianak's, whoever is signed in.
    assert "KPU Kota Pontianak" in client.get("/").content.decode()


def test_a_person_with_roles_in_two_offices_switches_between_them(client, ppid, make_record):
    grant(ppid, Role.ATASAN, place=kubu_raya())
    ours = make_record("collected")
    client.force_login(ppid)
    dashboard = client.get(reverse("dikecualikan:dashboard")).content.decode()
    assert "Kantor: KPU Kota Pontianak" in dashboard  # the switcher, for two offices
    switch = reverse("dikecualikan:office-switch")
    page = client.get(switch).content.decode()
    assert "KPU Kota Pontianak" in page and "Bertindak untuk KPU Kabupaten Kubu Raya" in page
    response = client.post(switch, {"office": "kuburayakab"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dikecualikan:dashboard")
    assert "Anda kini bertindak untuk KPU Kabupaten Kubu Raya." in response.content.decode()
    assert client.session[CHOSEN_OFFICE] == "kuburayakab"
    # There they are the Atasan PPID only: Pontianak's record is not there, and the DIK
    # form (the desk's and the PPID's) is not theirs.
    assert client.get(reverse("dikecualikan:staff-record", args=[ours.pk])).status_code == 404
    assert client.get(reverse("dikecualikan:staff-record-new")).status_code == 403
    client.post(switch, {"office": "pontianakkota"})
    assert client.get(reverse("dikecualikan:staff-record", args=[ours.pk])).status_code == 200
    assert client.get(reverse("dikecualikan:staff-record-new")).status_code == 200


def test_switching_to_an_office_where_the_person_holds_no_role_changes_nothing(client, ppid):
    client.force_login(ppid)
    response = client.post(reverse("dikecualikan:office-switch"), {"office": "kuburayakab"})
    assert response.status_code == 200
    assert "Anda tidak memegang peran di kantor itu." in response.content.decode()
    assert CHOSEN_OFFICE not in client.session
    # A choice left in the session from a role since removed is not followed either.
    session = client.session
    session[CHOSEN_OFFICE] = "kuburayakab"
    session.save()
    page = client.get(reverse("dikecualikan:dashboard")).content.decode()
    assert "KPU Kota Pontianak" in page and "Kubu Raya" not in page


def test_a_person_with_roles_in_one_office_only_sees_no_switcher(client, ppid):
    client.force_login(ppid)
    assert "Kantor:" not in client.get(reverse("dikecualikan:dashboard")).content.decode()


def test_the_admin_permissions_are_those_of_the_roles_held_in_the_acting_office(db, ppid):
    grant(ppid, Role.DESK, place=kubu_raya())
    ppid = User.objects.get(pk=ppid.pk)
    ppid_may = set(Group.objects.get(name=Role.PPID).permissions.values_list("codename", flat=True))
    desk_may = set(Group.objects.get(name=Role.DESK).permissions.values_list("codename", flat=True))
    only_ppid = sorted(ppid_may - desk_may)
    assert only_ppid, "the PPID may do something the desk may not"
    assert ppid.has_perm(f"dikecualikan.{only_ppid[0]}")
    with office.acting(kubu_raya()):
        assert not ppid.has_perm(f"dikecualikan.{only_ppid[0]}")
    assert ppid.has_perm(f"dikecualikan.{only_ppid[0]}")  # back home, the answer is back


def test_mail_goes_to_the_role_holders_of_the_office_concerned_only(db, ppid, atasan):
    theirs = person("ppid-kr", Role.PPID, place=kubu_raya())
    assert recipients([Role.PPID]) == [ppid.email]
    with office.acting(kubu_raya()):
        assert recipients([Role.PPID]) == [theirs.email]
        assert recipients([Role.ATASAN]) == []


def test_the_consequence_test_lists_only_the_acting_offices_officials(db, ppid, pembina):
    person("pembina-kr", Role.PEMBINA, place=kubu_raya())
    assert {user.username for user in workflow.officials()} == {"ppid", "pembina"}
    with office.acting(kubu_raya()):
        assert {user.username for user in workflow.officials()} == {"pembina-kr"}


def test_an_inactive_person_holds_no_role(db, ppid):
    ppid.is_active = False
    ppid.save()
    assert roles_of(User.objects.get(pk=ppid.pk)) == frozenset()
    assert recipients([Role.PPID]) == []


def test_a_role_is_held_once_per_office(db, ppid):
    grant(ppid, Role.PPID)  # again: nothing new
    grant(ppid, Role.PPID, place=kubu_raya())
    assert Membership.objects.filter(user=ppid).count() == 2


def test_the_migration_makes_each_role_group_member_a_holder_in_the_default_office(db):
    """Migration 0039's move, run on today's tables: a group membership becomes the role
    held in the default office, and the group keeps only its permissions."""
    move = importlib.import_module("dikecualikan.migrations.0039_memberships").move
    user = User.objects.create_user("lama")
    user.groups.add(Group.objects.get(name=Role.ATASAN))
    move(apps, None)
    held = list(Membership.objects.filter(user=user).values_list("office__slug", "role"))
    assert held == [("pontianakkota", "atasan")]
    assert not user.groups.exists()
    assert roles_of(User.objects.get(pk=user.pk)) == {"atasan"}


# Office administrators.


@pytest.fixture
def office_admin(db):
    """Kubu Raya's administrator: its people, places, days off and identity."""
    return person("admin-kr", ADMIN, place=kubu_raya())


def acting_for_kubu_raya(client, user):
    client.force_login(user)
    session = client.session
    session[CHOSEN_OFFICE] = "kuburayakab"
    session.save()


def test_an_office_administrator_keeps_their_offices_people_and_no_others(
    client, office_admin, ppid
):
    theirs = person("desk-kr", Role.DESK, place=kubu_raya())
    both = person("ppid-both", Role.PPID, place=kubu_raya())
    grant(both, Role.PPID)  # also Pontianak's PPID: the deployment's administrators' to change
    acting_for_kubu_raya(client, office_admin)
    listed = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "desk-kr" in listed and "admin-kr" in listed
    assert "ppid-both" not in listed and ">ppid<" not in listed
    for other in (ppid, both):
        response = client.get(reverse("admin:auth_user_change", args=[other.pk]))
        assert response.status_code == 302  # the admin's "not found": back to the list
        url = reverse("admin:auth_user_password_change", args=[other.pk])
        assert client.get(url).status_code == 404
    page = client.get(reverse("admin:auth_user_change", args=[theirs.pk])).content.decode()
    assert "is_superuser" not in page and "user_permissions" not in page


def with_row(data: dict, place, role) -> dict:
    """The form's data with one more role row, as the page sends it (its office hidden)."""
    rows = int(data["memberships-TOTAL_FORMS"])
    return {
        **data,
        "memberships-TOTAL_FORMS": rows + 1,
        f"memberships-{rows}-office": place.pk,
        f"memberships-{rows}-role": role,
    }


def test_an_office_administrator_gives_a_role_in_their_office_only_and_never_their_own(
    client, office_admin, django_capture_on_commit_callbacks
):
    theirs = person("desk-kr", Role.DESK, place=kubu_raya())
    acting_for_kubu_raya(client, office_admin)
    url = reverse("admin:auth_user_change", args=[theirs.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, with_row(user_change_form(client, theirs), kubu_raya(), "ppid"))
    assert response.status_code == 302
    with office.acting(kubu_raya()):
        assert roles_of(User.objects.get(pk=theirs.pk)) == {"desk", "ppid"}
    assert roles_of(User.objects.get(pk=theirs.pk)) == frozenset()  # not in Pontianak
    refused = [
        with_row(user_change_form(client, theirs), kubu_raya(), ADMIN),  # a national matter
        with_row(user_change_form(client, theirs), kubu_raya(), Role.DESK),  # held already
        with_row(user_change_form(client, theirs), office.default(), Role.ATASAN),  # elsewhere
    ]
    for data in refused:
        response = client.post(url, data)
        assert response.status_code == 200  # the form again, with the reason
        errors = [f.errors for f in response.context["inline_admin_formsets"][0].formset]
        errors += [response.context["inline_admin_formsets"][0].formset.non_form_errors()]
        assert any(errors)
    assert Membership.objects.filter(user=theirs).count() == 2


def test_an_office_administrator_keeps_their_offices_identity_not_its_quorum(client, office_admin):
    acting_for_kubu_raya(client, office_admin)
    listed = client.get(reverse("admin:dikecualikan_office_changelist")).content.decode()
    assert "Kubu Raya" in listed and "Kota Pontianak" not in listed
    url = reverse("admin:dikecualikan_office_change", args=[kubu_raya().pk])
    page = client.get(url)
    form = page.context["adminform"].form
    assert "approvals" not in form.fields and "in_service" not in form.fields
    assert page.context["inline_admin_formsets"] == []  # its hosts: the deployment's
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(address="Jl. Arteri Supadio, Sungai Raya", phone="0561 000000")
    assert client.post(url, data).status_code == 302
    assert Office.objects.get(slug="kuburayakab").address == "Jl. Arteri Supadio, Sungai Raya"
    pontianak = reverse("admin:dikecualikan_office_change", args=[office.default().pk])
    assert client.get(pontianak).status_code == 302  # not theirs: not found


def test_an_office_administrator_opens_no_record_and_no_staff_page(client, office_admin):
    acting_for_kubu_raya(client, office_admin)
    assert client.get(reverse("dikecualikan:dashboard")).status_code == 403
    assert client.get(reverse("admin:dikecualikan_record_changelist")).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert "auth/user/" in index and "arsip/location/" in index
    assert "dikecualikan/record/" not in index


def test_a_national_administrator_makes_an_offices_administrator_and_it_is_on_record(
    client, it_admin
):
    from dikecualikan.models import UserEvent

    newcomer = person("baru-kr", Role.DESK, place=kubu_raya())
    client.force_login(it_admin)
    data = user_change_form(client, newcomer)
    rows = int(data["memberships-TOTAL_FORMS"])
    for index in range(rows):
        data[f"memberships-{index}-office"] = kubu_raya().pk
    data.update(
        {
            "memberships-TOTAL_FORMS": rows + 1,
            f"memberships-{rows}-office": kubu_raya().pk,
            f"memberships-{rows}-role": ADMIN,
        }
    )
    url = reverse("admin:auth_user_change", args=[newcomer.pk])
    response = client.post(url, data)
    assert response.status_code == 302, [
        response.context["adminform"].form.errors,
        [f.errors for f in response.context["inline_admin_formsets"][0].formset],
    ]
    with office.acting(kubu_raya()):
        assert administers(User.objects.get(pk=newcomer.pk))
    event = UserEvent.objects.filter(user=newcomer, kind="granted").latest("pk")
    assert (event.role, event.detail) == (ADMIN, "KPU Kabupaten Kubu Raya")


def test_after_signing_in_an_approver_of_another_office_lands_on_their_queue(client, db):
    approver = person("pembina-kr", Role.PEMBINA, place=kubu_raya())
    client.force_login(approver)
    response = client.get(reverse("dikecualikan:after-login"))
    assert response["Location"] == reverse("admin:dikecualikan_record_changelist") + "?antrean=saya"


def test_an_office_administrator_adds_a_person_with_a_role_in_one_go(client, office_admin):
    acting_for_kubu_raya(client, office_admin)
    add = reverse("admin:auth_user_add")
    page = client.get(add)
    assert page.status_code == 200 and page.context["inline_admin_formsets"]
    response = client.post(
        add,
        {
            "username": "baru-kr",
            "password1": "kata-sandi-yang-panjang-2026",
            "password2": "kata-sandi-yang-panjang-2026",
            "usable_password": "true",
            "memberships-TOTAL_FORMS": 1,
            "memberships-INITIAL_FORMS": 0,
            "memberships-0-office": kubu_raya().pk,
            "memberships-0-role": Role.DESK,
        },
    )
    assert response.status_code == 302, response.context and [
        response.context["adminform"].form.errors,
        [f.errors for f in response.context["inline_admin_formsets"][0].formset],
    ]
    newcomer = User.objects.get(username="baru-kr")
    with office.acting(kubu_raya()):
        assert roles_of(newcomer) == {"desk"}
    # Theirs now: listed, and opened by the page the add led to.
    assert client.get(response["Location"]).status_code == 200
    assert "baru-kr" in client.get(reverse("admin:auth_user_changelist")).content.decode()

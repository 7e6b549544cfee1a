"""The five roles of the SOP, held in an office: a membership of person, office and role.

A person holds a role in an office, not everywhere: the PPID of Pontianak is no PPID in
Kubu Raya. One person may hold several roles in a small office, and roles in several
offices (switching between them, `offices_of`). Every question "does this person hold
this role" is asked in the acting office (`office.current()`). What a role may do in the
admin is the permissions of the Django group of the same name (created by a data
migration); the group no longer says who holds it. A superuser holds no role unless given
one, because IT staff do not take part in the SOP.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import office
from .office import Office


class Role(models.TextChoices):
    DESK = "desk", _("Desk Pelayanan Informasi")
    PPID = "ppid", _("PPID")
    PEMBINA = "pembina", _("Pembina PPID")
    TIM_PERTIMBANGAN = "tim_pertimbangan", _("Tim Pertimbangan PPID")
    ATASAN = "atasan", _("Atasan PPID")


# The office's administrator: keeps its people (their accounts and roles there), its places,
# days off and identity. No part in the SOP: the role opens no record. A national
# administrator (a superuser) makes each office's administrators.
ADMIN = "admin"
MEMBERSHIP_ROLES = [*Role.choices, (ADMIN, _("Office administrator"))]


class Membership(models.Model):
    """A person's role in an office. Granting and removing one is kept in the user history
    (signals.py); the row itself is simply there or not."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("person"),
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("office"),
    )
    role = models.CharField(_("role"), max_length=20, choices=MEMBERSHIP_ROLES)
    since = models.DateTimeField(_("since"), auto_now_add=True)

    # Not an office's scoped rows (office.InOffice): a person's roles are read across
    # offices (where may they act? the deployment's administrators' page), and Django checks
    # a role's uniqueness with the default manager. Every read for one office names it:
    # holders(), roles_of(), the office administrators' page.
    objects = models.Manager()

    class Meta:
        verbose_name = _("role in an office")
        verbose_name_plural = _("roles in offices")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "office", "role"], name="membership_unique_role_in_office"
            )
        ]
        indexes = [models.Index(fields=["office", "role"], name="membership_office_role")]

    def __str__(self):
        return f"{self.get_role_display()}, {self.office}"


def memberships_of(user) -> list[tuple[Office, str]]:
    """Return the person's (office, role) pairs in every office, read once per user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if not hasattr(user, "_ppid_memberships"):
        rows = Membership.objects.filter(user=user).select_related("office")
        user._ppid_memberships = [
            (row.office, row.role) for row in rows.order_by("office__code", "role")
        ]
    return user._ppid_memberships


def roles_of(user, place: int | None = None) -> frozenset[str]:
    """Return the SOP roles the user holds in the acting office (or in the office of this id)."""
    here = place or office.current().pk
    return frozenset(
        role for place, role in memberships_of(user) if place.pk == here and role != ADMIN
    )


def administers(user) -> bool:
    """Whether the person is an administrator of the acting office."""
    here = office.current().pk
    return any(place.pk == here and role == ADMIN for place, role in memberships_of(user))


def offices_of(user) -> list[Office]:
    """The offices where the person holds a role, in the offices' order (by region code)."""
    seen = {}
    for place, _role in memberships_of(user):
        seen.setdefault(place.pk, place)
    return list(seen.values())


# The session's note of the office a person chose to act for (the switcher, /staf/kantor/).
CHOSEN_OFFICE = "ppid_office"


def office_for(user, chosen: str | None = None) -> Office:
    """The office a person's staff pages and admin act for: the one they chose, if they
    hold a role there; else the default office, if they hold one there or none anywhere;
    else the first office where they hold a role."""
    places = offices_of(user)
    for place in places:
        if place.slug == chosen:
            return place
    default = office.default()
    if not places or any(place.pk == default.pk for place in places):
        return default
    return places[0]


def has_role(user, *roles: str) -> bool:
    """Return True when the user holds at least one of the given roles in the acting office."""
    return bool(roles_of(user) & set(roles))


def grant(user, *roles: str, place: Office | None = None) -> None:
    """Give the person these roles in the office (the acting one if none is named)."""
    place = place or office.current()
    for role in roles:
        Membership.objects.get_or_create(user=user, office=place, role=role)
    user.__dict__.pop("_ppid_memberships", None)


def holders(*roles: str):
    """The active people holding one of the roles in the acting office (every office's
    inside office.every_office()): a queryset of users."""
    held = Membership.objects.filter(role__in=roles, **office.lookup()).values("user")
    return get_user_model().objects.filter(is_active=True, pk__in=held)


def addresses_in(places, roles) -> dict[tuple[int, str], list[str]]:
    """{(office id, role): addresses} of the active people holding these roles in each of
    these offices, read at once (a mail to the people of many offices)."""
    held = Membership.objects.filter(office__in=places, role__in=roles, user__is_active=True)
    rows = held.exclude(user__email="").values_list("office", "role", "user__email")
    addresses: dict = {}
    for place, role, address in rows.order_by("user__email"):
        addresses.setdefault((place, role), []).append(address)
    return addresses


def required_approvals() -> dict[str, int]:
    """Return {role: quorum} of the acting office, e.g. {"pembina": 1, "tim_pertimbangan": 2}."""
    return parse_approvals(office.current().approvals)


def parse_approvals(text: str) -> dict[str, int]:
    """Read "pembina:1,tim_pertimbangan:2"; raise ValueError with the reason when wrong."""
    quorum = {}
    for part in text.split(","):
        role, _sep, count = part.strip().partition(":")
        if role not in (Role.PEMBINA, Role.TIM_PERTIMBANGAN, Role.ATASAN):
            raise ValueError(
                _("%(role)r is not an approving role (pembina, tim_pertimbangan, atasan).")
                % {"role": role}
            )
        if not count.isdigit() or int(count) < 1:
            raise ValueError(_("The quorum of %(role)r must be 1 or more.") % {"role": role})
        quorum[role] = int(count)
    return quorum


def approving_roles_of(user) -> list[str]:
    """Return the roles in which this user may give verdicts, in settings order."""
    return [role for role in required_approvals() if role in roles_of(user)]

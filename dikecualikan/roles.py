"""The five roles of the SOP, held as Django groups (created by a data migration).

One person may hold several roles in a small office; a superuser holds none
unless put in a group, because IT staff do not take part in the SOP.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import office


class Role(models.TextChoices):
    DESK = "desk", _("Desk Pelayanan Informasi")
    PPID = "ppid", _("PPID")
    PEMBINA = "pembina", _("Pembina PPID")
    TIM_PERTIMBANGAN = "tim_pertimbangan", _("Tim Pertimbangan PPID")
    ATASAN = "atasan", _("Atasan PPID")


def roles_of(user) -> frozenset[str]:
    """Return the role names the user holds, cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if not hasattr(user, "_ppid_roles"):
        names = user.groups.filter(name__in=Role.values).values_list("name", flat=True)
        user._ppid_roles = frozenset(names)
    return user._ppid_roles


def has_role(user, *roles: str) -> bool:
    """Return True when the user holds at least one of the given roles."""
    return bool(roles_of(user) & set(roles))


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

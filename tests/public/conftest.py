import pytest

from dikecualikan.models import Office


@pytest.fixture
def kubu_raya(db, same_roles_in):
    """A second office in service, KPU Kabupaten Kubu Raya, with the same people's roles."""
    place = Office.objects.get(slug="kuburayakab")
    place.in_service = True
    place.save()
    same_roles_in(place)
    return place

"""A fixed period writes its years in figures and in words, as legal text does (DOMAIN.md 8)."""

from django.urls import reverse
from django.utils import translation

from dikecualikan.models import PeriodType, in_words, period_text


def fixed(years):
    return period_text(PeriodType.FIXED, years, None, "")


def test_a_fixed_period_writes_its_years_in_words_in_indonesian():
    with translation.override("id"):
        assert fixed(5) == "5 (lima) tahun sejak tanggal keputusan"
        assert fixed(25) == "25 (dua puluh lima) tahun sejak tanggal keputusan"


def test_a_fixed_period_writes_its_years_in_words_in_english():
    with translation.override("en"):
        assert fixed(5) == "5 (five) years from the decision date"
        assert fixed(25) == "25 (twenty-five) years from the decision date"


def test_a_number_in_words_follows_the_active_language():
    with translation.override("id"):
        assert in_words(11) == "11 (sebelas)"
    with translation.override("en"):
        assert in_words(11) == "11 (eleven)"


def test_the_public_record_page_writes_the_period_in_words_in_either_language(client, make_record):
    record = make_record("published")
    url = f"/informasi/{record.pk}/"
    assert "5 (lima) tahun sejak tanggal keputusan" in client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": url})
    assert "5 (five) years from the decision date" in client.get(url).content.decode()

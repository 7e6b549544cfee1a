"""One account guessed at from many addresses, each below the per-address limits: sign-in to
it slows down (never a lock an attacker could turn against an approver) and the person is
told once, by mail."""

import datetime
from ipaddress import ip_network

import pytest
import time_machine
from django.conf import settings

from dikecualikan.models import OutgoingMail
from ppid.signin import account_paused_until

from .test_security import sign_in

NINE_IN_PONTIANAK = datetime.datetime(2026, 12, 2, 2, 0, tzinfo=datetime.UTC)  # 09.00 WIB


@pytest.fixture
def through_proxy(settings):
    settings.TRUSTED_PROXIES = [ip_network("10.0.0.2/32")]
    return lambda client, password, client_address: sign_in(
        client, "pembina", password, address="10.0.0.2", forwarded=client_address
    )


def test_forty_guesses_from_ten_addresses_meet_a_delay_and_the_person_is_mailed_once(
    client, pembina, through_proxy, mailoutbox, worker
):
    assert settings.PPID_ACCOUNT_FAILURE_SOFT_LIMIT == 10
    with time_machine.travel(NINE_IN_PONTIANAK, tick=False) as clock:
        answers = []
        for guess in range(40):  # four from each address: below every per-address limit
            response = through_proxy(client, "salah", f"36.80.1.{guess % 10}")
            answers.append(response.status_code)
        paused = response.content.decode()
        assert answers[:10] == [200] * 10  # wrong passwords, told so on the form
        assert answers[10:] == [429] * 30  # then each waits, uncounted, from any address
        assert "dari beberapa alamat" in paused and "akun tidak dikunci" in paused
        assert "Coba lagi mulai pukul 09.00.01 WIB, 2 Desember 2026." in paused

        # The approver, from the office, once the delay has passed.
        clock.shift(datetime.timedelta(seconds=1))
        signed_in = through_proxy(client, "pw", "36.90.2.7")
    assert signed_in.status_code == 302

    worker()  # the outbox's mail is sent by the worker
    (mail,) = [m for m in mailoutbox if "gagal masuk" in m.subject]
    assert mail.to == ["pembina@example.org"] and mail.subject.startswith("[PPID]")
    assert "gagal masuk" in mail.subject
    assert "10 kali gagal masuk ke akun Anda" in mail.body and "dari 10 alamat" in mail.body
    assert "administrator" in mail.body and "<" not in mail.body  # plain text


def test_each_further_guess_waits_twice_as_long_up_to_the_maximum(
    client, pembina, through_proxy, mailoutbox, worker
):
    waits = []
    with time_machine.travel(NINE_IN_PONTIANAK, tick=False) as clock:
        for guess in range(21):  # within one cool-off: the first guesses still count
            until = account_paused_until("pembina")
            if until:
                waits.append((until - datetime.datetime.now(datetime.UTC)).total_seconds())
                assert through_proxy(client, "salah", "36.81.0.1").status_code == 429
                clock.move_to(until)
            assert through_proxy(client, "salah", f"36.81.2.{guess}").status_code == 200
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    worker()
    assert len([m for m in mailoutbox if "gagal masuk" in m.subject]) == 1


def test_a_few_wrong_passwords_from_several_addresses_slow_nothing(
    client, pembina, through_proxy, mailoutbox, worker
):
    with time_machine.travel(NINE_IN_PONTIANAK, tick=False):
        for guess in range(settings.PPID_ACCOUNT_FAILURE_SOFT_LIMIT - 1):
            through_proxy(client, "salah", f"36.80.1.{guess}")
        assert through_proxy(client, "pw", "36.90.2.7").status_code == 302
    worker()
    assert not OutgoingMail.objects.filter(subject__contains="gagal masuk").exists()
    assert [m for m in mailoutbox if "gagal masuk" in m.subject] == []


def test_the_slow_down_forgets_guesses_older_than_the_cool_off(client, pembina, through_proxy):
    with time_machine.travel(NINE_IN_PONTIANAK, tick=False) as clock:
        for guess in range(settings.PPID_ACCOUNT_FAILURE_SOFT_LIMIT):
            through_proxy(client, "salah", f"36.80.1.{guess}")
        assert through_proxy(client, "pw", "36.90.2.7").status_code == 429
        clock.shift(settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=1))
        assert account_paused_until("pembina") is None
        assert through_proxy(client, "pw", "36.90.2.7").status_code == 302

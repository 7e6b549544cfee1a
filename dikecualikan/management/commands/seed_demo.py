"""Create the demo: one user per role and 20 records driven through the SOP.

Every record reaches its demo state through the workflow functions, so the
history, approvals, files and decisions are the ones real use would leave. The
demo's year (collection in September 2025, the decisions of October and
November, an objection upheld in February 2026) is played on those dates with
time-machine, so the history's times agree with the documents' dates and an
item can have ended since its publication, as it would in a register in use.
"""

import csv
import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from arsip.models import Location
from dikecualikan import office, outbox, roles, workflow
from dikecualikan.models import (
    CollectionPeriod,
    DecidingBody,
    Decision,
    DecisionRequest,
    ObjectionAnswer,
    Office,
    Outcome,
    OutgoingMail,
    Record,
    State,
)
from dikecualikan.roles import Role
from dikecualikan.workdays import working_days_after
from ppid import second_factor

DATA = Path(__file__).resolve().parents[2] / "data" / "demo-records.csv"

USERS = [
    # username, role, first name, last name
    ("desk", Role.DESK, "Siti", "Rahmawati"),
    ("ppid", Role.PPID, "Budi", "Santoso"),
    ("pembina", Role.PEMBINA, "Ahmad", "Fauzi"),
    ("pertimbangan", Role.TIM_PERTIMBANGAN, "Yohanes", "Kristianto"),
    ("atasan", Role.ATASAN, "Nurhayati", "Hasan"),
]

LOCATIONS = [
    ("Kantor KPU Kota Pontianak", "Ruang Arsip", "Lemari A", "Rak 1"),
    ("Kantor KPU Kota Pontianak", "Ruang Arsip", "Lemari A", "Rak 2"),
    ("Kantor KPU Kota Pontianak", "Ruang PPID", "Lemari Besi", ""),
]

# The demo's second office, of the same province, with its own people, records and list.
SECOND_OFFICE = "kuburayakab"
SECOND_USERS = [
    ("desk-kuburaya", Role.DESK, "Rina", "Marlina"),
    ("ppid-kuburaya", Role.PPID, "Hendra", "Wijaya"),
    ("pembina-kuburaya", Role.PEMBINA, "Syarif", "Abdullah"),
    ("pertimbangan-kuburaya", Role.TIM_PERTIMBANGAN, "Maria", "Goretti"),
    ("atasan-kuburaya", Role.ATASAN, "Junaidi", "Rahman"),
]
SECOND_PLACE = ("Kantor KPU Kabupaten Kubu Raya", "Ruang Arsip", "Lemari A", "Rak 1")
SECOND_RECORDS = 4  # the first items of the demo list that Pontianak publishes

# The deciding side, in the register too: the PPID of KPU Provinsi Kalimantan Barat, which
# forwards the Kota's and the Kabupaten's requests, and KPU's, which decides them.
DECIDING_USERS = {
    "kalbar": [("ppid-kalbar", Role.PPID, "Yuliana", "Kartika")],
    "kpu": [("ppid-kpu", Role.PPID, "Bambang", "Sutrisno")],
}

# Each office's own numbering in the demo's file numbers and letters: (code, region).
NUMBERING = {"pontianakkota": ("PTK", "6171"), SECOND_OFFICE: ("KKR", "6112")}

# Who signs the demo's decisions: an office and a name no real decision bears.
SIGNATORY = "Ketua Komisi Pemilihan Umum, Arif Wibowo (contoh demo)"

# Demo decisions in today's numbering, national (a KPU decision names no Kota), and on
# dates no real decision on exempted information bears (731/2025 was set on 21 August).
DECISIONS = [
    {
        "number": "Keputusan Komisi Pemilihan Umum Nomor 1210 Tahun 2025",
        "year": 2025,
        "date_set": datetime.date(2025, 10, 14),
        "place": "Jakarta",
        "signatory": SIGNATORY,
        "title": "tentang Daftar Informasi Publik yang Dikecualikan di Lingkungan Komisi "
        "Pemilihan Umum (contoh demo)",
    },
    {
        "number": "Keputusan Komisi Pemilihan Umum Nomor 1587 Tahun 2025",
        "year": 2025,
        "date_set": datetime.date(2025, 11, 18),
        "place": "Jakarta",
        "signatory": SIGNATORY,
        "title": "tentang Perubahan Daftar Informasi Publik yang Dikecualikan di Lingkungan "
        "Komisi Pemilihan Umum (contoh demo)",
    },
    {
        "number": "Keputusan Komisi Pemilihan Umum Nomor 1588 Tahun 2025",
        "year": 2025,
        "date_set": datetime.date(2025, 11, 19),
        "place": "Jakarta",
        "signatory": SIGNATORY,
        "title": "tentang Pencabutan Sebagian Keputusan Komisi Pemilihan Umum Nomor 1210 Tahun "
        "2025 tentang Daftar Informasi Publik yang Dikecualikan (contoh demo)",
        "revokes": "Keputusan Komisi Pemilihan Umum Nomor 1210 Tahun 2025",
    },
]

# The decision on the second office's items (KPU decides for every office).
SECOND_DECISION = {
    "number": "Keputusan Komisi Pemilihan Umum Nomor 1211 Tahun 2025",
    "year": 2025,
    "date_set": datetime.date(2025, 10, 14),
    "place": "Jakarta",
    "signatory": SIGNATORY,
    "title": "tentang Daftar Informasi Publik yang Dikecualikan di Lingkungan Komisi "
    "Pemilihan Umum Kabupaten Kubu Raya (contoh demo)",
}


# KPU's own decisions, entered by KPU in the register on the day the demo is made: it
# decides the requests of Pontianak and Kubu Raya at once, then revokes part of it.
def national_decisions(year: int) -> list[dict]:
    return [
        {
            "number": f"Keputusan Komisi Pemilihan Umum Nomor 1320 Tahun {year}",
            "year": year,
            "place": "Jakarta",
            "signatory": SIGNATORY,
            "title": "tentang Penetapan Informasi yang Dikecualikan atas Permohonan KPU "
            "Kabupaten/Kota di Provinsi Kalimantan Barat (contoh demo)",
        },
        {
            "number": f"Keputusan Komisi Pemilihan Umum Nomor 1321 Tahun {year}",
            "year": year,
            "place": "Jakarta",
            "signatory": SIGNATORY,
            "title": f"tentang Pencabutan Sebagian Keputusan Komisi Pemilihan Umum Nomor 1320 "
            f"Tahun {year} (contoh demo)",
            "revokes": f"Keputusan Komisi Pemilihan Umum Nomor 1320 Tahun {year}",
        },
    ]


# The outside expert of the demo's tests (the officials are the demo's users).
EXPERT = "Dr. Yusuf Hamdani, dosen hukum administrasi negara Universitas Tanjungpura"

# An Undang-Undang as the demo's bases cite it: "UU 15/2004 Pasal 19".
STATUTE = re.compile(r"UU (\d+)/(\d{4}) (Pasal [\w-]+)")

# Demo items of which only a part is withheld, and which part (the rest is published as a
# redacted copy).
PARTIAL = {
    "Daftar Pemilih Tetap": "Kolom NIK, NKK, tanggal lahir lengkap, dan keterangan disabilitas",
}


def on(*date) -> datetime.datetime:
    """A working morning of the demo's history, in the office's time zone."""
    return datetime.datetime(*date, 9, 0, tzinfo=ZoneInfo("Asia/Pontianak"))


# The days the demo's history happened (each step done on its day, in this order).
COLLECTED = on(2025, 9, 1)
FIRST_PUBLISHED = on(2025, 10, 20)
SECOND_ENTERED = on(2025, 11, 20)
OBJECTION_ANSWERED = on(2026, 2, 10)

# The procurement item that ended since it was published: on its latest day (Pasal 20).
ENDED_ON = datetime.date(2026, 6, 30)

# The latest end of the demo's event periods on grounds 17a-17f (UU 14/2008 Pasal 20).
EVENT_BACKSTOP = datetime.date(2030, 12, 31)

# What KPU decided of the candidates' health certificates, otherwise than proposed (five
# years): three. As on every 17h period, the Pasal 18(2) exceptions are written into it.
DECIDED_OTHERWISE = {"period_type": "fixed", "period_years": 3}


def code() -> str:
    """The acting office's short code in the demo's file numbers ("PTK")."""
    return NUMBERING.get(office.current().slug, ("PPID", ""))[0]


def region() -> str:
    """The acting office's region code in the demo's letter numbers ("6171")."""
    return NUMBERING.get(office.current().slug, ("", office.current().code))[1]


def tiny_pdf(lines: list[str]) -> bytes:
    """Return a one-page PDF showing the given lines (demo files need no PDF library)."""

    def esc(text):
        text = text.encode("latin-1", "replace").decode("latin-1")
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    shown = " ".join(f"({esc(line[:90])}) '" for line in lines)
    content = f"BT /F1 11 Tf 56 780 Td 16 TL {shown} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


class Command(BaseCommand):
    help = "Create the demo users (one per role) and 20 demo records driven through the SOP."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (never on a production database).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates users with a known password; it runs only with "
                "DEBUG=1, or with --force on a database that is not production."
            )
        with transaction.atomic(), office.acting(office.default()):
            users = self.create_users(USERS)
            if Record.objects.filter(created_by=users["desk"]).exists():
                self.stdout.write("Demo records are already there; users and passwords refreshed.")
            else:
                self.create_records(users)
            self.collection_period()
            self.deliver_history_mail()
        with transaction.atomic():
            self.second_office()
        with transaction.atomic():
            self.deciding_offices()
        self.print_logins()

    def second_office(self):
        """KPU Kabupaten Kubu Raya keeps its register here too: its people, a few records
        taken through the SOP and published, its own site at /kuburayakab/."""
        place = Office.objects.get(slug=SECOND_OFFICE)
        if not place.in_service:
            place.in_service = True
            place.save(update_fields=["in_service", "updated_at"])
        with office.acting(place):
            users = self.create_users(SECOND_USERS)
            if not Record.objects.filter(created_by=users["desk"]).exists():
                self.create_second_records(users)
            self.collection_period()
            self.deliver_history_mail()

    def deciding_offices(self):
        """KPU Provinsi Kalimantan Barat and KPU use the register: Pontianak's archived
        records travel to KPU in one request through the Provinsi, which forwards it."""
        people = {}
        for slug, users in DECIDING_USERS.items():
            place = Office.objects.get(slug=slug)
            if not place.in_service:
                place.in_service = True
                place.save(update_fields=["in_service", "updated_at"])
            with office.acting(place):
                people[slug] = self.create_users(users)["ppid"]
        with office.acting(office.default()):
            if DecisionRequest.objects.filter(office=office.current()).exists():
                return
            archived = list(Record.objects.filter(state=State.ARCHIVED))
            ppid = get_user_model().objects.get(username="ppid")
            request = workflow.send_request(
                records=archived,
                by=ppid,
                letter_number=f"131/PP.01-SD/{region()}/{timezone.localdate().year}",
                letter_date=timezone.localdate(),
                note="Permohonan pengujian konsekuensi dan penetapan kepada KPU.",
            )
        self.forward(request, people["kalbar"], 45)
        with office.acting(Office.objects.get(slug=SECOND_OFFICE)):
            users = self.create_users(SECOND_USERS)
            decided, waiting, listed = self.second_office_requests(users)
        self.forward(decided, people["kalbar"], 46)
        self.kpu_decides([request, decided], people["kpu"])
        self.list_under_national(listed, users)
        self.kpu_revokes_part(people["kpu"])
        for place in Office.objects.filter(in_service=True):
            with office.acting(place):
                self.deliver_history_mail()
        self.stdout.write(
            f"KPU decided {request} and {decided}, forwarded by {request.via.name}, under one "
            f"decision, and revoked part of it; {waiting} waits at {request.via.name}."
        )

    def forward(self, request, ppid, number):
        with office.acting(request.via):
            workflow.forward_request(
                asked=request,
                by=ppid,
                letter_number=f"{number}/PP.01-SD/61/{timezone.localdate().year}",
                letter_date=timezone.localdate(),
                note="Diteruskan; uji konsekuensi dan lembar pengujian telah diperiksa.",
            )

    def second_office_requests(self, users):
        """Kubu Raya's two requests (one to be decided by KPU, one left waiting at the
        Provinsi) and an item it lists later under KPU's decision."""
        shelf = Location.objects.get(
            building=SECOND_PLACE[0], room=SECOND_PLACE[1], cabinet=SECOND_PLACE[2],
            shelf=SECOND_PLACE[3],
        )  # fmt: skip
        rows = list(csv.DictReader(DATA.open(encoding="utf-8")))
        # Items of the demo list that Kubu Raya holds too, whole ones (no redacted copy here).
        proposed = [
            r
            for r in rows
            if r["tahap_demo"] in ("approved", "awaiting_approval", "classified")
            and not any(k in r["informasi"] for k in PARTIAL)
        ]
        listed_row = next(r for r in rows if r["tahap_demo"] == "listed")
        today = timezone.localdate()
        with time_machine.travel(COLLECTED, tick=True):
            sent = [
                self.drive({**row, "tahap_demo": "archived", "today": today}, n, users, shelf)
                for n, row in enumerate(proposed[:2], start=11)
            ]
            listed = self.drive({**listed_row, "today": today}, 13, users, shelf)
        requests = [
            workflow.send_request(
                records=[record],
                by=users["ppid"],
                letter_number=f"{20 + n}/PP.01-SD/6112/{today.year}",
                letter_date=today,
                note="Permohonan pengujian konsekuensi dan penetapan kepada KPU.",
            )
            for n, record in enumerate(sent)
        ]
        return requests[0], requests[1], (13, listed_row, listed)

    def kpu_decides(self, requests, ppid_kpu):
        """KPU enters its decision once, decides both requests under it; each office publishes
        it for its own list."""
        kpu = Office.objects.get(slug="kpu")
        with office.acting(kpu):
            fields = {**national_decisions(timezone.localdate().year)[0]}
            decision = self.enter({**fields, "date_set": timezone.localdate()}, 5, ppid_kpu)
            for request in requests:
                with office.acting(request.office):  # its records are the office's
                    records = list(request.records.values_list("pk", flat=True))
                workflow.decide_request(
                    asked=request,
                    decision=decision,
                    by=ppid_kpu,
                    outcomes={pk: Outcome.EXEMPT for pk in records},
                    note="Diputuskan setelah pengujian konsekuensi oleh KPU.",
                )
        for request in requests:
            with office.acting(request.office):
                ppid = roles.holders(Role.PPID).order_by("pk").first()
                workflow.publish_decision(decision=decision, by=ppid, note="Diunggah.")

    def list_under_national(self, listed, users):
        """Kubu Raya lists an item KPU's decision already exempts, and publishes it."""
        number, row, record = listed
        first = national_decisions(timezone.localdate().year)[0]
        decision = Decision.objects.get(number=first["number"])
        with office.acting(Office.objects.get(slug=SECOND_OFFICE)):
            self.list_under(decision, [(number, row, record)], users)

    def kpu_revokes_part(self, ppid_kpu):
        """KPU revokes its decision in part: one item of Pontianak, the item Kubu Raya listed."""
        first, revoking = national_decisions(timezone.localdate().year)
        decision = Decision.objects.get(number=first["number"])
        with office.every_office():
            named = Record.objects.filter(published_in=decision, state=State.PUBLISHED)
            named = [
                named.filter(office__slug="pontianakkota").order_by("pk").first(),
                named.filter(office__slug=SECOND_OFFICE).order_by("-pk").first(),
            ]
        with office.acting(Office.objects.get(slug="kpu")):
            revocation = self.enter({**revoking, "date_set": timezone.localdate()}, 6, ppid_kpu)
            workflow.open_in_offices(
                decision=revocation,
                records=named,
                by=ppid_kpu,
                note="Dibuka: tidak lagi memenuhi uji konsekuensi.",
            )
            workflow.publish_decision(decision=revocation, by=ppid_kpu, note="Diunggah.")

    def create_second_records(self, users):
        shelf = Location.objects.get_or_create(
            building=SECOND_PLACE[0], room=SECOND_PLACE[1], cabinet=SECOND_PLACE[2],
            shelf=SECOND_PLACE[3],
        )[0]  # fmt: skip
        # Whole items only: a partial one needs its redacted copy first (Pontianak's has).
        rows = [
            r
            for r in csv.DictReader(DATA.open(encoding="utf-8"))
            if r["tahap_demo"] == "published" and not any(k in r["informasi"] for k in PARTIAL)
        ]
        today = timezone.localdate()
        records = []
        with time_machine.travel(COLLECTED, tick=True):
            for number, row in enumerate(rows[:SECOND_RECORDS], start=1):
                records.append(self.drive({**row, "today": today}, number, users, shelf))
        with time_machine.travel(FIRST_PUBLISHED, tick=True):
            decision = self.enter(SECOND_DECISION, 4, users["ppid"])
            for record in records:
                workflow.record_decision(
                    decision=decision, record=record, outcome=Outcome.EXEMPT, by=users["ppid"]
                )
            workflow.publish_decision(decision=decision, by=users["ppid"], note="Diunggah.")
        self.stdout.write(f"Created {len(records)} demo records in {office.current().name}.")

    @staticmethod
    def deliver_history_mail():
        """The mails of the demo's past are delivered now, by the backend this command runs
        with (`make run`: none), so the worker does not send a year of them at start."""
        for mail in OutgoingMail.objects.filter(status=OutgoingMail.Status.PENDING):
            outbox.deliver.call(mail.pk)

    def collection_period(self):
        """A round of SOP step 1 running today, moved on at every run.

        A record made in the demo belongs to it and has until its deadline (weeks 1-2) to be
        classified: it is never late a minute after it is made, however long ago the demo
        was loaded.
        """
        starts_on = timezone.localdate() - datetime.timedelta(days=3)
        CollectionPeriod.objects.update_or_create(
            name="Pemutakhiran DIK (contoh demo)",
            defaults={
                "starts_on": starts_on,
                "collect_by": starts_on + datetime.timedelta(days=13),
            },
        )

    def create_users(self, people) -> dict:
        """The office's demo people, each holding one role there; keyed "desk", "ppid"..."""
        User = get_user_model()
        users = {}
        for username, role, first, last in people:
            user = User.objects.filter(username=username).first() or User(username=username)
            user.first_name, user.last_name = first, last
            user.email = f"{username}@example.org"
            user.is_staff = True  # the admin is the approvers' screen; it is read-only for others
            # Set only when new or changed: a password set on an existing account is kept
            # in the user history (dikecualikan/signals.py), and a re-run changes nothing.
            if not user.check_password(settings.DEMO_PASSWORD):
                user.set_password(settings.DEMO_PASSWORD)
            user.save()
            roles.grant(user, role)  # in the acting office
            # Enrolled already, so that a newcomer adds the printed secret to an app; kept
            # across runs, so that the app stays right.
            TOTPDevice.objects.get_or_create(
                user=user, confirmed=True, defaults={"name": "Aplikasi autentikator (demo)"}
            )
            users[username.split("-")[0]] = user
        return users

    def create_records(self, users):
        places = [
            Location.objects.get_or_create(building=b, room=r, cabinet=c, shelf=s)[0]
            for b, r, c, s in LOCATIONS
        ]
        rows = list(csv.DictReader(DATA.open(encoding="utf-8")))
        today = timezone.localdate()  # before the travels: the review queue counts from it
        records = []
        with time_machine.travel(COLLECTED, tick=True):
            for number, row in enumerate(rows, start=1):
                row = {**row, "today": today}
                record = self.drive(row, number, users, places[number % len(places)])
                records.append((row, record))
        self.decide(records, users)
        self.object(users, records)
        self.stdout.write(f"Created {len(records)} demo records and {len(DECISIONS)} decisions.")

    def drive(self, row, number, users, place) -> Record:
        """Take one record as far as its demo state allows before decisions exist."""
        target = row["tahap_demo"]
        record = workflow.collect(
            by=users["desk"],
            public_title=row["informasi"],
            title=f"{row['informasi']} (berkas internal No. {number:03d}/PPID-{code()}/2025)",
            holding_unit=row["unit_penguasa"],
            document_type=row["jenis_dokumen"],
            note="Dihimpun dari daftar yang telah ditetapkan unit.",
        )
        if target in ("collected", "listed"):  # listed: under a decision in force, later
            return record
        self.classify(record, row, users)
        if target == "classified":
            return record
        workflow.submit(record=record, by=users["ppid"], note="Mohon persetujuan.")
        if target == "returned":
            workflow.return_for_revision(
                record=record,
                by=users["pembina"],
                note="Uji konsekuensi belum menimbang kepentingan publik atas proses etik; mohon "
                "dilengkapi dan dibatasi pada bagian yang memuat identitas.",
            )
            return record
        if target == "rejected":
            workflow.reject(
                record=record,
                by=users["pertimbangan"],
                note="Laporan keuangan adalah informasi yang wajib tersedia setiap saat; tidak "
                "memenuhi Pasal 17. Dilayani sebagai informasi terbuka.",
            )
            return record
        if target == "awaiting_approval":
            return record
        workflow.approve(record=record, by=users["pembina"], note="Setuju.")
        workflow.approve(record=record, by=users["pertimbangan"], note="Setuju.")
        if target == "approved":
            return record
        self.archive(record, row, number, users, place)
        if target in ("archived",):
            return record
        # Only KPU decides: the office asks it through KPU Provinsi (PKPU 22/2023 Pasal 25).
        workflow.request_decision(
            record=record,
            by=users["ppid"],
            letter_number=f"{100 + number}/PP.01-SD/{region()}/2025",
            letter_date=COLLECTED.date(),
            note="Permohonan pengujian konsekuensi dan penetapan kepada KPU.",
        )
        return record

    def archive(self, record, row, number, users, place):
        """SOP step 3: the softcopy (a demo PDF) and the hardcopy's place, then archived."""
        pdf = tiny_pdf(["CONTOH DEMO - bukan dokumen asli", row["informasi"], row["unit_penguasa"]])
        workflow.upload_softcopy(
            record=record,
            by=users["desk"],
            file=ContentFile(pdf, name=f"pindaian-{number:03d}.pdf"),
        )
        workflow.place_hardcopy(
            record=record,
            by=users["desk"],
            location=place,
            box=f"Boks {1 + number // 6}",
            folder=f"Map {number:03d}",
        )
        workflow.archive(record=record, by=users["desk"], note="Softcopy dan hardcopy tersimpan.")

    @staticmethod
    def period(row) -> dict:
        period = {"period_type": row["jangka_waktu_jenis"]}
        if row["jangka_waktu_jenis"] == "fixed":
            period["period_years"] = int(row["jangka_waktu_nilai"])
        elif row["jangka_waktu_jenis"] == "until_event":
            period["period_event"] = row["jangka_waktu_nilai"]
            if row["kode"][2] in "abcdef":  # Pasal 20: a-f end, at the latest on a date
                period["period_until"] = EVENT_BACKSTOP
                if row["tahap_demo"] == "published":
                    # The published procurement item ends soon: the review queue shows it.
                    period["period_until"] = working_days_after(row["today"], 20)
                elif row["tahap_demo"] == "expired":
                    period["period_until"] = ENDED_ON  # review_due opens it (make run)
        return period

    @staticmethod
    def statute(row) -> dict:
        """17j's Undang-Undang as a reference: the one its basis cites besides UU 14/2008."""
        if not row["kode"].startswith("17j"):
            return {}
        for number, year, article in STATUTE.findall(row["dasar_hukum"]):
            if (number, year) != ("14", "2008"):
                return {
                    "statute_type": "uu",
                    "statute_number": number,
                    "statute_year": int(year),
                    "statute_article": article,
                }
        raise ValueError(f"17j without an Undang-Undang: {row['informasi']}")

    def classify(self, record, row, users):
        period = self.period(row) | self.statute(row)
        part = PARTIAL.get(row["informasi"].split(" dengan ")[0], "")
        if part:  # only the columns are withheld: the rest of the list is public
            period.update(exemption_scope="part", withheld_part=part)
        workflow.classify(
            record=record,
            by=users["ppid"],
            grounds=[row["kode"]],
            test_scope=f"{row['jenis_dokumen']}: {row['informasi']}",
            statutes=row["dasar_hukum"],
            harm=row["konsekuensi_bila_dibuka"],
            balancing=row["pertimbangan_bila_ditutup"],
            public_interest=row["kepentingan_publik"],
            # Pasal 18(2): asked of every 17g/17h item; a reason where it concerns a candidacy.
            concerns_public_office=bool(row["jabatan_publik"]),
            public_office_reason=row["jabatan_publik"],
            test_officials=[users["pertimbangan"]],
            test_experts=EXPERT,
            test_date=COLLECTED.date(),  # on collection, before the decisions (DOMAIN.md 4)
            test_place="Pontianak",
            test_conclusion=Outcome.EXEMPT,
            **period,
        )

    def decide(self, records, users):
        """The decisions' paths: a proposal decided as proposed and one decided otherwise,
        an item listed under a national decision in force, a revocation, one pending."""
        with time_machine.travel(FIRST_PUBLISHED, tick=True):
            revoked = self.publish_first(records, users)
        with time_machine.travel(SECOND_ENTERED, tick=True):
            self.decide_second(records, users, revoked)

    def publish_first(self, records, users) -> list[Record]:
        ppid = users["ppid"]
        first = self.enter(DECISIONS[0], 1, ppid)
        revoked = []
        for row, record in records:
            target = row["tahap_demo"]
            if target in ("published", "expired", "objected") or (
                target == "opened" and "dicabut" in row["informasi"]
            ):
                # KPU may decide otherwise than proposed: here a shorter period.
                decided = DECIDED_OTHERWISE if row["kode"] == "17h2" else {}
                workflow.record_decision(
                    decision=first, record=record, outcome=Outcome.EXEMPT, by=ppid, **decided
                )
                if target == "opened":
                    revoked.append(record)
        self.redact(Record.objects.filter(exemption_scope="part", created_by=users["desk"]), users)
        workflow.publish_decision(decision=first, by=ppid, note="Diunggah ke laman PPID.")
        numbered = [(n, row, r) for n, (row, r) in enumerate(records, 1)]
        self.list_under(first, [x for x in numbered if x[1]["tahap_demo"] == "listed"], users)
        return revoked

    def decide_second(self, records, users, revoked):
        ppid = users["ppid"]
        second = self.enter(DECISIONS[1], 2, ppid)
        for row, record in records:
            target = row["tahap_demo"]
            if target == "decided":
                workflow.record_decision(
                    decision=second, record=record, outcome=Outcome.EXEMPT, by=ppid
                )
            elif target == "opened" and record not in revoked:
                workflow.record_decision(
                    decision=second,
                    record=record,
                    outcome=Outcome.OPEN,
                    by=ppid,
                    note="Pemenang tender telah diumumkan; uji konsekuensi menyatakan terbuka.",
                )
        # The revocation is a decision of its own; publishing it opens the items it names.
        revoking = self.enter(DECISIONS[2], 3, ppid)  # only what was published is revoked
        for record in revoked:
            workflow.record_decision(
                decision=revoking,
                record=record,
                outcome=Outcome.OPEN,
                by=ppid,
                note="Keputusan pengecualian dicabut setelah pertimbangan kepentingan publik.",
            )
        workflow.publish_decision(decision=revoking, by=ppid, note="Diunggah ke laman PPID.")

    def object(self, users, records):
        """An objection upheld (it opened an item), and one waiting for the Atasan's answer."""
        with time_machine.travel(OBJECTION_ANSWERED, tick=True):
            self.uphold(users, next(r for row, r in records if row["tahap_demo"] == "objected"))
        health = next(r for row, r in records if row["kode"] == "17h2")
        today = timezone.localdate()
        workflow.receive_objection(
            by=users["desk"],
            requester_name="Andi Pratama (contoh demo)",
            requester_contact="andi.pratama@example.org",
            received_on=today - datetime.timedelta(days=7),
            request_reference="PPID-PTK/031/XI/2026 (contoh demo)",
            request_refused_on=today - datetime.timedelta(days=14),
            grounds="Pemohon berpendapat kesimpulan pemeriksaan kesehatan calon menyangkut "
            "kepentingan publik atas pencalonan (contoh demo).",
            records=[health],
        )

    def uphold(self, users, record) -> ObjectionAnswer:
        objection = workflow.receive_objection(
            by=users["desk"],
            requester_name="Lembaga Pemantau Pemilu Khatulistiwa (contoh demo)",
            requester_contact="sekretariat@pemantau.example.org",
            received_on=datetime.date(2026, 1, 12),
            request_reference="PPID-PTK/004/I/2026 (contoh demo)",
            request_refused_on=datetime.date(2026, 1, 5),
            grounds="Distribusi logistik Pemilihan 2024 telah selesai; rencana pengamanannya "
            "kini menjadi bahan evaluasi publik (contoh demo).",
            records=[record],
        )
        return workflow.answer_objection(
            objection=objection,
            by=users["atasan"],
            outcome=ObjectionAnswer.Outcome.UPHELD,
            number="Tanggapan Atasan PPID Nomor 12/PP.01-SD/6171/II/2026 (contoh demo)",
            answered_on=OBJECTION_ANSWERED.date(),
            reasons="Distribusi telah selesai dan rencana tidak lagi dipakai; membukanya tidak "
            "membahayakan keamanan penyelenggaraan Pemilu berikutnya.",
        )

    def redact(self, records, users):
        for record in records:
            pdf = tiny_pdf(["CONTOH DEMO - salinan publik", record.public_title[:80], "NIK: ████"])
            copy = ContentFile(pdf, name=f"salinan-{record.pk}.pdf")
            workflow.upload_redacted_copy(record=record, by=users["desk"], file=copy)
            # The PPID, not the desk that made it, confirms it before publication.
            workflow.confirm_redaction(record=record, by=users["ppid"])

    def enter(self, fields, number, ppid):
        fields = dict(fields)
        revokes = fields.pop("revokes", None)
        return workflow.create_decision(
            by=ppid,
            body=DecidingBody.objects.get(name="Komisi Pemilihan Umum"),
            pdf=ContentFile(
                tiny_pdf(["CONTOH DEMO", fields["number"], fields["title"][:90]]),
                name=f"keputusan-{number}.pdf",
            ),
            revokes=Decision.objects.get(number=revokes) if revokes else None,
            **fields,
        )

    def list_under(self, decision, listed, users):
        """Items KPU already exempted nationally: listed under its decision, archived, published."""
        for number, row, record in listed:
            workflow.link_record(
                record=record,
                decision=decision,
                by=users["desk"],
                grounds=[row["kode"]],
                statutes=row["dasar_hukum"],
                harm=row["konsekuensi_bila_dibuka"],
                balancing=row["pertimbangan_bila_ditutup"],
                note="Telah ditetapkan secara nasional; dicantumkan tanpa usulan baru.",
                **self.period(row),
            )
            self.archive(record, row, number, users, Location.objects.order_by("pk").first())
            workflow.publish_listed(record=record, by=users["desk"], note="Diunggah ke laman PPID.")

    def print_logins(self):
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password: {settings.DEMO_PASSWORD}):")
        for name, people in (
            ("Kota Pontianak, /", USERS),
            ("Kubu Raya, /kuburayakab/", SECOND_USERS),
            ("Provinsi Kalimantan Barat", DECIDING_USERS["kalbar"]),
            ("(national)", DECIDING_USERS["kpu"]),
        ):
            self.stdout.write(f" KPU {name}:")
            for username, role, first, last in people:
                self.stdout.write(f"  {username:<22} {Role(role).label} ({first} {last})")
        self.stdout.write(f"Sign in at {settings.SITE_URL}/accounts/login/")
        if not settings.OTP_REQUIRED:
            self.stdout.write("The second factor is off (OTP_REQUIRED=0, development only).")
        elif settings.DEBUG:  # never print a secret from a server that might be in production
            self.print_second_factors()

    def print_second_factors(self):
        self.stdout.write("")
        self.stdout.write(
            "Then a code from an authenticator app: add each user's secret to one "
            "(by hand, time-based, or paste the otpauth:// line into an app that reads it):"
        )
        deciding = [person for people in DECIDING_USERS.values() for person in people]
        for username, *_ in USERS + SECOND_USERS + deciding:
            device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
            self.stdout.write(f"  {username:<22} {second_factor.secret_of(device)}")
            self.stdout.write(f"  {'':<22} {device.config_url}")
        self.stdout.write(
            "No app at hand? `.venv/bin/python manage.py demo_code ppid` prints the code "
            "ppid's app would show now (DEBUG only)."
        )

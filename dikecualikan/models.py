"""The register: records of exempted information, their history, approvals and decisions.

Nothing here is ever hard-deleted (UU 14/2008 makes the history itself a matter
of record): mistakes are corrected by a new entry. States change only through
`dikecualikan.workflow`.
"""

import datetime
import functools
import hashlib
import hmac
import operator
import re
from collections import Counter

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from num2words import num2words

from . import history
from .office import (
    InOffice,
    Office,  # noqa: F401 - models of this app, defined with their leaf module
    OfficeHost,  # noqa: F401
    OfficeOwned,
    office_field,
)
from .office import (
    current as current_office,
)
from .provinces import PROVINCE_CHOICES, PROVINCES
from .roles import (
    Membership,  # noqa: F401 - a model of this app, defined with its leaf module
    Role,
    approving_roles_of,
    required_approvals,
)

# The history's append-only rows and the deletion guard live in .history (re-exported).
NEVER_DELETED = history.NEVER_DELETED
NeverDeleted = history.NeverDeleted
NeverDeletedQuerySet = history.NeverDeletedQuerySet
AppendOnly = history.AppendOnly
AppendOnlyQuerySet = history.AppendOnlyQuerySet


class State(models.TextChoices):
    COLLECTED = "collected", _("Collected")
    CLASSIFIED = "classified", _("Classified")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected (open information)")
    ARCHIVED = "archived", _("Archived")
    # The office asked KPU, through KPU Provinsi, for the test and decision (PKPU 22/2023
    # Pasal 25(1)-(2)): only KPU decides, so the office waits for it here.
    REQUESTED = "requested", _("Requested from KPU")
    # Already exempted by a decision in force (a national one binds every office): listed
    # under it without a proposal of the office's own (SOP step 1), waiting for step 3.
    LISTED = "listed", _("Listed under a decision in force")
    DECIDED = "decided", _("Decided")
    PUBLISHED = "published", _("Published")
    OPENED = "opened", _("Opened")


# The classification of SOP step 2, listed once: the workflow, the form, the admin and the
# public rows derive their lists from these.
# The consequence test in the order of PKPU 22/2023 Pasal 25(3): (a) the material, nature
# and scope; (b) the potential harm; (c) the statute; (d) the public interest; (e) the
# balancing; (f) the conclusion. The period comes after (f).
TEST_FIELDS = ("test_scope", "harm", "statutes", "public_interest", "balancing", "test_conclusion")
PERIOD_FIELDS = ("period_type", "period_years", "period_until", "period_event")
# Who took part: the officials chosen (Record.test_officials) and outside experts, written
# out by the workflow as test_participants, the text the sheet and the DIK form print.
PARTICIPANT_FIELDS = ("test_experts", "test_participants", "test_date", "test_place")
# 17j's statute, as a structured reference the workflow can check (DOMAIN.md section 4).
STATUTE_FIELDS = ("statute_type", "statute_number", "statute_year", "statute_article")
# What a decision says of a record (DecisionItem), beside the office's proposal.
DECIDED_FIELDS = ("statutes", "harm", "balancing", *PERIOD_FIELDS)
# Partial exemption: only the exempt part is withheld (shared/DOMAIN.md section 4).
SCOPE_FIELDS = ("exemption_scope", "withheld_part", "dip_reference")
CLASSIFICATION_FIELDS = (
    *SCOPE_FIELDS,
    *TEST_FIELDS,
    *STATUTE_FIELDS,
    "concerns_public_office",
    "public_office_reason",
    *PARTICIPANT_FIELDS,
    *PERIOD_FIELDS,
)


class StatuteType(models.TextChoices):
    # Only an Undang-Undang may forbid disclosure under 17j; the others are listed so that
    # a PPID who cites one is told why it does not count, not left to guess.
    UU = "uu", _("Undang-Undang")
    PERPPU = "perppu", _("Peraturan Pemerintah Pengganti Undang-Undang")
    PP = "pp", _("Peraturan Pemerintah")
    PERPRES = "perpres", _("Peraturan Presiden")
    PKPU = "pkpu", _("Peraturan KPU")
    PERKI = "perki", _("Peraturan Komisi Informasi")
    OTHER = "other", _("Another regulation")


class PeriodType(models.TextChoices):
    FIXED = "fixed", _("A number of years from the decision date")
    UNTIL_DATE = "until_date", _("Until a date")
    UNTIL_EVENT = "until_event", _("Until an event")
    INDEFINITE = "indefinite", _("Indefinite (grounds 17g-17j only)")


def in_words(number: int) -> str:
    """Return a number as legal text writes it, in figures and in words: "5 (lima)".

    The office's legal text writes numbers in words too (DOMAIN.md section 8), in the
    active language; num2words knows Indonesian and English number words.
    """
    lang = "id" if (get_language() or "").startswith("id") else "en"
    return f"{number} ({num2words(number, lang=lang)})"


def period_text(period_type, years, until, event, codes=()) -> str:
    """Return an exemption period as the DIK writes it ("5 (lima) tahun sejak tanggal keputusan").

    A function of the fields (and the grounds' codes), not only a Record method, so that
    the public list and the exports can format rows they read as plain values
    (dikecualikan/dik.py). A period on 17g or 17h carries the Pasal 18(2) exceptions.
    """

    text = ""
    if period_type == PeriodType.FIXED and years:
        # Translators: years_in_words is the number in figures and in words: "5 (lima)".
        text = _("%(years_in_words)s years from the decision date") % {
            "years_in_words": in_words(years)
        }
    elif period_type == PeriodType.UNTIL_DATE and until:
        text = _("until %(date)s") % {"date": date_format(until)}
    elif period_type == PeriodType.UNTIL_EVENT:
        text = event
        if until:  # the backstop: a-f must end (Pasal 20)
            text = _("%(event)s, at the latest %(date)s") % {
                "event": event,
                "date": date_format(until),
            }
    elif period_type == PeriodType.INDEFINITE:
        text = str(_("Indefinite"))
    if text and has_privacy_exceptions(codes):
        # A period that runs until consent names consent once (DOMAIN.md section 4).
        consent = period_type == PeriodType.UNTIL_EVENT and is_consent(event)
        exceptions = PUBLIC_OFFICE_EXCEPTION if consent else PRIVACY_EXCEPTIONS
        text = _("%(period)s, %(exceptions)s") % {"period": text, "exceptions": exceptions}
    return str(text)


# The words by which an event period runs until the person's consent.
CONSENT_WORDS = ("persetujuan", "consent")


def is_consent(event) -> bool:
    return any(word in str(event or "").lower() for word in CONSENT_WORDS)


# UU 14/2008 Pasal 18(2), in the words KPU writes into the period (Keputusan KPU 731/2025,
# Diktum KETIGA): personal information is opened on the person's written consent, or where
# it concerns their position in a public office.
PRIVACY_EXCEPTIONS = _(
    "unless the person concerned gives written consent and/or the information concerns their "
    "position in a public office (UU 14/2008 Pasal 18(2))"
)


PUBLIC_OFFICE_EXCEPTION = _(
    "unless the information concerns the person's position in a public office "
    "(UU 14/2008 Pasal 18(2))"
)


def has_privacy_exceptions(codes) -> bool:
    return any(str(code)[:3] in ("17g", "17h") for code in codes or ())


def period_end(period_type, years, until, start: datetime.date | None) -> datetime.date | None:
    """Return the latest day of the exemption: the date a period resolves to, or None.

    Counted from `start` (the decision's date) for a number of years; an event period
    ends at its backstop date at the latest; an indefinite one (17g-17j) has no end.
    """
    if period_type == PeriodType.FIXED and years and start:
        try:
            return start.replace(year=start.year + years)
        except ValueError:  # 29 February, in a year that has none
            return start.replace(year=start.year + years, day=28)
    if period_type in (PeriodType.UNTIL_DATE, PeriodType.UNTIL_EVENT):
        return until
    return None


def citation(code: str) -> str:
    """Return a ground's citation as the law writes it: "Pasal 17 huruf h angka 2" for 17h2."""
    number = code[3:]
    return f"Pasal 17 huruf {code[2]}" + (f" angka {number}" if number else "")


class Scope(models.TextChoices):
    WHOLE = "whole", _("The whole document")
    PART = "part", _("Only a part (the rest is open)")


class OpenReason(models.TextChoices):
    EXPIRED = "expired", _("The exemption period ended")
    # Practice modelled on Perki 1/2021: the PPID may declare an expiring item open up to 30
    # working days before its end (shared/DOMAIN.md section 4).
    DECLARED = "declared", _("Declared open before its period ends")
    CONSENT = "consent", _("Written consent of the person concerned")
    PUBLIC_OFFICE = "public_office", _("It concerns a public office (Pasal 18(2))")
    OBJECTION = "objection", _("Decision on an objection (keberatan)")
    KI_COURT = "ki_court", _("Decision of the Komisi Informasi or a court")
    REVOKED = "revoked", _("The exempting decision was revoked")


class Action(models.TextChoices):
    COLLECT = "collect", _("Collected on the DIK form")
    EDIT = "edit", _("Edited")
    CLASSIFY = "classify", _("Classified")
    SUBMIT = "submit", _("Submitted for approval")
    APPROVE = "approve", _("Approved")
    RETURN = "return", _("Returned")
    REJECT = "reject", _("Rejected")
    UPLOAD = "upload", _("Softcopy uploaded")
    PLACE = "place", _("Hardcopy place recorded")
    CHECK_OUT = "check_out", _("Hardcopy taken out")
    CHECK_IN = "check_in", _("Hardcopy returned")
    ARCHIVE = "archive", _("Archived")
    REQUEST = "request", _("Requested from KPU")
    DECIDE = "decide", _("Decision recorded")
    LINK = "link", _("Listed under a decision in force")
    WITHDRAW = "withdraw", _("Withdrawn from a decision")
    CLOSE_OPEN = "close_open", _("Closed as open information")
    PUBLISH = "publish", _("Published")
    OPEN = "open", _("Opened")
    REVIEW = "review", _("Entered the review queue (period ending)")
    OBJECT = "object", _("Objection received")
    RULING = "ruling", _("Ruling recorded")
    REDACT = "redact", _("Redacted public copy uploaded")
    CONFIRM_REDACTION = "confirm_redact", _("Redacted public copy confirmed")
    RETEST = "retest", _("Consequence test repeated")
    REQUEST_RETURNED = "request_back", _("Request returned by KPU Provinsi")


class Verdict(models.TextChoices):
    APPROVE = "approve", _("Approve")
    RETURN = "return", _("Return")
    REJECT = "reject", _("Reject")


class Outcome(models.TextChoices):
    EXEMPT = "exempt", _("Exempt (dikecualikan)")
    OPEN = "open", _("Open (terbuka)")


class ExemptionGround(NeverDeleted):
    """A ground of UU 14/2008 Pasal 17 (loaded by a data migration: the law's text is public)."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    label_id = models.TextField(_("label (Indonesian)"))
    label_en = models.TextField(_("label (English)"))
    max_years = models.PositiveSmallIntegerField(
        _("maximum years"),
        null=True,
        blank=True,
        help_text=_(
            "Longest exemption period allowed for this ground, if a regulation sets one "
            "(PP 61/2010: 30 years for law enforcement). Leave empty when none is known."
        ),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("exemption ground (Pasal 17)")
        verbose_name_plural = _("exemption grounds (Pasal 17)")

    def __str__(self):
        return f"{self.code}: {self.label}"

    @property
    def label(self) -> str:
        return self.label_en if (get_language() or "id").startswith("en") else self.label_id

    @property
    def letter(self) -> str:
        return self.code[2]

    @property
    def citation(self) -> str:
        return citation(self.code)

    @property
    def allows_indefinite(self) -> bool:
        # Pasal 20: exemptions under 17a-17f are not permanent.
        return self.letter in "ghij"


class RecordQuerySet(NeverDeletedQuerySet):
    def with_words(self, text: str, fields):
        """Records in which each word of the text (the first ten) is in one of the fields."""
        words = Q()
        for word in text.replace("\x00", "").split()[:10]:
            words &= functools.reduce(
                operator.or_, (Q(**{f"{field}__icontains": word}) for field in fields)
            )
        return self.filter(words)

    def matching(self, *, q="", state="", unit="", dasar="", tahun=None, keputusan=None, **_):
        """Records matching the staff register's filters (staff.record_list)."""
        records = self.with_words(q, ("title", "public_title", "holding_unit")) if q else self
        if state:
            records = records.filter(state=state)
        if unit:
            records = records.filter(holding_unit__icontains=unit)
        if dasar:
            records = records.filter(grounds__code__startswith=dasar).distinct()
        if tahun:
            records = records.filter(created_at__year=tahun)
        if keputusan:
            items = {"decision_items__decision": keputusan, "decision_items__withdrawn_at": None}
            records = records.filter(**items).distinct()
        return records

    def on_dik(self):
        """Records on the current public DIK."""
        return self.filter(state=State.PUBLISHED)

    def no_longer_exempt(self):
        """Records that were on the public DIK and have been opened since."""
        return self.filter(state=State.OPENED, published_in__isnull=False)

    def index_for_search(self):
        """Refresh the full-text vector of these records (PostgreSQL's Indonesian configuration)."""
        if vector := self.search_vector():
            self.update(**vector)

    @staticmethod
    def search_vector() -> dict:
        """The search column as an update's expression, for a statement that updates the
        records anyway (a publication); empty where the search needs none (SQLite)."""
        if connection.vendor != "postgresql":
            return {}
        return {"search": SearchVector(*SEARCHED_FIELDS, config="indonesian")}

    def with_state_since(self):
        """Annotate `state_since`: when each record entered its present state (its wait)."""
        here = {"record": models.OuterRef("pk"), "to_state": models.OuterRef("state")}
        entered = (
            Transition.objects.filter(**here)
            .exclude(from_state=models.F("to_state"))
            .order_by("-at")
            .values("at")[:1]
        )
        return self.annotate(state_since=Coalesce(models.Subquery(entered), "created_at"))

    def awaiting_verdict_of(self, user):
        """Records in the current approval round on which this user may still give a verdict."""
        if not approving_roles_of(user):
            return self.none()
        return (
            self.filter(state=State.AWAITING_APPROVAL)
            .annotate(**verdict_bars(user))
            .filter(involved=False, judged=False)
        )


def verdict_bars(user) -> dict:
    """Return what bars a user from judging a record in its current round, as subqueries.

    Written once, for the approvers' queue (a filter) and for one record (`verdict_bar`):
    nobody judges what they classified or submitted, and one verdict per round.
    """
    return {
        "involved": models.Exists(
            Transition.objects.filter(
                record=models.OuterRef("pk"),
                actor=user,
                action__in=[Action.CLASSIFY, Action.SUBMIT],
            )
        ),
        "judged": models.Exists(
            Approval.objects.filter(
                record=models.OuterRef("pk"), round=models.OuterRef("round"), user=user
            )
        ),
    }


SEARCHED_FIELDS = ("public_title", "holding_unit", "document_type", "statutes", "harm", "balancing")


class Record(NeverDeleted):
    """One item of the DIK: a piece of information the office withholds, and its classification."""

    office = office_field("records")

    title = models.TextField(
        _("internal title"),
        help_text=_(
            "What the document is, as the office knows it. Never shown to the public: "
            "it may itself reveal the withheld information."
        ),
    )
    public_title = models.TextField(
        _("public title"),
        help_text=_("How the published DIK names this information, without revealing it."),
    )
    holding_unit = models.CharField(_("holding unit"), max_length=255)
    document_type = models.CharField(_("document type"), max_length=255)

    # Classification and consequence test (SOP step 2; PKPU 22/2023 Pasal 25(3)).
    grounds = models.ManyToManyField(
        ExemptionGround, blank=True, related_name="records", verbose_name=_("exemption grounds")
    )
    exemption_scope = models.CharField(
        _("what is withheld"), max_length=8, choices=Scope.choices, default=Scope.WHOLE
    )
    withheld_part = models.TextField(
        _("the part withheld"),
        blank=True,
        help_text=_("Pages, fields or a description of what is blacked out; the rest is open."),
    )
    dip_reference = models.CharField(
        _("where the rest is public"),
        max_length=500,
        blank=True,
        help_text=_("The DIP entry or address where the public reads the rest, if not a copy."),
    )
    # The redacted copy the public may read (a public file: checked like every upload).
    redacted_copy = models.FileField(
        _("redacted public copy"), upload_to="salinan/%Y/", blank=True, editable=False
    )
    # The copy is never an original (its hash differs from every softcopy's), and someone
    # other than its uploader confirms it before it is published (DOMAIN.md section 4).
    redacted_sha256 = models.CharField(
        _("SHA-256 of the redacted copy"), max_length=64, blank=True, editable=False
    )
    redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("redacted copy uploaded by"),
    )
    redaction_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("redacted copy confirmed by"),
    )
    redaction_confirmed_at = models.DateTimeField(
        _("redacted copy confirmed at"), null=True, blank=True, editable=False
    )
    test_scope = models.TextField(
        _("material, nature and scope of the information"),
        blank=True,
        help_text=_("What exactly is withheld: the part of the document, its nature, its scope."),
    )
    statutes = models.TextField(_("statutes relied on"), blank=True)
    harm = models.TextField(_("consequence if opened"), blank=True)
    public_interest = models.TextField(_("public interest"), blank=True)
    balancing = models.TextField(_("considerations for withholding"), blank=True)
    test_conclusion = models.CharField(
        _("conclusion of the test"), max_length=16, blank=True, choices=Outcome.choices
    )
    statute_type = models.CharField(
        _("type of the statute"), max_length=16, choices=StatuteType.choices, blank=True
    )
    statute_number = models.CharField(_("statute number"), max_length=20, blank=True)
    statute_year = models.PositiveSmallIntegerField(_("statute year"), null=True, blank=True)
    statute_article = models.CharField(_("article (pasal)"), max_length=100, blank=True)
    test_participants = models.TextField(_("consequence test participants"), blank=True)
    test_officials = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("officials taking part in the test"),
    )
    test_experts = models.TextField(
        _("outside experts taking part"),
        blank=True,
        help_text=_("One a line: name, position and institution."),
    )
    test_date = models.DateField(_("consequence test date"), null=True, blank=True)
    test_place = models.CharField(_("place of the test"), max_length=200, blank=True)
    public_office_reason = models.TextField(
        _("why it is withheld although it concerns a public office"), blank=True
    )
    concerns_public_office = models.BooleanField(
        _("concerns a (candidate for) public office"),
        default=False,
        help_text=_(
            "Personal information about a public office, or a candidacy for one, is opened "
            "under UU 14/2008 Pasal 18(2)."
        ),
    )
    # The latest day of the exemption, computed once from the decided period (period_end).
    ends_on = models.DateField(_("exemption ends"), null=True, blank=True, editable=False)
    period_type = models.CharField(
        _("exemption period"), max_length=16, choices=PeriodType.choices, blank=True
    )
    period_years = models.PositiveSmallIntegerField(_("years"), null=True, blank=True)
    period_until = models.DateField(_("until date"), null=True, blank=True)
    period_event = models.CharField(_("until event"), max_length=500, blank=True)

    state = models.CharField(
        _("state"),
        max_length=32,
        choices=State.choices,
        default=State.COLLECTED,
        db_index=True,
        editable=False,
    )
    # Each submission opens a new approval round; verdicts count per round.
    round = models.PositiveSmallIntegerField(_("approval round"), default=0, editable=False)
    # Bumped on every change so that a form opened before it is refused as stale.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("collected by"),
        editable=False,
    )
    created_at = models.DateTimeField(_("collected at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    # The letter asking KPU, through KPU Provinsi, to test and decide (set by the workflow).
    request_number = models.CharField(
        _("request letter number"), max_length=255, blank=True, editable=False
    )
    request_date = models.DateField(_("request letter date"), null=True, blank=True, editable=False)
    request_addressee = models.CharField(
        _("request sent to"), max_length=255, blank=True, editable=False
    )

    # Set by the workflow when the record joins or leaves the public DIK, for the public pages.
    published_in = models.ForeignKey(
        "Decision",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="published_records",
        editable=False,
        verbose_name=_("published in"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True, editable=False)
    opened_reason = models.CharField(
        _("reason for opening"),
        max_length=16,
        blank=True,
        choices=OpenReason.choices,
        editable=False,
    )
    search = SearchVectorField(null=True, editable=False)

    objects = InOffice.from_queryset(RecordQuerySet)()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("exempted information record")
        verbose_name_plural = _("exempted information records")
        constraints = [
            models.CheckConstraint(condition=Q(state__in=State.values), name="record_state_valid"),
            models.CheckConstraint(
                condition=Q(period_type__in=[*PeriodType.values, ""]),
                name="record_period_type_valid",
            ),
            # The state agrees with its fields: what is published names the decision it was
            # published in, and what was opened after publication says when and why.
            models.CheckConstraint(
                condition=~Q(state="published")
                | Q(published_in__isnull=False, published_at__isnull=False),
                name="record_published_has_decision",
            ),
            models.CheckConstraint(
                condition=~Q(state="opened", published_at__isnull=False)
                | Q(opened_at__isnull=False) & ~Q(opened_reason=""),
                name="record_opened_says_when_and_why",
            ),
        ]
        indexes = [
            # An office's public list in order, and its rows counted, from the index alone.
            models.Index(
                fields=["office", "id"], condition=Q(state="published"), name="record_on_dik"
            ),
            # The same list as a prepared statement (paging.prepared) runs it, the state a
            # parameter: a plan made once cannot use the index above (the parameter might
            # not be "published"), so among many offices PostgreSQL planned the list again
            # on every request. With this one the plan is made once (docs/benchmarks.md).
            models.Index(fields=["office", "state", "id"], name="record_listed"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title[:80]}"

    @property
    def period_display(self) -> str:
        codes = [g.code for g in self.grounds.all()]
        return period_text(
            self.period_type, self.period_years, self.period_until, self.period_event, codes
        )

    @property
    def is_partial(self) -> bool:
        return self.exemption_scope == Scope.PART

    @property
    def redaction_confirmed(self) -> bool:
        """Whether the current redacted copy was confirmed (a new upload needs a new one)."""
        return bool(self.redacted_copy) and self.redaction_confirmed_at is not None

    @property
    def statute_reference(self) -> str:
        """17j's statute as cited: "Undang-Undang Nomor 15 Tahun 2004, Pasal 19" (or "")."""
        if not self.statute_type:
            return ""
        return _("%(type)s Number %(number)s of %(year)s, %(article)s") % {
            "type": self.get_statute_type_display(),
            "number": self.statute_number,
            "year": self.statute_year,
            "article": self.statute_article,
        }

    @property
    def public_office_exception(self) -> bool:
        """Whether Pasal 18(2) opens this information: personal, and about a public office."""
        codes = [g.code for g in self.grounds.all()]
        return self.concerns_public_office and has_privacy_exceptions(codes)

    def round_changes(self) -> list[tuple[str, str, str]]:
        """What the PPID changed since the round before: (field, before, now), as text."""
        latest = list(self.classifications.order_by("-round")[:2])
        return latest[0].changes_since(latest[1]) if len(latest) == 2 else []

    def has_ended(self, today=None) -> bool:
        """Whether the exemption's period is over (the record may still wait to be opened)."""
        return self.ends_on is not None and self.ends_on < (today or timezone.localdate())

    def verdict_bar(self, user) -> str | None:
        """Return "involved" or "judged" when this user may not judge the record now, or None."""
        bars = Record.objects.filter(pk=self.pk).annotate(**verdict_bars(user))
        row = bars.values("involved", "judged").get()
        return next((name for name in ("involved", "judged") if row[name]), None)

    def approval_progress(self) -> list[tuple[str, int, int]]:
        """Return (role label, approvals so far, approvals needed) for the current round."""
        given = Counter(
            self.approvals.filter(round=self.round, verdict=Verdict.APPROVE).values_list(
                "role", flat=True
            )
        )
        return [(Role(r).label, given[r], n) for r, n in required_approvals().items()]


class SentForm(models.Model):
    """A DIK form already sent: its one-time token, unique in the database, and its record.

    The session alone cannot stop two posts of one form at the same instant (a double click,
    a resent request); the unique key does, in every process and on every server.
    """

    token = models.CharField(max_length=64, primary_key=True)
    record = models.ForeignKey(Record, models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects = InOffice.through("record__office").from_queryset(models.QuerySet)()

    class Meta:
        verbose_name = _("sent DIK form")

    def __str__(self):
        return f"{self.token} → #{self.record_id}"


class Transition(AppendOnly):
    """One row of a record's history: who did what, when, from which state to which."""

    chained = True
    actor_fields = {"actor": ("actor_name", "actor_role")}

    record = models.ForeignKey(
        Record, models.PROTECT, related_name="transitions", verbose_name=_("record")
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_state = models.CharField(_("from"), max_length=32, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=32, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )
    note = models.TextField(_("note"), blank=True)
    reason = models.CharField(_("reason"), max_length=16, choices=OpenReason.choices, blank=True)
    instrument = models.CharField(
        _("instrument"),
        max_length=500,
        blank=True,
        help_text=_("The decision or document that caused this change."),
    )
    round = models.PositiveSmallIntegerField(_("approval round"), default=0)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # Facts of the step kept as data, e.g. the SHA-256 of an upload (a copy outside its row).
    details = models.JSONField(_("details"), default=dict, blank=True, editable=False)
    # Who acted, as they were then: a later renaming of the account rewrites nothing.
    actor_name = models.CharField(_("by (name then)"), max_length=200, blank=True)
    actor_role = models.CharField(_("roles then"), max_length=200, blank=True)
    chain = models.CharField(_("chain hash"), max_length=64, blank=True, editable=False)

    objects = InOffice.through("record__office").from_queryset(AppendOnlyQuerySet)()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")

    def __str__(self):
        # As the office reads its history: "Diklasifikasi oleh Budi Santoso (PPID)".
        return _("%(action)s by %(person)s") % {
            "action": self.get_action_display(),
            "person": self.actor_then or self.actor_id,
        }

    def change_list(self) -> list[tuple[str, str, str]]:
        """The old and new values this step wrote (an edit, a re-classification), as text."""
        changes = self.details.get("changes", {})
        return [
            (_field_label(n), _shown(n, old), _shown(n, new)) for n, (old, new) in changes.items()
        ]

    @property
    def actor_then(self) -> str:
        """Who acted, with the roles they held then: "Budi Santoso (PPID)"."""
        return history.named_then(self.actor_name, self.actor_role)


class Approval(AppendOnly):
    """A verdict of one approver, in one role, in one approval round."""

    chained = True
    actor_fields = {"user": ("user_name", None)}

    record = models.ForeignKey(
        Record, models.PROTECT, related_name="approvals", verbose_name=_("record")
    )
    round = models.PositiveSmallIntegerField(_("approval round"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)
    user_name = models.CharField(_("by (name then)"), max_length=200, blank=True)
    # What the verdict judged: the classification as submitted for this round.
    classification = models.ForeignKey(
        "Classification",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="verdicts",
        verbose_name=_("classification judged"),
    )
    chain = models.CharField(_("chain hash"), max_length=64, blank=True, editable=False)

    objects = InOffice.through("record__office").from_queryset(AppendOnlyQuerySet)()

    class Meta:
        ordering = ["round", "at", "id"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [
            models.UniqueConstraint(
                fields=["record", "round", "user"], name="one_verdict_per_user_per_round"
            ),
            models.CheckConstraint(
                condition=Q(verdict__in=Verdict.values), name="approval_verdict_valid"
            ),
        ]

    def __str__(self):
        return _("Verdict of %(person)s (%(role)s): %(verdict)s") % {
            "verdict": self.get_verdict_display(),
            "person": self.user_name or self.user_id,
            "role": self.get_role_display(),
        }


class DecidingBody(NeverDeleted):
    """A body that may decide which information is exempted (shared/DOMAIN.md sections 2, 6).

    A positive list, loaded by migrations and kept true by a superuser (every change is a
    DecidingBodyChange): KPU, and a KPU Provinsi under delegation (PKPU 4/2025, in force
    29 December 2025; its mechanics unverified, so its date and basis are data). There is
    one KPU and at most one KPU Provinsi per province; a KPU Provinsi decides only for the
    offices of its own province. Nobody else decides: a KPU Kabupaten/Kota, the PPID, the
    Pembina PPID and the Tim Pertimbangan propose.
    """

    class Kind(models.TextChoices):
        KPU = "kpu", _("KPU (national)")
        KPU_PROVINSI = "kpu_provinsi", _("KPU Provinsi (by delegation)")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.KPU)
    province = models.CharField(
        _("province"),
        max_length=40,
        blank=True,
        choices=PROVINCE_CHOICES,
        help_text=_("For a KPU Provinsi: the province whose offices it decides for."),
    )
    decides_from = models.DateField(
        _("may decide from"), help_text=_("The first day on which this body may decide.")
    )
    basis = models.CharField(
        _("legal basis"),
        max_length=300,
        help_text=_("The rule that gives this body the power to decide, e.g. PKPU 22/2023."),
    )
    by_delegation = models.BooleanField(_("decides by delegation"), default=False)
    # The body's own office: once it uses the register, it enters its decisions itself, and
    # no other office types them in (DOMAIN.md section 5).
    home_office = models.ForeignKey(
        Office,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("its office in the register"),
    )

    # The fields a change log keeps (DecidingBodyChange), in the admin's order.
    LOGGED_FIELDS = (
        "name", "kind", "province", "decides_from", "basis", "by_delegation", "home_office",
    )  # fmt: skip

    class Meta:
        ordering = ["decides_from", "name"]
        verbose_name = _("deciding body")
        verbose_name_plural = _("deciding bodies")
        constraints = [
            # KPU is national; a KPU Provinsi has its province (and one body per province).
            models.CheckConstraint(
                condition=Q(kind="kpu", province="")
                | Q(kind="kpu_provinsi", province__in=PROVINCES),
                name="deciding_body_kind_and_province",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="kpu"), name="deciding_body_one_kpu"
            ),
            models.UniqueConstraint(
                fields=["province"],
                condition=Q(kind="kpu_provinsi"),
                name="deciding_body_one_per_province",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        """Hold an entry to the positive list's rules, in words a superuser can act on."""
        if self.kind == self.Kind.KPU:
            if self.province:
                raise ValidationError({"province": _("KPU is national: it has no province.")})
            if DecidingBody.objects.filter(kind=self.kind).exclude(pk=self.pk).exists():
                raise ValidationError(
                    {"kind": _("There is one KPU, and it is on the list already.")}
                )
        elif self.kind == self.Kind.KPU_PROVINSI:
            if self.province not in PROVINCES:
                raise ValidationError({"province": _("Choose the province of this KPU Provinsi.")})
            same = DecidingBody.objects.filter(kind=self.kind, province=self.province)
            if same.exclude(pk=self.pk).exists():
                raise ValidationError(
                    {"province": _("The KPU Provinsi of this province is on the list already.")}
                )

    def decides_for(self, province: str) -> bool:
        """Whether its decisions bind the offices of this province (KPU's bind every office)."""
        return self.kind == self.Kind.KPU or self.province == province


class DecidingBodyChange(AppendOnly):
    """A deciding body added or changed by a superuser: who, when, old and new values."""

    body = models.ForeignKey(DecidingBody, models.PROTECT, related_name="changes")
    changes = models.JSONField(_("changes"), default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("change of a deciding body")
        verbose_name_plural = _("changes of deciding bodies")

    def __str__(self):
        return f"{self.body_id}: {', '.join(self.changes)}"


# "Keputusan Komisi Pemilihan Umum Nomor 1210 Tahun 2025": the number is what follows "Nomor".
PRINTED_NUMBER = re.compile(r"\bnomor\s+(\S+)(?:\s+tahun\s+\d{4})?\s*$")


def decision_number_key(number: str) -> str:
    """The number that names a decision, however it was typed: "1210", "Nomor 1210" and
    "Keputusan Komisi Pemilihan Umum Nomor 1210 Tahun 2025" are one (the year is a field of
    its own); an older number ("88/Kpts/KPU/Tahun 2015") is kept whole, without spaces."""
    text = " ".join(str(number or "").lower().split())
    if match := PRINTED_NUMBER.search(text):
        text = match.group(1)
    return text.replace(" ", "").rstrip(".")


class DecisionQuerySet(NeverDeletedQuerySet):
    def published(self):
        """The decisions the acting office has published for its own list (each office
        publishes a decision that covers its items: SOP step 4 is its own act)."""
        ours = DecisionPublication.objects.filter(decision=models.OuterRef("pk"))
        return self.filter(models.Exists(ours))

    def with_publication(self):
        """Each decision with `published_here`: when the acting office published it, or None."""
        ours = DecisionPublication.objects.filter(decision=models.OuterRef("pk"))
        return self.annotate(published_here=models.Subquery(ours.values("published_at")[:1]))

    def in_force_somewhere(self):
        """The decisions published by at least one office: they bind from then on."""
        return self.filter(published_at__isnull=False)

    def linkable(self):
        """The decisions the acting office may list an item under (SOP step 1, "yang sudah
        ditetapkan"): of KPU, or of its own KPU Provinsi; in force, that is published by an
        office, or entered by this office itself and not yet published (a decision it typed
        in, as before the deciding bodies used the register); not revoked in whole, and not
        itself a revocation (which opens, never exempts)."""
        here = current_office()
        bodies = Q(body__kind=DecidingBody.Kind.KPU)
        if here.province:
            bodies |= Q(body__kind=DecidingBody.Kind.KPU_PROVINSI, body__province=here.province)
        in_force = Q(published_at__isnull=False) | Q(entered_in=here)
        revoked = Decision.objects.in_force_somewhere().filter(
            revokes=models.OuterRef("pk"), revokes_whole=True
        )
        found = self.filter(bodies, in_force, revokes__isnull=True)
        return found.exclude(models.Exists(revoked))

    def numbered(self, *, issuer: str, year, number: str) -> list:
        """Return the decisions of this issuer and year with this number, however printed."""
        key = decision_number_key(number)
        same_year = self.filter(issuer=issuer, year=year)
        return [d for d in same_year if decision_number_key(d.number) == key]


class Decision(NeverDeleted):
    """A Keputusan on the list, issued by KPU RI (or the body the rules name at the time)."""

    body = models.ForeignKey(
        DecidingBody,
        models.PROTECT,
        null=True,  # decisions entered before the table existed (migration 0011 maps them)
        related_name="decisions",
        verbose_name=_("deciding body"),
    )
    # The body's name as entered, kept with the decision (open data: keputusan_penerbit).
    issuer = models.CharField(_("issuer"), max_length=255, default="KPU RI", editable=False)
    number = models.CharField(
        _("number as printed"),
        max_length=255,
        help_text=_("Exactly as on the decision, e.g. 88/Kpts/KPU/Tahun 2015."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.TextField(_("title"), help_text=_("The “tentang …” line of the decision."))
    date_set = models.DateField(_("date set"))
    place = models.CharField(_("place set"), max_length=100, blank=True, default="Jakarta")
    signatory = models.CharField(
        _("signed by"), max_length=255, blank=True, help_text=_("Name and office, e.g. Ketua KPU.")
    )
    pdf = models.FileField(_("decision PDF"), upload_to="keputusan/%Y/", blank=True)
    # A later decision may revoke an earlier one, in whole or in part (shared/DOMAIN.md
    # section 6): it is a decision of its own, and publishing it opens the items it names.
    revokes = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="revoked_by",
        verbose_name=_("revokes the decision"),
    )
    revokes_whole = models.BooleanField(
        _("revokes it in whole"),
        default=False,
        help_text=_("In whole: every item listed under the revoked decision is opened."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The office whose PPID entered it: the deciding body's own, or an office that recorded
    # the decision of a body that does not use the register (its public page says so).
    entered_in = models.ForeignKey(
        Office,
        models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("entered by the office"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("published by"),
    )

    objects = DecisionQuerySet.as_manager()

    # A decision's own fields, in the order the forms ask for them (enter and correct).
    FORM_FIELDS = (
        "body", "number", "year", "title", "date_set", "place", "signatory", "revokes",
        "revokes_whole",
    )  # fmt: skip

    class Meta:
        ordering = ["-date_set", "-id"]
        verbose_name = _("decision (Keputusan)")
        verbose_name_plural = _("decisions (Keputusan)")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "number"], name="decision_number_unique"),
        ]

    def __str__(self):
        # Today's numbers name the body ("Keputusan Komisi Pemilihan Umum Nomor 731 Tahun
        # 2025"); older ones do not ("88/Kpts/KPU/Tahun 2015").
        if self.number.lower().startswith("keputusan"):
            return self.number
        return f"Keputusan {self.issuer} Nomor {self.number}"

    @property
    def recorded_by_another(self):
        """The office that recorded this decision in the register, when that is not the
        deciding body itself (a body that does not use the register); else None."""
        if self.entered_in_id is None or self.entered_in_id == self.body.home_office_id:
            return None
        return self.entered_in

    @property
    def is_published(self) -> bool:
        """Whether the acting office has published it for its list."""
        return DecisionPublication.objects.filter(decision=self).exists()

    @property
    def published_anywhere(self) -> bool:
        """Whether any office has published it: from then on it is not corrected, only
        revoked or followed by a later decision."""
        return self.published_at is not None

    def revoked_in_whole(self) -> bool:
        """Whether a later decision, published by any office, revoked this one in whole: no
        longer in force anywhere."""
        return self.revoked_by.in_force_somewhere().filter(revokes_whole=True).exists()


class DecisionPublication(AppendOnly):
    """An office's publication of a decision for its own list (SOP step 4): a decision of
    KPU may cover the items of many offices, and each publishes it on its own day."""

    actor_fields = {"published_by": ("published_by_name", None)}

    office = office_field("decision_publications")
    decision = models.ForeignKey(
        Decision, models.PROTECT, related_name="publications", verbose_name=_("decision")
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("published by")
    )
    published_by_name = models.CharField(_("by (name then)"), max_length=200, blank=True)

    objects = InOffice.from_queryset(AppendOnlyQuerySet)()

    class Meta:
        ordering = ["published_at", "id"]
        verbose_name = _("publication of a decision")
        verbose_name_plural = _("publications of decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "decision"], name="decision_published_once_per_office"
            ),
        ]

    def __str__(self):
        return f"{self.decision_id} @ {self.office_id}"


class DecisionItemQuerySet(AppendOnlyQuerySet):
    def active(self):
        """Items not withdrawn: what the decision covers."""
        return self.filter(withdrawn_at__isnull=True)


class DecisionItem(AppendOnly):
    """A record covered by a decision, with the outcome the decision gives it."""

    closing_fields = ("withdrawn_at", "withdrawn_by", "withdrawal_note")

    decision = models.ForeignKey(
        Decision, models.PROTECT, related_name="items", verbose_name=_("decision")
    )
    record = models.ForeignKey(
        Record, models.PROTECT, related_name="decision_items", verbose_name=_("record")
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    # What the decision says of the record, which may differ from the office's proposal
    # (shared/DOMAIN.md section 6): prefilled from it, and written to the record.
    grounds = models.ManyToManyField(
        ExemptionGround, blank=True, related_name="+", verbose_name=_("grounds as decided")
    )
    statutes = models.TextField(_("statutes relied on"), blank=True)
    harm = models.TextField(_("consequence if opened"), blank=True)
    balancing = models.TextField(_("considerations for withholding"), blank=True)
    period_type = models.CharField(
        _("period as decided"), max_length=16, blank=True, choices=PeriodType.choices
    )
    period_years = models.PositiveSmallIntegerField(_("years"), null=True, blank=True)
    period_until = models.DateField(_("until date"), null=True, blank=True)
    period_event = models.CharField(_("until event"), max_length=500, blank=True)
    test_sheet = models.FileField(
        _("KPU's consequence-test sheet"), upload_to="keputusan/lembar/%Y/", blank=True
    )
    # The record's values before this item replaced them: the office's proposal (or
    # nothing, for an item listed under a decision in force). A withdrawal restores them.
    proposed = models.JSONField(_("as proposed"), default=dict, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("withdrawn by"),
    )
    withdrawal_note = models.TextField(_("why it was withdrawn"), blank=True, editable=False)

    objects = InOffice.through("record__office").from_queryset(DecisionItemQuerySet)()

    class Meta:
        ordering = ["decision", "id"]
        verbose_name = _("record in a decision")
        verbose_name_plural = _("records in the decision")
        constraints = [
            # Withdrawn items stay; a record may be added again after its withdrawal.
            models.UniqueConstraint(
                fields=["decision", "record"],
                condition=Q(withdrawn_at__isnull=True),
                name="decision_item_unique_active",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="decision_item_outcome_valid"
            ),
        ]

    def __str__(self):
        return f"{self.decision}: {self.record_id} ({self.get_outcome_display()})"

    @property
    def period_display(self) -> str:
        codes = [g.code for g in self.grounds.all()]
        return period_text(
            self.period_type, self.period_years, self.period_until, self.period_event, codes
        )

    def differences(self) -> list[tuple[str, str, str]]:
        """Return (what, as proposed, as decided) where the decision differs from the proposal."""
        # An item listed under a decision in force had no proposal of the office's own.
        if not self.proposed.get("period_type") or self.outcome != Outcome.EXEMPT:
            return []
        proposed, decided = self.proposed, decided_values(self)
        rows = [
            (_("grounds") if name == "grounds" else self._meta.get_field(name).verbose_name,
             proposed.get(name, ""), decided[name])
            for name in ("grounds", "statutes", "harm", "balancing")
            if (proposed.get(name) or "") != decided[name]
        ]  # fmt: skip
        if any(str(proposed.get(n) or "") != str(decided[n] or "") for n in PERIOD_FIELDS):
            until = proposed.get("period_until")
            was = period_text(
                proposed.get("period_type"),
                proposed.get("period_years"),
                datetime.date.fromisoformat(until) if until else None,
                proposed.get("period_event"),
                (proposed.get("grounds") or "").split(", "),
            )
            rows.append((_("period"), str(was), str(self.period_display)))
        return rows


def decided_values(source) -> dict:
    """Return what a record or an item says, as text: grounds, statutes, harm, period.

    The same shape for a record (the proposal) and an item (the decision), so that the
    two can be kept and compared (DecisionItem.proposed, differences).
    """
    values = {name: getattr(source, name) for name in ("statutes", "harm", "balancing")}
    values["grounds"] = ", ".join(sorted(g.code for g in source.grounds.all()))
    for name in PERIOD_FIELDS:
        value = getattr(source, name)
        values[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return values


class DecisionLog(AppendOnly):
    """What happened to a decision itself: entered, corrected (old and new values), published."""

    class Kind(models.TextChoices):
        ENTERED = "entered", _("Entered")
        CORRECTED = "corrected", _("Corrected")
        PUBLISHED = "published", _("Published")

    decision = models.ForeignKey(Decision, models.PROTECT, related_name="log")
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        ordering = ["decision", "at", "id"]
        verbose_name = _("decision history entry")
        verbose_name_plural = _("decision history")

    def __str__(self):
        return f"{self.decision_id}: {self.get_kind_display()}"

    def change_list(self) -> list[tuple[str, str, str]]:
        """The corrected fields by their labels, old and new values as a person reads them."""
        return [
            (
                str(Decision._meta.get_field(name).verbose_name),
                _decision_value(name, old),
                _decision_value(name, new),
            )
            for name, (old, new) in self.changes.items()
        ]


def _decision_value(name: str, value) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if name == "date_set":
        return date_format(datetime.date.fromisoformat(value), "j F Y")
    return str(value)


class DikVersion(AppendOnly):
    """An immutable, dated version of an office's public DIK: made by each publication or
    opening, numbered within the office (each office's list has its own versions)."""

    office = office_field("dik_versions")
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    decision = models.ForeignKey(
        Decision,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="dik_versions",
        verbose_name=_("decision"),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = InOffice.from_queryset(AppendOnlyQuerySet)()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("DIK version")
        verbose_name_plural = _("DIK versions")
        constraints = [
            models.UniqueConstraint(fields=["office", "number"], name="dik_version_unique"),
        ]

    def __str__(self):
        return f"DIK v{self.number}"

    def records(self):
        """Return the records on the DIK as it stood at this version."""
        upto = {"dik_changes__version__number__lte": self.number}
        added = Record.objects.filter(dik_changes__kind=DikChange.Kind.ADDED, **upto)
        opened = Record.objects.filter(dik_changes__kind=DikChange.Kind.OPENED, **upto)
        return Record.objects.filter(pk__in=added.values("pk")).exclude(pk__in=opened.values("pk"))

    def rows(self):
        """Return this version's rows as published (open data dicts), in the DIK's order.

        Frozen when each record was added: a later change to a record changes no version.
        """
        upto = Q(version__number__lte=self.number)
        opened = DikChange.objects.filter(upto, kind=DikChange.Kind.OPENED).values("record")
        added = DikChange.objects.filter(upto, kind=DikChange.Kind.ADDED)
        return added.exclude(record__in=opened).order_by("record_id").values_list("data", flat=True)


class DikChange(AppendOnly):
    """What a version changed: a record added to the DIK, or opened (taken off it).

    An added row keeps the record's public fields as published (the open data row, in
    Indonesian): every version's exports are made from these, never from the live record.
    """

    chained = True

    class Kind(models.TextChoices):
        ADDED = "added", _("Added")
        OPENED = "opened", _("Opened")

    version = models.ForeignKey(DikVersion, models.PROTECT, related_name="changes")
    record = models.ForeignKey(Record, models.PROTECT, related_name="dik_changes")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    data = models.JSONField(_("row as published"), default=dict, blank=True, editable=False)
    chain = models.CharField(_("chain hash"), max_length=64, blank=True, editable=False)

    objects = InOffice.through("record__office").from_queryset(AppendOnlyQuerySet)()

    class Meta:
        ordering = ["version", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "record"], name="dik_change_unique"),
        ]

    def __str__(self):
        return f"v{self.version_id}: {self.kind} #{self.record_id}"


class CollectionPeriodQuerySet(NeverDeletedQuerySet):
    def current(self, today=None):
        """Return the period running today (the latest one started), or None."""
        today = today or timezone.localdate()
        return self.filter(starts_on__lte=today).order_by("-starts_on").first()


class CollectionPeriod(NeverDeleted):
    """A round of SOP step 1: the desk collects the DIK in weeks 1-2 of it (dates the PPID sets)."""

    office = office_field()

    name = models.CharField(_("name"), max_length=200, help_text=_("e.g. Pemutakhiran DIK 2026"))
    starts_on = models.DateField(_("starts on"))
    collect_by = models.DateField(
        _("collection deadline"), help_text=_("The end of weeks 1-2 of the SOP (step 1).")
    )

    objects = InOffice.from_queryset(CollectionPeriodQuerySet)()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("collection period")
        verbose_name_plural = _("collection periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(collect_by__gte=models.F("starts_on")),
                name="collection_period_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name

    def records(self):
        """Records collected in this period: from its start to the start of the next one."""
        records = Record.objects.filter(created_at__date__gte=self.starts_on)
        following = (
            CollectionPeriod.objects.filter(starts_on__gt=self.starts_on)
            .order_by("starts_on")
            .values_list("starts_on", flat=True)
            .first()
        )
        return records.filter(created_at__date__lt=following) if following else records

    def late_records(self, today=None):
        """Records of this period still only collected after the deadline: step 2 is late."""
        today = today or timezone.localdate()
        if today <= self.collect_by:
            return Record.objects.none()
        return self.records().filter(state=State.COLLECTED)


class OfficeDay(OfficeOwned, models.Model):
    """A correction of the working-day calendar that the holidays package does not know.

    The package gives weekends' companions: Indonesia's national holidays and cuti bersama.
    The office adds a day off (a regional holiday, a cuti bersama decreed late) or makes a
    holiday a working day again (one moved by decree). Nothing is written per year in code.
    """

    class Kind(models.TextChoices):
        OFF = "off", _("Day off")
        WORKING = "working", _("Working day")

    office = office_field()
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.OFF)
    name = models.CharField(_("name"), max_length=200, help_text=_("e.g. Cuti bersama Natal"))
    basis = models.CharField(
        _("basis"), max_length=300, blank=True, help_text=_("The decree, e.g. SKB 3 Menteri.")
    )

    objects = InOffice()

    class Meta:
        ordering = ["date"]
        verbose_name = _("office calendar day")
        verbose_name_plural = _("office calendar")
        constraints = [
            models.UniqueConstraint(fields=["office", "date"], name="office_day_unique"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name} ({self.get_kind_display()})"


class CapChange(AppendOnly):
    """A change of a ground's longest period (Pasal 20 caps), by a superuser: kept for good."""

    ground = models.ForeignKey(ExemptionGround, models.PROTECT, related_name="cap_changes")
    old_years = models.PositiveSmallIntegerField(_("before"), null=True, blank=True)
    new_years = models.PositiveSmallIntegerField(_("after"), null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("change of a period cap")
        verbose_name_plural = _("changes of period caps")

    def __str__(self):
        return f"{self.ground_id}: {self.old_years} → {self.new_years}"


# --- Requests to KPU, through KPU Provinsi (PKPU 22/2023 Pasal 25(1)-(2)) -------------


class SeenAlongTheRequest(InOffice):
    """A request is read by the office that sent it, by the KPU Provinsi it travels through,
    and by KPU once forwarded to it; by no other office (DOMAIN.md section 5)."""

    def seen_by(self, here) -> Q:
        # KPU reads it once forwarded: one its KPU Provinsi decided by delegation never
        # reached KPU.
        return Q(office=here) | Q(via=here) | Q(addressed_to=here, forwarded_at__isnull=False)


class DecisionRequest(NeverDeleted):
    """An office's request to KPU for the consequence test and decision of its records.

    The office sends its letter to its KPU Provinsi, which forwards it to KPU with a cover
    letter of its own, or returns it with a note (the records go back to the office). The
    Provinsi reads what it needs to forward (the public fields and the consequence test),
    never a softcopy or an internal title.
    """

    class State(models.TextChoices):
        SENT = "sent", _("Sent to KPU Provinsi")
        FORWARDED = "forwarded", _("Forwarded to KPU")
        RETURNED = "returned", _("Returned by KPU Provinsi")
        DECIDED = "decided", _("Decided")

    office = office_field("decision_requests")
    via = models.ForeignKey(
        Office, models.PROTECT, related_name="requests_via", verbose_name=_("through")
    )
    addressed_to = models.ForeignKey(
        Office, models.PROTECT, related_name="requests_to", verbose_name=_("addressed to")
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.SENT)
    number = models.CharField(_("letter number"), max_length=255)
    date = models.DateField(_("letter date"))
    records = models.ManyToManyField(
        Record, related_name="decision_requests", verbose_name=_("records")
    )
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    # The KPU Provinsi's cover letter, when it forwards the request.
    forward_number = models.CharField(_("cover letter number"), max_length=255, blank=True)
    forward_date = models.DateField(_("cover letter date"), null=True, blank=True)
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True, blank=True
    )
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    # Or its note, when it returns the request to the office.
    return_note = models.TextField(_("why it was returned"), blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True, blank=True
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)

    objects = SeenAlongTheRequest.from_queryset(NeverDeletedQuerySet)()

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("request to KPU")
        verbose_name_plural = _("requests to KPU")

    def __str__(self):
        return _("Request %(number)s of %(office)s") % {
            "number": self.number,
            "office": self.office.name,
        }


class RequestEvent(AppendOnly):
    """A step of a request, in the register of each office it concerns: the office that
    sent it keeps its own row of each step, and so does the KPU Provinsi (and KPU)."""

    chained = True
    actor_fields = {"actor": ("actor_name", None)}

    class Kind(models.TextChoices):
        SENT = "sent", _("Request sent")
        RECEIVED = "received", _("Request received")
        FORWARDED = "forwarded", _("Forwarded to KPU")
        RETURNED = "returned", _("Returned to the office")
        DECIDED = "decided", _("Decided by KPU")

    office = office_field("request_events")
    request = models.ForeignKey(DecisionRequest, models.PROTECT, related_name="events")
    kind = models.CharField(_("step"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )
    actor_name = models.CharField(_("by (name then)"), max_length=200, blank=True)
    # The office the person acted for: a step of the KPU Provinsi in the office's register.
    acting_for = models.ForeignKey(
        Office, models.PROTECT, related_name="+", verbose_name=_("acting for")
    )
    note = models.TextField(_("note"), blank=True)
    letter = models.CharField(_("letter"), max_length=300, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)
    chain = models.CharField(_("chain hash"), max_length=64, blank=True, editable=False)

    objects = InOffice.from_queryset(AppendOnlyQuerySet)()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("step of a request")
        verbose_name_plural = _("steps of requests")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.request_id}"


# --- Objections (keberatan) and disputes (sengketa): UU 14/2008 Pasal 35-37 --------------


class Objection(AppendOnly):
    """An objection to a refused request, decided by the Atasan PPID within 30 working days.

    The requester's name and contact are internal: no public page shows them. An office's:
    its records are that office's, and its Atasan PPID answers it.
    """

    office = office_field()
    requester_name = models.CharField(_("requester's name"), max_length=200)
    requester_contact = models.CharField(
        _("requester's contact"), max_length=300, help_text=_("Address, e-mail or telephone.")
    )
    received_on = models.DateField(_("received on"))
    request_reference = models.CharField(
        _("refused request"), max_length=200, help_text=_("The request's register number.")
    )
    request_refused_on = models.DateField(_("request refused on"))
    grounds = models.TextField(_("grounds of the objection"))
    records = models.ManyToManyField(
        Record, related_name="objections", verbose_name=_("records it concerns")
    )
    # 30 working days after receipt (Pasal 36(1)), computed when it is received.
    answer_due = models.DateField(_("answer due by"), editable=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", editable=False
    )
    entered_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = InOffice.from_queryset(AppendOnlyQuerySet)()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("objection (keberatan)")
        verbose_name_plural = _("objections (keberatan)")

    def __str__(self):
        return _("Objection #%(id)s of %(date)s") % {
            "id": self.pk,
            "date": self.received_on.strftime("%d-%m-%Y"),
        }


class ObjectionAnswer(AppendOnly):
    """The Atasan PPID's written answer to an objection: given once, never changed."""

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("Upheld: the information is opened")
        REFUSED = "refused", _("Refused: the exemption stands")

    objection = models.OneToOneField(Objection, models.PROTECT, related_name="answer")
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    number = models.CharField(_("answer letter number"), max_length=200)
    answered_on = models.DateField(_("answered on"))
    reasons = models.TextField(_("reasons"))
    pdf = models.FileField(
        _("answer letter (PDF)"),
        upload_to="keberatan/%Y/",
        blank=True,
        help_text=_("Only a version fit to publish: no personal data of the requester."),
    )
    # 14 working days after the answer for a dispute at the Komisi Informasi (Pasal 37(2)).
    dispute_by = models.DateField(_("dispute possible until"), editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", editable=False
    )
    at = models.DateTimeField(default=timezone.now, editable=False)

    objects = InOffice.through("objection__office").from_queryset(AppendOnlyQuerySet)()

    class Meta:
        verbose_name = _("answer to an objection")
        verbose_name_plural = _("answers to objections")

    def __str__(self):
        return f"{self.number} ({self.get_outcome_display()})"


class RulingBody(NeverDeleted):
    """A body that rules in a dispute on information (UU 14/2008 Pasal 23, 47-50).

    The law's list, not the office's: loaded by a migration, changed only by a superuser in
    the admin, each change logged (RulingBodyChange). Shared by every office, on purpose.
    A PPID, an Atasan PPID or a KPU office never rules. `instance` is the ruling's rank:
    the Komisi Informasi first, then on appeal the PTUN or the Pengadilan Negeri, then on
    cassation the Mahkamah Agung; a ruling follows one of the instance before it.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    instance = models.PositiveSmallIntegerField(
        _("instance"),
        help_text=_("1: Komisi Informasi; 2: PTUN or Pengadilan Negeri; 3: Mahkamah Agung."),
    )
    basis = models.CharField(_("legal basis"), max_length=300)

    class Meta:
        ordering = ["instance", "name"]
        verbose_name = _("ruling body")
        verbose_name_plural = _("ruling bodies")

    def __str__(self):
        return self.name


class RulingBodyChange(AppendOnly):
    """A change of a ruling body by a superuser: old and new values, kept for good."""

    body = models.ForeignKey(RulingBody, models.PROTECT, related_name="changes")
    changes = models.JSONField(_("changes"), default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("change of a ruling body")
        verbose_name_plural = _("changes of ruling bodies")

    def __str__(self):
        return f"{self.body_id}: {self.changes}"


class Ruling(AppendOnly):
    """A ruling of the Komisi Informasi (or a court) in a dispute on an objection."""

    objection = models.ForeignKey(Objection, models.PROTECT, related_name="rulings")
    body = models.ForeignKey(
        RulingBody,
        models.PROTECT,
        null=True,  # rulings entered before the list as free text keep only `body_name`
        related_name="rulings",
        verbose_name=_("ruling body"),
        help_text=_("The Komisi Informasi, or the court on appeal."),
    )
    # The body's name as written when the ruling was entered (free text before 0032).
    body_name = models.CharField(_("ruling body (name then)"), max_length=200, editable=False)
    number = models.CharField(_("ruling number"), max_length=200)
    ruled_on = models.DateField(_("ruled on"))
    opens = models.BooleanField(
        _("orders the information opened"),
        help_text=_("Unticked: the ruling upholds the exemption."),
    )
    pdf = models.FileField(_("ruling (PDF)"), upload_to="putusan/%Y/", blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", editable=False
    )
    entered_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = InOffice.through("objection__office").from_queryset(AppendOnlyQuerySet)()

    class Meta:
        ordering = ["ruled_on", "id"]
        verbose_name = _("ruling (Komisi Informasi or court)")
        verbose_name_plural = _("rulings (Komisi Informasi or court)")
        constraints = [
            models.UniqueConstraint(fields=["body_name", "number"], name="ruling_number_unique"),
        ]

    def __str__(self):
        return _("Ruling of %(body)s Number %(number)s") % {
            "body": self.body_name,
            "number": self.number,
        }


class ConsequenceTest(AppendOnly):
    """A consequence test repeated on a published item; every earlier one is kept.

    The Komisi Informasi expects a test to be current (KI Pusat v. Kementerian PUPR, 2023):
    the PPID tests a published item again on a request, during a dispute, or in the yearly
    update of the DIK (Perki 1/2021 Pasal 49(1)). The first test is the classification's.
    """

    class Occasion(models.TextChoices):
        REQUEST = "request", _("On a request for the information")
        DISPUTE = "dispute", _("During a dispute, on the order of the Komisi Informasi")
        YEARLY = "yearly", _("In the yearly update of the DIK")

    record = models.ForeignKey(Record, models.PROTECT, related_name="retests")
    occasion = models.CharField(_("occasion"), max_length=8, choices=Occasion.choices)
    test_scope = models.TextField(_("material, nature and scope of the information"))
    harm = models.TextField(_("consequence if opened"))
    statutes = models.TextField(_("statutes relied on"))
    public_interest = models.TextField(_("public interest"))
    balancing = models.TextField(_("considerations for withholding"))
    test_conclusion = models.CharField(
        _("conclusion of the test"), max_length=16, choices=Outcome.choices
    )
    scope_unchanged = models.BooleanField(
        _("the exemption's scope is unchanged"),
        default=True,
        help_text=_("Same grounds, same part withheld, same period: no new decision is needed."),
    )
    test_participants = models.TextField(_("consequence test participants"))
    test_date = models.DateField(_("consequence test date"))
    test_place = models.CharField(_("place of the test"), max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects = InOffice.through("record__office").from_queryset(AppendOnlyQuerySet)()

    class Meta:
        ordering = ["record", "test_date", "id"]
        verbose_name = _("repeated consequence test")
        verbose_name_plural = _("repeated consequence tests")

    def __str__(self):
        return f"#{self.record_id} {self.test_date:%Y-%m-%d} ({self.get_test_conclusion_display()})"

    @property
    def confirms(self) -> bool:
        """The exemption stands as decided: no new decision is needed."""
        return self.test_conclusion == Outcome.EXEMPT and self.scope_unchanged


class UserEvent(AppendOnly):
    """The register's history of users: a role granted or removed, a second factor set up or reset.

    Written on every change of a group membership, whatever made it (the admin, a
    command): who did it, to whom, which role, when. So is whatever would let one person
    sign in as another: a password set by someone else, a second factor reset, an
    enrolment code made. A change to a role's permissions concerns no one person: its
    `user` is empty and `detail` says what was added and removed. Nothing edits it.
    """

    chained = True
    office_chains = False  # people, not an office's records: the deployment's one chain
    actor_fields = {"user": ("user_name", None), "actor": ("actor_name", None)}

    class Kind(models.TextChoices):
        GRANTED = "granted", _("Role granted")
        REMOVED = "removed", _("Role removed")
        FACTOR_ENROLLED = "factor_enrolled", _("Second factor set up")
        FACTOR_RESET = "factor_reset", _("Second factor reset")
        SUPERUSER_ON = "superuser_on", _("Made a superuser")
        SUPERUSER_OFF = "superuser_off", _("No longer a superuser")
        PASSWORD_SET = "password_set", _("Password set by someone else")
        ENROLMENT_CODE = "enrolment_code", _("Enrolment code made")
        ROLE_PERMISSIONS = "role_permissions", _("Permissions of a role changed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    user_name = models.CharField(_("person (name then)"), max_length=200, blank=True)
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    role = models.CharField(_("role"), max_length=150, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_name = models.CharField(_("by (name then)"), max_length=200, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    detail = models.TextField(_("details"), blank=True)
    chain = models.CharField(_("chain hash"), max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("user history entry")
        verbose_name_plural = _("history of users (roles)")

    def __str__(self):
        whom = f" ({self.user_name})" if self.user_name else ""
        return f"{self.get_kind_display()}: {self.role_label}{whom}"

    @property
    def role_label(self) -> str:
        return history.role_labels(self.role) or self.role

    @property
    def by(self) -> str:
        """Who made the change; a command run on the server has no user."""
        return self.actor_name or str(_("the server (a command, outside the application)"))


class EnrolmentCode(models.Model):
    """A one-time code an administrator hands to a person, to set up their second factor.

    The password alone never reaches an authenticator secret: the enrolment page asks for
    this code first. Only its hash is kept (the code is shown once, to the administrator
    who made it); a new code replaces the one before, and setting up the app uses it up.
    The making is a UserEvent; this row is a credential, not history, and goes when used.
    """

    # No 0/O, 1/I/L: read aloud or copied from paper without doubt.
    ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    LENGTH = 12  # about 59 bits: unguessable online within its hours, so no throttle

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("person")
    )
    digest = models.CharField(_("hash of the code"), max_length=64)
    expires = models.DateTimeField(_("valid until"))

    class Meta:
        verbose_name = _("enrolment code")
        verbose_name_plural = _("enrolment codes")

    def __str__(self):
        return str(self.user)

    @staticmethod
    def digest_of(code: str) -> str:
        """The hash of a code as typed: any case, spaces and dashes ignored.

        A plain SHA-256 suffices: the code is random and long, not a chosen password.
        """
        plain = "".join(code.upper().split()).replace("-", "")
        return hashlib.sha256(plain.encode()).hexdigest()

    def matches(self, code: str) -> bool:
        fresh = self.expires > timezone.now()
        return fresh and hmac.compare_digest(self.digest, self.digest_of(code))


def classification_of(record) -> dict:
    """The record's classification as plain data: what a submission freezes."""
    data = {name: _plain_value(getattr(record, name)) for name in CLASSIFICATION_FIELDS}
    data["grounds"] = sorted(g.code for g in record.grounds.all())
    return data


def _plain_value(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


class Classification(AppendOnly):
    """The classification as submitted for one approval round: what its verdicts judged.

    Frozen by each submission (a re-classification writes a new one, never over the old),
    so an approver sees what the PPID did with the note of the round before.
    """

    chained = True
    actor_fields = {"by": ("by_name", None)}

    record = models.ForeignKey(
        Record, models.PROTECT, related_name="classifications", verbose_name=_("record")
    )
    round = models.PositiveSmallIntegerField(_("approval round"))
    data = models.JSONField(_("classification as submitted"), editable=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    by_name = models.CharField(_("by (name then)"), max_length=200, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)
    chain = models.CharField(_("chain hash"), max_length=64, blank=True, editable=False)

    objects = InOffice.through("record__office").from_queryset(AppendOnlyQuerySet)()

    class Meta:
        ordering = ["record", "round"]
        verbose_name = _("classification as submitted")
        verbose_name_plural = _("classifications as submitted")
        constraints = [
            models.UniqueConstraint(fields=["record", "round"], name="one_classification_per_round")
        ]

    def __str__(self):
        return f"#{self.record_id}, {self.round}"

    def changes_since(self, earlier: "Classification | None") -> list[tuple[str, str, str]]:
        """Return (field, before, now) for what differs from the earlier round, as text."""
        if earlier is None:
            return []
        names = ["grounds", *CLASSIFICATION_FIELDS]
        return [
            (
                _field_label(name),
                _shown(name, earlier.data.get(name)),
                _shown(name, self.data.get(name)),
            )
            for name in names
            if earlier.data.get(name) != self.data.get(name)
        ]


def _field_label(name: str) -> str:
    if name == "grounds":
        return str(_("exemption grounds"))
    return str(Record._meta.get_field(name).verbose_name)


def _shown(name: str, value) -> str:
    """A frozen value as a person reads it: choice labels, dates, yes or no."""
    if value in (None, "", []):
        return "—"
    if name == "grounds":
        return ", ".join(citation(code) for code in value)
    field = Record._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(field, models.DateField):
        return date_format(datetime.date.fromisoformat(value), "j F Y")
    return str(value)


class OutgoingMail(models.Model):
    """One mail to one person: written in the step's transaction, sent by the worker.

    The outbox is the proof of who was told what and when: the app never deletes a row. A
    send that fails is tried again after 1, 2, 4, 8 and 16 minutes, then the row is marked
    failed and shown to the PPID and the Atasan PPID, who can send it again.
    """

    office = office_field()

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Not sent")

    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    record = models.ForeignKey(
        Record,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="mails",
        verbose_name=_("record"),
    )
    decision = models.ForeignKey(
        Decision,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="mails",
        verbose_name=_("decision"),
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = InOffice()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outbox")

    def __str__(self):
        return f"{self.to}: {self.subject}"


class Document(models.Model):
    """A staff document prepared by the worker: asked for by one person, downloaded by them.

    Long lists are never rendered while someone waits: the page writes this row and enqueues
    its render; the worker renders the rows in chunks (progress on the row), stores the PDF
    in private storage and marks it ready. One document of a kind with the same parameters
    is prepared once at a time (the partial unique constraint): a double click asks once.
    """

    office = office_field()

    class Kind(models.TextChoices):
        PERIOD_DIK = "period_dik", _("DIK of a collection period")
        SUBMISSION_MEMO = "submission_memo", _("Memo asking for approval")
        ACCESS_REPORT = "access_report", _("Softcopy access report")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RENDERING = "rendering", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Removed after its time")

    WORKING = (Status.QUEUED, Status.RENDERING)

    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices)
    # What the document lists (a period, a day, a report's filters), as the page asked.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # kind + params in one string: one document of each at a time (the constraint).
    key = models.CharField(max_length=300, editable=False)
    title = models.CharField(_("title"), max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="documents",
        verbose_name=_("asked for by"),
    )
    requested_at = models.DateTimeField(_("asked for"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    file = models.CharField(_("file"), max_length=300, blank=True)  # in private storage
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    objects = InOffice()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("prepared document")
        verbose_name_plural = _("prepared documents")
        constraints = [
            models.UniqueConstraint(
                fields=["requested_by", "key"],
                condition=Q(status__in=["queued", "rendering"]),
                name="one_document_prepared_at_a_time",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.status == self.Status.READY else 0
        return min(100, round(100 * self.rows_done / self.rows_total))


class JobRun(models.Model):
    """One run of a daily job (review_due, verify_fixity, verify_history, clean_up).

    The Atasan PPID's dashboard reads the last run of each job: a job that has not run for
    two days, or whose last run failed, is shown as a warning there.
    """

    job = models.CharField(_("job"), max_length=40, db_index=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    ok = models.BooleanField(_("succeeded"), null=True)
    summary = models.TextField(_("result"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        indexes = [models.Index(fields=["job", "-started_at"], name="jobrun_last")]

    def __str__(self):
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M}"


class RenderedDik(models.Model):
    """A PDF of the public DIK the worker has rendered and stored: /dik.pdf serves the newest.

    One per version and per day its rows' statuses last changed (a period ended since the
    version was made): a visitor is served the newest rendered one, never a render.
    """

    office = office_field()
    number = models.PositiveIntegerField(_("version"))  # 0: the empty list, before any
    status_since = models.DateField(_("statuses as of"), null=True, blank=True)
    name = models.CharField(_("file"), max_length=200, unique=True)  # in the default storage
    rendered_at = models.DateTimeField(_("rendered"), default=timezone.now)
    pages = models.PositiveIntegerField(_("pages"))

    objects = InOffice()

    class Meta:
        ordering = ["-number", models.F("status_since").desc(nulls_last=True)]
        verbose_name = _("rendered DIK")
        verbose_name_plural = _("rendered DIKs")

    def __str__(self):
        return self.name

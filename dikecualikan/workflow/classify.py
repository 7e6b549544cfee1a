"""SOP step 2, first half: the PPID classifies (grounds, consequence test, period) and submits."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ..models import (
    CLASSIFICATION_FIELDS,
    TEST_FIELDS,
    Classification,
    ConsequenceTest,
    ExemptionGround,
    Outcome,
    Record,
    Scope,
    classification_of,
)
from ..roles import required_approvals
from .mail import notify
from .periods import keep_period_value, period_errors
from .steps import WorkflowError, check_step, lock_record, move, required_text


def classification_errors(*, grounds, period_type="", **values) -> dict:
    """Return {field: message} for everything wrong with a classification (empty when valid).

    A test that concludes "terbuka" needs no grounds nor period: it exempts nothing.
    """
    grounds = list(grounds)
    errors = _test_errors(values)
    errors.update(_participant_errors(**values))
    errors.update(_scope_errors(**values))
    if values.get("test_conclusion") == Outcome.OPEN:
        return errors
    if not grounds:
        errors["grounds"] = _("Choose at least one exemption ground of UU 14/2008 Pasal 17.")
    elif "statutes" not in errors and _needs_a_statute(grounds, values.get("statutes", "")):
        errors["statutes"] = _(
            "Ground 17j needs an Undang-Undang that forbids disclosure; a lower regulation "
            "(PP, Perpres, PKPU, Perki) alone is not enough, nor UU 14/2008 itself. Name the "
            "Undang-Undang, e.g. UU 27/2022."
        )
    # Before a decision, the period counts from the test (the decision checks it again).
    errors.update(period_errors(grounds, period_type, start=values.get("test_date"), **values))
    return errors


# "A sentence", not a word: the analysis is what the Komisi Informasi reads in a dispute.
ANALYSIS_MIN_WORDS = 3
# An Undang-Undang cited by number (UU 27/2022, Undang-Undang Nomor 27 Tahun 2022) or by name.
STATUTE = re.compile(
    r"\b(?:UU|Undang-Undang)\b(?:\s*(?:Nomor|No\.?))?\s*(\d+)?(?:\s*(?:/|Tahun)\s*(\d{4}))?",
    re.IGNORECASE,
)


def _needs_a_statute(grounds, statutes: str) -> bool:
    """Return whether a 17j classification lacks an Undang-Undang other than UU 14/2008."""
    if not any(g.code.startswith("17j") for g in grounds):
        return False
    return not any(m.groups() != ("14", "2008") for m in STATUTE.finditer(statutes or ""))


def participants_of(text: str) -> list[str]:
    """Return the consequence test's participants, one a line (or separated by ";")."""
    return [p.strip() for p in re.split(r"[;\n]", text or "") if p.strip()]


def _scope_errors(
    exemption_scope=Scope.WHOLE, withheld_part="", dip_reference="", **_other
) -> dict:
    """Partial exemption: say which part is withheld (the rest is open, DOMAIN.md section 4)."""
    if exemption_scope not in Scope.values:
        return {"exemption_scope": _("Say whether the whole document or a part is withheld.")}
    if exemption_scope == Scope.PART and len(str(withheld_part or "").split()) < 2:
        return {
            "withheld_part": _(
                "Say which part is withheld: the pages, the fields or a description. "
                "Exempting a part is never a reason to withhold the whole document."
            )
        }
    if exemption_scope == Scope.PART and (error := dip_reference_error(dip_reference)):
        return {"dip_reference": error}
    return {}


# A DIP entry is cited by its number, which has a digit ("DIP No. 12/2025, butir 4").
DIP_NUMBER = re.compile(r"\d")


def dip_reference_error(reference: str):
    """Return why a reference to where the rest is public is not one, or None (empty: none).

    An address (http or https) or a DIP number; "-" or any text without a digit is
    neither, and would let a partial record be published with nothing readable.
    """
    reference = str(reference or "").strip()
    if not reference:
        return None
    if reference.lower().startswith(("http://", "https://")):
        try:
            URLValidator(schemes=["http", "https"])(reference)
        except ValidationError:
            return _("This address is not a valid web address (https://…).")
        return None
    if not DIP_NUMBER.search(reference):
        return _(
            "Give the address (https://…) or the number of the DIP entry where the rest is "
            "public, e.g. “DIP No. 12/2025, butir 4”; “-” or words alone are not a reference."
        )
    return None


def _participant_errors(test_participants="", test_date=None, test_place="", **_other) -> dict:
    errors = required_text({"test_place": test_place}, ["test_place"])
    people = participants_of(test_participants)
    if not people:
        errors["test_participants"] = _(
            "Name the participants of the consequence test: each one's name and position, "
            "one a line."
        )
    elif any("," not in person for person in people):
        errors["test_participants"] = _(
            "Give each participant's name and position, separated by a comma, e.g. "
            "“Rina Wulandari, Kepala Subbagian Hukum”."
        )
    if not test_date:
        errors["test_date"] = _("Give the date of the consequence test.")
    elif test_date > timezone.localdate():
        errors["test_date"] = _("The consequence test's date cannot be in the future.")
    return errors


def _test_errors(values: dict) -> dict:
    errors = required_text(values, TEST_FIELDS)
    if values.get("test_conclusion") not in (*Outcome.values, None, ""):
        errors["test_conclusion"] = _("Choose the conclusion: dikecualikan or terbuka.")
    elif "test_conclusion" in errors:
        errors["test_conclusion"] = _(
            "Conclude the test (PKPU 22/2023 Pasal 25(3) huruf f): dikecualikan or terbuka."
        )
    for name in ("test_scope", "harm", "public_interest", "balancing"):
        text = str(values.get(name) or "")
        if name not in errors and len(text.split()) < ANALYSIS_MIN_WORDS:
            errors[name] = _(
                "Write this part of the test as at least a sentence (%(n)s words or more), "
                "not a single word."
            ) % {"n": ANALYSIS_MIN_WORDS}
    if errors.keys() & {"harm", "public_interest", "balancing"}:
        errors.setdefault(
            "harm",
            _(
                "The consequence test (uji konsekuensi) is required: write the "
                "harm if opened, the public interest and the balancing."
            ),
        )
    return errors


def classify(
    *,
    record: Record,
    by,
    grounds,
    test_scope: str,
    statutes: str,
    harm: str,
    public_interest: str,
    balancing: str,
    test_conclusion: str,
    exemption_scope: str = Scope.WHOLE,
    withheld_part: str = "",
    dip_reference: str = "",
    concerns_public_office: bool = False,
    period_type: str = "",
    period_years: int | None = None,
    period_until: datetime.date | None = None,
    period_event: str = "",
    test_participants: str = "",
    test_date: datetime.date | None = None,
    test_place: str = "",
    note: str = "",
    version: int | None = None,
) -> Record:
    """Record the PPID's classification and consequence test (SOP step 2)."""
    # The parameters are the classification's fields, listed once in models.
    arguments = locals()
    values = {name: arguments[name] for name in CLASSIFICATION_FIELDS}
    grounds = list(ExemptionGround.objects.filter(pk__in=[getattr(g, "pk", g) for g in grounds]))
    with transaction.atomic():
        record = lock_record(record, version)
        step = check_step(record, by, "classify")
        before = classification_of(record)
        _write_classification(record, grounds, values)
        details = {"changes": _changes(before, classification_of(record))} if before["harm"] else {}
        move(record, by, step, note=note, fields=CLASSIFICATION_FIELDS, details=details)
    return record


def _changes(before: dict, after: dict) -> dict:
    """{field: [old, new]} of a re-classification, kept in its history row."""
    return {name: [before[name], after[name]] for name in after if before[name] != after[name]}


def _write_classification(record: Record, grounds, values: dict) -> None:
    errors = classification_errors(grounds=grounds, **values)
    if "test_date" not in errors and (early := _tested_before_collected(record, values)):
        errors["test_date"] = early
    if errors:
        raise WorkflowError(_("The classification is incomplete: see the marked fields."), errors)
    if values["test_conclusion"] == Outcome.OPEN:  # nothing is exempted: no grounds, no period
        grounds, values["period_type"] = [], ""
    keep_period_value(values)
    if values["exemption_scope"] != Scope.PART:  # the whole document: no part to name
        values["withheld_part"] = values["dip_reference"] = ""
    for name, value in values.items():
        setattr(record, name, value.strip() if isinstance(value, str) else value)
    record.grounds.set(grounds)


def _tested_before_collected(record: Record, values: dict):
    """A consequence test is of the item collected: not dated before it (DOMAIN.md section 4)."""
    tested, collected = values.get("test_date"), timezone.localdate(record.created_at)
    if tested and tested < collected:
        return _(
            "DOMAIN: the consequence test is held on or after the item was collected "
            "(%(date)s); correct the test's date, or test the item again."
        ) % {"date": date_format(collected, "j F Y")}
    return None


# A test older than this at submission should be held again (KI Pusat v. Kementerian PUPR).
STALE_TEST_YEARS = 2


def stale_test(record: Record, today: datetime.date | None = None) -> bool:
    """Whether the record's consequence test is older than two years (the PPID must say so)."""
    today = today or timezone.localdate()
    if record.test_date is None:
        return False
    try:
        limit = today.replace(year=today.year - STALE_TEST_YEARS)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year - STALE_TEST_YEARS, day=28)
    return record.test_date < limit


def submit(
    *,
    record: Record,
    by,
    note: str = "",
    version: int | None = None,
    old_test_acknowledged: bool = False,
) -> Record:
    """Ask the Pembina PPID and the Tim Pertimbangan to approve; opens a new approval round.

    A consequence test older than two years goes only with the PPID's acknowledgement
    (`old_test_acknowledged`), kept in the history row: the Komisi Informasi expects a
    current test (KI Pusat v. Kementerian PUPR, 2023).
    """
    with transaction.atomic():
        record = lock_record(record, version)
        step = check_step(record, by, "submit")
        if early := _tested_before_collected(record, {"test_date": record.test_date}):
            raise WorkflowError(early)
        stale = stale_test(record)
        if stale and not old_test_acknowledged:
            message = _(
                "The consequence test of %(date)s is more than two years old: the Komisi "
                "Informasi expects a current test (KI Pusat v. Kementerian PUPR, 2023). Test "
                "the item again, or tick that you submit the old test knowingly."
            ) % {"date": date_format(record.test_date, "j F Y")}
            raise WorkflowError(message, {"old_test_acknowledged": message})
        record.round += 1
        details = {"old_test_acknowledged": True} if stale else {}
        move(record, by, step, note=note, fields=("round",), details=details)
        # The round's verdicts judge this classification, frozen now (the next one is new).
        Classification.objects.create(
            record=record, round=record.round, data=classification_of(record), by=by
        )
        notify(record, "submitted", list(required_approvals()))
    return record


def close_as_open(*, record: Record, by, note: str = "", version: int | None = None) -> Record:
    """Close a record whose consequence test concludes "terbuka": it is open information."""
    with transaction.atomic():
        record = lock_record(record, version)
        step = check_step(record, by, "close_open")
        move(record, by, step, note=note)
    return record


def retest(
    *,
    record: Record,
    by,
    occasion: str,
    test_scope: str,
    harm: str,
    statutes: str,
    public_interest: str,
    balancing: str,
    test_conclusion: str,
    scope_unchanged: bool,
    test_participants: str,
    test_date: datetime.date,
    test_place: str,
    version: int | None = None,
) -> ConsequenceTest:
    """Test a published item again; the new test stands beside every earlier one.

    Concluding "dikecualikan" with the scope unchanged confirms the exemption (a history
    row; no new decision). Otherwise it proposes a change, which only KPU decides: the
    record page says so, and the office asks KPU through the normal steps.
    """
    arguments = locals()
    values = {name: arguments[name] for name in RETEST_FIELDS}
    _check_retest(occasion, values)
    with transaction.atomic():
        record = lock_record(record, version)
        step = check_step(record, by, "retest")
        _check_after_publication(record, test_date)
        test = ConsequenceTest.objects.create(
            record=record,
            occasion=occasion,
            scope_unchanged=bool(scope_unchanged),
            by=by,
            **{k: v.strip() if isinstance(v, str) else v for k, v in values.items()},
        )
        move(record, by, step, note=_retest_note(test), details={"test": test.pk})
    return test


RETEST_FIELDS = (*TEST_FIELDS, "test_participants", "test_date", "test_place")


def _check_retest(occasion: str, values: dict) -> None:
    """A repeated test is held to the rules of the first: a-f, participants, place, date."""
    errors = _test_errors(values) | _participant_errors(**values)
    if occasion not in ConsequenceTest.Occasion.values:
        errors["occasion"] = _("Say why the item is tested again.")
    if errors:
        raise WorkflowError(_("The test is incomplete: see the marked fields."), errors)


def _check_after_publication(record: Record, test_date: datetime.date) -> None:
    published_on = timezone.localdate(record.published_at)
    if test_date < published_on:
        message = _(
            "DOMAIN: a re-test is dated on or after the publication it re-tests "
            "(%(date)s); the earlier test is the classification's."
        ) % {"date": date_format(published_on, "j F Y")}
        raise WorkflowError(message, {"test_date": message})


def _retest_note(test: ConsequenceTest) -> str:
    if test.confirms:
        return str(_("The test confirms the exemption as decided; no new decision is needed."))
    return str(
        _("The test proposes a change (%(conclusion)s): only KPU decides it; ask KPU.")
        % {"conclusion": test.get_test_conclusion_display()}
    )

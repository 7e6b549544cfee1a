"""SOP step 2, first half: the PPID classifies (grounds, consequence test, period) and submits."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
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
    StatuteType,
    classification_of,
    has_privacy_exceptions,
)
from ..roles import Role, holders, required_approvals, roles_of
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
    elif any(g.code.startswith("17j") for g in grounds):
        errors.update(_statute_errors(values, errors))
    errors.update(_public_office_errors([g.code for g in grounds], values))
    # Before a decision, the period counts from the test (the decision checks it again).
    errors.update(period_errors(grounds, period_type, start=values.get("test_date"), **values))
    return errors


# An Undang-Undang cited by number (UU 27/2022, Undang-Undang Nomor 27 Tahun 2022) or by name.
STATUTE = re.compile(
    r"\b(?:UU|Undang-Undang)\b(?:\s*(?:Nomor|No\.?))?\s*(\d+)?(?:\s*(?:/|Tahun)\s*(\d{4}))?",
    re.IGNORECASE,
)
# UU 14/2008 is the frame of every exemption, not a statute that forbids disclosure.
FRAME = ("14", "2008")


def lacks_a_statute(grounds, statutes: str) -> bool:
    """Return whether a 17j text names no Undang-Undang other than UU 14/2008."""
    if not any(g.code.startswith("17j") for g in grounds):
        return False
    return not any(m.groups() != FRAME for m in STATUTE.finditer(statutes or ""))


def _statute_errors(values: dict, errors: dict) -> dict:
    """17j: the Undang-Undang that forbids disclosure, as a reference the register checks.

    Type, number, year and pasal; an Undang-Undang only (DOMAIN.md section 4), never UU
    14/2008 itself; and step (c) must cite the same one, so the text the public reads and
    the reference agree.
    """
    if found := _reference_errors(values):
        return found
    number, year = str(values["statute_number"]).strip(), str(values["statute_year"])
    if (number, year) == FRAME:
        return {
            "statute_number": _(
                "UU 14/2008 is the frame of every exemption, not a statute that forbids "
                "disclosure: name the other Undang-Undang (e.g. UU 27/2022)."
            )
        }
    cited = {m.groups() for m in STATUTE.finditer(values.get("statutes") or "")}
    if "statutes" not in errors and (number, year) not in cited:
        return {
            "statutes": _(
                "Step (c) must cite the Undang-Undang named below: write “UU %(number)s/%(year)s” "
                "in it."
            )
            % {"number": number, "year": year}
        }
    return {}


def _reference_errors(values: dict) -> dict:
    """What is missing from a statute reference: an Undang-Undang, its number, year, pasal."""
    if values.get("statute_type") != StatuteType.UU:
        message = _(
            "Ground 17j needs an Undang-Undang that forbids disclosure; a lower regulation "
            "(PP, Perpres, PKPU, Perki) alone is not enough. Choose “Undang-Undang”."
        )
        return {"statute_type": message}
    found, year = {}, values.get("statute_year")
    if not str(values.get("statute_number") or "").strip().isdigit():
        found["statute_number"] = _("Give the Undang-Undang's number, in figures (e.g. 27).")
    if not year or not 1945 <= year <= timezone.localdate().year:
        found["statute_year"] = _("Give the year the Undang-Undang was enacted (e.g. 2022).")
    if not str(values.get("statute_article") or "").strip():
        found["statute_article"] = _("Give the pasal that forbids disclosure (e.g. Pasal 4).")
    return found


def _public_office_errors(codes, values: dict) -> dict:
    """17g/17h: say whether it concerns a public office; if so, why anything is withheld.

    Pasal 18(2) opens personal information about a public office or a candidacy for one:
    withholding it anyway needs a partial scope (only what is not about the office) or a
    written reason.
    """
    if not has_privacy_exceptions(codes):
        return {}
    concerns = values.get("concerns_public_office")
    if concerns is None:
        return {
            "concerns_public_office": _(
                "For 17g and 17h, say whether the information concerns a (candidate for) "
                "public office (UU 14/2008 Pasal 18(2))."
            )
        }
    if concerns and values.get("exemption_scope") != Scope.PART:
        if not is_a_sentence(values.get("public_office_reason")):
            return {
                "public_office_reason": _(
                    "It concerns a public office, which Pasal 18(2) opens: withhold only a part "
                    "(choose “a part”), or write in a full sentence why the whole is withheld."
                )
            }
    return {}


# "A sentence", not a few words: the analysis is what the Komisi Informasi reads in a
# dispute. Five words or more, four of them different words of three letters or more, so
# that neither "x y z" nor "a a a a a" passes.
SENTENCE_MIN_WORDS = 5
SENTENCE_MIN_DISTINCT = 4
WORD = re.compile(r"[^\W\d_]{3,}")
# (a), (b), (d), (e): each a sentence of its own. (c) is the statute, a citation.
ANALYSIS_STEPS = ("test_scope", "harm", "public_interest", "balancing")


def is_a_sentence(text) -> bool:
    """Whether a text holds at least one sentence (SENTENCE_MIN_WORDS, of them distinct)."""
    text = str(text or "")
    distinct = {word.lower() for word in WORD.findall(text)}
    return len(text.split()) >= SENTENCE_MIN_WORDS and len(distinct) >= SENTENCE_MIN_DISTINCT


def _plain_text(text) -> str:
    return " ".join(re.findall(r"\w+", str(text or "").lower()))


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


def _participant_errors(test_experts="", test_date=None, test_place="", **_other) -> dict:
    errors = required_text({"test_place": test_place}, ["test_place"])
    if any("," not in person for person in participants_of(test_experts)):
        errors["test_experts"] = _(
            "Give each expert's name and position, separated by a comma, one a line, e.g. "
            "“Dr. Rina Wulandari, dosen hukum administrasi negara Universitas Tanjungpura”."
        )
    if not test_date:
        errors["test_date"] = _("Give the date of the consequence test.")
    elif test_date > timezone.localdate():
        errors["test_date"] = _("The consequence test's date cannot be in the future.")
    return errors


def officials() -> QuerySet:
    """The office's officials who can take part in a test: active users holding a role."""
    return holders(*Role.values).order_by("first_name", "last_name", "username")


def chosen_officials(by, chosen) -> tuple[list, dict]:
    """Return the test's officials (the PPID recording it first) and {field: error}.

    The PPID who records the test leads it and is always one; the others must be the
    office's officials, checked here against the users holding a role, not taken from
    the form.
    """
    pks = {getattr(user, "pk", user) for user in chosen or ()} - {by.pk}
    people = [by, *officials().filter(pk__in=pks)]
    if len(people) - 1 == len(pks):
        return people, {}
    return people, {
        "test_officials": _("Only the office's officials (users holding a role) can be chosen.")
    }


def participants_text(people, experts: str) -> str:
    """The test's participants as the sheet prints them, one a line: "name, position".

    Officials by their account's name and roles now (the text keeps them as they were),
    then the outside experts as written.
    """
    with translation.override("id"):  # kept as the sheet prints it, in Indonesian
        lines = [
            f"{person.get_full_name() or person.username}, {_positions(person)}"
            for person in people
        ]
    return "\n".join([*lines, *participants_of(experts)])


def _positions(user) -> str:
    names = roles_of(user)
    return " dan ".join(str(role.label) for role in Role if role.value in names)


def _test_errors(values: dict) -> dict:
    errors = required_text(values, TEST_FIELDS)
    if values.get("test_conclusion") not in (*Outcome.values, None, ""):
        errors["test_conclusion"] = _("Choose the conclusion: dikecualikan or terbuka.")
    elif "test_conclusion" in errors:
        errors["test_conclusion"] = _(
            "Conclude the test (PKPU 22/2023 Pasal 25(3) huruf f): dikecualikan or terbuka."
        )
    seen = {}
    for name in ANALYSIS_STEPS:
        if name in errors:
            continue
        text = values.get(name)
        if not is_a_sentence(text):
            errors[name] = _(
                "Write this step of the test as at least one full sentence (%(n)s words or "
                "more), in the words of this item."
            ) % {"n": SENTENCE_MIN_WORDS}
        elif (plain := _plain_text(text)) in seen:
            errors[name] = _(
                "This step repeats another step of the test word for word: each step answers "
                "its own question (PKPU 22/2023 Pasal 25(3))."
            )
        else:
            seen[plain] = name
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
    test_officials=(),
    note: str = "",
    version: int | None = None,
    **fields,
) -> Record:
    """Record the PPID's classification and consequence test (SOP step 2).

    `fields` are the classification's fields, listed once in models (CLASSIFICATION_FIELDS;
    test_participants is written here from `by`, the officials and the outside experts);
    one left out is empty, and classification_errors names every one that is missing.
    """
    if unknown := set(fields) - set(CLASSIFICATION_FIELDS) - {"test_participants"}:
        raise TypeError(f"classify() got unexpected fields: {', '.join(sorted(unknown))}")
    values = {name: fields.get(name, _empty(name)) for name in CLASSIFICATION_FIELDS}
    grounds = list(ExemptionGround.objects.filter(pk__in=[getattr(g, "pk", g) for g in grounds]))
    with transaction.atomic():
        record = lock_record(record, version)
        step = check_step(record, by, "classify")
        before = classification_of(record)
        _write_classification(record, grounds, values, chosen_officials(by, test_officials))
        details = {"changes": _changes(before, classification_of(record))} if before["harm"] else {}
        move(record, by, step, note=note, fields=CLASSIFICATION_FIELDS, details=details)
    return record


def _empty(name: str):
    """A field not given: empty, whatever the model's default (an unanswered question is None)."""
    if name == "exemption_scope":
        return Scope.WHOLE  # the common case, as the form offers it first
    return "" if Record._meta.get_field(name).empty_strings_allowed else None


def _changes(before: dict, after: dict) -> dict:
    """{field: [old, new]} of a re-classification, kept in its history row."""
    return {name: [before[name], after[name]] for name in after if before[name] != after[name]}


def _write_classification(record: Record, grounds, values: dict, chosen) -> None:
    people, errors = chosen
    values["test_participants"] = participants_text(people, values["test_experts"])
    errors = {**errors, **classification_errors(grounds=grounds, **values)}
    if "test_date" not in errors and (early := _tested_before_collected(record, values)):
        errors["test_date"] = early
    if errors:
        raise WorkflowError(_("The classification is incomplete: see the marked fields."), errors)
    if values["test_conclusion"] == Outcome.OPEN:  # nothing is exempted: no grounds, no period
        grounds, values["period_type"] = [], ""
    keep_period_value(values)
    if values["exemption_scope"] != Scope.PART:  # the whole document: no part to name
        values["withheld_part"] = values["dip_reference"] = ""
    if not has_privacy_exceptions([g.code for g in grounds]):  # Pasal 18(2) is of g and h
        values["concerns_public_office"] = None
    if not values["concerns_public_office"]:
        values["concerns_public_office"], values["public_office_reason"] = False, ""
    for name, value in values.items():
        setattr(record, name, value.strip() if isinstance(value, str) else value)
    record.grounds.set(grounds)
    record.test_officials.set(people[1:])


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
    test_date: datetime.date,
    test_place: str,
    test_officials=(),
    test_experts: str = "",
    version: int | None = None,
) -> ConsequenceTest:
    """Test a published item again; the new test stands beside every earlier one.

    "Dikecualikan" with the scope unchanged confirms the exemption (no new decision);
    otherwise it proposes a change, which only KPU decides (the record page says so)."""
    arguments = locals()
    values = {name: arguments[name] for name in RETEST_FIELDS}
    people, errors = chosen_officials(by, test_officials)
    _check_retest(occasion, {**values, "test_experts": test_experts}, errors)
    values["test_participants"] = participants_text(people, test_experts)
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


RETEST_FIELDS = (*TEST_FIELDS, "test_date", "test_place")


def _check_retest(occasion: str, values: dict, errors: dict) -> None:
    """A repeated test is held to the rules of the first: a-f, participants, place, date."""
    errors = errors | _test_errors(values) | _participant_errors(**values)
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

"""Django's own strings whose Indonesian translation the office corrects (locale/id).

Django's catalogue reads a duplicate value as "tidak ada" (does not exist), the sign-in
error as "nama pengguna nama pengguna", and the admin's "Go" as "Buka" (which in this
app means opening a record). Our locale/id translates them again, and LOCALE_PATHS wins
over Django's; they are listed here so that makemessages keeps them. Nothing imports it.
"""

from django.utils.translation import gettext_noop

CORRECTED = [
    gettext_noop("%(model_name)s with this %(field_labels)s already exists."),
    gettext_noop("%(model_name)s with this %(field_label)s already exists."),
    gettext_noop(
        "Please enter a correct %(username)s and password. Note that both fields may be "
        "case-sensitive."
    ),
    gettext_noop(
        "Please enter the correct %(username)s and password for a staff account. Note that "
        "both fields may be case-sensitive."
    ),
    gettext_noop("Go"),
    gettext_noop(
        "Items must be selected in order to perform actions on them. No items have been changed."
    ),
    gettext_noop("No action selected."),
    # The admin's hidden table headers, read aloud ("Rubah atau tampilkan tautan kunjungan").
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    # A file box's clear checkbox (Django's "Hapus"); clearing the filters has its own words.
    gettext_noop("Clear"),
]

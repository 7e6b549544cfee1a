# Dates in letters ("21 Agustus 2025") and times with the zone ("09.00 WIB"), as the
# office writes them; `T` prints the abbreviation of the active time zone (WIB, WITA or WIT,
# as dikecualikan/office.py names the office's zone).
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H.i T"
TIME_FORMAT = "H.i T"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H.i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"

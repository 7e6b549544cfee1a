"""The 38 provinces of Indonesia, each with one KPU Provinsi (UU 7/2017; shared/DOMAIN.md 5).

A leaf: the deciding bodies (a KPU Provinsi decides only for the offices of its own
province) and the office's own province (office.current().province) are checked
against this list, so a body is never named by a town or a typo. Names as the
Kemendagri region-code decree writes them; Jakarta as UU 2/2024 renamed it.
"""

PROVINCES = (
    "Aceh",
    "Sumatera Utara",
    "Sumatera Barat",
    "Riau",
    "Jambi",
    "Sumatera Selatan",
    "Bengkulu",
    "Lampung",
    "Kepulauan Bangka Belitung",
    "Kepulauan Riau",
    "Daerah Khusus Jakarta",
    "Jawa Barat",
    "Jawa Tengah",
    "Daerah Istimewa Yogyakarta",
    "Jawa Timur",
    "Banten",
    "Bali",
    "Nusa Tenggara Barat",
    "Nusa Tenggara Timur",
    "Kalimantan Barat",
    "Kalimantan Tengah",
    "Kalimantan Selatan",
    "Kalimantan Timur",
    "Kalimantan Utara",
    "Sulawesi Utara",
    "Sulawesi Tengah",
    "Sulawesi Selatan",
    "Sulawesi Tenggara",
    "Gorontalo",
    "Sulawesi Barat",
    "Maluku",
    "Maluku Utara",
    "Papua",
    "Papua Barat",
    "Papua Selatan",
    "Papua Tengah",
    "Papua Pegunungan",
    "Papua Barat Daya",
)

PROVINCE_CHOICES = [(name, name) for name in PROVINCES]

"""Load the 38 exemption grounds of UU 14/2008 Pasal 17 (the law's text is public).

The data is written into the migration, not read from a file, so that the
migration does the same thing forever. 17a (law enforcement) is capped at 30
years by PP 61/2010; the other caps are not verified and stay empty, for the
PPID to fill in the admin.
"""

from django.db import migrations

GROUNDS = [
    ('17a', None, 'Menghambat proses penegakan hukum', 'Obstructs law enforcement'),
    ('17a1', '17a', 'Menghambat proses penyelidikan dan penyidikan suatu tindak pidana', 'Obstructs the inquiry or investigation of a crime'),
    ('17a2', '17a', 'Mengungkapkan identitas informan, pelapor, saksi, dan/atau korban yang mengetahui adanya tindak pidana', 'Reveals the identity of informants, reporters, witnesses or victims of a crime'),
    ('17a3', '17a', 'Mengungkapkan data intelijen kriminal dan rencana-rencana yang berhubungan dengan pencegahan dan penanganan segala bentuk kejahatan transnasional', 'Reveals criminal intelligence or plans against transnational crime'),
    ('17a4', '17a', 'Membahayakan keselamatan dan kehidupan penegak hukum dan/atau keluarganya', 'Endangers the safety and life of law enforcers or their families'),
    ('17a5', '17a', 'Membahayakan keamanan peralatan, sarana, dan/atau prasarana penegak hukum', 'Endangers the security of law-enforcement equipment and facilities'),
    ('17b', None, 'Mengganggu kepentingan perlindungan hak atas kekayaan intelektual dan perlindungan dari persaingan usaha tidak sehat', 'Harms the protection of intellectual property or fair competition'),
    ('17c', None, 'Membahayakan pertahanan dan keamanan negara', 'Endangers national defence and security'),
    ('17c1', '17c', 'Informasi tentang strategi, intelijen, operasi, taktik dan teknik yang berkaitan dengan penyelenggaraan sistem pertahanan dan keamanan negara', 'Defence and security strategy, intelligence, operations, tactics and techniques'),
    ('17c2', '17c', 'Dokumen yang memuat tentang strategi, intelijen, operasi, teknik dan taktik yang berkaitan dengan penyelenggaraan sistem pertahanan dan keamanan negara', 'Documents containing defence and security strategy or operations'),
    ('17c3', '17c', 'Jumlah, komposisi, disposisi, atau dislokasi kekuatan dan kemampuan dalam penyelenggaraan sistem pertahanan dan keamanan negara serta rencana pengembangannya', 'Strength, composition and disposition of defence forces and their development plans'),
    ('17c4', '17c', 'Gambar dan data tentang situasi dan keadaan pangkalan dan/atau instalasi militer', 'Images and data of military bases and installations'),
    ('17c5', '17c', 'Data perkiraan kemampuan militer dan pertahanan negara lain yang disepakati dalam perjanjian tersebut sebagai rahasia atau sangat rahasia', "Estimates of other states' military capability agreed as secret"),
    ('17c6', '17c', 'Sistem persandian negara', 'State cryptography system'),
    ('17c7', '17c', 'Sistem intelijen negara', 'State intelligence system'),
    ('17d', None, 'Mengungkapkan kekayaan alam Indonesia', "Reveals Indonesia's natural resources"),
    ('17e', None, 'Merugikan ketahanan ekonomi nasional', 'Harms national economic resilience'),
    ('17e1', '17e', 'Rencana awal pembelian dan penjualan mata uang nasional atau asing, saham dan aset vital milik negara', 'Early plans to buy or sell currency, shares or vital state assets'),
    ('17e2', '17e', 'Rencana awal perubahan nilai tukar, suku bunga, dan model operasi institusi keuangan', "Early plans to change exchange rates, interest rates or financial institutions' operations"),
    ('17e3', '17e', 'Rencana awal perubahan suku bunga bank, pinjaman pemerintah, perubahan pajak, tarif, atau pendapatan negara/daerah lainnya', 'Early plans on bank rates, government loans, taxes, tariffs or revenue'),
    ('17e4', '17e', 'Rencana awal penjualan atau pembelian tanah atau properti', 'Early plans to sell or buy land or property'),
    ('17e5', '17e', 'Rencana awal investasi asing', 'Early plans of foreign investment'),
    ('17e6', '17e', 'Proses dan hasil pengawasan perbankan, asuransi, atau lembaga keuangan lainnya', 'Process and results of banking, insurance or financial supervision'),
    ('17e7', '17e', 'Hal-hal yang berkaitan dengan proses pencetakan uang', 'Matters of currency printing'),
    ('17f', None, 'Merugikan kepentingan hubungan luar negeri', 'Harms foreign relations'),
    ('17f1', '17f', 'Posisi, daya tawar dan strategi yang akan dan telah diambil oleh negara dalam hubungannya dengan negosiasi internasional', "The state's position, leverage and strategy in international negotiations"),
    ('17f2', '17f', 'Korespondensi diplomatik antarnegara', 'Diplomatic correspondence between states'),
    ('17f3', '17f', 'Sistem komunikasi dan persandian yang dipergunakan dalam menjalankan hubungan internasional', 'Communication and cryptography systems of international relations'),
    ('17f4', '17f', 'Perlindungan dan pengamanan infrastruktur strategis Indonesia di luar negeri', "Protection of Indonesia's strategic infrastructure abroad"),
    ('17g', None, 'Mengungkapkan isi akta otentik yang bersifat pribadi dan kemauan terakhir ataupun wasiat seseorang', "Reveals private authentic deeds or a person's last will"),
    ('17h', None, 'Mengungkap rahasia pribadi', 'Reveals personal secrets'),
    ('17h1', '17h', 'Riwayat dan kondisi anggota keluarga', 'Family history and condition'),
    ('17h2', '17h', 'Riwayat, kondisi dan perawatan, pengobatan kesehatan fisik, dan psikis seseorang', "A person's physical and mental health history and treatment"),
    ('17h3', '17h', 'Kondisi keuangan, aset, pendapatan, dan rekening bank seseorang', "A person's finances, assets, income and bank accounts"),
    ('17h4', '17h', 'Hasil-hasil evaluasi sehubungan dengan kapabilitas, intelektualitas, dan rekomendasi kemampuan seseorang', "Evaluations of a person's capability, intellect and aptitude"),
    ('17h5', '17h', 'Catatan yang menyangkut pribadi seseorang yang berkaitan dengan kegiatan satuan pendidikan formal dan satuan pendidikan nonformal', "A person's records at formal or non-formal education units"),
    ('17i', None, 'Memorandum atau surat-surat antar Badan Publik atau intra Badan Publik, yang menurut sifatnya dirahasiakan kecuali atas putusan Komisi Informasi atau pengadilan', 'Confidential memoranda between or within public bodies (unless a Komisi Informasi or court decision opens them)'),
    ('17j', None, 'Informasi yang tidak boleh diungkapkan berdasarkan Undang-Undang', 'Information that a statute forbids disclosing'),
]
MAX_YEARS = {"17a": 30}


def load(apps, schema_editor):
    Ground = apps.get_model("dikecualikan", "ExemptionGround")
    for code, parent, label_id, label_en in GROUNDS:
        Ground.objects.update_or_create(
            code=code,
            defaults={"parent_id": parent, "label_id": label_id, "label_en": label_en,
                      "max_years": MAX_YEARS.get(parent or code)},
        )


class Migration(migrations.Migration):
    dependencies = [("dikecualikan", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

from django.urls import path

from . import public, staff, staff_objections, views

app_name = "dikecualikan"

urlpatterns = [
    path("", public.home, name="home"),
    path("dik.csv", public.dik_csv, name="dik-csv"),
    path("dik.json", public.dik_json, name="dik-json"),
    path("dik.pdf", public.dik_pdf, name="dik-pdf"),
    path("dik/riwayat/", public.versions, name="versions"),
    path("dik/riwayat/<int:number>.<str:fmt>", public.version_export, name="version-export"),
    path("keputusan/<int:pk>/", public.decision_detail, name="decision"),
    path("keputusan/<int:pk>/naskah.pdf", public.decision_pdf, name="decision-pdf"),
    path(
        "keputusan/<int:pk>/lembar/<int:item>.pdf",
        public.decision_test_sheet,
        name="decision-test-sheet",
    ),
    path("informasi/<int:pk>/", public.record_detail, name="record"),
    path("dibuka/", public.opened_list, name="opened"),
    path("sehat/", public.health, name="health"),
    path("bahasa/<str:code>/", views.switch_language, name="language"),
    path("masuk/lanjut/", views.after_login, name="after-login"),
    path("staf/", staff.dashboard, name="dashboard"),
    path("staf/entri/", staff.record_list, name="staff-records"),
    path("staf/entri/baru/", staff.record_new, name="staff-record-new"),
    path("staf/entri/<int:pk>/", staff.record_detail, name="staff-record"),
    path("staf/entri/<int:pk>/ubah/", staff.record_edit, name="staff-record-edit"),
    path("staf/entri/<int:pk>/klasifikasi/", staff.record_classify, name="staff-record-classify"),
    path("staf/entri/<int:pk>/ajukan/", staff.record_submit, name="staff-record-submit"),
    path("staf/entri/<int:pk>/buka/", staff.record_open, name="staff-record-open"),
    path("staf/entri/<int:pk>/ajukan-kpu/", staff.record_request, name="staff-record-request"),
    path("staf/entri/<int:pk>/terbuka/", staff.record_close_open, name="staff-record-close-open"),
    path("staf/entri/<int:pk>/cantumkan/", staff.record_link, name="staff-record-link"),
    path("staf/entri/<int:pk>/tarik/", staff.record_withdraw, name="staff-record-withdraw"),
    path(
        "staf/entri/<int:pk>/umumkan/",
        staff.record_publish_listed,
        name="staff-record-publish-listed",
    ),
    path(
        "staf/entri/<int:pk>/uji-konsekuensi.pdf",
        staff.consequence_test_pdf,
        name="staff-record-test-pdf",
    ),
    path("staf/nota-dinas.pdf", staff.submission_memo_pdf, name="staff-submission-memo-pdf"),
    path("staf/periode/<int:pk>/dik.pdf", staff.period_dik_pdf, name="staff-period-dik-pdf"),
    path("staf/keputusan/", staff.decision_list, name="staff-decisions"),
    path("staf/keputusan/baru/", staff.decision_new, name="staff-decision-new"),
    path("staf/keputusan/<int:pk>/", staff.decision_detail, name="staff-decision"),
    path("staf/keputusan/<int:pk>/naskah.pdf", staff.decision_pdf, name="staff-decision-pdf"),
    path("staf/keputusan/<int:pk>/ubah/", staff.decision_edit, name="staff-decision-edit"),
    path(
        "staf/keputusan/<int:pk>/entri/<int:record_pk>/",
        staff.decision_add,
        name="staff-decision-add",
    ),
    path(
        "staf/keputusan/<int:pk>/lembar/<int:item>.pdf",
        staff.decision_test_sheet,
        name="staff-decision-test-sheet",
    ),
    path("staf/keputusan/<int:pk>/umumkan/", staff.decision_publish, name="staff-decision-publish"),
    path("staf/keberatan/", staff_objections.objection_list, name="staff-objections"),
    path("staf/keberatan/baru/", staff_objections.objection_new, name="staff-objection-new"),
    path("staf/keberatan/<int:pk>/", staff_objections.objection_detail, name="staff-objection"),
    path(
        "staf/keberatan/<int:pk>/jawab/",
        staff_objections.objection_answer,
        name="staff-objection-answer",
    ),
    path(
        "staf/keberatan/<int:pk>/putusan/",
        staff_objections.objection_ruling,
        name="staff-objection-ruling",
    ),
    path(
        "staf/keberatan/<int:pk>/<str:kind>.pdf",
        staff_objections.objection_file,
        name="staff-objection-file",
    ),
    path(
        "staf/keberatan/<int:pk>/<str:kind>/<int:item>.pdf",
        staff_objections.objection_file,
        name="staff-objection-ruling-file",
    ),
]

from django.urls import path

from jingpei.ledger import views

app_name = "ledger"
urlpatterns = [
    path("ledger/", views.index, name="index"),
    path("ledger/me/", views.me, name="me"),
    path("ledger/person/<int:person_id>/", views.person, name="person"),
    path("ledger/person/<int:person_id>/section/", views.person_section, name="person_section"),
    path("ledger/person/<int:person_id>/record.pdf", views.record_pdf, name="record_pdf"),
    path("ledger/person/<int:person_id>/record.xlsx", views.record_xlsx, name="record_xlsx"),
    path("ledger/person/<int:person_id>/exemptions/", views.exemption_new, name="exemption_new"),
    path("ledger/entry/<int:entry_id>/reverse/", views.reverse_entry, name="reverse"),
    path("ledger/org/<int:org_id>/", views.org, name="org"),
    path("ledger/org/<int:org_id>/rule/<int:rule_id>/", views.org_rule, name="org_rule"),
    path("ledger/lists/<uuid:job_id>/", views.people_list, name="people_list"),
    path("ledger/org/<int:org_id>/records/", views.org_records, name="org_records"),
    path("ledger/archive/<uuid:job_id>/", views.archive, name="archive"),
    path("ledger/rules/", views.rules, name="rules"),
    path("ledger/rules/new/", views.rule_edit, name="rule_new"),
    path("ledger/rules/<int:rule_id>/", views.rule_edit, name="rule"),
    path("ledger/rules/<int:rule_id>/switch/", views.rule_switch, name="rule_switch"),
    path("ledger/conversions/new/", views.conversion_edit, name="conversion_new"),
    path("ledger/conversions/<int:conversion_id>/", views.conversion_edit, name="conversion"),
    path("ledger/import/", views.import_upload, name="import_upload"),
    path("ledger/import/<int:batch_id>/", views.import_preview, name="import"),
    path("ledger/notifications/", views.notifications, name="notifications"),
]

from django.urls import path

from jingpei.roster import views

app_name = "roster"
urlpatterns = [
    path("roster/", views.home, name="home"),
    path("roster/template.xlsx", views.template, name="template"),
    path("roster/imports/<int:import_id>/", views.import_detail, name="import"),
    path("roster/imports/<int:import_id>/mapping/", views.import_mapping, name="import-mapping"),
    path("roster/imports/<int:import_id>/commit/", views.import_commit, name="import-commit"),
    path("roster/imports/<int:import_id>/rejected.xlsx", views.import_rejected, name="import-rejected"),
    path("roster/export/", views.export, name="export"),
    path("roster/exports/<int:export_id>/download/", views.export_download, name="export-download"),
]

from django.urls import path

from jingpei.reports import views

app_name = "reports"
urlpatterns = [
    path("reports/", views.index, name="index"),
    path("reports/year/<int:org_id>/", views.year, name="year"),
    path("reports/year/<int:org_id>/xlsx/", views.year_xlsx, name="year_xlsx"),
]

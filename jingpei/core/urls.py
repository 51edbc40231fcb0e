from django.urls import path

from jingpei.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("jobs/<uuid:job_id>/", views.job_status, name="job"),
    path("help/", views.user_guide, name="help"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
]

from django.urls import path

from jingpei.activities import views

app_name = "activities"
urlpatterns = [
    path("activities/", views.index, name="index"),
    path("activities/org/<int:org_id>/", views.org_view, name="org"),
    path("activities/org/<int:org_id>/export/", views.export, name="export"),
    path("activities/branch/<int:org_id>/new/", views.session_new, name="session_new"),
    path("activities/sessions/<int:session_id>/", views.session_detail, name="session"),
    path("activities/sessions/<int:session_id>/edit/", views.session_edit, name="session_edit"),
    path("activities/sessions/<int:session_id>/photos/", views.photos_add, name="photos_add"),
    path("activities/photos/<int:photo_id>/", views.photo, name="photo"),
    path("activities/photos/<int:photo_id>/delete/", views.photo_delete, name="photo_delete"),
    path("activities/rules/", views.rules, name="rules"),
    path("activities/meetings/", views.meetings, name="meetings"),
    path("activities/meetings/new/", views.meeting_new, name="meeting_new"),
    path("activities/meetings/people/", views.meeting_people, name="meeting_people"),
    path("activities/meetings/<int:meeting_id>/", views.meeting_detail, name="meeting"),
]

from django.urls import path

from jingpei.surveys import views

app_name = "surveys"
urlpatterns = [
    path("surveys/", views.index, name="index"),
    path("surveys/new/", views.survey_new, name="new"),
    path("surveys/mine/", views.mine, name="mine"),
    path("surveys/teaching/", views.teaching, name="teaching"),
    path("surveys/notes/", views.notes, name="notes"),
    path("surveys/notes/new/", views.note_new, name="note_new"),
    path("surveys/notes/<int:note_id>/", views.note_edit, name="note_edit"),
    path("surveys/notes/<int:note_id>/delete/", views.note_delete, name="note_delete"),
    path("surveys/classes/<int:class_id>/evaluation/", views.class_evaluation, name="class_evaluation"),
    path("surveys/<int:survey_id>/", views.detail, name="detail"),
    path("surveys/<int:survey_id>/edit/", views.survey_edit, name="edit"),
    path("surveys/<int:survey_id>/act/", views.act, name="act"),
    path("surveys/<int:survey_id>/results/", views.results, name="results"),
    path("surveys/<int:survey_id>/export/", views.export, name="export"),
    path("surveys/<int:survey_id>/answer/", views.answer, name="answer"),
    path("surveys/<int:survey_id>/enter/", views.enter, name="enter"),
]

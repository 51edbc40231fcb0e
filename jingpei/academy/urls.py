from django.urls import path

from jingpei.academy import quiz_views, views

app_name = "academy"

urlpatterns = [
    path("academy/", views.catalog, name="catalog"),
    path("academy/my/", views.my_study, name="my"),
    path("academy/courses/new/", views.course_new, name="course_new"),
    path("academy/courses/<int:course_id>/", views.course_detail, name="course"),
    path("academy/courses/<int:course_id>/lessons/new/", views.lesson_new, name="lesson_new"),
    path("academy/courses/<int:course_id>/test/", quiz_views.take, name="test"),
    path("academy/courses/<int:course_id>/test/result/", quiz_views.result, name="test_result"),
    path("academy/courses/<int:course_id>/test/results/", quiz_views.results, name="test_results"),
    path("academy/courses/<int:course_id>/questions/", quiz_views.questions, name="questions"),
    path("academy/courses/<int:course_id>/questions/template.xlsx", quiz_views.questions_template,
         name="questions_template"),
    path("academy/courses/<int:course_id>/questions/<int:question_id>/", quiz_views.question_edit,
         name="question_edit"),
    path("academy/courses/<int:course_id>/questions/<int:question_id>/delete", quiz_views.question_delete,
         name="question_delete"),
    path("academy/lessons/<int:lesson_id>/", views.lesson_player, name="lesson"),
    path("academy/lessons/<int:lesson_id>/media", views.lesson_media, name="media"),
    path("academy/lessons/<int:lesson_id>/start", views.lesson_start, name="start"),
    path("academy/play/<str:token>/beat", views.heartbeat, name="beat"),
    path("academy/play/<str:token>/check", views.presence_check, name="check"),
    path("academy/coverage/", views.coverage, name="coverage"),
    path("academy/coverage/not-started/", views.not_started, name="not_started"),
    path("academy/coverage/export/", views.export_xlsx, name="export"),
    path("academy/coverage/export/<uuid:job_id>.xlsx", views.export_file, name="export_file"),
]

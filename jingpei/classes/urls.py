from django.urls import path

from jingpei.classes import plan_views, signin_views, views

app_name = "classes"
urlpatterns = [
    path("classes/", views.class_list, name="list"),
    path("classes/calendar/", views.class_calendar, name="calendar"),
    path("classes/new/", views.class_create, name="create"),
    path("classes/mine/", views.mine, name="mine"),
    path("classes/<int:class_id>/", views.class_detail, name="detail"),
    path("classes/<int:class_id>/edit/", views.class_edit, name="edit"),
    path("classes/<int:class_id>/sessions/new/", views.session_add, name="session_add"),
    path("classes/<int:class_id>/quotas/", views.quota_set, name="quota_set"),
    path("classes/<int:class_id>/nominate/", views.nominate, name="nominate"),
    path("classes/<int:class_id>/sign-in/", views.manual_sign_in, name="manual_sign_in"),
    path("classes/<int:class_id>/complete/", views.complete, name="complete"),
    path("classes/<int:class_id>/cancel/", views.cancel, name="cancel"),
    path("classes/enrolments/<int:enrolment_id>/decide/", views.enrolment_decide, name="decide"),
    path("classes/enrolments/<int:enrolment_id>/respond/", views.enrolment_respond, name="respond"),
    path("classes/enrolments/<int:enrolment_id>/leave/", views.leave_request, name="leave_request"),
    path("classes/enrolments/<int:enrolment_id>/reflection/", views.reflection_submit, name="reflection"),
    path("classes/leaves/<int:leave_id>/decide/", views.leave_decide, name="leave_decide"),
    path("classes/reflections/<int:reflection_id>/review/", views.reflection_review, name="reflection_review"),
    path("classes/reflections/<int:reflection_id>/attachment/", views.reflection_attachment,
         name="reflection_attachment"),
    path("classes/sessions/<int:session_id>/sheet.pdf", views.sign_in_sheet, name="sheet"),
    path("classes/sessions/<int:session_id>/sheet-import/", views.sheet_import, name="sheet_import"),
    path("classes/sessions/<int:session_id>/projector/", signin_views.projector, name="projector"),
    path("classes/sessions/<int:session_id>/projector/code/", signin_views.projector_code, name="projector_code"),
    path("classes/scan/<str:token>/", signin_views.scan, name="scan"),
    path("classes/certificates/<int:certificate_id>/pdf/", views.certificate_pdf, name="certificate"),
    path("classes/plans/", plan_views.plan_list, name="plans"),
    path("classes/plans/<int:plan_id>/", plan_views.plan_detail, name="plan"),
    path("classes/lecturers/", plan_views.lecturer_list, name="lecturers"),
    path("classes/lecturers/<int:lecturer_id>/", plan_views.lecturer_detail, name="lecturer"),
    path("verify/<str:serial>/", views.verify, name="verify"),
]

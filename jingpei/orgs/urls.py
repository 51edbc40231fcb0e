from django.urls import path

from jingpei.orgs import people_views, views

app_name = "orgs"
urlpatterns = [
    path("orgs/", views.tree, name="tree"),
    path("orgs/search/", views.search, name="search"),
    path("orgs/<int:org_id>/", views.detail, name="detail"),
    path("orgs/<int:org_id>/children/", views.children, name="children"),
    path("orgs/<int:org_id>/new/", views.create, name="create"),
    path("orgs/<int:org_id>/edit/", views.edit, name="edit"),
    path("orgs/<int:org_id>/move/", views.move, name="move"),
    path("orgs/<int:org_id>/archive/", views.archive, name="archive"),
    path("people/", people_views.people_list, name="people"),
    path("people/new/", people_views.person_create, name="person_create"),
    path("people/<int:person_id>/", people_views.person_detail, name="person"),
    path("people/<int:person_id>/edit/", people_views.person_edit, name="person_edit"),
    path("people/<int:person_id>/reveal/", people_views.person_reveal, name="person_reveal"),
    path("people/<int:person_id>/memberships/", people_views.person_membership, name="person_membership"),
    path("people/<int:person_id>/archive/", people_views.person_archive, name="person_archive"),
    path("me/", people_views.me, name="me"),
]

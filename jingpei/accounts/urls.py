from django.contrib.auth import views as auth_views
from django.urls import path

from jingpei.accounts import admin_views, views

app_name = "accounts"
urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.password_change, name="password"),
    path("admin/accounts/", admin_views.accounts, name="accounts"),
    path("admin/accounts/<int:account_id>/", admin_views.account, name="account"),
    path("admin/accounts/open/", admin_views.open_accounts, name="open"),
    path("admin/grants/", admin_views.grants, name="grants"),
    path("admin/grants/<int:grant_id>/revoke/", admin_views.revoke, name="revoke"),
    path("admin/audit/", admin_views.audit_log, name="audit"),
]

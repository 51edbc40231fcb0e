from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jingpei.accounts import services
from jingpei.accounts.forms import LoginForm, PasswordChangeForm
from jingpei.accounts.middleware import SESSION_FLAG
from jingpei.core.errors import DomainError


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.get_user().must_change_password:
            self.request.session[SESSION_FLAG] = True
        return response


@login_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            update_session_auth_hash(request, request.user)
            request.session.pop(SESSION_FLAG, None)
            messages.success(request, _("密码已修改。"))
            return redirect("home")
    return render(request, "accounts/password.html", {"form": form})

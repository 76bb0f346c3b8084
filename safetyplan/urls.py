from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from plans import views_session

# The admin signs in through the same flow as everyone (second factor, lock-out), not its own form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("session/keep-alive/", views_session.keep_alive, name="session_keep_alive"),
    path("admin/", admin.site.urls),
    path("", include("plans.urls")),
]

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

# The admin signs in through the same flow as everyone (second factor, lock-out), not its own form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]  # allauth's documented recipe replaces the method

urlpatterns = [
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("plans.urls")),
    path("", include("printing.urls")),
    path("", include("phonecopy.urls")),
    path("", include("followup.urls")),
]

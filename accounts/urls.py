from django.urls import include, path

from . import views

urlpatterns = [
    # Before allauth's own: the second step with wrong codes limited (see second_factor.py).
    path("accounts/2fa/authenticate/", views.second_step, name="mfa_authenticate"),
    path("accounts/", include("allauth.urls")),
    path("session/keep-alive/", views.keep_alive, name="session_keep_alive"),
    path("settings/language/", views.language_settings, name="clinician_language"),
]

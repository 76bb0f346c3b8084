from django.urls import include, path

from . import views

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("session/keep-alive/", views.keep_alive, name="session_keep_alive"),
    path("settings/language/", views.language_settings, name="clinician_language"),
]

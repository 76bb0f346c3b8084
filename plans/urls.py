from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "plans"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="plans:client_list", permanent=False), name="home"),
    path("clients/", views.client_list, name="client_list"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<int:pk>/", views.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", views.client_edit, name="client_edit"),
    path("clients/<int:pk>/plan/edit/", views.plan_edit, name="plan_edit"),
    path("clients/<int:pk>/plan/together/<int:step>/", views.plan_together, name="plan_together"),
]

from django.urls import path
from django.views.generic import RedirectView

from . import views, views_care_team, views_history, views_print

app_name = "plans"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="plans:client_list", permanent=False), name="home"),
    path("clients/", views.client_list, name="client_list"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<int:pk>/", views.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", views.client_edit, name="client_edit"),
    path("clients/<int:pk>/care-team/", views_care_team.care_team, name="care_team"),
    path("clients/<int:pk>/care-team/<int:member>/remove/", views_care_team.care_team_remove, name="care_team_remove"),
    path("clients/<int:pk>/plan/edit/", views.plan_edit, name="plan_edit"),
    path("clients/<int:pk>/plan/together/<int:step>/", views.plan_together, name="plan_together"),
    path("clients/<int:pk>/plan/autosave/", views.plan_autosave, name="plan_autosave"),
    path("clients/<int:pk>/plan/conflicts/<int:conflict>/", views_history.plan_conflict, name="plan_conflict"),
    path("clients/<int:pk>/versions/new/", views_history.version_create, name="version_create"),
    path("clients/<int:pk>/versions/", views_history.history, name="history"),
    path("clients/<int:pk>/versions/<int:number>/", views_history.version_detail, name="version_detail"),
    path("clients/<int:pk>/versions/<int:number>/restore/", views_history.version_restore, name="version_restore"),
    path("clients/<int:pk>/compare/", views_history.compare, name="compare"),
    path("reviews/", views_history.reviews_due, name="reviews_due"),
    path("clients/<int:pk>/print/", views_print.print_plan, name="print_plan"),
    path("clients/<int:pk>/print/preview/", views_print.plan_preview, name="plan_preview"),
    path("clients/<int:pk>/print/plan.pdf", views_print.plan_pdf, name="plan_pdf"),
    path("clients/<int:pk>/print/card/", views_print.print_card, name="print_card"),
    path("clients/<int:pk>/print/card/preview/", views_print.card_preview, name="card_preview"),
    path("clients/<int:pk>/print/card.pdf", views_print.card_pdf, name="card_pdf"),
]

from django.urls import path
from django.views.generic import RedirectView

from .views import autosave, care_team, clients, conflicts, editor, history

app_name = "plans"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="plans:client_list", permanent=False), name="home"),
    path("clients/", clients.client_list, name="client_list"),
    path("clients/new/", clients.client_create, name="client_create"),
    path("clients/<int:pk>/", clients.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", clients.client_edit, name="client_edit"),
    path("clients/<int:pk>/care-team/", care_team.care_team, name="care_team"),
    path("clients/<int:pk>/care-team/<int:member>/remove/", care_team.care_team_remove, name="care_team_remove"),
    path("clients/<int:pk>/plan/edit/", editor.plan_edit, name="plan_edit"),
    path("clients/<int:pk>/plan/together/<int:step>/", editor.plan_together, name="plan_together"),
    path("clients/<int:pk>/plan/autosave/", autosave.plan_autosave, name="plan_autosave"),
    path("clients/<int:pk>/plan/conflicts/<int:conflict>/", conflicts.plan_conflict, name="plan_conflict"),
    path("clients/<int:pk>/versions/new/", history.version_create, name="version_create"),
    path("clients/<int:pk>/versions/", history.history, name="history"),
    path("clients/<int:pk>/versions/<int:number>/", history.version_detail, name="version_detail"),
    path("clients/<int:pk>/versions/<int:number>/restore/", history.version_restore, name="version_restore"),
    path("clients/<int:pk>/compare/", history.compare, name="compare"),
    path("reviews/", history.reviews_due, name="reviews_due"),
]

from django.urls import path

from .views import contacts, team

app_name = "followup"

urlpatterns = [
    path("followup/", team.worklist, name="worklist"),
    path("followup/team/", team.team_report, name="team_report"),
    path("followup/team/csv/", team.team_report_csv, name="team_report_csv"),
    path("followup/clients/<int:pk>/", contacts.client_followup, name="client"),
    path("followup/clients/<int:pk>/start/", contacts.start, name="start"),
    path("followup/clients/<int:pk>/end/", contacts.end, name="end"),
    path("followup/clients/<int:pk>/contacts/<int:contact>/", contacts.contact, name="contact"),
    path("followup/clients/<int:pk>/contacts/<int:contact>/confirm/", contacts.confirm_means, name="confirm_means"),
    path("followup/clients/<int:pk>/records/<int:record>/correct/", contacts.correct, name="correct"),
]

from django.urls import path

from . import views

app_name = "printing"

urlpatterns = [
    path("clients/<int:pk>/print/", views.print_plan, name="print_plan"),
    path("clients/<int:pk>/print/preview/", views.plan_preview, name="plan_preview"),
    path("clients/<int:pk>/print/plan.pdf", views.plan_pdf, name="plan_pdf"),
    path("clients/<int:pk>/print/card/", views.print_card, name="print_card"),
    path("clients/<int:pk>/print/card/preview/", views.card_preview, name="card_preview"),
    path("clients/<int:pk>/print/card.pdf", views.card_pdf, name="card_pdf"),
]

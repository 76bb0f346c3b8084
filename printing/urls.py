from django.urls import path

from .views import card, plan

app_name = "printing"

urlpatterns = [
    path("clients/<int:pk>/print/", plan.print_plan, name="print_plan"),
    path("clients/<int:pk>/print/preview/", plan.plan_preview, name="plan_preview"),
    path("clients/<int:pk>/print/plan.pdf", plan.plan_pdf, name="plan_pdf"),
    path("clients/<int:pk>/print/card/", card.print_card, name="print_card"),
    path("clients/<int:pk>/print/card/preview/", card.card_preview, name="card_preview"),
    path("clients/<int:pk>/print/card.pdf", card.card_pdf, name="card_pdf"),
]

from django.urls import path

from .views import manage, phone

app_name = "phonecopy"

urlpatterns = [
    path("clients/<int:pk>/phone/", manage.phone_copies, name="phone_copies"),
    path("clients/<int:pk>/phone/send/", manage.send, name="send"),
    path("clients/<int:pk>/phone/revoke/", manage.revoke, name="revoke"),
    # The phone's own pages: a short path with nothing about the client or the app's purpose in it.
    path("p/", phone.phone, name="phone"),
    path("p/sw.js", phone.service_worker, name="service_worker"),
    path("p/manifest.webmanifest", phone.manifest, name="manifest"),
    path("p/open/", phone.open_link, name="open"),
    path("p/check/", phone.check, name="check"),
    path("p/plan.pdf", phone.pdf, name="pdf"),
]

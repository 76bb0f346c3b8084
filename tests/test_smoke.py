from django.urls import reverse


def test_pages_render(alice_client, client_record):
    for name in ["plans:client_detail", "plans:plan_edit", "plans:client_edit"]:
        response = alice_client.get(reverse(name, args=[client_record.pk]))
        assert response.status_code == 200, name
    assert alice_client.get(reverse("plans:plan_together", args=[client_record.pk, 3])).status_code == 200
    assert alice_client.get(reverse("plans:client_list")).status_code == 200
    assert alice_client.get(reverse("plans:client_create")).status_code == 200

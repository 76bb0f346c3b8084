"""Thin function views, one module per screen family. Each reads top to bottom: fetch the client through
`access.get_client_for` (outsiders get 404), bind the form, call one action, redirect or render."""

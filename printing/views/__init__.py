"""Printing views. Thin: fetch the client through `get_client_for` (outsiders get 404), build the document
(printing/document.py), render it (printing/plan.py, printing/card.py). Every response is
`Cache-Control: no-store`. Logs carry IDs only."""

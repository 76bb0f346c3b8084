"""The load benchmark's parts (benchmarks/load.py): app servers, seeding, virtual clinicians, figures."""

"""A hello-world Django project: the floor the load benchmark compares the app with."""

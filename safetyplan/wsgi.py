import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetyplan.settings")

application = get_wsgi_application()


def _warm_up_printing() -> None:
    """Load the print fonts and stylesheets once per process, at start, so the first print is quick."""
    import logging

    from django.conf import settings

    if not settings.PRINT_WARM_UP:
        return
    from printing.warm import warm_up

    try:
        warm_up()
    except Exception:  # printing reports its own problems when used; the site must still start
        logging.getLogger("printing").warning("print warm-up failed", exc_info=True)


_warm_up_printing()

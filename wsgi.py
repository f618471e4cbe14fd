"""WSGI entry point in a checkout: gunicorn wsgi:app (installed: gunicorn service.wsgi:app)."""

from service.wsgi import app

__all__ = ["app"]

"""WSGI entry point of the installed package: `gunicorn service.wsgi:app`.

The checkout's wsgi.py (`gunicorn wsgi:app`) imports this one; the wheel has only this.
"""

from service.app import create_app

app = create_app()

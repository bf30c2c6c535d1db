"""The WSGI entry point for gunicorn: `gunicorn 'selector.wsgi:app'`."""

from selector.web.app import create_app

app = create_app()

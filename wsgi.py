"""The entry point: `gunicorn wsgi:app` in production, `python wsgi.py` on a laptop."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler

from community import create_app
from community.extensions import socketio
from community.jobs import start_job_runner
from community.mail.sender import start_mail_sender
from community.presence import start_presence_sweeper

app = create_app()
if Path(sys.argv[0]).name != "flask":  # served (gunicorn or python wsgi.py), not a CLI command
    start_mail_sender(app)
    start_job_runner(app)
    start_presence_sweeper(app)


class QuietRequestHandler(WSGIRequestHandler):
    """The development server without `Server: Werkzeug/x Python/y` on every answer."""

    def version_string(self) -> str:
        return "Alongside"


if __name__ == "__main__":
    socketio.run(
        app,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "5000")),
        allow_unsafe_werkzeug=True,
        use_reloader=False,
        request_handler=QuietRequestHandler,
    )

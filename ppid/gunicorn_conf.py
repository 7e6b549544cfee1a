"""gunicorn's settings for the app: `.venv/bin/gunicorn -c ppid/gunicorn_conf.py`
(docs/deployment.md, "Running it on a server"). Options given on the command line win over these.

No pid file: whatever supervises gunicorn (systemd) knows the master's pid. A pid file left
by a master killed with SIGKILL would name a process that no longer exists, or, once the
number is reused, another program, and gunicorn refuses to start over a live one.

The master sweeps the upload spool when it starts and after each worker exits
(arsip/spool.py): a worker killed mid-upload leaves its spooled file behind.
"""

import os

wsgi_app = "ppid.wsgi:application"
bind = "127.0.0.1:8000"
workers = 2
pidfile = None
# Nor a control socket (gunicorn 25.1+, for gunicornc): one path per user, so a second
# instance takes it over, and nothing here uses it.
control_socket_disable = True


def sweep_spool(server) -> None:
    # Django's settings are read, not set up: the master never opens the database.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppid.settings")
    from django.conf import settings

    from arsip.spool import sweep

    try:
        removed = sweep(settings.FILE_UPLOAD_TEMP_DIR)
    except OSError:  # never a reason to stop serving: verify_fixity reports what stays
        server.log.exception("Could not sweep the upload spool")
        return
    for path in removed:
        server.log.warning("Removed a spooled upload that a stopped worker left: %s", path)


def on_starting(server):
    sweep_spool(server)


def child_exit(server, worker):
    sweep_spool(server)

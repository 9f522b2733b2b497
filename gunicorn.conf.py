"""gunicorn settings for the `web` process of the Procfile.

Pages never solve: a planner request queues its solve for a worker and waits
at most PLANNER_WAIT seconds for it, so the web timeout only has to cover page
work (the catalog's first load into a process is the slowest of it, about a
second on 10k plans), not the engine's deadline.
"""

import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# About one process per core; the threads let page views go on while a few
# planner requests sit in their short wait for a worker.
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
accesslog = "-" if os.environ.get("WEB_ACCESS_LOG", "1") != "0" else None
# gunicorn 27's runtime control socket is one fixed path per user: a second
# gunicorn on the same machine (two apps, or a deploy overlapping) would take it
# over, and nothing here uses it.
control_socket_disable = True


def post_worker_init(worker):
    # Load the catalog when a web process starts, not inside its first request.
    try:
        from catalog.store import offered_catalog as load_catalog

        load_catalog()
    except Exception:  # the database may not be up yet: the first request loads it
        worker.log.exception("catalog not loaded at start")

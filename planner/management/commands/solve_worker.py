"""The planner's worker: django-tasks-db's `db_worker`, with the catalog loaded
before the first solve, so that the first traveller after a deploy does not
wait for 10k plans to load as well."""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from catalog.store import offered_catalog as load_catalog


class Command(DatabaseWorker):
    help = "Run solves from the queue (db_worker, with the catalog loaded first)."

    def handle(self, *args, **options):
        load_catalog()
        super().handle(*args, **options)

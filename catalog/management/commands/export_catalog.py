from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.store import catalog_text


class Command(BaseCommand):
    help = "Write the catalog on offer as an esim-catalog/1 file (stdout without FILE)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path)

    def handle(self, *args, file: Path | None, **options):
        text = catalog_text()
        if file is None:
            self.stdout.write(text, ending="")
        else:
            try:
                file.write_text(text, encoding="utf-8")
            except OSError as error:
                # The error on stderr and a non-zero exit, as import_catalog does.
                raise CommandError(f"{file}: {error.strerror}") from None

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalog.document import CatalogError, read_catalog
from catalog.importer import import_document
from planner.engine.bounds import BoundsError, size_text


class Command(BaseCommand):
    help = "Load an esim-catalog/1 file: all or nothing, matching plans and operators by slug."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Retire plans and operators missing from the file (kept for history).",
        )
        parser.add_argument(
            "--sample",
            action="store_true",
            help="Label the catalog as sample data on the public pages "
            "(implied for the shipped sample catalog).",
        )

    def handle(self, *args, file: Path, replace: bool, sample: bool, **options):
        started = time.perf_counter()
        limit = settings.CATALOG_IMPORT_MAX_BYTES
        try:
            with file.open("rb") as stream:
                raw = stream.read(limit + 1)
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from None
        sample = sample or file.resolve() == Path(settings.SAMPLE_CATALOG).resolve()
        try:
            if len(raw) > limit:
                # read no further than the limit: the size itself is not known
                raise BoundsError(
                    f"the file is larger than the limit of {size_text(limit)} (MAX_IMPORT_BYTES)"
                )
            doc = read_catalog(raw, max_bytes=limit)
            # the import itself refuses what only the stored catalog can show wrong
            preview = import_document(
                doc, replace=replace, note=f"import {file.name}", sample=sample
            )
        except BoundsError as error:
            raise CommandError(f"{file}: {error}") from None
        except CatalogError as error:
            lines = [f"{file}: {problem}" for problem in error.problems[:50]]
            if len(error.problems) > 50:
                lines.append(f"... and {len(error.problems) - 50} more")
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(
            f"{file}: {len(doc.plans)} plans read, {preview.summary} "
            f"({time.perf_counter() - started:.1f} s)"
        )

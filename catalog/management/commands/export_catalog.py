import json
from pathlib import Path

from django.core.management.base import BaseCommand

from catalog.document import dump_catalog
from catalog.store import offered_document


class Command(BaseCommand):
    help = "Write the catalog on offer as an esim-catalog/1 file (stdout without FILE)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path)

    def handle(self, *args, file: Path | None, **options):
        text = json.dumps(dump_catalog(offered_document()), indent=1, ensure_ascii=False) + "\n"
        if file is None:
            self.stdout.write(text, ending="")
        else:
            file.write_text(text, encoding="utf-8")

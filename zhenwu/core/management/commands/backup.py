from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from zhenwu.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份：数据库快照（运行中也一致）、媒体文件、路由模型、密钥和审计日志末条，打成一个带清单的归档"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", nargs="?", help="归档存放目录（默认 var/backups）")
        parser.add_argument("--keep", type=int, metavar="N", help="只保留最新的 N 份归档，删除更早的")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"] or settings.VAR_DIR / "backups")
        try:
            made = backup_create(directory=directory, keep=options["keep"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        head = made.manifest.head
        self.stdout.write(
            _("已备份：%(path)s（%(mb).1f MB，%(n)s个文件，审计日志末条为第%(seq)s条 %(hash)s…）")
            % {"path": made.path, "mb": made.bytes / 1e6, "n": len(made.manifest.files), "seq": head.seq,
               "hash": head.hash[:12]}
        )  # fmt: skip
        self.stdout.write(f"sha256 {made.sha256}")
        for path in made.removed:
            self.stdout.write(_("已删除旧备份：%(name)s") % {"name": path.name})
        for note in made.notes:
            self.stderr.write(note)

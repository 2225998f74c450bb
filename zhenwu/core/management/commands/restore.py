from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from zhenwu.core.backup import BackupError, backup_restore
from zhenwu.core.dbroles import owner_connection


class Command(BaseCommand):
    help = "从备份恢复：先校验归档的清单和每个文件的校验和，只恢复到空的安装，恢复后校验审计日志的末条"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="zhenwu backup 写的 .tar.gz 归档")
        parser.add_argument(
            "--force",
            action="store_true",
            help="安装中已有数据时也恢复，用备份替换现有数据（SQLite 的数据库文件和媒体目录改名留存）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            # As the owner on PostgreSQL: pg_restore drops and recreates the tables.
            with owner_connection():
                done = backup_restore(archive=Path(options["archive"]), force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = done.manifest
        self.stdout.write(
            _("已从 %(archive)s 恢复（备份于 %(when)s，%(n)s个文件）")
            % {
                "archive": Path(options["archive"]).name,
                "when": manifest.created_at,
                "n": len(manifest.files),
            }
        )
        self.stdout.write(
            _("审计日志完整：共校验%(n)s条，末条为第%(seq)s条，与备份记录一致")
            % {"n": done.checked, "seq": manifest.head.seq}
        )
        for path in done.set_aside:
            self.stdout.write(_("原有数据已改名留存：%(path)s") % {"path": path})
        for note in done.notes:
            self.stderr.write(note)

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zhenwu.core.syscheck import FAIL, INFO, run_checks

_MARKS = {FAIL: "✗", INFO: "i", "ok": "✓"}


class Command(BaseCommand):
    help = "系统检查：列出尚未达到正式使用要求的事项；有未就绪项时退出码为1（供监控使用）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="以 JSON 输出（供监控程序读取）")

    def handle(self, *args: Any, **options: Any) -> None:
        findings = run_checks()
        failed = [f for f in findings if f.failed]
        if options["json"]:
            rows = [
                {"key": f.key, "title": f.title, "status": f.status, "detail": f.detail, "fix": f.fix}
                for f in findings
            ]
            self.stdout.write(json.dumps({"ok": not failed, "checks": rows}, ensure_ascii=False, indent=1))
        else:
            for f in findings:
                self.stdout.write(f"{_MARKS[f.status]} {f.title}：{f.detail}")
                if f.fix and f.status != "ok":
                    self.stdout.write(f"    {'说明' if f.status == INFO else '处理办法'}：{f.fix}")
            summary = f"{len(failed)}项未就绪" if failed else "各项检查均已通过"
            self.stdout.write(summary)
        if failed:
            raise SystemExit(1)

"""Importing the ledgers towns already keep in Excel: find the header, map the columns by
name, normalise every cell, preview per row, then commit all or nothing.

No row is dropped silently: every row below the header is either a problem to import or
listed with the reason it is not (blank separator, 合计 row, or an error in a named column).
"""

from __future__ import annotations

import zipfile
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from time import monotonic
from typing import IO, Any

from defusedxml import DefusedXmlException
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook

from zhenwu.core.actors import Actor
from zhenwu.core.audit import audit_record
from zhenwu.core.calendar import deadline_out_of_range
from zhenwu.ledger.constants import Action, Category, DeadlineBasis, LedgerAudit, RowStatus, Source
from zhenwu.ledger.models import Problem
from zhenwu.ledger.policies import source_choices
from zhenwu.ledger.services import problem_assign, problem_create, problem_record_step
from zhenwu.lib.ledger_text import (
    DeadlineError,
    clean_text,
    header_key,
    is_total_row,
    parse_deadline,
    person_names,
)
from zhenwu.org.constants import PLACE_KINDS, UnitKind
from zhenwu.org.models import Person, Unit
from zhenwu.org.services import person_create

# Column names seen in real ledgers, per field (compared after header_key()).
COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("序号", "编号", "问题编号"),
    "source": ("问题来源", "来源"),
    "category": ("问题类别", "类别", "问题类型", "类型"),
    "description": ("问题描述", "存在问题", "问题内容", "问题", "问题表现"),
    "goal": ("整改目标", "目标"),
    "measures": ("整改措施", "措施", "整改举措"),
    "leader": ("责任领导", "分管领导", "牵头领导", "包案领导"),
    "department": ("责任部门", "责任单位", "牵头单位", "牵头部门"),
    "cooperating": ("配合单位", "协办单位", "配合部门"),
    "assignees": ("责任人", "具体责任人", "经办人"),
    "deadline": ("整改时限", "完成时限", "时限", "整改期限", "完成时间"),
    "milestones": ("进度节点",),
    "completion": ("完成情况", "整改情况", "整改进展", "进展情况"),
    "acceptor": ("验收人",),
    "closed_on": ("销号日期", "销号时间"),
    "remarks": ("备注",),
    "village": ("村社区", "所在村", "村", "涉及村社区"),
}
_BY_HEADER = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
DEPARTMENT_ALIASES = {
    "党政办公室": "党政办",
    "经发办": "经济发展办",
    "经济办": "经济发展办",
    "社事办": "社会事务办",
    "村建办": "村镇建设办",
    "农服中心": "农业服务中心",
    "农业中心": "农业服务中心",
    "劳保所": "劳动保障所",
    "国土资源所": "国土所",
    "政务服务中心": "政务快捷服务中心",
    "便民服务中心": "政务快捷服务中心",
    "失地农民中心": "失地农民服务中心",
}
_CATEGORIES = {str(label): value for value, label in Category.choices}


class SheetError(ValueError):
    """The sheet as a whole cannot be read (no header, not an Excel file)."""


@dataclass
class RowResult:
    line: int
    status: str  # a RowStatus
    fields: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(RowStatus(self.status).label)


@dataclass
class ImportPlan:
    header_line: int
    columns: dict[str, str]
    rows: list[RowResult]
    to_create: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(r.status == RowStatus.ERROR for r in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for row in self.rows:
            counts[row.status] += 1
        return dict(counts)

    @property
    def badges(self) -> list[tuple[str, str, int]]:
        """(status, its label, how many rows) for the preview's summary."""
        return [(status, str(RowStatus(status).label), n) for status, n in self.counts.items()]

    def as_json(self) -> dict[str, Any]:
        return {"header_line": self.header_line, "columns": self.columns, "counts": self.counts,
                "to_create": self.to_create, "rows": [asdict(r) for r in self.rows]}  # fmt: skip


# Bounds on what one sheet may cost: a real town ledger is a few hundred rows and well under a
# megabyte; the 10,000-row bench sheet is 1 MB unpacked. An .xlsx is a zip of XML, so a 40 KB
# upload can unpack to gigabytes (a zip bomb killed a worker) — its sizes are read first.
IMPORT_MAX_BYTES = 20 * 1024 * 1024  # the upload itself
IMPORT_MAX_UNPACKED = 200 * 1024 * 1024  # all members of the zip, unpacked
IMPORT_MAX_MEMBERS = 2000
IMPORT_MAX_ROWS = 20_000
IMPORT_MAX_COLUMNS = 60
IMPORT_MAX_SECONDS = 60
# Uploaded sheets wait here (under MEDIA_ROOT) between preview and confirmation; tick deletes
# those left behind (the clerk closed the page) after PENDING_IMPORT_HOURS.
IMPORTS_FOLDER = "imports"
PENDING_IMPORT_HOURS = 24


def _check_package(source: str | IO[bytes]) -> None:
    """Refuse an upload by its zip directory before any XML is parsed."""
    try:
        with zipfile.ZipFile(source) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise SheetError("文件无法读取：请上传 Excel（.xlsx）文件") from exc
    finally:
        if not isinstance(source, str):
            source.seek(0)
    unpacked = sum(member.file_size for member in members)
    if len(members) > IMPORT_MAX_MEMBERS or unpacked > IMPORT_MAX_UNPACKED:
        raise SheetError(
            f"文件解压后过大（{unpacked // (1024 * 1024)}MB，上限{IMPORT_MAX_UNPACKED // (1024 * 1024)}MB），"
            "不像是一份台账，已拒绝"
        )


def _read(source: str | IO[bytes]) -> list[list[object]]:
    _check_package(source)
    started = monotonic()
    try:
        book = load_workbook(source, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows: list[list[object]] = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row[:IMPORT_MAX_COLUMNS]))
            if len(rows) > IMPORT_MAX_ROWS:
                raise SheetError(f"台账超过{IMPORT_MAX_ROWS}行，请分成几个文件导入")
            if len(rows) % 1000 == 0 and monotonic() - started > IMPORT_MAX_SECONDS:
                raise SheetError("文件读取超时，请检查文件或分成几个文件导入")
        return rows
    except SheetError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a file that is not .xlsx
        if _caused_by(exc, DefusedXmlException):  # openpyxl wraps it in a ValueError
            raise SheetError("文件含有不允许的XML内容（外部实体或实体扩展），已拒绝") from exc
        raise SheetError("文件无法读取：请上传 Excel（.xlsx）文件") from exc


def _caused_by(exc: BaseException | None, kind: type[BaseException]) -> bool:
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, kind):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _find_header(rows: list[list[object]]) -> tuple[int, dict[int, str]]:
    best: tuple[int, dict[int, str]] = (-1, {})
    for index, row in enumerate(rows[:20]):
        mapping: dict[int, str] = {}
        for col, cell in enumerate(row):
            name = _BY_HEADER.get(header_key(cell))
            if name and name not in mapping.values():
                mapping[col] = name
        if len(mapping) > len(best[1]):
            best = (index, mapping)
    index, mapping = best
    if len(mapping) < 3 or "description" not in mapping.values():
        raise SheetError("没有找到表头：前20行中没有一行同时包含“问题描述”等至少三个台账栏目")
    return index, mapping


class _Directory:
    """Units and people preloaded once, so planning 10,000 rows costs a handful of queries."""

    def __init__(self) -> None:
        self.departments = {u.name: u for u in Unit.objects.filter(kind=UnitKind.DEPARTMENT)}
        self.places = {}
        for unit in Unit.objects.filter(kind__in=PLACE_KINDS):
            self.places[unit.name] = unit
            for suffix in ("村民委员会", "居民委员会", "村委会", "居委会"):
                self.places.setdefault(unit.name.removesuffix(suffix), unit)
        self.people: dict[str, list[Person]] = defaultdict(list)
        for person in Person.objects.only("id", "name", "unit_id"):
            self.people[person.name].append(person)

    def department(self, text: str) -> Unit | None:
        name = DEPARTMENT_ALIASES.get(text, text)
        if name in self.departments:
            return self.departments[name]
        matches = [u for n, u in self.departments.items() if text.startswith(n) or n.startswith(text)]
        return matches[0] if len(matches) == 1 else None

    def person(self, name: str, department: Unit | None) -> tuple[Person | None, str]:
        found = self.people.get(name, [])
        if len(found) == 1:
            return found[0], ""
        if len(found) > 1 and department is not None:
            local = [p for p in found if p.unit_id == department.pk]
            if len(local) == 1:
                return local[0], ""
        return None, ("同名多人" if found else "不在人员名册中")


def plan_import(
    source: str | IO[bytes], *, create_missing: bool = False, default_year: int | None = None
) -> ImportPlan:
    rows = _read(source)
    header_index, mapping = _find_header(rows)
    directory = _Directory()
    default_year = default_year or timezone.localdate().year
    plan = ImportPlan(
        header_line=header_index + 1, columns={str(c + 1): f for c, f in mapping.items()}, rows=[]
    )
    numbers: set[str] = set()
    to_create: set[str] = set()
    for index in range(header_index + 1, len(rows)):
        cells = rows[index]
        line = index + 1
        if all(clean_text(c) == "" for c in cells):
            plan.rows.append(RowResult(line, RowStatus.SKIPPED, notes=["空行"]))
            continue
        if is_total_row(cells):
            plan.rows.append(RowResult(line, RowStatus.SKIPPED, notes=["合计行"]))
            continue
        raw = {name: cells[col] if col < len(cells) else None for col, name in mapping.items()}
        result = _plan_row(line, raw, directory, create_missing, default_year, to_create)
        number = result.fields.get("number")
        if number and number in numbers:
            result.errors.append(f"序号“{number}”与前面的行重复")
        numbers.add(number or "")
        result.status = RowStatus.ERROR if result.errors else RowStatus.OK
        plan.rows.append(result)
    plan.to_create = sorted(to_create)
    return plan


def _plan_row(
    line: int,
    raw: dict[str, object],
    directory: _Directory,
    create_missing: bool,
    default_year: int,
    to_create: set[str],
) -> RowResult:
    row = RowResult(line, "ok")
    text = {k: clean_text(v) for k, v in raw.items()}
    f = row.fields
    f["number"] = text.get("number", "")
    f["description"] = text.get("description", "")
    if not f["description"]:
        row.errors.append("问题描述：为空")
    for name in ("goal", "measures", "milestones", "completion", "remarks"):
        f[name] = text.get(name, "")
    source = text.get("source", "")
    # Every registered source, by its label (asked now: modules register theirs in ready()).
    sources = {label: key for key, label in source_choices()} | {"献言献策": Source.SUGGESTION}
    f["source"] = sources.get(source, Source.OTHER if source else Source.SELF_CHECK)
    if source and source not in sources:
        row.notes.append(f"问题来源“{source}”未识别，记为“其他”")
    category = text.get("category", "")
    f["category"] = _CATEGORIES.get(category, Category.OTHER)
    if category and category not in _CATEGORIES:
        row.notes.append(f"问题类别“{category}”未识别，记为“其他”")
    department = directory.department(text.get("department", "")) if text.get("department") else None
    if text.get("department") and department is None:
        row.errors.append(f"责任部门：“{text['department']}”不在组织机构中")
    elif not text.get("department"):
        row.errors.append("责任部门：为空")
    f["department"] = department.name if department else text.get("department", "")
    village_text = text.get("village", "")
    village = directory.places.get(village_text) if village_text else None
    if village_text and village is None:
        row.notes.append(f"村(社区)“{village_text}”未找到，未关联")
    f["village"] = village.name if village else ""
    for role, label in (("leader", "责任领导"), ("acceptor", "验收人")):
        names = person_names(raw.get(role))
        f[role] = names[0] if names else ""
        if not names:
            if role == "leader":
                row.errors.append("责任领导：为空")
            continue
        person, why = directory.person(names[0], department)
        if person is None:
            _missing(row, label, names[0], why, create_missing, to_create)
    assignees = person_names(raw.get("assignees"))
    f["assignees"] = assignees
    if not assignees:
        row.errors.append("责任人：为空")
    for name in assignees:
        person, why = directory.person(name, department)
        if person is None:
            _missing(row, "责任人", name, why, create_missing, to_create)
    f["cooperating"] = []
    for name in person_names(raw.get("cooperating")):
        unit = directory.department(name)
        if unit is None:
            row.notes.append(f"配合单位“{name}”不在组织机构中，未关联")
        else:
            f["cooperating"].append(unit.name)
    try:
        deadline = parse_deadline(raw.get("deadline"), default_year=default_year)
        f["deadline"] = deadline.day.isoformat() if deadline.day else ""
        f["long_term"] = deadline.long_term
        day = deadline.day
        if day and (refused := deadline_out_of_range(day, today=timezone.localdate())):
            row.errors.append(f"整改时限：{day.isoformat()}{refused}")
    except DeadlineError as exc:
        row.errors.append(f"整改时限：{exc}")
    closed = raw.get("closed_on")
    f["closed_on"] = ""
    if clean_text(closed):
        try:
            parsed = parse_deadline(closed, default_year=default_year)
            f["closed_on"] = parsed.day.isoformat() if parsed.day else ""
        except DeadlineError:
            row.errors.append(f"销号日期：“{clean_text(closed)}”无法识别")
    return row


def _missing(row: RowResult, label: str, name: str, why: str, create: bool, to_create: set[str]) -> None:
    if why == "同名多人":
        row.errors.append(f"{label}：“{name}”在人员名册中有同名多人，请在台账中注明")
    elif create:
        row.notes.append(f"{label}“{name}”将新建到人员名册")
        to_create.add(name)
    else:
        row.errors.append(f"{label}：“{name}”不在人员名册中（可选择“自动新建人员”）")


@transaction.atomic
def commit_import(plan: ImportPlan, *, actor: Actor, file_name: str = "") -> list[Problem]:
    """Create every planned problem, or none: one error anywhere refuses the whole sheet."""
    if not plan.ok:
        bad = [r.line for r in plan.rows if r.status == RowStatus.ERROR]
        raise ValidationError(
            {"file": f"台账有{len(bad)}行存在错误（第{'、'.join(map(str, bad[:10]))}行等），请修正后再导入"}
        )
    directory = _Directory()
    for name in plan.to_create:
        if not directory.people.get(name):
            directory.people[name].append(person_create(actor=actor, name=name, note="台账导入时新建"))
    created = []
    for row in (r for r in plan.rows if r.status == RowStatus.OK):
        created.append(_create(row.fields, directory, actor))
    audit_record(
        actor=actor,
        action=LedgerAudit.PROBLEM_IMPORTED,
        object_type="ledger.problem",
        object_label=f"导入台账：{file_name}"[:200],
        after={"problems": len(created), "people_created": plan.to_create, "file": file_name},
    )
    return created


def _create(f: dict[str, Any], directory: _Directory, actor: Actor) -> Problem:
    department = directory.department(f["department"])
    village = directory.places.get(f["village"]) if f["village"] else None
    problem = problem_create(
        actor=actor,
        source=f["source"],
        category=f["category"],
        description=f["description"],
        village=village,
        goal=f["goal"],
        measures=f["measures"],
        milestones=f["milestones"],
        completion=f["completion"],
        remarks="；".join(
            x for x in (f["remarks"], f"原台账序号：{f['number']}" if f["number"] else "") if x
        ),
    )
    leader = directory.person(f["leader"], department)[0]
    acceptor = directory.person(f["acceptor"], department)[0] if f["acceptor"] else None
    assignees = [p for name in f["assignees"] if (p := directory.person(name, department)[0])]
    deadline = date.fromisoformat(f["deadline"]) if f["deadline"] else None
    today = timezone.localdate()
    assigned_on = min(today, deadline) if deadline else today
    closed_at, assigned_at = None, None
    if f["closed_on"]:
        # The paper ledger records the closure: the history is replayed at its dates, the
        # assignment first, so a month-end rebuilt from the steps reads it right.
        closed_at = min(_moment(date.fromisoformat(f["closed_on"]), 17), timezone.now())
        assigned_on = min(assigned_on, timezone.localdate(closed_at))
        assigned_at = min(_moment(assigned_on, 9), closed_at)
    problem = problem_assign(
        actor=actor,
        problem=problem,
        leader=leader,
        department=department,
        assignees=assignees,
        cooperating_units=[u for n in f["cooperating"] if (u := directory.department(n))],
        acceptor=acceptor,
        deadline_basis=DeadlineBasis.LONG_TERM if f.get("long_term") else DeadlineBasis.DATE,
        deadline=deadline,
        assigned_on=assigned_on,
        at=assigned_at,
    )
    if closed_at is not None:
        note = f"导入：原台账记载已于{f['closed_on']}销号"
        for action in (Action.APPLY_CLOSE, Action.ACCEPT):
            problem = problem_record_step(
                actor=actor, problem=problem, action=action, at=closed_at, reason=note
            )
    return problem


def _moment(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))

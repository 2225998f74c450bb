"""Planning an import: every row below the header read, checked and listed with what will
happen to it — a new problem, an update to one imported before, already imported, skipped
(blank, 合计, footer, group title) or refused with the cell and the reason. Nothing is written.

What is kept from the sheet is kept as written (问题描述, 整改措施…); only what is parsed is
normalised (序号, names, departments, dates, status words). What the office decides in the
preview — the year of short dates, what 未启动 rows become, the deadline of 立行立改 rows,
which department an unknown name means — arrives as `Choices`, and the plan is made again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from zhenwu.core.actors import IMPORT
from zhenwu.core.calendar import FIRST_YEAR
from zhenwu.ledger.constants import Category, DeadlineBasis, NotStarted, RowStatus, Source, Status
from zhenwu.ledger.importer.directory import Directory, MatchHow, PersonMatch
from zhenwu.ledger.importer.layout import (
    BY_HEADER,
    COLUMNS,
    Layout,
    YearChoice,
    choose_year,
    find_layout,
    line_text,
    no_header,
)
from zhenwu.ledger.importer.reading import Sheet, read_sheets
from zhenwu.ledger.models import ImportedRow, Problem, ProblemTransition
from zhenwu.ledger.policies import sheet_labels
from zhenwu.ledger.services import compute_deadline
from zhenwu.lib.cn_dates import DatePhrase, DatePhraseError, DurationUnit, PhraseKind, parse_date_phrase
from zhenwu.lib.ledger_text import (
    StatusWord,
    clean_text,
    header_key,
    is_footer_row,
    is_footer_text,
    is_section_texts,
    is_status_word_only,
    is_total_text,
    keep_text,
    person_names,
    row_identity,
    squeeze,
    status_word,
    unit_names,
)
from zhenwu.org.models import Unit
from zhenwu.org.services import town_for_new

# Each column by its standard header (the first name layout knows it by; 村(社区) keeps the
# brackets its header key drops).
FIELD_LABELS = {name: names[0] for name, names in COLUMNS.items()} | {"village": "村(社区)"}
_PROGRESS_EVERY = 500


# 立行立改 rows get at most this many working days (the preview's field and --immediate-days).
IMMEDIATE_MAX_DAYS = 60


def choice_years(today: date) -> range:
    """The years the office may give a sheet's yearless dates, newest first: this year back
    to the work calendar's first (nothing before it can be counted in working days)."""
    return range(today.year, FIRST_YEAR - 1, -1)


@dataclass
class Choices:
    """What the office decided in the preview (or on the command line)."""

    year: int | None = None  # the year of dates that write none; None: the sheet's own
    not_started: str = ""  # a NotStarted value, for rows marked 未启动
    immediate_days: int | None = None  # working days given to 立行立改 rows
    create_missing: bool = False  # people not in the registry are created
    mappings: dict[str, int] = field(default_factory=dict)  # department name key → department id
    remember: set[str] = field(default_factory=set)  # keys of mappings to keep as aliases


@dataclass
class RowResult:
    line: int
    status: str  # a RowStatus
    fields: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)  # answered in the preview's choices
    notes: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # what an update applies
    last_line: int = 0  # > line when merged cells make several sheet rows one problem
    problem_id: int | None = None  # the problem this row was imported as before

    @property
    def label(self) -> str:
        return str(RowStatus(self.status).label)

    @property
    def skipped(self) -> bool:
        """A footer, 合计 row or blank line: the preview shows only why it was passed over."""
        return self.status == RowStatus.SKIPPED

    @property
    def lines(self) -> str:
        return f"{self.line}–{self.last_line}" if self.last_line > self.line else str(self.line)

    @property
    def outcome(self) -> str:
        """What the row becomes, for the preview's 导入后 column: a status, with its 销号 date."""
        outcome = self.fields.get("outcome", "")
        label = str(Status(outcome).label) if outcome in Status.values else ""
        if outcome == Status.CLOSED and self.fields.get("closed_on"):
            label += f" {self.fields['closed_on']}"
        return label

    @property
    def said(self) -> str:
        """Everything the preview says of the row, errors first."""
        return "；".join([*self.errors, *self.questions, *self.changes, *self.notes])


@dataclass
class DepartmentQuestion:
    """A department name the town does not know: the office picks which department it means."""

    key: str
    text: str
    candidates: list[tuple[int, str]]  # (id, name) it may mean, the likeliest first
    lines: list[int] = field(default_factory=list)
    ambiguous: bool = False
    chosen: int | None = None
    remember: bool = True


@dataclass
class ImportPlan:
    sheet_name: str
    header_line: int
    columns: dict[str, str]
    rows: list[RowResult]
    year: YearChoice
    start: date  # durations and 立行立改 count from here: the 填报时间, else the import date
    start_why: str
    choices: Choices
    to_create: list[str] = field(default_factory=list)
    departments: list[DepartmentQuestion] = field(default_factory=list)
    not_started_rows: int = 0
    immediate_rows: int = 0
    messages: list[str] = field(default_factory=list)  # about the sheet as a whole
    town_id: int = 0  # whose departments, people and earlier rows the sheet was read against

    @property
    def ok(self) -> bool:
        """Nothing refused and nothing left to decide."""
        return not any(r.status in (RowStatus.ERROR, RowStatus.CONFIRM) for r in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for row in self.rows:
            counts[row.status] += 1
        return dict(counts)

    @property
    def work(self) -> int:
        """Rows the commit writes: new problems and updates."""
        return sum(1 for r in self.rows if r.status in (RowStatus.OK, RowStatus.UPDATE))

    @property
    def committable(self) -> bool:
        return self.ok and self.work > 0

    @property
    def badges(self) -> list[tuple[str, str, int]]:
        """(status, its label, how many rows) for the preview's summary, in a fixed order."""
        counts = self.counts
        return [(s.value, str(s.label), counts[s.value]) for s in RowStatus if counts.get(s.value)]

    @property
    def needs_year(self) -> bool:
        return self.year.year is None

    def as_json(self) -> dict[str, Any]:
        rows = []
        for r in self.rows:
            item = asdict(r)
            item["result"] = r.label
            rows.append(item)
        return {
            "sheet": self.sheet_name,
            "header_line": self.header_line,
            "columns": self.columns,
            "year": self.year.year,
            "year_note": self.year.why,
            "counts": self.counts,
            "results": {label: n for _, label, n in self.badges},
            "messages": self.messages,
            "to_create": self.to_create,
            "departments": [asdict(q) for q in self.departments],
            "rows": rows,
        }


def plan_import(
    source: IO[bytes],
    *,
    town_id: int | None = None,
    choices: Choices | None = None,
    progress: Callable[[int, int], None] | None = None,
    today: date | None = None,
) -> ImportPlan:
    """Read the sheet and say, row by row, what an import into `town_id` (the installation's
    town when not given) would do. Raises SheetError when the file as a whole cannot be read."""
    town_id = town_id or town_for_new(actor=IMPORT)
    choices = choices or Choices()
    today = today or timezone.localdate()
    _check_choices(choices, today)
    sheet, layout = _first_table(source)
    year = choose_year(
        chosen=choices.year,
        lines=layout.above + _footer_lines(sheet.rows, layout),
        dated_cells=[
            row[c]
            for row in sheet.rows[layout.header_index + 1 :]
            for c in _dated_columns(layout)
            if c < len(row)
        ],
        today=today,
    )
    start = year.filed_on if year.filed_on and year.filed_on <= today else today
    start_why = (
        _("工作日、天数和立行立改从填报时间%(d)s起算") % {"d": start.isoformat()}
        if start != today
        else _("工作日、天数和立行立改从导入当天%(d)s起算") % {"d": today.isoformat()}
    )
    plan = ImportPlan(
        sheet_name=sheet.name,
        header_line=layout.header_line,
        columns={get_column_letter(c + 1): FIELD_LABELS[f] for c, f in sorted(layout.columns.items())},
        rows=[],
        year=year,
        start=start,
        start_why=start_why,
        choices=choices,
        town_id=town_id,
    )
    planner = _Planner(plan, layout, Directory(town_id, mappings=choices.mappings), today)
    groups = _merged_groups(sheet, layout)
    total = len(sheet.rows) - layout.header_index - 1
    index = layout.header_index + 1
    while index < len(sheet.rows):
        last = groups.get(index, index)
        planner.row(index, sheet.rows[index : last + 1])
        index = last + 1
        if progress and (index - layout.header_index) % _PROGRESS_EVERY == 0:
            progress(index - layout.header_index - 1, total)
    planner.finish()
    if progress:
        progress(total, total)
    return plan


def _check_choices(choices: Choices, today: date) -> None:
    """The one check of the office's choices, wherever they come from (page or command line):
    a ValidationError naming the choice out of range."""
    errors = {}
    years = choice_years(today)
    if choices.year is not None and choices.year not in years:
        errors["year"] = _("年份：应为%(first)s到%(last)s年") % {"first": years[-1], "last": years[0]}
    if choices.immediate_days is not None and not 1 <= choices.immediate_days <= IMMEDIATE_MAX_DAYS:
        errors["immediate_days"] = _("立行立改的期限：应为1到%(n)s个工作日") % {"n": IMMEDIATE_MAX_DAYS}
    if errors:
        raise ValidationError(errors)


def _first_table(source: IO[bytes]) -> tuple[Sheet, Layout]:
    sheets = read_sheets(source)
    try:
        for sheet in sheets:
            if (layout := find_layout(sheet.rows)) is not None:
                return sheet, layout
    finally:
        sheets.close()  # the workbook is closed as soon as its table is found
    raise no_header()


def _dated_columns(layout: Layout) -> list[int]:
    return [c for c, f in layout.columns.items() if f in ("deadline", "closed_on")]


def _footer_lines(rows: list[list[object]], layout: Layout) -> list[str]:
    """The lines under the table that date it (填报时间 is sometimes written at the bottom)."""
    lines = []
    for row in rows[layout.header_index + 1 :][-10:]:
        if is_footer_row(row):
            lines.append(line_text(row))
    return lines


def _merged_groups(sheet: Sheet, layout: Layout) -> dict[int, int]:
    """First row → last row of rows that are one problem: its 问题描述 cell merged down over them
    (one problem, several measures or owners, a line each)."""
    column = layout.column_of("description")
    groups: dict[int, int] = {}
    for r0, c0, r1, c1 in sheet.merges:
        if column is not None and c0 <= column <= c1 and r1 > r0 and r0 > layout.header_index:
            groups[r0] = max(groups.get(r0, r0), r1)
    return groups


def _combined(rows: list[list[object]]) -> list[object]:
    """Rows that are one problem as one row: a value merged over them once, different values
    one per line (owners become a list, two deadlines fail to read — as they should)."""
    if len(rows) == 1:
        return rows[0]
    width = max(len(r) for r in rows)
    combined: list[object] = []
    for c in range(width):
        values = [r[c] if c < len(r) else None for r in rows]
        distinct: list[object] = []
        for value in values:
            if keep_text(value) and all(keep_text(value) != keep_text(v) for v in distinct):
                distinct.append(value)
        combined.append(
            distinct[0] if len(distinct) == 1 else ("\n".join(keep_text(v) for v in distinct) or None)
        )
    return combined


def _moment(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


class _Planner:
    """Plans rows one by one, then settles what needs the whole sheet (repeats, re-imports)."""

    def __init__(self, plan: ImportPlan, layout: Layout, directory: Directory, today: date) -> None:
        self.plan, self.layout, self.directory, self.today = plan, layout, directory, today
        self.choices = plan.choices
        labels = sheet_labels()
        self.sources = labels.sources | {"献言献策": Source.SUGGESTION}
        self.categories = labels.categories
        self.keys: dict[str, int] = {}  # identity → first line
        self.to_create: set[str] = set()
        self.questions: dict[str, DepartmentQuestion] = {}
        self.blank_from: int | None = None
        self.yearless = False
        self.labels = {"leader": _("责任领导"), "acceptor": _("验收人"), "assignees": _("责任人")}

    # -- rows that are not problems --------------------------------------------------------

    def row(self, index: int, rows: list[list[object]]) -> None:
        cells = _combined(rows)
        line = index + 1
        texts = [squeeze(c) for c in cells]  # each cell squeezed once, for the checks below
        filled = [t for t in texts if t]
        if not filled:
            if self.blank_from is None:
                self.blank_from = line
                self.plan.rows.append(RowResult(line, RowStatus.SKIPPED, notes=[_("空行")]))
            else:
                self.plan.rows[-1].last_line = line
            return
        self.blank_from = None
        skipped = self._not_a_problem(cells, filled)
        if skipped:
            self.plan.rows.append(RowResult(line, RowStatus.SKIPPED, notes=[skipped]))
            return
        raw = {name: cells[col] if col < len(cells) else None for col, name in self.layout.columns.items()}
        result = RowResult(line, RowStatus.OK, last_line=index + len(rows) if len(rows) > 1 else 0)
        self._plan_row(result, raw)
        self.plan.rows.append(result)

    def _not_a_problem(self, cells: list[object], filled: list[str]) -> str:
        first = filled[0]
        if is_total_text(first):
            return _("合计行")
        if is_footer_text(first):
            return _("表尾（签字、联系电话等）：%(text)s") % {"text": _shown(cells)}
        if is_section_texts(set(filled)):
            return _("分组标题：%(text)s") % {"text": _shown(cells)}
        if len(filled) >= 3 and header_key(first) in BY_HEADER:
            named = {BY_HEADER.get(header_key(c)) for c in cells} - {None}  # exact names: else it is data
            if len(named) >= 3 and "description" in named:
                return _("重复的表头行")
        if len(filled) >= 3 and filled == [str(n) for n in range(1, len(filled) + 1)]:
            return _("栏目编号行")
        return ""

    # -- one problem ----------------------------------------------------------------------

    def _plan_row(self, row: RowResult, raw: dict[str, object]) -> None:
        f = row.fields
        kept = {
            name: keep_text(raw.get(name))
            for name in ("description", "goal", "measures", "milestones", "remarks")
        }
        f.update(kept)
        f["number"] = clean_text(raw.get("number"))
        # A sheet numbering its rows under 编号 (no 序号 column) numbers them all the same.
        f["serial"] = clean_text(raw.get("serial")) if "serial" in raw else f["number"]
        if not f["description"]:
            row.errors.append(_("问题描述：为空"))
        self._source_and_category(row, raw)
        department = self._department(row, raw)
        self._village(row, raw)
        outcome = self._status(row, raw)
        self._people(row, raw, department, required=outcome != Status.PENDING)
        self._deadline(row, raw, outcome)
        # Decided once, here: the commit assigns on this day, the day the preview showed.
        f["assigned_on"] = assignment_date(
            start=self.plan.start,
            closed_on=_day(f.get("closed_on")),
            deadline=_day(f["deadline"]) if f["deadline_basis"] == DeadlineBasis.DATE else None,
        ).isoformat()
        if outcome != Status.PENDING and f["assigned_on"] != self.plan.start.isoformat():
            row.notes.append(_("分派日期记为%(d)s（不晚于销号日期和整改时限）") % {"d": f["assigned_on"]})
        if outcome == Status.PENDING:
            # Kept in 备注 for whoever assigns it: the owners and deadline the sheet names.
            owners = [f"{label}：{value}" for label, value in (
                (_("责任领导"), f.get("leader", "")), (_("责任部门"), f.get("department", "")),
                (_("责任人"), "、".join(f.get("assignees", []))), (_("整改时限"), f.get("deadline_text", "")),
            ) if value]  # fmt: skip
            f["owners_note"] = _("原台账") + "，".join(owners) if owners else ""
        if department is not None and f["description"]:
            f["key"] = row_identity(
                serial=f["serial"], description=f["description"], department_id=department.pk
            )
            if (first := self.keys.get(f["key"])) is not None:
                row.errors.append(_("与第%(line)s行重复（序号、问题描述和责任部门都相同）") % {"line": first})
            else:
                self.keys[f["key"]] = row.line
        row.status = RowStatus.ERROR if row.errors else RowStatus.CONFIRM if row.questions else RowStatus.OK

    def _source_and_category(self, row: RowResult, raw: dict[str, object]) -> None:
        f = row.fields
        source = squeeze(raw.get("source"))
        f["source"] = self.sources.get(source, Source.OTHER if source else Source.SELF_CHECK)
        if source and source not in self.sources:
            row.notes.append(_("问题来源“%(v)s”未识别，记为“其他”") % {"v": source})
        category = squeeze(raw.get("category"))
        f["category"] = self.categories.get(category, Category.OTHER)
        if category and category not in self.categories:
            row.notes.append(_("问题类别“%(v)s”未识别，记为“其他”") % {"v": category})

    def _department(self, row: RowResult, raw: dict[str, object]) -> Unit | None:
        f = row.fields
        names = unit_names(raw.get("department"))
        f["department"], f["department_text"], f["cooperating"] = "", "", []
        if not names:
            row.errors.append(_("责任部门：为空"))
            return None
        lead, *others = names
        f["department_text"] = lead
        if others:
            row.notes.append(
                _("责任单位写了%(n)s个：“%(lead)s”为责任部门，其余为配合单位")
                % {"n": len(names), "lead": lead}
            )
        found = self.directory.department(lead)
        department = found.unit
        if department is None:
            self._ask_department(row, lead, found.candidates, found.ambiguous)
        else:
            f["department"], f["department_id"] = department.name, department.pk
            if found.how == MatchHow.CHOSEN:  # answered in this preview: kept on show, to change or remember
                self._chosen(row, lead, department)
            if found.how in (MatchHow.ALIAS, MatchHow.SHORT_FORM, MatchHow.CHOSEN):
                row.notes.append(
                    _("责任部门“%(text)s”即“%(name)s”") % {"text": lead, "name": department.name}
                )
        for name in [*others, *unit_names(raw.get("cooperating"))]:
            unit = self.directory.department(name).unit
            if unit is None:
                row.notes.append(_("配合单位“%(name)s”不在组织机构中，未关联") % {"name": name})
            elif unit.name not in f["cooperating"] and unit != department:
                f["cooperating"].append(unit.name)
        return department

    def _chosen(self, row: RowResult, text: str, unit: Unit) -> None:
        key = self.directory.key(text)
        if key not in self.questions:
            found = self.directory.department_unchosen(text)
            self.questions[key] = DepartmentQuestion(
                key=key,
                text=text,
                candidates=[(u.pk, u.name) for u in found.candidates],
                ambiguous=found.ambiguous,
                chosen=unit.pk,
                remember=key in self.choices.remember,
            )
        self.questions[key].lines.append(row.line)

    def _ask_department(
        self, row: RowResult, text: str, candidates: tuple[Unit, ...], ambiguous: bool
    ) -> None:
        key = self.directory.key(text)
        question = self.questions.get(key)
        if question is None:
            question = DepartmentQuestion(
                key=key,
                text=text,
                candidates=[(u.pk, u.name) for u in candidates],
                ambiguous=ambiguous,
                chosen=candidates[0].pk if len(candidates) == 1 else None,
                remember=not ambiguous,
            )
            self.questions[key] = question
        question.lines.append(row.line)
        if ambiguous:
            names = "、".join(name for _, name in question.candidates)
            row.questions.append(
                _("责任部门：“%(text)s”对应多个部门（%(names)s），请在下方“部门对应”中选择")
                % {"text": text, "names": names}
            )
        elif question.candidates:
            names = "、".join(f"“{name}”" for _, name in question.candidates[:3])
            row.questions.append(
                _("责任部门：“%(text)s”不在组织机构中，可能是%(names)s，请在下方“部门对应”中确认")
                % {"text": text, "names": names}
            )
        else:
            row.questions.append(
                _(
                    "责任部门：“%(text)s”不在组织机构中，请在下方“部门对应”中选择对应的部门，或先在组织机构中添加"
                )
                % {"text": text}
            )

    def _village(self, row: RowResult, raw: dict[str, object]) -> None:
        text = squeeze(raw.get("village"))
        village = self.directory.places.get(text) if text else None
        if text and village is None:
            row.notes.append(_("村(社区)“%(v)s”未找到，未关联") % {"v": text})
        row.fields["village"] = village.name if village else ""

    def _people(
        self, row: RowResult, raw: dict[str, object], department: Unit | None, *, required: bool
    ) -> None:
        f = row.fields
        for role, label in (("leader", self.labels["leader"]), ("acceptor", self.labels["acceptor"])):
            names = person_names(raw.get(role))
            f[role] = names[0] if names else ""
            if not names:
                if role == "leader" and required:
                    row.errors.append(_("责任领导：为空"))
                continue
            if len(names) > 1:
                row.notes.append(
                    _("%(label)s写了%(n)s人，取第一位“%(name)s”")
                    % {"label": label, "n": len(names), "name": names[0]}
                )
            if self.directory.person(names[0], department)[0] is None:
                self._missing(row, label, names[0], department, required=required)
        f["assignees"] = person_names(raw.get("assignees"))
        if not f["assignees"] and required:
            row.errors.append(_("责任人：为空"))
        for name in f["assignees"]:
            if self.directory.person(name, department)[0] is None:
                self._missing(row, self.labels["assignees"], name, department, required=required)

    def _missing(
        self, row: RowResult, label: str, name: str, department: Unit | None, *, required: bool
    ) -> None:
        why = self.directory.person(name, department)[1]
        if why == PersonMatch.SAME_NAME:
            row.errors.append(
                _("%(label)s：“%(name)s”在人员名册中有同名多人，请在台账中注明")
                % {"label": label, "name": name}
            )
        elif self.choices.create_missing:
            row.notes.append(_("%(label)s“%(name)s”将新建到人员名册") % {"label": label, "name": name})
            self.to_create.add(name)
        elif required:
            row.errors.append(
                _("%(label)s：“%(name)s”不在人员名册中（可选择“人员名册中没有的人自动新建”）")
                % {"label": label, "name": name}
            )

    def _status(self, row: RowResult, raw: dict[str, object]) -> Status:
        """Closed, in progress or pending (long term is decided by the deadline)."""
        f = row.fields
        status_cell, completion_cell, progress_cell = (
            raw.get(k) for k in ("status", "completion", "progress")
        )
        f["status_text"] = keep_text(status_cell) or keep_text(completion_cell)
        word: StatusWord | None = None
        if "status" in raw and squeeze(status_cell):
            word = status_word(status_cell, yes_no=self.layout.yes_no_status)
            if word is None:
                row.errors.append(
                    _("整改状态：“%(v)s”无法识别（可写 已完成、已销号、正在整改、推进中 或 未启动）")
                    % {"v": keep_text(status_cell)}
                )
        elif squeeze(completion_cell):
            word = status_word(completion_cell)
            if word is None and "progress" not in raw:
                row.notes.append(_("完成情况未写明状态（已完成、正在整改或未启动），按整改中导入"))
        elif squeeze(progress_cell):
            word = status_word(progress_cell, leading=False)
        texts = [keep_text(progress_cell)]
        if not is_status_word_only(completion_cell):
            texts.append(keep_text(completion_cell))
        f["completion"] = "\n".join(t for t in texts if t)
        closed_on = self._closed_on(row, raw.get("closed_on"))
        if closed_on and word in (StatusWord.WORKING, StatusWord.NOT_STARTED):
            row.errors.append(
                _("销号日期：台账写“%(status)s”，却填了销号日期%(d)s，请核对")
                % {"status": f["status_text"], "d": closed_on}
            )
            return Status.IN_PROGRESS
        if closed_on or word == StatusWord.DONE:
            self._closure(row, closed_on)
            return Status.CLOSED
        if word == StatusWord.NOT_STARTED:
            self.plan.not_started_rows += 1
            if not self.choices.not_started:
                row.questions.append(
                    _("整改状态：“%(v)s”，请在下方选择未启动的问题导入为“整改中”还是“待分派”")
                    % {"v": f["status_text"]}
                )
                f["outcome"] = Status.IN_PROGRESS
                return Status.IN_PROGRESS
            chosen = NotStarted(self.choices.not_started)
            f["outcome"] = Status.PENDING if chosen == NotStarted.PENDING else Status.IN_PROGRESS
            return Status(f["outcome"])
        f["outcome"] = Status.IN_PROGRESS
        return Status.IN_PROGRESS

    def _closed_on(self, row: RowResult, value: object) -> date | None:
        if not squeeze(value):
            return None
        try:
            phrase = parse_date_phrase(value, year=self.plan.year.year)
        except DatePhraseError as exc:
            row.errors.append(_("销号日期：%(why)s") % {"why": exc})
            self.yearless = self.yearless or exc.yearless
            return None
        if phrase.kind != PhraseKind.DATE or phrase.day is None:
            row.errors.append(_("销号日期：“%(v)s”不是日期") % {"v": keep_text(value)})
            return None
        if not phrase.year_written:
            self.yearless = True
        if phrase.day > self.today:
            row.errors.append(_("销号日期：%(d)s晚于今天") % {"d": phrase.day.isoformat()})
            return None
        return phrase.day

    def _closure(self, row: RowResult, closed_on: date | None) -> None:
        f = row.fields
        f["outcome"] = Status.CLOSED
        if closed_on is None:
            closed_on = self.plan.start
            note = (
                _("销号日期未填，按填报时间%(d)s记")
                if closed_on != self.today
                else _("销号日期未填，按导入当天%(d)s记")
            ) % {"d": closed_on.isoformat()}
            row.notes.append(note)
        f["closed_on"] = closed_on.isoformat()

    def _deadline(self, row: RowResult, raw: dict[str, object], outcome: Status) -> None:
        f = row.fields
        value = raw.get("deadline")
        f.update(
            deadline="", deadline_basis=DeadlineBasis.DATE, deadline_days=None, deadline_text=keep_text(value)
        )
        f["deadline_shown"] = ""
        if not squeeze(value) and outcome == Status.CLOSED:
            f["deadline"] = f["closed_on"]
            f["deadline_shown"] = f["closed_on"]
            row.notes.append(_("整改时限为空，按销号日期记"))
            return
        if not squeeze(value) and outcome == Status.PENDING:
            return
        try:
            phrase = parse_date_phrase(value, year=self.plan.year.year)
        except DatePhraseError as exc:
            row.errors.append(_("整改时限：%(why)s") % {"why": exc})
            self.yearless = self.yearless or exc.yearless
            return
        self._deadline_from(row, phrase, outcome)

    def _deadline_from(self, row: RowResult, phrase: DatePhrase, outcome: Status) -> None:
        f = row.fields
        start = self._assigned_on(f, outcome)
        if phrase.kind == PhraseKind.LONG_TERM:
            f["deadline_basis"] = DeadlineBasis.LONG_TERM
            f["deadline_shown"] = str(DeadlineBasis.LONG_TERM.label)
            if outcome not in (Status.CLOSED, Status.PENDING):
                f["outcome"] = Status.LONG_TERM
            return
        if phrase.kind == PhraseKind.IMMEDIATE:
            self.plan.immediate_rows += 1
            if not self.choices.immediate_days:
                row.questions.append(_("整改时限：立行立改，请在下方设定立行立改的期限（几个工作日）"))
                return
            phrase = DatePhrase(
                PhraseKind.DURATION, amount=self.choices.immediate_days, unit=DurationUnit.WORKDAYS
            )
            label = _("立行立改，%(n)s个工作日") % {"n": self.choices.immediate_days}
        else:
            label = ""
        # The phrase as a basis and a date or a day count; the service computes the deadline
        # (working days, provisional years, the range) as it does for a problem assigned by hand.
        basis, day, days = DeadlineBasis.DATE, phrase.day, None
        if phrase.kind == PhraseKind.DURATION:
            assert phrase.amount is not None
            if phrase.unit == DurationUnit.WORKDAYS:
                basis, days = DeadlineBasis.WORKDAYS, phrase.amount
            elif phrase.unit == DurationUnit.DAYS:
                basis, days = DeadlineBasis.CALENDAR_DAYS, phrase.amount
            else:  # months: a date, as a clerk counts them
                day = phrase.duration_end(start)
            label = label or f["deadline_text"]
            f["deadline_count"] = _("自%(d)s起") % {"d": start.isoformat()}
        try:
            due = compute_deadline(
                basis=basis,
                assigned_on=assignment_date(start=start, deadline=day)
                if basis == DeadlineBasis.DATE
                else start,
                deadline=day,
                days=days,
            )
        except ValidationError as exc:
            row.errors.append(exc.messages[0])
            return
        assert due.day is not None
        day, provisional = due.day, due.provisional
        f["deadline_basis"], f["deadline_days"] = basis, days
        f["deadline"] = day.isoformat()
        shown = day.isoformat()
        if label:
            shown = f"{label} → {shown}"
        if provisional:
            shown += _("（暂定）")
        if phrase.kind == PhraseKind.DATE and not phrase.year_written:
            self.yearless = True
            shown += _("（按%(y)s年）") % {"y": day.year}
        f["deadline_shown"] = shown
        if (
            f.get("closed_on") is None
            and outcome != Status.CLOSED
            and self.plan.year.filed_on
            and day < self.plan.year.filed_on
        ):
            row.notes.append(_("整改时限早于填报时间%(d)s") % {"d": self.plan.year.filed_on.isoformat()})

    def _assigned_on(self, f: dict[str, Any], outcome: Status) -> date:
        """Where a duration counts from: the assignment date before a deadline is known."""
        return assignment_date(start=self.plan.start, closed_on=_day(f.get("closed_on")))

    # -- the sheet as a whole -------------------------------------------------------------

    def finish(self) -> None:
        plan = self.plan
        plan.to_create = sorted(self.to_create)
        plan.departments = sorted(self.questions.values(), key=lambda q: q.lines[0])
        if self.yearless and plan.year.year is None:
            plan.messages.append(
                _(
                    "台账中的年份不一致（%(years)s），“6月底前”这类不写年份的日期无法确定年份：请选择年份后重新检查"
                )
                % {"years": plan.year.mixed}
            )
        elif self.yearless and plan.year.mixed:
            plan.messages.append(
                _("台账中的年份不一致（%(years)s）；%(why)s")
                % {"years": plan.year.mixed, "why": plan.year.why}
            )
        self._recognise()

    def _recognise(self) -> None:
        """Rows imported before: by the problem's own 编号, else by the row's identity."""
        rows = [
            r for r in self.plan.rows if r.status in (RowStatus.OK, RowStatus.CONFIRM) and r.fields.get("key")
        ]
        numbers = sorted({r.fields["number"] for r in rows if r.fields.get("number")})
        by_number = {
            p.number: p
            for chunk in _chunks(numbers)
            for p in Problem.objects.filter(town_id=self.plan.town_id, number__in=chunk)
        }
        keys = [r.fields["key"] for r in rows]
        by_key: dict[str, int] = {}
        for chunk in _chunks(keys):
            found = ImportedRow.objects.filter(town_id=self.plan.town_id, key__in=chunk)
            by_key.update(found.values_list("key", "problem_id"))
        wanted = sorted({by_key[k] for k in keys if k in by_key})
        problems = {p.pk: p for chunk in _chunks(wanted) for p in Problem.objects.filter(pk__in=chunk)}
        problems.update({p.pk: p for p in by_number.values()})
        # Each problem's last step: a 销号 the sheet dates before it is refused by the service,
        # so the preview says so first.
        last: dict[int, datetime] = {}
        for chunk in _chunks(sorted(problems)):
            last.update(
                ProblemTransition.objects.filter(problem_id__in=chunk)
                .values("problem_id")
                .annotate(at=Max("at"))
                .values_list("problem_id", "at")
            )
        for row in rows:
            problem = by_number.get(row.fields.get("number", "")) or problems.get(
                by_key.get(row.fields["key"], -1)
            )
            if problem is not None:
                self._compare(row, problem, last.get(problem.pk))
        plan = self.plan
        again = [r for r in plan.rows if r.status == RowStatus.DUPLICATE]
        if again and plan.work == 0 and plan.ok:
            plan.messages.insert(
                0,
                _("这份台账的%(n)s行此前都已导入，没有新的问题，也没有要更新的进展；无需再次导入")
                % {"n": len(again)},
            )

    def _compare(self, row: RowResult, problem: Problem, last: datetime | None) -> None:
        """A row imported before: skipped, or the progress and status it adds since."""
        f = row.fields
        row.problem_id = problem.pk
        f["problem_number"] = problem.number
        row.questions = []  # 未启动 and 立行立改 decide how a new problem starts, not an update
        outcome = f.get("outcome")
        # What the update does is decided here, once: the commit carries out these two flags.
        f["update_closes"] = f["update_completion"] = False
        if outcome == Status.CLOSED and problem.status != Status.CLOSED:
            if problem.status == Status.PENDING:
                row.notes.append(_("系统中%(n)s尚未分派，不能按台账销号：请先分派") % {"n": problem.number})
            elif last is not None and f["closed_on"] < timezone.localdate(last).isoformat():
                row.errors.append(
                    _("销号日期：%(d)s早于系统中%(n)s上一步办理的日期%(last)s，请核对")
                    % {"d": f["closed_on"], "n": problem.number, "last": timezone.localdate(last).isoformat()}
                )
            else:
                f["update_closes"] = True
                row.changes.append(
                    _("状态：%(from)s → 已销号（%(d)s）")
                    % {"from": Status(problem.status).label, "d": f["closed_on"]}
                )
        elif outcome != Status.CLOSED and problem.status == Status.CLOSED:
            row.notes.append(
                _("系统中%(n)s已销号，台账写“%(v)s”：未改动")
                % {"n": problem.number, "v": f.get("status_text") or _("整改中")}
            )
        if f.get("completion") and squeeze(f["completion"]) != squeeze(problem.completion):
            f["update_completion"] = True
            row.changes.append(_("完成情况：更新为“%(v)s”") % {"v": _short(f["completion"])})
        if row.errors:
            row.status = RowStatus.ERROR
            return
        row.status = RowStatus.UPDATE if row.changes else RowStatus.DUPLICATE
        if row.status == RowStatus.DUPLICATE:
            row.notes.insert(0, _("已导入为%(n)s") % {"n": problem.number})


def assignment_date(*, start: date, closed_on: date | None = None, deadline: date | None = None) -> date:
    """When a row was assigned: the sheet's 填报时间 (else the import date), but not after its
    销号 nor after a fixed deadline — a sheet drawn up once the deadline had passed records a
    problem assigned by then (and a deadline may not come before its assignment)."""
    return min(d for d in (start, closed_on, deadline) if d is not None)


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _chunks(values: list[Any], size: int = 500) -> list[list[Any]]:
    """A long IN list in pieces: SQLite may allow only 999 variables a statement."""
    return [values[start : start + size] for start in range(0, len(values), size)]


def _shown(cells: list[object]) -> str:
    return _short(line_text(cells))


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def moment(day: date, hour: int) -> datetime:
    return _moment(day, hour)

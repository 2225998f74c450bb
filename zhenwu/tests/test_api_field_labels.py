"""The API's refusals name each field as before, now that each app registers its own names."""

from __future__ import annotations

from django.utils import translation

from zhenwu.core.api_base import FIELD_LABELS, describe_input_error

# The names the core used to hard-code for every module, as they stood before the apps took theirs.
BEFORE = {
    "q": "查询词",
    "page": "页码",
    "page_size": "每页条数",
    "role": "身份",
    "gender": "性别",
    "kind": "单位类型",
    "unit_id": "单位编号",
    "person_id": "人员编号",
    "field": "字段",
    "status": "状态",
    "colour": "预警",
    "source": "问题来源",
    "category": "问题类别",
    "description": "问题描述",
    "leader_id": "责任领导",
    "department_id": "责任部门",
    "assignee_ids": "责任人",
    "deadline": "整改时限",
    "deadline_days": "时限天数",
    "progress": "完成进度",
    "done": "本期完成情况",
    "action": "动作",
    "text": "意见建议",
    "village_id": "村(社区)",
    "name": "姓名",
    "phone": "联系电话",
    "verdict": "评价",
    "comment": "意见",
    "reply": "答复内容",
    "problem_number": "对应问题",
    "code": "回执码",
}


def test_every_former_field_keeps_its_chinese_name():
    with translation.override("zh-hans"):
        assert {field: str(FIELD_LABELS.get(field)) for field in BEFORE} == BEFORE


def test_a_refusal_names_the_field_as_before():
    with translation.override("zh-hans"):
        described = describe_input_error({"loc": ["body", "payload", "deadline_days"], "type": "missing"})
    assert described == {"field": "deadline_days", "message": "时限天数：不能为空"}

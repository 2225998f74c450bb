from django.http import HttpResponse

from zhenwu.core.downloads import attachment, file_name


def test_a_title_cannot_name_a_directory_or_split_the_header():
    name = file_name("×党办〔2026〕3号", "关于../../etc/passwd\r\nX-Evil: 1的通报", ext="docx")
    assert "/" not in name and "\r" not in name and "\n" not in name and name.endswith(".docx")
    header = attachment(HttpResponse(), name)["Content-Disposition"]
    assert header.startswith("attachment; filename=\"download.docx\"; filename*=UTF-8''")
    assert "\n" not in header and "%E5%85%B3%E4%BA%8E" in header  # 关于, percent-encoded


def test_empty_parts_fall_back_to_a_plain_name():
    assert file_name("", "  ", ext="pdf") == "download.pdf"
    assert file_name("测评码", "满意度测评", "第2批", ext="pdf") == "测评码 满意度测评 第2批.pdf"

"""Writes handmade_2009.xls: a township's 整改落实情况统计表, typed by hand, not by the demo.

Run once (python zhenwu/ledger/tests/data/make_handmade.py) and commit the .xls: the tests read
the file as a town would send it (BIFF8, written by a program other than ours). It has what the
importer must cope with: a two-line title, the date in Chinese numerals on the 报送 line, 编号
instead of 序号, a column-number row under the header, numbering that restarts per group,
是否完成 answered 是/否, departments written 镇村建办 / 镇 经发办 / 建设办、财政所 / a 社会事务办 the
town does not have, a name padded 张 明, deadlines as 09年12月底前, 明年6月底, 第四季度,
10个工作日内, 立行立改 and 长期坚持, a 合计 row, a signature line and a 注.
"""

from pathlib import Path

import xlwt

ROWS = [
    ["（一）群众反映的问题"],
    ["1", "石桥村到集镇的道路坑洼不平（约3.5公里），\n雨天群众出行难；", "争取“村村通”项目，年内完成路面硬化。",
     "刘志强", "镇村建办", "王芳", "09年12月底前", "已完成路基，正在铺设路面", "否", ""],
    ["2", "部分村（社区）饮水不安全：水质浑浊，夏季缺水。", "实施人饮工程；加强水源保护。", "刘志强", "建设办、财政所",
     "王芳、李强", "明年6月底", "已立项", "否", "需县水利局支持"],
    ["3", "集镇垃圾乱倒，清运不及时！", "配备保洁员3名，垃圾日产日清。", "刘志强", "镇 经发办", "张 明", "立行立改",
     "已配备保洁员", "是", ""],
    ["4", "办事群众反映“门难进、脸难看”", "开展作风整顿，推行首问责任制", "刘志强", "党政办", "赵丽", "长期坚持",
     "已建立首问责任制", "是", ""],
    ["5", "低保评定不公开。", "低保评议结果张榜公示（公示7天）。", "刘志强", "社会事务办", "赵丽", "10个工作日内", "",
     "否", ""],
    ["（二）班子查摆的问题"],
    ["1", "学习制度坚持不好", "每周五下午集中学习", "刘志强", "党政办公室", "赵丽", "第四季度", "正在落实", "否", ""],
    ["2", "财务管理不规范", "清理白条；规范审批", "刘志强", "镇财政所", "李强", "2009.12.31", "已清理白条12张", "是", ""],
    ["合　计", "", "", "", "", "", "", "", "完成3项", "7项"],
    [],
    ["主要负责人（签字）：　　　　　　审核人：　　　　　　填表人：赵丽　　联系电话：0838－6221234"],
    ["注：1.此表一式三份；2.是否完成一栏填“是”或“否”。"],
]  # fmt: skip
HEADER = ["编号", "存在的主要问题", "整改措施及要求", "牵头领导", "责任单位", "具体责任人", "完成时限", "整改进展情况",
          "是否完成", "备注"]  # fmt: skip


def main() -> None:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("统计表")
    wrap = xlwt.easyxf("alignment: wrap on")
    sheet.write_merge(0, 0, 0, 9, "××镇深入学习实践科学发展观活动\n群众反映问题整改落实情况统计表", wrap)
    sheet.write_merge(1, 1, 0, 9, "报送单位（盖章）：×× 镇人民政府　　　　　报送时间：二〇〇九年十一月二十日")
    for c, name in enumerate(HEADER):
        sheet.write(2, c, name)
        sheet.write(3, c, c + 1)  # the column numbers printed under the header
    for r, row in enumerate(ROWS, start=4):
        if len(row) == 1:
            sheet.write_merge(r, r, 0, 9, row[0])
            continue
        for c, value in enumerate(row):
            if value:
                sheet.write(r, c, value, wrap)
    book.save(str(Path(__file__).with_name("handmade_2009.xls")))


if __name__ == "__main__":
    main()

"""The category tree of domain.md §6 (L1/L2 from the 2014 SGCC norm; L3 are proposals).

Used by the initial data migration and by seed_demo; administrators edit the table afterwards.
Rows: (code, Chinese name, English name). The parent is the code without its last two digits.
"""

CATEGORY_TREE = [
    ("01", "服务投诉", "Service"),
    ("0101", "员工服务态度", "Staff attitude"),
    ("010101", "营业厅人员", "Service-hall staff"),
    ("010102", "95598/客服座席", "95598 / call-center agents"),
    ("010103", "抄表收费人员", "Meter-reading and collection staff"),
    ("010104", "现场/抢修人员", "Field and repair staff"),
    ("010105", "其他人员", "Other staff"),
    ("0102", "服务行为规范", "Conduct rules"),
    ("010201", "推诿搪塞", "Passing the buck"),
    ("010202", "吃拿卡要/违规收受", "Bribe-seeking"),
    ("010203", "未执行首问负责/一次性告知", "First-contact responsibility not honoured"),
    ("010204", "泄露客户信息", "Customer data leaked"),
    ("0103", "窗口营业时间", "Opening hours"),
    ("010301", "未按时营业", "Not open on time"),
    ("010302", "擅自离岗/暂停服务", "Left post / suspended service"),
    ("0104", "服务项目", "Service items"),
    ("010401", "应办未办", "Service not provided"),
    ("010402", "擅自增减服务项目", "Services changed without authority"),
    ("0105", "服务设施", "Service facilities"),
    ("010501", "营业厅设施", "Service-hall facilities"),
    ("010502", "自助终端", "Self-service terminals"),
    ("0106", "公司网站/线上渠道", "Website and online channels"),
    ("010601", "无法访问/功能故障", "Unavailable or broken"),
    ("010602", "信息错误或不及时", "Wrong or late information"),
    ("02", "营业投诉", "Business"),
    ("0201", "业扩报装", "New connection"),
    ("020101", "超时限", "Over time limit"),
    ("020102", "方案/答复不当", "Improper scheme or reply"),
    ("020103", "指定设计施工供货单位", "Designated contractors imposed"),
    ("0202", "用电变更", "Change of use"),
    ("020201", "过户/更名", "Transfer / rename"),
    ("020202", "增减容/暂停", "Capacity change / suspension"),
    ("020203", "销户", "Account closure"),
    ("0203", "抄表催费", "Meter reading and collection"),
    ("020301", "估抄/漏抄/错抄", "Estimated, missed or wrong reading"),
    ("020302", "催费不当", "Improper collection"),
    ("020303", "欠费停电程序不当", "Improper disconnection for arrears"),
    ("0204", "电费电价", "Billing and tariff"),
    ("020401", "电价执行错误", "Wrong tariff applied"),
    ("020402", "阶梯电价", "Tiered tariff"),
    ("020403", "电费差错/退补", "Billing error / refund"),
    ("0205", "电能计量", "Metering"),
    ("020501", "计量不准/校验", "Inaccurate meter / test"),
    ("020502", "表计故障更换", "Meter fault and replacement"),
    ("020503", "数据异常", "Meter-data anomaly"),
    ("0206", "业务收费", "Fees"),
    ("020601", "违规收费", "Unlawful fees"),
    ("020602", "收费标准不公开", "Fee schedule not published"),
    ("03", "停送电投诉", "Outage"),
    ("0301", "停送电信息公告", "Outage notices"),
    ("030101", "计划停电未提前7日告知", "Planned outage not notified 7 days ahead"),
    ("030102", "临时停电未告知", "Temporary outage not notified"),
    ("030103", "信息错误", "Wrong outage information"),
    ("0302", "停电计划执行", "Planned-outage execution"),
    ("030201", "超时停电/提前停电", "Outage too long or too early"),
    ("030202", "未按计划送电", "Power not restored as planned"),
    ("0303", "抢修质量", "Repair quality"),
    ("030301", "到达超时", "Late arrival"),
    ("030302", "复电超时", "Late restoration"),
    ("030303", "抢修不彻底/反复故障", "Incomplete repair / recurring fault"),
    ("030304", "抢修人员行为", "Repair-crew conduct"),
    ("0304", "增值服务", "Value-added services"),
    ("030401", "有偿服务争议", "Paid-service dispute"),
    ("04", "供电质量投诉", "Supply quality"),
    ("0401", "电压偏差", "Voltage deviation"),
    ("040101", "低电压", "Low voltage"),
    ("040102", "过电压", "Over-voltage"),
    ("0402", "频率偏差", "Frequency deviation"),
    ("040201", "频率异常", "Abnormal frequency"),
    ("0403", "三相不平衡", "Three-phase unbalance"),
    ("040301", "三相不平衡", "Three-phase unbalance"),
    ("0404", "电压波动和闪变", "Fluctuation and flicker"),
    ("040401", "电压波动和闪变", "Fluctuation and flicker"),
    ("0405", "供电可靠性", "Reliability"),
    ("040501", "频繁停电", "Frequent outages"),
    ("040502", "长时间停电", "Long outage"),
    ("05", "电网建设投诉", "Grid construction"),
    ("0501", "电力设施安全", "Facility safety"),
    ("050101", "安全隐患(线路、杆塔、箱变)", "Safety hazard (lines, poles, substations)"),
    ("050102", "电磁环境/噪声", "Electromagnetic environment / noise"),
    ("0502", "施工行为", "Construction conduct"),
    ("050201", "野蛮/扰民施工", "Rough or disturbing works"),
    ("050202", "施工后未恢复", "Site not restored"),
    ("050203", "青苗/占地补偿", "Crop / land compensation"),
]


def load_category_tree(Category):
    """Create missing categories (idempotent; existing rows and admin edits are left alone)."""
    by_code = {c.code: c for c in Category.objects.all()}
    for code, name, name_en in CATEGORY_TREE:
        if code in by_code:
            continue
        parent = by_code.get(code[:-2]) if len(code) > 2 else None
        cat = Category(code=code, name=name, name_en=name_en, parent=parent, level=len(code) // 2)
        cat.save()
        by_code[code] = cat

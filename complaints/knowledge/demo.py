"""Demo knowledge base (issue 16 item 9): articles and reply templates for the common categories.

``seed_knowledge()`` is idempotent: an entry whose title already exists in its category is left as
it is (an administrator's edits survive a second seeding). The texts follow 95598 practice and
cite only well-known public norms (GB/T 12325-2008, 《供电营业规则》, the NDRC's 2011 tiered-tariff
guidance, the 供电服务"十项承诺"); figures a province sets itself are said to be local.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from complaints.models import Category

from . import services
from .models import Article, ArticleKind, ReplyTemplate, TemplateStage

# (category code, kind, title, body)
ARTICLES = [
    (
        "0401",
        ArticleKind.POLICY,
        "供电电压偏差限值（GB/T 12325-2008）",
        "国家标准 GB/T 12325-2008《电能质量 供电电压偏差》规定的供电电压偏差限值：\n"
        "1. 35kV 及以上供电电压正、负偏差绝对值之和不超过标称电压的 10%；\n"
        "2. 20kV 及以下三相供电电压偏差为标称电压的 ±7%；\n"
        "3. 220V 单相供电电压偏差为标称电压的 +7%、-10%，即 198V～235.4V。\n"
        "受理时记录客户描述的电压值、出现时段（全天/用电高峰）及测量方式；"
        "客户自测数值仅作参考，以供电企业现场测量或电压监测数据为准。",
    ),
    (
        "040101",
        ArticleKind.PROCEDURE,
        "低电压投诉受理要点",
        "1. 核实客户户号、地址及同一台区邻户是否存在相同情况（判断是单户问题还是台区问题）。\n"
        "2. 询问低电压出现的时段：傍晚用电高峰、季节性（夏季空调、冬季取暖、春节返乡）或全天。\n"
        "3. 询问对用电的影响：家电无法启动、灯光昏暗、水泵/空调停机等，有无电器损坏。\n"
        "4. 如客户反映电器损坏，另行记录损坏电器名称、型号，按《居民用户家用电器损坏处理办法》流程处理。\n"
        "5. 告知客户：供电单位将安排人员现场测量，并在规定时限内联系客户、答复处理结果；"
        "台区改造等需较长周期的，应答复临时措施和改造计划。",
    ),
    (
        "03",
        ArticleKind.POLICY,
        "供电服务“十项承诺”：抢修到达与停电告知",
        "供电服务“十项承诺”中与停送电相关的条款（以本单位公布的现行文本为准）：\n"
        "1. 抢修人员到达现场的平均时间：城区 45 分钟，农村 90 分钟，特殊边远地区 2 小时。\n"
        "2. 到达现场后恢复供电的平均时间：城区 3 小时，农村 4 小时。\n"
        "3. 计划检修停电提前 7 天公告停电区域、线路和时间。\n"
        "4. 临时检修停电提前 24 小时通知重要客户。\n"
        "受理停电类投诉时，先通过停电信息系统核实是否存在计划/故障停电，再判断是否属实。",
    ),
    (
        "0301",
        ArticleKind.PROCEDURE,
        "停电信息告知类投诉受理要点",
        "1. 查询停电信息系统：是否有已发布的计划停电或故障停电，发布时间和发布渠道。\n"
        "2. 计划停电未提前 7 天公告、临时停电未按规定通知的，按停送电信息公告类投诉受理。\n"
        "3. 已按规定公告但客户未看到的，向客户说明公告渠道（网上国网、短信、张贴公告等），"
        "并提醒客户在网上国网绑定户号以接收停电通知，一般不作为投诉受理。\n"
        "4. 记录客户因停电受到的影响（如医疗设备、生产经营），影响较大的及时提升等级。",
    ),
    (
        "0204",
        ArticleKind.TARIFF,
        "居民阶梯电价执行规则",
        "依据国家发展改革委《关于居民生活用电试行阶梯电价的指导意见》（发改价格〔2011〕2617号），"
        "居民生活用电按户、按年（或按月）分三档计价：\n"
        "第一档：保障基本用电需求，电价保持稳定；\n"
        "第二档：电价在第一档基础上每千瓦时提高 0.05 元左右；\n"
        "第三档：电价在第一档基础上每千瓦时提高 0.3 元左右。\n"
        "各档电量和具体电价由各省价格主管部门确定，答复时以当地公布的标准为准。"
        "一户多人口、合表用户等的执行办法按当地规定办理，受理时提醒客户携带户口簿等材料到营业厅申请。",
    ),
    (
        "020403",
        ArticleKind.PROCEDURE,
        "电费差错与退补处理流程",
        "1. 核对客户近 12 个月抄表示数、电量电费及缴费记录，确认是否存在估抄、错抄、电价执行错误。\n"
        "2. 需现场核查的，由营销部门安排人员核对表计示数并拍照留存。\n"
        "3. 确属供电企业差错的，按规定办理电费退补，并向客户说明退补金额、计算依据和退补方式。\n"
        "4. 客户对计量准确性有异议的，告知可申请电能表校验，校验结果在 5 个工作日内告知客户。",
    ),
    (
        "020303",
        ArticleKind.POLICY,
        "欠费停电与复电规定",
        "依据《电力供应与使用条例》《供电营业规则》：客户逾期未交电费的，供电企业可依照规定程序中止供电，"
        "停电前应按规定提前通知客户（“十项承诺”2011 年文本：欠费停电提前 7 天送达停电通知书）。\n"
        "客户结清欠费及相关费用后，供电企业应在 24 小时内恢复供电。\n"
        "未按程序通知即停电、结清欠费后超时未复电的，按欠费停电程序不当类投诉处理。",
    ),
    (
        "01",
        ArticleKind.POLICY,
        "首问负责制与一次性告知",
        "首问负责：客户首次咨询或办理业务时接待的员工为首问负责人，"
        "对不属于本人职责范围的事项，应主动引导或转交相关人员，不得推诿。\n"
        "一次性告知：客户办理业务时，应一次性告知所需资料、办理流程、收费标准和办理时限，"
        "避免客户多次往返。\n"
        "受理服务类投诉时，核实员工是否落实首问负责和一次性告知，作为是否属实的判断依据之一。",
    ),
    (
        "0101",
        ArticleKind.FAQ,
        "服务态度投诉：客户常问与答复口径",
        "问：我投诉的员工会受到什么处理？\n"
        "答：您反映的情况我们会如实记录并转交相关单位调查核实，核实后将按公司规定严肃处理，"
        "处理结果会在规定时间内答复您。\n\n"
        "问：能不能不让被投诉的人知道是我投诉的？\n"
        "答：我们会对您的个人信息严格保密，调查过程中不会向无关人员透露您的信息。\n\n"
        "问：多久能给我答复？\n"
        "答：供电单位会在 1 个工作日内与您联系，并在规定时限内答复处理结果。",
    ),
    (
        "0405",
        ArticleKind.FAQ,
        "频繁停电：客户常问与答复口径",
        "问：为什么我家这个月停了好几次电？\n"
        "答：可能是线路故障、设备检修或用电负荷过大引起的保护动作。我们已记录您反映的停电时间，"
        "将由供电单位查明原因并答复您。\n\n"
        "问：停电造成的损失谁来赔？\n"
        "答：因供电企业责任造成家用电器损坏的，按《居民用户家用电器损坏处理办法》处理；"
        "请保留损坏电器，不要自行修理，以便核查。",
    ),
]

# (category code, stage, title, body)
TEMPLATES = [
    (
        "040101",
        TemplateStage.INTAKE,
        "低电压受理话术",
        "您好，请问您家中电压低的情况是从什么时候开始的？主要出现在傍晚用电高峰，还是全天都有？\n"
        "附近邻居家是否也有同样的情况？目前是否影响到空调、冰箱等电器的正常使用？有没有电器损坏？\n"
        "您反映的情况我已经记录，供电单位会安排人员现场测量电压，并尽快与您联系。",
    ),
    (
        "040101",
        TemplateStage.REPLY,
        "低电压处理答复",
        "{customer_name}您好：您于{received_date}反映的低电压问题（工单号{tracking_no}），经{department}现场核查，"
        "原因是台区用电高峰时段负荷较重、线路末端电压偏低。我单位已采取调整变压器分接头、平衡三相负荷等措施，"
        "经复测，您家电压已恢复到国家标准 GB/T 12325-2008 规定的范围内（220V 单相供电电压偏差 +7%、-10%）。"
        "如仍有问题，请拨打 95598 与我们联系。感谢您的理解与支持！",
    ),
    (
        "04",
        TemplateStage.CALLBACK,
        "供电质量回访话术",
        "您好，请问是{customer_name}吗？我是 95598 客服代表。您于{received_date}反映的供电质量问题"
        "（工单号{tracking_no}），供电单位已处理并答复。请问目前您家的用电是否恢复正常？"
        "您对这次的处理结果是满意、基本满意还是不满意？感谢您的配合，再见！",
    ),
    (
        "03",
        TemplateStage.INTAKE,
        "停电投诉受理话术",
        "您好，请问停电是从几点开始的？是您一户停电，还是周边邻居都停了？\n"
        "我这边查询到（有/没有）该区域的停电信息。您反映的情况我已记录，"
        "供电单位会尽快处理；停电期间请注意用电安全，不要靠近断落的电线。",
    ),
    (
        "03",
        TemplateStage.REPLY,
        "停电投诉答复",
        "{customer_name}您好：您于{received_date}反映的停电问题（工单号{tracking_no}），经{department}核查，"
        "停电原因是（填写原因）。抢修人员已于（时间）到达现场，于（时间）恢复供电。"
        "对停电给您带来的不便，我们深表歉意。我单位将加强线路巡视和设备维护，减少停电。",
    ),
    (
        "03",
        TemplateStage.CALLBACK,
        "停电投诉回访话术",
        "您好，请问是{customer_name}吗？我是 95598 客服代表。您于{received_date}反映的停电问题"
        "（工单号{tracking_no}）已处理完毕，请问现在供电是否正常？您对处理结果是否满意？",
    ),
    (
        "0204",
        TemplateStage.INTAKE,
        "电费电价咨询与投诉受理话术",
        "您好，请提供您的户号，我帮您查询近几个月的用电量和电费。\n"
        "请问您对哪个月的电费有疑问？是电量突然增加，还是电价与您了解的不一致？\n"
        "居民用电实行阶梯电价，用电量超过第一档后电价会相应提高；如核实确有差错，我们会按规定为您退补。",
    ),
    (
        "0204",
        TemplateStage.REPLY,
        "电费电价答复",
        "{customer_name}您好：您于{received_date}反映的电费问题（工单号{tracking_no}），经核查："
        "您户执行居民阶梯电价，（月份）用电量为（ ）千瓦时，其中第二档（ ）千瓦时、第三档（ ）千瓦时，"
        "电费计算无误／存在差错（差错的填写退补金额和方式）。具体分档标准以本省价格主管部门公布的为准。",
    ),
    (
        "01",
        TemplateStage.INTAKE,
        "服务态度投诉受理话术（安抚）",
        "非常抱歉给您带来了不好的体验，您先别着急，请您慢慢说，我来详细记录。\n"
        "请问事情发生的时间、地点，以及工作人员的姓名或工号（如果您知道的话）？\n"
        "您反映的情况我已经全部记录，会转交相关单位调查核实，并在规定时间内给您答复。",
    ),
    (
        "0101",
        TemplateStage.REPLY,
        "服务态度投诉答复",
        "{customer_name}您好：您于{received_date}反映的员工服务态度问题（工单号{tracking_no}），"
        "经{department}调查核实，情况（属实/部分属实/不属实）。我单位已对相关人员进行批评教育，"
        "并按规定考核，同时加强全员服务规范培训。对给您带来的不愉快，我们深表歉意，感谢您的监督！",
    ),
    (
        "01",
        TemplateStage.CALLBACK,
        "服务类投诉回访话术",
        "您好，请问是{customer_name}吗？我是 95598 客服代表。关于您于{received_date}反映的服务问题"
        "（工单号{tracking_no}），供电单位已调查处理并答复您，请问您对处理结果是否满意？",
    ),
]

# The article shown with a history: its current text is version 2 (the version-1 text lacked the
# last sentence).
EDITED = ("0401", "供电电压偏差限值（GB/T 12325-2008）")


@transaction.atomic
def seed_knowledge() -> dict:
    """Create the demo articles and templates that are missing; returns the counts created."""
    by_code = {c.code: c for c in Category.objects.filter(code__in={row[0] for row in ARTICLES + TEMPLATES})}
    start = timezone.localdate() - timedelta(days=365)
    created = {"articles": 0, "templates": 0}
    for code, kind, title, body in ARTICLES:
        category = by_code.get(code)
        if category is None or Article.objects.filter(category=category, title=title).exists():
            continue
        if (code, title) == EDITED:
            first = body.rsplit("\n", 1)[0]
            article = services.article_create(
                actor=None, kind=kind, title=title, body=first, category=category, effective_from=start
            )
            services.article_update(article=article, actor=None, body=body)
        else:
            services.article_create(
                actor=None, kind=kind, title=title, body=body, category=category, effective_from=start
            )
        created["articles"] += 1
    for code, stage, title, body in TEMPLATES:
        category = by_code.get(code)
        if category is None or ReplyTemplate.objects.filter(category=category, title=title).exists():
            continue
        services.template_create(
            actor=None, stage=stage, title=title, body=body, category=category, effective_from=start
        )
        created["templates"] += 1
    return created

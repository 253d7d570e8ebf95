"""Plausible Chinese names for the generated picture of Suzhou: people, companies, schools,
hospitals, residential blocks, elderly homes and shelters; and the stock phrases of its alarm,
incident and duty-log texts.

Every generator takes the caller's `numpy.random.Generator`, so a seed reproduces them.
Names are made from common parts; any likeness to a real company or person is chance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

Rng = np.random.Generator
T = TypeVar("T")


def _pairs(text: str) -> list[str]:
    """'建华建国' -> ['建华', '建国']."""
    return [text[i : i + 2] for i in range(0, len(text), 2)]


# Most common surnames nationally (about 2020 figures, per cent of population), plus the
# ones that are notably more common in Suzhou than nationally (沈, 顾, 陆, 钱 ...).
# fmt: off
SURNAMES: dict[str, float] = {
    "王": 7.1, "李": 7.0, "张": 6.8, "刘": 5.4, "陈": 5.2, "杨": 3.1, "黄": 2.3, "赵": 2.2,
    "吴": 2.3, "周": 2.2, "徐": 2.0, "孙": 1.5, "马": 1.3, "朱": 1.7, "胡": 1.3, "郭": 1.1,
    "何": 1.1, "高": 1.0, "林": 1.0, "罗": 0.9, "沈": 1.2, "顾": 1.1, "陆": 1.1, "钱": 0.7,
    "蒋": 0.7, "金": 0.6, "范": 0.5, "姚": 0.5, "许": 0.7, "曹": 0.5, "浦": 0.2, "汤": 0.3,
}
# fmt: on

# Given names typical of people born 1960-2000 (staff, managers, experts).
GIVEN_ONE = list(
    "伟敏静丽强磊军洋勇艳杰娟涛明超霞平刚斌波辉鹏华红芳燕玲婷雪琳峰健亮毅晨昊宇浩凯俊"
    "岚萍彬琴炜骏蕾颖瑜忠荣新春冬"
)
GIVEN_TWO = _pairs(
    "建华建国志强海燕晓东文斌雪梅丽娟国平卫东秀英桂英永刚建平红梅晓峰志刚丽华建军海峰"
    "晓明春华振华国强立新文华丽萍晓燕玉兰俊杰宇航思远家豪一鸣佳怡欣怡梓涵浩然天宇嘉伟"
    "明辉建新伟东晓军志伟海涛雪芳美华金龙永明国庆卫国红霞丽芳惠芬菊芳雪琴建忠根林林峰"
    "亚萍晓红伟明晓辉振宇文涛子健嘉怡静怡逸飞正阳宏伟雅琴秋萍洪涛浩宇晓婷文静敏华卫星"
    "建伟勤芳春燕志明伟华"
)

# Brand syllables of company names (字号).
BRAND_CHARS = list(
    "华盛恒鑫永泰达宏远金新利嘉瑞丰德润通科源海天亿辉诚隆联安康益中长江东方明星光晶佳"
    "正昌宝荣强胜信和顺合兴众博创凯威特力"
)

# Two-character words for schools, residential blocks and parks.
PLACE_WORDS = _pairs(
    "星海新城东湖南湖景城星湾文昌振华育才朝阳梅园枫桥虹桥阳光馨苑明德崇文尚德博文金色"
    "翰林青云湖畔水岸锦绣翡翠碧水蓝湾枫林桂花玉兰香樟梧桐景湖御景春江东方名都天域星湖"
    "湾畔运河石湖江南书香清风荷塘柳岸听涛怡和康乐长青新港滨江沿江望湖临湖澄湖尚湖虞山"
    "琴川娄江鹿城玉峰暨阳沙洲太湖吴淞银杏紫薇海棠丹桂凤凰双桥兴隆永安新民繁华通济南门"
    "北园东吴盘门沧浪"
)

_CN_DIGITS = "一二三四五六七八九十"


def pick(rng: Rng, items: Sequence[str], n: int, p: Sequence[float] | None = None) -> list[str]:
    """n items drawn with replacement, optionally weighted (weights need not sum to 1)."""
    if p is not None:
        p = np.asarray(p, dtype=float)
        p = p / p.sum()
    return [items[i] for i in rng.choice(len(items), size=n, p=p)]


def person_names(rng: Rng, n: int) -> list[str]:
    """n Chinese personal names: a weighted common surname and a one- or two-character name."""
    surnames = pick(rng, list(SURNAMES), n, list(SURNAMES.values()))
    two = rng.random(n) < 0.6
    ones = pick(rng, GIVEN_ONE, n)
    twos = pick(rng, GIVEN_TWO, n)
    return [s + (t if is_two else o) for s, o, t, is_two in zip(surnames, ones, twos, two)]


def phones(rng: Rng, n: int) -> list[str]:
    """n mainland mobile numbers (1[3-9] and nine digits), unique within the call."""
    second = rng.choice(np.array([3, 5, 6, 7, 8, 9]), size=n, p=[0.3, 0.25, 0.05, 0.1, 0.25, 0.05])
    seen: set[str] = set()
    out: list[str] = []
    for digit in second:
        while True:
            number = f"1{digit}{int(rng.integers(0, 10**9)):09d}"
            if number not in seen:
                break
        seen.add(number)
        out.append(number)
    return out


def unique(make: Callable[[], str], n: int, taken: set[str] | None = None) -> list[str]:
    """Call `make` until n names not yet in `taken` are found (numbering them as a last resort)."""
    taken = set() if taken is None else taken
    out: list[str] = []
    for _ in range(n):
        name = make()
        attempt = 0
        while name in taken:
            attempt += 1
            name = make() if attempt < 20 else f"{make()}{attempt}"
        taken.add(name)
        out.append(name)
    return out


def brand(rng: Rng) -> str:
    """A two-character company brand (字号), e.g. 恒盛."""
    a, b = rng.choice(len(BRAND_CHARS), size=2, replace=False)
    return BRAND_CHARS[a] + BRAND_CHARS[b]


def company_name(rng: Rng, prefix: str, trade: str, short: str) -> str:
    """A company name such as 张家港保税区恒盛化工有限公司 or 恒盛化工(张家港)有限公司."""
    r = rng.random()
    if r < 0.1:
        return f"{brand(rng)}{trade}({short})有限公司"
    suffix = "股份有限公司" if r < 0.2 else "有限公司"
    return f"{prefix}{brand(rng)}{trade}{suffix}"


def school_name(rng: Rng, city_prefix: str, town: str) -> tuple[str, str]:
    """(name, level) with level one of kindergarten/primary/middle."""
    word = PLACE_WORDS[rng.integers(len(PLACE_WORDS))]
    r = rng.random()
    if r < 0.18:
        return f"{city_prefix}{town}中心小学", "primary"
    if r < 0.45:
        return (
            f"{city_prefix}{word}实验小学" if rng.random() < 0.5 else f"{city_prefix}{word}小学",
            "primary",
        )
    if r < 0.55:
        return f"{city_prefix}{town}{word}小学", "primary"
    if r < 0.65:
        return f"{city_prefix}第{_CN_DIGITS[rng.integers(10)]}中学", "middle"
    if r < 0.85:
        kind = ("初级中学", "中学", "实验中学", "高级中学")[rng.integers(4)]
        return f"{city_prefix}{word}{kind}", "middle"
    return (
        f"{city_prefix}{town}{word}幼儿园" if rng.random() < 0.5 else f"{word}幼儿园",
        "kindergarten",
    )


def hospital_name(rng: Rng, district_name: str, town: str) -> str:
    r = rng.random()
    if r < 0.2:
        return f"{district_name}{('人民医院', '中医医院', '第二人民医院', '妇幼保健院')[rng.integers(4)]}"
    if r < 0.5:
        return f"{district_name}{town}社区卫生服务中心"
    if r < 0.75:
        return f"{district_name}{town}{('卫生院', '人民医院', '医院')[rng.integers(3)]}"
    return f"苏州{PLACE_WORDS[rng.integers(len(PLACE_WORDS))]}{('医院', '康复医院', '骨科医院')[rng.integers(3)]}"


def residential_name(rng: Rng, town: str) -> str:
    word = PLACE_WORDS[rng.integers(len(PLACE_WORDS))]
    suffix = ("花园", "新村", "小区", "家园", "苑", "名邸", "嘉园", "雅苑", "华庭", "公寓", "佳苑")
    r = rng.random()
    if r < 0.15:
        return f"{town}新村{_CN_DIGITS[rng.integers(9)]}区"
    name = f"{word}{suffix[rng.integers(len(suffix))]}"
    if r < 0.3:
        name += ("一期", "二期", "三期")[rng.integers(3)]
    return name


def elderly_name(rng: Rng, district_name: str, town: str) -> str:
    word = PLACE_WORDS[rng.integers(len(PLACE_WORDS))]
    forms = (
        f"{district_name}{town}敬老院",
        f"{district_name}{town}养老服务中心",
        f"苏州{word}颐养院",
        f"{word}老年公寓",
        f"{district_name}社会福利院{town}分院",
    )
    return forms[rng.integers(len(forms))]


def shelter_name(rng: Rng, district_name: str, town: str) -> tuple[str, str]:
    """(name, kind) with kind indoor/outdoor."""
    word = PLACE_WORDS[rng.integers(len(PLACE_WORDS))]
    r = rng.random()
    if r < 0.3:
        return f"{word}公园应急避难场所", "outdoor"
    if r < 0.5:
        return f"{town}{word}中学操场应急避难场所", "outdoor"
    if r < 0.65:
        return f"{town}文化广场应急避难场所", "outdoor"
    if r < 0.8:
        return f"{district_name}{town}体育馆", "indoor"
    return f"{town}{word}社区服务中心应急避难场所", "indoor"


# --- phrases of the history tables ------------------------------------------------------------

# fmt: off
HIDDEN_DANGERS = ("消防通道堵塞", "可燃气体报警器未定期检定", "安全阀超期未校验", "静电接地不良",
                  "特种作业人员无证上岗", "应急预案未按期演练", "储罐防火堤破损", "重大危险源监控数据中断")
VIDEO_EVENTS = ("人员未佩戴安全帽", "吸烟行为识别", "烟火识别", "区域入侵", "人员离岗", "车辆违停")
SPECIAL_WORK = ("动火", "受限空间", "高处", "吊装", "盲板抽堵", "临时用电")
WEATHER = {"summer": ("暴雨", "雷电", "高温", "大风", "台风"),
           "winter": ("寒潮", "大雾", "道路结冰", "大风")}
REPORTED_EVENTS = ("发生火情", "发生交通事故", "企业报告泄漏", "群众报告异味")
CLOSE_NOTES = {  # by alarm category; the hazchem sensor alarms share "sensor"
    "sensor": ("现场确认为仪表波动，数值已恢复正常", "企业已处置，数值恢复正常", "检修作业引起，已复位",
               "传感器故障，已通知企业维修"),
    "设备离线": ("设备已恢复在线", "网络故障已排除", "断电已恢复，设备重新上线"),
    "视频智能分析告警": ("现场核实为误报", "已通知企业纠正违规行为", "已通知企业加强现场管理"),
    "隐患超期未整改": ("企业已完成整改", "已提交整改报告并复核通过"),
    "安全承诺未按时报送": ("企业已补报", "已电话督促，企业已报送"),
    "特殊作业报备异常": ("企业已补充报备", "已核实作业票证齐全"),
    "执法检查发现重大隐患": ("已下达责令限期整改指令书，企业整改完成", "已立案查处"),
    "执法计划逾期": ("执法计划已完成", "已调整执法计划"),
    "气象预警": ("预警解除",),
    "水位超警戒": ("水位回落至警戒水位以下",),
    "突发事件接报": ("事件处置完毕", "已移交属地处置"),
    "值班签到超时": ("已补签到", "值班人员已到岗"),
    "危化品运输车辆偏离路线": ("车辆已恢复规定路线", "已联系驾驶员纠正"),
    "运输车辆超速": ("已联系驾驶员纠正", "已通报交警部门"),
    "车辆进入禁行区域": ("车辆已驶离禁行区域", "已通报交警部门"),
}
DUTY_REPORTS = ("一厂房发生火情", "发生一起道路交通事故", "一企业报告储罐呼吸阀泄漏", "群众报告河道有异味",
                "一小区电梯困人", "一工地塔吊作业险情")
DUTY_NOTICES = ("通知：转发省应急管理厅关于做好近期安全防范工作的通知，已传达至各地区值班室。",
                "通知：苏州市气象台发布大风蓝色预警，已提醒各地区做好防范。",
                "通知：市领导调度危化品重大危险源安全管理工作，已通报各地区。")
ROADS = {  # by district
    "320505": ("G2京沪高速苏州新区段", "苏州绕城高速", "G312国道苏州段"),
    "320506": ("苏州绕城高速吴中段", "中环高架南环", "G524国道吴中段"),
    "320507": ("G2京沪高速相城段", "中环高架北环", "S58沪宜高速"),
    "320508": ("中环高架西环", "人民路", "干将路"),
    "320509": ("苏嘉杭高速吴江段", "G318国道吴江段", "常嘉高速"),
    "320581": ("苏嘉杭高速常熟段", "沿江高速常熟段", "G204国道常熟段"),
    "320582": ("沿江高速张家港段", "锡张高速", "G204国道张家港段"),
    "320583": ("G2京沪高速昆山段", "G312国道昆山段", "S224省道"),
    "320585": ("沿江高速太仓段", "G15沈海高速太仓段", "G204国道太仓段"),
}
ACCIDENT_KINDS = {
    "生产安全事故": ("机械伤害", "高处坠落", "物体打击", "起重伤害", "触电", "中毒窒息"),
    "特种设备": ("叉车伤人", "压力容器泄压", "起重机械倾覆"),
    "交通事故": ("多车追尾", "危化品运输车侧翻", "货车与轿车碰撞", "客车与货车碰撞"),
    "防汛": ("低洼地段积水", "河道水位超警戒", "堤防渗漏险情", "圩区内涝"),
    "火灾": ("厂房", "仓库", "居民楼", "商铺", "电动自行车棚", "餐饮店", "出租屋"),
}
REPORTED_BY = {  # who reports an incident of each category
    "交通事故": ("110联动平台", "122交通事故报警台"), "火灾": ("119指挥中心", "110联动平台"),
    "防汛": ("{district}防汛抗旱指挥部", "{district}水务局"), "生产安全事故": ("事发企业", "{district}应急管理局"),
    "危化品泄漏": ("事发企业", "119指挥中心", "危化品风险监测预警系统"),
    "特种设备": ("96333电梯应急处置平台", "119指挥中心"),
}
HANDLING_STEPS = ("现场处置有序推进，无次生灾害。", "已完成人员搜救和伤员转运。", "险情已得到控制，持续监测。",
                  "指挥部召开现场会商，部署下一步处置。")
# fmt: on


def plate(rng: Rng) -> str:
    """A Suzhou number plate, e.g. 苏EK3603."""
    return f"苏E{'ABCDFGHJKLMNPQRSTUVWXYZ'[rng.integers(23)]}{int(rng.integers(0, 10**4)):04d}"


def one(rng: Rng, items: Sequence[T]) -> T:
    """One of `items`, uniformly."""
    return items[int(rng.integers(len(items)))]

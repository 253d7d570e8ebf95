"""The screens, declared once: every page, every wall panel and every focus view of the wall.

Navigation, the home page, Dash's page registration (layouts/__init__.py), the access matrix
(auth/matrix.py) and docs/access.md, the wall's grid and focus views (layouts/wall.py) and the
validation of WALL_VIEWS (settings.py) all read these rows. A new page is its layout module
(plus callbacks) and one `Page` row; a new wall panel is its layout and callback modules and
one `Panel` row. Callback modules are found by walking the callbacks package, so none is
forgotten.

Plain data, no Dash: settings and auth read it in processes that never draw a screen. A
layout is named as "module:function" under layouts/ and drawn by layouts/__init__.py.
"""

from __future__ import annotations

from dataclasses import dataclass

LIVE = ("REFRESH_MS", "STALE_AFTER_S")  # the settings every live page is drawn with


@dataclass(frozen=True)
class Page:
    path: str  # "/incident/<incident_id>": a path template, its parts passed to the layout
    zh: str  # the page's title: its browser tab reads "<zh> · 苏州应急"
    en: str  # its English name (navigation in English, docs/access.md)
    layout: (
        str | None
    )  # "module:function" under layouts/ (":layout" may be left out); None: not Dash's
    permission: str = "view"  # what a role needs to open it (auth/matrix.py PERMISSIONS)
    display: bool = False  # may an enrolled wall or consultation display open it?
    nav: int | None = None  # place in the header's navigation; None: not in it
    nav_zh: str = ""  # the navigation's (shorter) label, when it is not `zh`
    home: tuple[str, str] | None = None  # (name, what it is for) on the landing page; None: absent
    home_en: tuple[str, str] | None = None  # the same in English
    settings: tuple[str, ...] = ()  # settings the layout is drawn with, as lower-case keywords
    tab_title: str | None = None  # the browser tab's whole title, when not "<zh> · 苏州应急"

    @property
    def name(self) -> str:
        """The Dash page module name ("pages.consult"; Dash knows its 404 page by name)."""
        first = self.path.strip("/").split("/")[0] or "home"
        return "pages." + ("not_found_404" if first == "404" else first)

    @property
    def title(self) -> str:
        return self.tab_title or f"{self.zh} · 苏州应急"

    @property
    def label(self) -> str:
        return self.nav_zh or self.zh


PAGES: tuple[Page, ...] = (
    Page(
        "/",
        "智慧应急",
        "home",
        "home_page",
        display=True,
        tab_title="苏州市应急管理局 · 智慧应急",
        settings=LIVE,
    ),
    Page(
        "/wall",
        "综合态势 · 大屏",
        "Situation wall",
        "wall",
        display=True,
        nav=1,
        nav_zh="综合态势",
        home=("综合态势一张图", "指挥大厅大屏：全市态势、警情、力量、值班一屏总览"),
        home_en=("Situation wall", "The command hall's video wall: the whole city on one canvas"),
        settings=(*LIVE, "WALL_VIEWS", "WALL_ROTATE_S", "WALL_RELOAD_AT"),
    ),
    Page(
        "/consult",
        "会商研判",
        "Consultation",
        "consult_page",
        display=True,
        nav=2,
        home=("会商研判", "会商室：筛选、钻取、导出，研判警情"),
        home_en=("Consultation", "The consultation room: filter, drill down and export the alarms"),
        settings=LIVE,
    ),
    Page(
        "/tablet",
        "领导移动端",
        "Tablet",
        "tablet_page",
        nav=7,
        nav_zh="移动端",
        home=("领导移动端", "平板、手机：红橙警情、在办事件、一键确认"),
        home_en=("Tablet", "Leadership on a tablet or phone: urgent alarms, open incidents"),
        settings=LIVE,
    ),
    Page(
        "/hazchem",
        "危化品监测",
        "Hazchem",
        "hazchem_page",
        nav=3,
        home=("危化品重大危险源监测", "重大危险源分布与实时监测数据"),
        home_en=("Hazchem", "Major hazard sources of hazardous chemicals and their live readings"),
        settings=LIVE,
    ),
    Page(
        "/resources",
        "应急资源",
        "Resources",
        "resources_page",
        nav=4,
        home=("应急资源", "救援队伍、物资储备、避难场所、专家"),
        home_en=("Resources", "Rescue teams, supply depots and stock, shelters, experts"),
        settings=LIVE,
    ),
    Page(
        "/duty",
        "值班值守",
        "Duty",
        "duty_page",
        nav=5,
        home=("值班值守", "值班表、值班日志、区县值班室点名"),
        home_en=("Duty", "Duty rosters, the duty log, roll call of district duty rooms"),
        settings=LIVE,
    ),
    Page(
        "/governance",
        "系统接入治理",
        "Systems",
        "governance_page",
        nav=6,
        nav_zh="系统接入",
        home=("系统接入治理", "上游业务系统接入状态、业务系统整合率"),
        home_en=("Systems", "Upstream systems: integration state, volume, rejects"),
        settings=LIVE,
    ),
    # Served by Flask (report/__init__.py); guarded as a page, as /duty.
    Page(
        "/report/daily",
        "值班日报",
        "daily duty report (page, PDF, xlsx)",
        None,
        home=("值班日报", "当日值班日报：打印、PDF、Excel"),
        home_en=("Daily duty report", "Today's duty report: print, PDF, Excel"),
    ),
    Page("/incident/<incident_id>", "事件指挥", "one incident", "incident_page", settings=LIVE),
    Page("/404", "未找到", "not found (and unknown paths)", "plain:not_found", tab_title="未找到"),
    Page(
        "/admin",
        "系统管理",
        "users, displays, audit log",
        None,
        permission="admin",
        home=("系统管理", "用户、大屏终端、操作审计"),
        home_en=("Administration", "Users, displays, the audit trail"),
    ),
)


def nav() -> list[Page]:
    """The pages of the header's navigation, in its order."""
    return sorted((p for p in PAGES if p.nav is not None), key=lambda p: p.nav or 0)


@dataclass(frozen=True)
class View:
    key: str
    name: str
    bounds: list | None = None  # [[south, west], [north, east]]; None: the whole city


# Focus views of the rotation, in the order the wall cycles through them (WALL_VIEWS default).
VIEWS: tuple[View, ...] = (
    View("overview", "全市总览"),
    View("hazchem", "危化品监测", [[31.52, 120.33], [32.03, 121.33]]),
    View("forces", "应急力量"),
    View("duty", "值班值守"),
)
VIEW_KEYS = tuple(v.key for v in VIEWS)

AREAS = ("left", "centre", "right")  # the wall's three columns, left to right
FEEDS = frozenset({"alarms", "readings", "incidents", "heartbeats", "duty", "forces"})


@dataclass(frozen=True)
class Panel:
    id: str  # the panel's element id (its layout's Ids.PANEL)
    layout: str  # "module:function" under layouts/
    area: str  # one of AREAS; panels of an area stack in the order of PANELS
    feeds: tuple[str, ...]  # the live data kinds it shows (FEEDS): silent senders make it stale
    flex: str = "1"  # its share of its column's height ("none": its own or `height_u`)
    height_u: int | None = None  # a fixed height in canvas units (1u = canvas height / 1080)
    views: tuple[str, ...] = ()  # focus views that highlight it
    settings: tuple[str, ...] = ()  # settings its layout is drawn with, as lower-case keywords

    @property
    def style(self) -> dict[str, str]:
        style = {"flex": self.flex}
        if self.height_u is not None:
            style["height"] = f"calc({self.height_u} * var(--u))"
        return style


PANELS: tuple[Panel, ...] = (
    Panel("alarm-counts-panel", "alarm_feed:counts_layout", "left", ("alarms",), flex="none"),
    Panel("stats-panel", "stats", "left", ("alarms",)),
    Panel(
        "map-panel",
        "city_map",
        "centre",
        ("alarms", "incidents"),
        views=("hazchem",),
        settings=("TILE_URL", "TILE_FILE"),
    ),
    Panel("forces-panel", "forces", "centre", ("forces",), "none", 250, views=("forces",)),
    Panel("alarm-panel", "alarm_feed", "right", ("alarms",), flex="3"),
    Panel("duty-panel", "duty_panel", "right", ("duty",), flex="2", views=("duty",)),
)

# The live panels of the other pages (element id → FEEDS kinds): silent senders make them stale
# as they do the wall's (data_sources/freshness.py).
PAGE_PANEL_FEEDS: dict[str, tuple[str, ...]] = {
    "hazchem-map-panel": ("readings", "alarms"),
    "hazchem-table-panel": ("readings",),
    "hazchem-dist-panel": ("readings",),
    "hazchem-alarms-panel": ("alarms",),
    "hazchem-detail-panel": ("readings",),
    "consult-kpi-panel": ("alarms", "incidents"),
    "consult-alarms-panel": ("alarms",),
}


def highlighted(view: str) -> str | None:
    """The id of the panel a focus view highlights (None: the whole wall)."""
    return next((p.id for p in PANELS if view in p.views), None)


def check() -> None:
    """Refuse rows that contradict each other: a typo stops the import, naming the row."""
    problems = [
        f"{p.id}: area {p.area!r} is not one of {AREAS}" for p in PANELS if p.area not in AREAS
    ]
    problems += [
        f"{p.id}: unknown feeds {sorted(set(p.feeds) - FEEDS)}"
        for p in PANELS
        if set(p.feeds) - FEEDS
    ]
    problems += [
        f"{p.id}: unknown views {p.views}" for p in PANELS if set(p.views) - set(VIEW_KEYS)
    ]
    problems += [
        f"view {v} highlights two panels"
        for v in VIEW_KEYS
        if sum(v in p.views for p in PANELS) > 1
    ]
    for keys in (
        [p.path for p in PAGES],
        [p.id for p in PANELS],
        list(VIEW_KEYS),
        [p.nav for p in PAGES if p.nav],
    ):
        problems += [
            f"{k!r} appears twice" for k in sorted(set(keys), key=str) if keys.count(k) > 1
        ]
    if problems:
        raise ValueError("screens.py: " + "; ".join(problems))


check()

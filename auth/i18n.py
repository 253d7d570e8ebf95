"""The words of the login, enrol and admin pages: Chinese by default, English selectable
(`?lang=en`, remembered in the `se_lang` cookie, which the dashboards may read too)."""

from __future__ import annotations

from flask import request

LANGS = ("zh", "en")
COOKIE = "se_lang"

TEXT: dict[str, tuple[str, str]] = {
    "org": ("苏州市应急管理局", "Suzhou Emergency Management Bureau"),
    "system": ("智慧应急 · 综合指挥平台", "Smart Emergency · Command Platform"),
    "login_title": ("用户登录", "Sign in"),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "login": ("登录", "Sign in"),
    "bad_login": ("用户名或密码错误。", "Wrong user name or password."),
    "throttled": (
        "尝试次数过多，请 {s} 秒后再试。",
        "Too many attempts: try again in {s} s.",
    ),
    "expired_form": ("页面已过期，请重新提交。", "The form expired: please submit it again."),
    "enrol_link": ("大屏 / 会商屏注册", "Enrol a wall or consultation display"),
    "login_link": ("返回用户登录", "Back to sign in"),
    "enrol_title": ("显示终端注册", "Enrol this display"),
    "enrol_help": (
        "输入管理员提供的一次性注册码（24 小时内有效，只能使用一次）。注册后本终端保持只读登录，直至管理员撤销。",
        "Type the one-time enrolment code an administrator gave you (valid 24 h, once). The "
        "display then stays signed in, read-only, until an administrator revokes it.",
    ),
    "token": ("注册码", "Enrolment code"),
    "enrol": ("注册本终端", "Enrol"),
    "bad_token": (
        "注册码无效、已使用或已过期。",
        "The code is wrong, used or expired.",
    ),
    "no_token_in_url": (
        "注册码不能放在网址中，请在下方输入。",
        "An enrolment code must not be put in the address: type it below.",
    ),
    "logged_out": ("您已退出登录。", "You are signed out."),
    "session_ended": ("会话已结束，请重新登录。", "Your session ended: please sign in again."),
    "forbidden_title": ("无权访问", "Not allowed"),
    "forbidden": (
        "您当前的身份（{who}，{role}）无权打开此页面。",
        "Your identity ({who}, {role}) may not open this page.",
    ),
    "home": ("返回首页", "Home"),
    "logout": ("退出登录", "Sign out"),
    "unavailable": (
        "身份认证服务暂时不可用，请稍后重试。",
        "Sign-in is unavailable for the moment: please try again shortly.",
    ),
    "other_lang": ("English", "中文"),
    "admin_title": ("用户与终端管理", "Users and displays"),
    "users": ("用户", "Users"),
    "displays": ("显示终端", "Displays"),
    "audit": ("操作审计", "Audit trail"),
    "audit_shown": ("最近 {n} 条（北京时间）", "Latest {n} (Asia/Shanghai time)"),
    "audit_everyone": ("全部人员", "Everyone"),
    "audit_all_actions": ("全部动作", "All actions"),
    "audit_from": ("起", "From"),
    "audit_to": ("止", "To"),
    "audit_apply": ("筛选", "Filter"),
    "audit_reset": ("清除筛选", "Clear"),
    "audit_export": ("导出CSV", "Export CSV"),
    "audit_none": ("没有符合条件的记录", "No records match"),
    "new_user": ("新建用户", "New user"),
    "name": ("姓名", "Name"),
    "role": ("角色", "Role"),
    "active": ("状态", "Status"),
    "enabled": ("启用", "active"),
    "disabled": ("停用", "disabled"),
    "last_login": ("最近登录", "Last sign-in"),
    "create": ("创建", "Create"),
    "save_role": ("改角色", "Set role"),
    "new_password": ("新密码", "New password"),
    "reset": ("重置密码", "Reset password"),
    "disable": ("停用", "Disable"),
    "enable": ("启用", "Enable"),
    "unblock": ("解除登录限制", "Lift sign-in wait"),
    "display_name": ("终端名称（位置）", "Display name (where it hangs)"),
    "issue": ("生成注册码", "Issue enrolment code"),
    "revoke": ("撤销", "Revoke"),
    "status": ("状态", "Status"),
    "pending": ("待注册", "waiting"),
    "enrolled": ("已注册", "enrolled"),
    "revoked": ("已撤销", "revoked"),
    "expired": ("已过期", "expired"),
    "token_once": (
        "终端 {name} 的注册码（只显示这一次，{hours} 小时内有效）：",
        "Enrolment code of {name} (shown this once, valid {hours} h):",
    ),
    "done": ("已完成。", "Done."),
    "time": ("时间", "Time"),
    "actor": ("操作者", "Who"),
    "address": ("地址", "Address"),
    "action": ("动作", "Action"),
    "outcome": ("结果", "Outcome"),
    "detail": ("详情", "Detail"),
}


def current() -> str:
    """The language of this request: ?lang=, a form field, the cookie, else Chinese."""
    for raw in (request.args.get("lang"), request.form.get("lang"), request.cookies.get(COOKIE)):
        if raw in LANGS:
            return raw
    return "zh"


def t(key: str, lang: str | None = None, **values: object) -> str:
    zh, en = TEXT[key]
    text = en if (lang or current()) == "en" else zh
    return text.format(**values) if values else text

"""The audit trail: one INSERT per action into the append-only `audit_log`.

`write` is the only way in; it never raises (an audit failure is logged as an error, the
action the caller is doing goes on). There is no update or delete anywhere in the code.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from auth import store
from data_sources.warehouse import Warehouse

log = logging.getLogger("smart_emergency.audit")

# The actions this package writes; other packages add theirs (ack_alarm, close_alarm, focus,
# roster_import, duty_log, ...) through `auth.audit`.
ACTIONS = (
    "login",
    "logout",
    "session_end",
    "enrol",
    "display_issue",
    "display_revoke",
    "user_create",
    "user_password",
    "user_role",
    "user_active",
    "login_unblock",
    "forbidden",
)

# Every action any package writes, as a person reads it on /admin: (Chinese, English).
ACTION_NAMES: dict[str, tuple[str, str]] = {
    "login": ("登录", "Sign in"),
    "logout": ("退出登录", "Sign out"),
    "session_end": ("会话结束", "Session ended"),
    "enrol": ("终端注册", "Display enrolled"),
    "display_issue": ("签发终端注册码", "Display code issued"),
    "display_revoke": ("撤销终端", "Display revoked"),
    "user_create": ("新建用户", "User created"),
    "user_password": ("重置密码", "Password reset"),
    "user_role": ("变更角色", "Role changed"),
    "user_active": ("启用/停用用户", "User enabled/disabled"),
    "login_unblock": ("解除登录限制", "Sign-in unblocked"),
    "forbidden": ("越权访问被拒", "Access refused"),
    "ack_alarm": ("确认警情", "Alarm acknowledged"),
    "close_alarm": ("关闭警情", "Alarm closed"),
    "focus": ("会商投屏", "Wall focus"),
    "export": ("导出数据", "Data exported"),
    "roster_import": ("导入值班表", "Roster imported"),
    "duty_log": ("值班日志", "Duty log"),
    "rollcall": ("点名", "Roll call"),
    "system_add": ("登记上游系统", "Upstream system registered"),
    "system_enable": ("启用/停用上游系统", "Upstream system enabled/disabled"),
    "token_issue": ("签发接入令牌", "Ingest token issued"),
    "token_revoke": ("撤销接入令牌", "Ingest token revoked"),
    "quarantine_redrive": ("重新投递隔离数据", "Quarantined data re-driven"),
}
OUTCOME_NAMES: dict[str, tuple[str, str]] = {
    "ok": ("成功", "ok"),
    "failed": ("失败", "failed"),
    "denied": ("拒绝", "denied"),
    "throttled": ("已限流", "throttled"),
}


def action_name(action: str, lang: str = "zh") -> str:
    """An action code as a person reads it (the code itself when it has no name yet)."""
    names = ACTION_NAMES.get(action)
    return names[lang == "en"] if names else action


def outcome_name(outcome: str, lang: str = "zh") -> str:
    names = OUTCOME_NAMES.get(outcome)
    return names[lang == "en"] if names else outcome


def write(
    wh: Warehouse | None,
    action: str,
    outcome: str,
    *,
    actor: str | None,
    role: str | None,
    address: str | None,
    detail: dict[str, Any],
    at: datetime,
) -> bool:
    """Append one record; False (and an error in the log) when it could not be stored."""
    try:
        row = {
            "at": at,
            "actor": actor,
            "role": role,
            "address": address,
            "action": str(action)[:32],
            "outcome": str(outcome)[:16],
            "detail": json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
        }
        if wh is None:
            raise RuntimeError("no warehouse")
        store.insert_audit(wh, row)
        return True
    except Exception:  # noqa: BLE001 - auditing must never break the action it records
        log.exception(
            "AUDIT RECORD LOST: %s %s actor=%s address=%s %s",
            action,
            outcome,
            actor,
            address,
            detail,
        )
        return False

"""One app replica for the multi-replica tests: a spawned process that keeps an AppTest of app.py
on the PostgreSQL store (its shared snapshot cache lives as long as the process, as a server's
does) and obeys commands from the test through a pipe.

Sign-in is simulated: `identity.current_user` is replaced by a fixed agency user (st.login cannot
run inside AppTest); every other line of the app and of its write path is the real one.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def replica(pipe, url: str, email: str = "", agency: str = "SNV") -> None:
    from streamlit.testing.v1 import AppTest

    from services.domain.model import ROLE_AGENCY, ROLE_LEADER, User
    from services.ui import identity

    user = User(email or "lanhdao@ubnd.gov.vn", "Người dùng", agency if email else "", ROLE_AGENCY)
    if not email:
        user = User("lanhdao@ubnd.gov.vn", "Lãnh đạo", "", ROLE_LEADER)
    identity.current_user = lambda: user  # the signed-in identity (see the module docstring)

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["postgres"] = {"url": url}
    at.secrets["app"] = {"cache_ttl_seconds": 3600}  # only the change signal can refresh it
    at.run()
    while True:
        command, *args = pipe.recv()
        try:
            if command == "stop":
                return
            if command == "metrics":
                at.switch_page("views/overview.py").run()
                pipe.send(("ok", {m.label: m.value for m in at.metric}))
            elif command == "complete":  # "Nhiệm vụ của tôi": mark one task done, by the form
                (task_id,) = args
                at.switch_page("views/my_tasks.py").run()
                chooser = next(s for s in at.selectbox if s.label == "Chọn nhiệm vụ để cập nhật")
                chooser.select(task_id).run()
                at.selectbox(key=f"status_{task_id}").select("Hoàn thành")
                at.number_input(key=f"progress_{task_id}").set_value(100)
                at.text_area(key=f"result_{task_id}").input("Đã hoàn thành (bản sao A)")
                at.button(key=f"FormSubmitter:form_{task_id}-Lưu").click().run()
                problems = [e.value for e in at.error] + [str(x.value) for x in at.exception]
                pipe.send(("ok", problems))
            else:
                pipe.send(("error", f"unknown command {command}"))
        except Exception as e:  # the test sees it
            pipe.send(("error", repr(e)))

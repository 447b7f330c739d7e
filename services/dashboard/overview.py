"""Everything Tổng quan shows for one filtered view, computed in one call.

One call per view lets the page memoise the whole lot per snapshot, date and filters
(services.ui.session.overview): most sessions look at the same unfiltered view, so a rerun or a
new session draws what was computed once instead of filtering and aggregating 10,000 rows again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from services.dashboard import board as dashboard
from services.dashboard.attention import period_headline
from services.dashboard.periods import summary
from services.domain.model import ONGOING


@dataclass(frozen=True)
class Overview:
    view: pd.DataFrame  # the board's rows the filters keep
    cards: list[dashboard.Card]
    all_ongoing: bool  # every task shown is ongoing (no deadline): nothing can be late
    periods: pd.DataFrame  # the view's reporting periods (services.dashboard.periods)
    period_totals: dict[str, int]  # every counted period (attention.period_headline)
    period_current: dict[str, int]  # the current periods only
    period_by: dict[str, pd.DataFrame]  # summary(periods, by) for "agency" and "directive_id"
    agencies: pd.DataFrame  # agency_categories
    share: pd.DataFrame  # category_share
    weekly: pd.DataFrame  # weekly_completions
    directives: pd.DataFrame  # directive_progress
    overdue: pd.DataFrame  # overdue_table
    silent: pd.DataFrame  # stale_agencies


def overview(
    board: pd.DataFrame,
    filters: dashboard.Filters,
    periods: pd.DataFrame,
    as_of: date,
    due_soon_days: int,
    tz: str,
) -> Overview:
    view = dashboard.apply(board, filters)
    if periods.empty or not filters.narrows:
        shown = periods
    else:
        shown = periods[periods["task_id"].isin(view["id"].to_numpy())]
    by = {
        key: summary(shown, key) if not shown.empty else shown for key in ("agency", "directive_id")
    }
    return Overview(
        view=view,
        cards=dashboard.kpi_cards(view, due_soon_days),
        all_ongoing=bool(len(view)) and bool((view["category"] == ONGOING).all()),
        periods=shown,
        period_totals=period_headline(shown),
        period_current=period_headline(shown[shown["current"]]) if not shown.empty else {},
        period_by=by,
        agencies=dashboard.agency_categories(view),
        share=dashboard.category_share(view),
        weekly=dashboard.weekly_completions(view, as_of),
        directives=dashboard.directive_progress(view),
        overdue=dashboard.overdue_table(view),
        silent=dashboard.stale_agencies(view, as_of, tz=tz),
    )

#!/usr/bin/env python3
"""The month dashboard of docs/metrics.md, computed with DuckDB from the raw activity log.

bench/analytics exports its synthetic community's raw activity rows and membership stints and
runs this script on them; it prints the figures as JSON on stdout (with its own timings) and
the bench checks that every figure equals the one Townsquare's dashboard computed from its
rollups. Nothing here reads the rollups: days, kinds, first posts and stints' days are derived
from the raw rows.

Input (CSV, with a header), in --dir:
  activities.csv  member, ts (UTC microseconds since the epoch), verb
  stints.csv      member, joined_at, left_at (empty while the stint lasts), source, campaign

Usage: python3 duckdb_figures.py --dir DIR --today DAY --tz Europe/Berlin
(DAY: the community-local today, as days since 1970-01-01.)
"""

import argparse
import datetime
import json
import sys
import time

import duckdb

EPOCH = datetime.date(1970, 1, 1)
DAY_MICROS = 86_400_000_000

# The kinds of docs/metrics.md, by verb (crates/domain/src/analytics.rs, kind_of_verb).
NOT_ACTIVITY = ("join_requested", "event_promoted", "left")
PARTICIPATED = ("topic_created", "post_created", "reaction_added")
CONTRIBUTED = ("topic_created", "post_created", "file_uploaded", "event_created")
POSTED = ("topic_created", "post_created")


def sql_list(verbs):
    return "(" + ", ".join(f"'{v}'" for v in verbs) + ")"


def month_of_day(day):
    d = EPOCH + datetime.timedelta(days=day)
    return (d.year - 1970) * 12 + d.month - 1


def month_first_day(month):
    return (datetime.date(1970 + month // 12, month % 12 + 1, 1) - EPOCH).days


def month_last_day(month):
    return month_first_day(month + 1) - 1


def ratio(n, d):
    return 0.0 if d <= 0 else n / d


def load(con, directory):
    con.execute(
        f"""CREATE TABLE activities AS
            SELECT * FROM read_csv('{directory}/activities.csv', header = true,
                columns = {{'member': 'INTEGER', 'ts': 'BIGINT', 'verb': 'VARCHAR'}})"""
    )
    con.execute(
        f"""CREATE TABLE stints AS
            SELECT member, joined_at, left_at,
                   coalesce(source, '') AS source, coalesce(campaign, '') AS campaign
            FROM read_csv('{directory}/stints.csv', header = true,
                columns = {{'member': 'INTEGER', 'joined_at': 'BIGINT', 'left_at': 'BIGINT',
                           'source': 'VARCHAR', 'campaign': 'VARCHAR'}})"""
    )


def compute(con, today, tz, steps):
    def scalar(sql):
        return con.execute(sql).fetchone()[0]

    # A UTC instant (microseconds) -> its local date in the community's zone, as a day number.
    con.execute(
        f"""CREATE OR REPLACE MACRO local_day(t) AS
            CAST(timezone('{tz}', timezone('UTC', make_timestamp(t))) AS DATE)
              - DATE '1970-01-01'"""
    )
    con.execute(
        """CREATE OR REPLACE MACRO month_of(d) AS
           (year(DATE '1970-01-01' + CAST(d AS INTEGER)) - 1970) * 12
             + month(DATE '1970-01-01' + CAST(d AS INTEGER)) - 1"""
    )
    # Members' days with any activity, and whether they participated / contributed.
    t = time.perf_counter()
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE member_days AS
            SELECT member, day, month_of(day) AS month,
                   bool_or(verb IN {sql_list(PARTICIPATED)}) AS participated,
                   bool_or(verb IN {sql_list(CONTRIBUTED)}) AS contributed
            FROM (SELECT member, verb, local_day(ts) AS day FROM activities
                  WHERE verb NOT IN {sql_list(NOT_ACTIVITY)})
            GROUP BY member, day"""
    )
    # Stints with their local days and their first topic or reply (in the stint).
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE stints_l AS
            SELECT s.member, s.joined_at, s.left_at, s.source, s.campaign,
                   local_day(s.joined_at) AS joined_day,
                   CASE WHEN s.left_at IS NULL THEN NULL ELSE local_day(s.left_at) END AS left_day,
                   min(a.ts) AS first_post_at
            FROM stints s LEFT JOIN activities a
              ON a.member = s.member AND a.verb IN {sql_list(POSTED)}
             AND a.ts >= s.joined_at AND (s.left_at IS NULL OR a.ts < s.left_at)
            GROUP BY ALL"""
    )
    steps["derive_seconds"] = time.perf_counter() - t

    def active(first, last, cls=None):
        cond = f" AND {cls}" if cls else ""
        return scalar(
            f"SELECT count(DISTINCT member) FROM member_days "
            f"WHERE day BETWEEN {first} AND {last}{cond}"
        )

    def members_at_end(day):
        return scalar(
            f"SELECT count(*) FROM stints_l WHERE joined_day <= {day} "
            f"AND (left_day IS NULL OR left_day > {day})"
        )

    def acquisition(first, last):
        rows = con.execute(
            f"""SELECT source, campaign, count(*) AS members,
                       count(*) FILTER (WHERE first_post_at IS NOT NULL
                                          AND first_post_at < joined_at + {7 * DAY_MICROS})
                FROM stints_l WHERE joined_day BETWEEN {first} AND {last}
                GROUP BY source, campaign
                ORDER BY members DESC, source, campaign"""
        ).fetchall()
        return [
            {"source": s, "campaign": c, "members": n, "activated": a}
            for (s, c, n, a) in rows
        ]

    def figures(first, last):
        as_of = max(min(last, today), first)
        dau = active(as_of, as_of)
        wau = active(as_of - 6, as_of)
        mau = active(as_of - 29, as_of)
        participants = active(first, last, "participated")
        contributors = active(first, last, "contributed")
        at_end = members_at_end(as_of)
        joined = acquisition(first, last)
        new_members = sum(j["members"] for j in joined)
        activated = sum(j["activated"] for j in joined)
        pm = month_of_day(first) - 1
        prev_first, prev_last = month_first_day(pm), month_last_day(pm)
        previously_active = active(prev_first, prev_last)
        churned = scalar(
            f"""SELECT count(*) FROM (
                  SELECT member FROM member_days WHERE day BETWEEN {prev_first} AND {prev_last}
                  EXCEPT
                  SELECT member FROM member_days WHERE day BETWEEN {first} AND {last})"""
        )
        return (
            {
                "dau": dau,
                "wau": wau,
                "mau": mau,
                "stickiness": ratio(dau, mau),
                "active_members": active(first, last),
                "participants": participants,
                "contributors": contributors,
                "members_at_end": at_end,
                "active_member_rate": ratio(participants, at_end),
                "contribution_rate": ratio(contributors, at_end),
                "new_members": new_members,
                "activated": activated,
                "activation_rate": ratio(activated, new_members),
                "previously_active": previously_active,
                "churned": churned,
                "activity_churn": ratio(churned, previously_active),
            },
            joined,
        )

    # The month period containing today, and the calendar month before it.
    current_month = month_of_day(today)
    first, last = month_first_day(current_month), month_last_day(current_month)
    current, joined = figures(first, last)
    before, _ = figures(month_first_day(current_month - 1), month_last_day(current_month - 1))
    as_of = min(last, today)
    daily = dict(
        con.execute(
            f"""SELECT day, count(*) FROM member_days
                WHERE day BETWEEN {as_of - 29} AND {as_of} GROUP BY day"""
        ).fetchall()
    )
    daily_active = [[d, daily.get(d, 0)] for d in range(as_of - 29, as_of + 1)]

    # The 12-month series.
    months = list(range(current_month - 11, current_month + 1))
    per_month = {
        m: (p, c)
        for (m, p, c) in con.execute(
            f"""SELECT month,
                       count(DISTINCT member) FILTER (WHERE participated),
                       count(DISTINCT member) FILTER (WHERE contributed)
                FROM member_days WHERE month BETWEEN {months[0]} AND {months[-1]}
                GROUP BY month"""
        ).fetchall()
    }
    new_per_month = dict(
        con.execute(
            f"""SELECT month_of(joined_day), count(DISTINCT member) FROM stints_l
                WHERE month_of(joined_day) BETWEEN {months[0]} AND {months[-1]}
                GROUP BY 1"""
        ).fetchall()
    )
    series = []
    for m in months:
        end = min(month_last_day(m), today)
        at_end = members_at_end(end)
        p, c = per_month.get(m, (0, 0))
        series.append(
            {
                "month": m,
                "mau": active(end - 29, end),
                "members_at_end": at_end,
                "active_member_rate": ratio(p, at_end),
                "contribution_rate": ratio(c, at_end),
                "new_members": new_per_month.get(m, 0),
            }
        )

    # Retention cohorts: members whose stint began in month M, active in month M + k.
    cells = {
        (cm, am): n
        for (cm, am, n) in con.execute(
            f"""WITH cohort AS (
                  SELECT DISTINCT member, month_of(joined_day) AS cm FROM stints_l
                  WHERE month_of(joined_day) BETWEEN {months[0]} AND {months[-1]}),
                act AS (
                  SELECT DISTINCT member, month AS am FROM member_days
                  WHERE month BETWEEN {months[0]} AND {months[-1]})
                SELECT cm, am, count(*) FROM cohort JOIN act USING (member)
                WHERE am >= cm AND am <= cm + 11 GROUP BY cm, am"""
        ).fetchall()
    }
    sizes = dict(
        con.execute(
            f"""SELECT month_of(joined_day), count(DISTINCT member) FROM stints_l
                WHERE month_of(joined_day) BETWEEN {months[0]} AND {months[-1]} GROUP BY 1"""
        ).fetchall()
    )
    cohorts = []
    for m in months:
        size = sizes.get(m, 0)
        cohorts.append(
            {
                "month": m,
                "size": size,
                "cells": [
                    ratio(cells.get((m, m + k), 0), size) if m + k <= current_month else None
                    for k in range(12)
                ],
            }
        )

    return {
        "current": current,
        "before": before,
        "daily_active": daily_active,
        "months": series,
        "cohorts": cohorts,
        "acquisition": joined,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--today", type=int, required=True)
    ap.add_argument("--tz", default="Europe/Berlin")
    args = ap.parse_args()

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    t = time.perf_counter()
    load(con, args.dir)
    load_seconds = time.perf_counter() - t
    rows = con.execute("SELECT count(*) FROM activities").fetchone()[0]

    steps = {}
    t = time.perf_counter()
    figures = compute(con, args.today, args.tz, steps)
    compute_seconds = time.perf_counter() - t
    # Again on the same loaded tables (DuckDB's "warm": nothing to read from the files).
    t = time.perf_counter()
    compute(con, args.today, args.tz, {})
    compute_again_seconds = time.perf_counter() - t

    json.dump(
        {
            "duckdb_version": duckdb.__version__,
            "rows": rows,
            "load_seconds": load_seconds,
            "compute_seconds": compute_seconds,
            "compute_again_seconds": compute_again_seconds,
            # Of compute_seconds: the member-days and stints derived from the raw rows.
            "derive_seconds": steps["derive_seconds"],
            "figures": figures,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

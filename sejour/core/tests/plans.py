"""Query-plan guards shared by the scale tests (issue 14 §5): the queries a page runs
must read the big tables through an index, never by a full scan.

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert page_plan_problems(queries) == []

On PostgreSQL it reads `EXPLAIN (FORMAT JSON)` and reports every Seq Scan on a
big table; on SQLite, every `SCAN <big table>` (with or without "USING INDEX": a
scan walks the whole table or index, a `SEARCH` reads a range). Fill the
tables with enough rows (and ANALYZE them, `analyze_big_tables`) that a full
scan would be the planner's cheap choice if no index fitted: the plans checked
are those the database picks by itself.
"""

import json
import re

from django.db import connection

BIG_TABLES = ("applications_application", "documents_supportingfile", "audit_auditevent")


def analyze_big_tables(*extra: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in (*BIG_TABLES, *extra):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        else:
            cursor.execute("ANALYZE")


def plan_problems(sql: str, params=()) -> list[str]:
    """Full scans of a big table in the plan of one query, on either database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params or None)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            problems, nodes = [], [plan[0]["Plan"]]
            while nodes:
                node = nodes.pop()
                nodes += node.get("Plans", [])
                if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in BIG_TABLES:
                    problems.append(f"Seq Scan on {node['Relation Name']}: {sql[:300]}")
            return problems
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params or ())
        return [
            f"{row[-1]}: {sql[:300]}"
            for row in cursor.fetchall()
            if re.match(rf"SCAN ({'|'.join(BIG_TABLES)})\b", row[-1])
        ]


def page_plan_problems(captured) -> list[str]:
    """Every SELECT a page ran (from a CaptureQueriesContext), planned again."""
    problems = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if sql.lstrip().upper().startswith("SELECT"):
            problems += plan_problems(sql)
    return problems

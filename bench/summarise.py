"""Turn locust's CSV and gunicorn's access log into bench/results/<label>.md; exit 1 on
any failed request or any 5xx answer."""

import csv
import re
import sys
from pathlib import Path

stats_path, access_log, label = sys.argv[1:4]
with Path(stats_path).open() as stats_file:
    rows = list(csv.DictReader(stats_file))
server_errors = sum(
    1 for line in Path(access_log).read_text().splitlines() if re.search(r'" 5\d\d ', line)
)
lines = [
    f"# Load run ({label})",
    "",
    "| Page | Requests | Failures | p50 (ms) | p95 (ms) |",
    "|---|---:|---:|---:|---:|",
]
failures = 0
for row in rows:
    if row["Name"] == "Aggregated":
        continue
    failures += int(row["Failure Count"])
    lines.append(
        f"| {row['Type']} {row['Name']} | {row['Request Count']} | {row['Failure Count']} "
        f"| {row['50%']} | {row['95%']} |"
    )
total = next((row for row in rows if row["Name"] == "Aggregated"), None)
if total:
    count, failed = total["Request Count"], total["Failure Count"]
    lines.append(f"| **all** | {count} | {failed} | {total['50%']} | {total['95%']} |")
lines += ["", f"Server errors (5xx) in gunicorn's access log: {server_errors}.", ""]
print("\n".join(lines))
if failures or server_errors or not total or int(total["Request Count"]) == 0:
    sys.exit(1)

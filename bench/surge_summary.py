"""bench/results/<label>.md from a surge run: p50/p95 per action (locust), errors
(failed requests and 5xx in gunicorn's access log: must be 0), the worker's backlog
over the run and how long it took to drain, attestations per minute. Exit 1 on any
error, or if the backlog did not drain."""

import csv
import re
import sys
from datetime import datetime
from pathlib import Path

stats_path, access_log, samples_path, label, users, duration, drained = sys.argv[1:8]
rows = list(csv.DictReader(Path(stats_path).read_text().splitlines()))
samples = list(csv.DictReader(Path(samples_path).read_text().splitlines()))
server_errors = sum(
    1 for line in Path(access_log).read_text().splitlines() if re.search(r'" 5\d\d ', line)
)
lines = [
    f"# Surge run ({label}): {users} concurrent users for {duration} s",
    "",
    "Students log in and file a renewal: half of them through the whole wizard (three",
    "steps, every required document uploaded, checked and scanned by clamd, the e-photo",
    "code, summary, confirmation), half from a draft they prepared in the weeks before",
    "(summary, confirmation); then they follow it and download its attestation; the next",
    "student takes the seat. Newcomers sign up",
    "with their permit; agents work the Paris queue and start instructing what",
    "arrives; visitors read the help. gunicorn (3 processes × 4 threads), two",
    "`db_worker` processes, PostgreSQL and clamd on the same 2-core machine as locust.",
    "",
    "| Action | Requests | Failures | p50 (ms) | p95 (ms) |",
    "|---|---:|---:|---:|---:|",
]
failures = 0
for row in sorted(rows, key=lambda r: r["Name"]):
    if row["Name"] == "Aggregated":
        continue
    failures += int(row["Failure Count"])
    lines.append(
        f"| {row['Type']} {row['Name']} | {row['Request Count']} | {row['Failure Count']} "
        f"| {row['50%']} | {row['95%']} |"
    )
total = next((row for row in rows if row["Name"] == "Aggregated"), None)
if total:
    lines.append(
        f"| **all** | {total['Request Count']} | {total['Failure Count']} "
        f"| {total['50%']} | {total['95%']} |"
    )


def at(sample) -> datetime:
    return datetime.fromisoformat(sample["at"])


start, end = at(samples[0]), at(samples[-1])
peak = max(samples, key=lambda s: float(s["ready"]))
oldest = max(float(s["oldest_ready_s"]) for s in samples)
attestations = float(samples[-1]["attestations"]) - float(samples[0]["attestations"])
filed = float(samples[-1]["filed"]) - float(samples[0]["filed"])
minutes = max((end - start).total_seconds() / 60, 1 / 60)
lines += [
    "",
    f"- Errors: {failures} failed requests, {server_errors} server errors (5xx) in the access log.",
    f"- Applications filed: {filed:.0f}; attestations issued: {attestations:.0f}, "
    f"{attestations / minutes:.1f} per minute from the first sample to the drained queue.",
    f"- Worker backlog: at most {float(peak['ready']):.0f} tasks waiting "
    f"({(at(peak) - start).total_seconds():.0f} s into the run); oldest waiting task "
    f"{oldest:.0f} s; drained {drained} s after the load stopped.",
    "",
    "Backlog over the run (every sample: tasks waiting / running, attestations, outbox pending):",
    "",
    "| t (s) | waiting | running | oldest (s) | attestations | outbox |",
    "|---:|---:|---:|---:|---:|---:|",
]
step = max(1, len(samples) // 20)
for sample in samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else []):
    lines.append(
        f"| {(at(sample) - start).total_seconds():.0f} | {float(sample['ready']):.0f} "
        f"| {float(sample['running']):.0f} | {float(sample['oldest_ready_s']):.0f} "
        f"| {float(sample['attestations']):.0f} | {float(sample['outbox']):.0f} |"
    )
print("\n".join(lines) + "\n")
if failures or server_errors or not total or int(total["Request Count"]) == 0:
    sys.exit(1)
if drained == "never":
    sys.exit(1)

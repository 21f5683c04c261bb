#!/usr/bin/env python3
# tests/reconcile.py - an independent oracle for a migration: reads the
# legacy SQLite file and the target (through psql's CSV output), finds every
# dirty value by its own rules (not pantrycrm's code), and checks that each
# dirty row ended where it must: migrated with its original kept in
# metadata.legacy, or quarantined with a reason that names one of its dirty
# columns. Prints TAP. Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.
import csv, io, json, re, sqlite3, subprocess, sys, uuid

src_path, conninfo, synonyms_path = sys.argv[1], sys.argv[2], sys.argv[3]
bad_email_mode = sys.argv[4] if len(sys.argv) > 4 else "keep"     # migrate's --bad-email
NS = uuid.UUID("b527244c-85c7-4c6c-a475-88a12434d2e4")   # PANTRYCRM_ID_NAMESPACE
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
LABELS = {
    "OrganizationPriority": "A B C D", "OrganizationSegment": "FINE_DINING FAST_FOOD CASUAL_DINING CATERING INSTITUTIONAL HEALTHCARE EDUCATION CORPORATE",
    "OrganizationType": "PROSPECT CUSTOMER INACTIVE", "OrganizationStatus": "ACTIVE INACTIVE LEAD",
    "InteractionType": "CALL EMAIL MEETING VISIT SAMPLE_DELIVERY TASTING FOLLOW_UP OTHER",
    "InteractionOutcome": "POSITIVE NEUTRAL NEGATIVE FOLLOW_UP_NEEDED",
    "OpportunityStage": "PROSPECTING QUALIFICATION PROPOSAL NEGOTIATION CLOSED_WON CLOSED_LOST",
    "LeadSource": "WEBSITE REFERRAL TRADE_SHOW COLD_CALL SOCIAL_MEDIA OTHER",
    "LeadStatus": "NEW CONTACTED QUALIFIED CONVERTED LOST", "ContractStatus": "DRAFT PENDING ACTIVE EXPIRED TERMINATED"}
LABELS = {k: set(v.split()) for k, v in LABELS.items()}
# table: (enum columns {col: (type, nullable, has default)}, text cols, date cols {col: nullable},
#         decimal cols, fks {col: parent}, email?)
T = {
 "Organization": ({"priority": ("OrganizationPriority", 0, 0), "segment": ("OrganizationSegment", 0, 0),
                   "type": ("OrganizationType", 0, 1), "status": ("OrganizationStatus", 0, 1)},
                  "name address city state zipCode phone website notes primaryContact".split(),
                  {"lastContactDate": 1, "nextFollowUpDate": 1, "createdAt": 0, "updatedAt": 0}, [], {}, True),
 "Contact": ({}, "firstName lastName phone position notes".split(), {"createdAt": 0, "updatedAt": 0}, [],
             {"organizationId": "Organization"}, True),
 "Interaction": ({"type": ("InteractionType", 0, 0), "outcome": ("InteractionOutcome", 1, 0)},
                 "subject description nextAction".split(), {"date": 0, "createdAt": 0, "updatedAt": 0}, [],
                 {"organizationId": "Organization", "contactId": "Contact", "userId": "User"}, False),
 "Opportunity": ({"stage": ("OpportunityStage", 0, 0)}, "name notes".split(),
                 {"expectedCloseDate": 1, "createdAt": 0, "updatedAt": 0}, ["value"],
                 {"organizationId": "Organization", "contactId": "Contact"}, False),
 "Lead": ({"source": ("LeadSource", 0, 0), "status": ("LeadStatus", 0, 0)},
          "companyName contactName phone notes".split(), {"createdAt": 0, "updatedAt": 0}, [],
          {"organizationId": "Organization", "assignedToId": "User"}, True),
 "Contract": ({"status": ("ContractStatus", 0, 0)}, "title terms".split(),
              {"startDate": 0, "endDate": 1, "signedAt": 1, "createdAt": 0, "updatedAt": 0}, ["value"],
              {"organizationId": "Organization", "contactId": "Contact", "opportunityId": "Opportunity"}, False),
}

def norm(v):
    s = v.strip(" \t\r\n\u00a0\u202f\ufeff").upper()
    return re.sub(r"[\s\-_\u2010-\u2015]+", "_", s)

synonyms, section = {}, None
for line in open(synonyms_path, encoding="utf-8-sig"):
    line = line.split("#", 1)[0].strip()
    if line.startswith("["):
        section = line[1:-1].strip()
    elif "=" in line and section:
        k, v = line.rsplit("=", 1)
        synonyms[(section, norm(k))] = v.strip()

def psql(sql):
    out = subprocess.run(["psql", "-X", "-q", "--csv", "-d", conninfo, "-c", sql], check=True,
                         capture_output=True, text=True).stdout
    return list(csv.reader(io.StringIO(out)))[1:]

def target_id(table, raw):
    s = raw.decode("utf-8", "surrogateescape")
    return s.lower() if UUID_RE.match(s) else str(uuid.uuid5(NS, f"{table}:{s}"))

quarantine = {(t, k): (r, c) for t, k, r, c in psql(
    "SELECT table_name, source_key, reason, coalesce(column_name, '') FROM migration.quarantine WHERE resolved_at IS NULL")}
db = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True)
db.text_factory = bytes
ids = {t: {target_id(t, r[0]) for r in db.execute(f'SELECT id FROM "{t}"')} for t in T}
ids["User"] = {r[0].decode() for r in db.execute('SELECT id FROM "User"')}

# A second run in the same test file numbers on (RECONCILE_DONE tests
# printed before it); RECONCILE_PLAN=no leaves the plan to that run.
import os
n, failures = int(os.environ.get("RECONCILE_DONE", "0")), 0
def ok(cond, desc, detail=""):
    global n, failures
    n += 1
    print(f"{'ok' if cond else 'not ok'} {n} - {desc}")
    if not cond:
        failures += 1
        print(f"#   {detail}")

# The e-mail rule, written from the README, not from the code: blanks
# around (the invisible ones too) and a leading mailto: go, the domain is
# lower-cased; what is then still not an address is kept and flagged.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
BLANKS = " \t\r\n\x0b\x0c\xa0\u2007\u202f\u200b\ufeff"
def email_fix(e):
    e = e.strip(BLANKS)
    if e[:7].lower() == "mailto:":
        e = e[7:].strip(BLANKS)
    if e.count("@") != 1:
        return e or None
    local, dom = e.split("@")
    return (local + "@" + dom.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"))) or None

for table, (enums, texts, dates, decimals, fks, has_email) in T.items():
    target = {r[0]: (json.loads(r[1]), r[2]) for r in psql(
        f'SELECT id, metadata, {"email" if has_email else "NULL"} FROM "{table}"')}
    cols = [d[1].decode() for d in db.execute(f'PRAGMA table_info("{table}")')]
    seen = {}
    bad = []
    for row in db.execute(f'SELECT * FROM "{table}"'):
        rec = dict(zip(cols, row))
        dirty = {}   # column -> kind
        sid = rec["id"].decode("utf-8", "surrogateescape")
        if not UUID_RE.match(sid):
            dirty["id"] = "non_uuid_id"
        for c in texts:
            v = rec[c]
            if v is not None and (b"\x00" in v or re.search(rb"\xed[\xa0-\xbf]", v)):
                dirty[c] = "bad_text"
        for c, (etype, nullable, has_default) in enums.items():
            v = rec[c]
            if v is None:
                if not nullable:
                    dirty[c] = "enum_null"
                continue
            s = v.decode("utf-8", "replace")
            if s in LABELS[etype]:
                continue
            k = norm(s)
            if k in LABELS[etype] or (etype, k) in synonyms:
                dirty[c] = "enum_fixable"
            elif k == "":
                dirty[c] = "enum_empty"
            else:
                dirty[c] = "enum_unmatched"
        for c, nullable in dates.items():
            v = rec[c]
            if v is not None:
                y = int(v[:4]) if v[:4].isdigit() else 0
                if y < 1900 or y > 2099:
                    dirty[c] = "far_date"
        for c in decimals:
            v = rec[c]
            if v is not None:
                s = v.decode() if isinstance(v, bytes) else repr(v)
                frac = s.split(".", 1)[1] if "." in s else ""
                if len(frac.rstrip("0")) > 2:
                    dirty[c] = "decimal_scale"
        if has_email and rec["email"] is not None:
            e = rec["email"].decode("utf-8", "replace")
            fixed = email_fix(e)
            if fixed is None or not EMAIL_RE.match(fixed):
                dirty["email"] = "bad_email"
            elif fixed != e:
                dirty["email"] = "email_fixable"
        for c, parent in fks.items():
            v = rec[c]
            if v is not None:
                key = v.decode() if parent == "User" else target_id(parent, v)
                if key not in ids[parent]:
                    dirty[c] = "orphan"
        if not dirty:
            continue
        tid = target_id(table, rec["id"])
        q = quarantine.get((table, sid))
        t = target.get(tid)
        kinds = set(dirty.values())
        for k in kinds:
            seen[k] = seen.get(k, 0) + 1
        must_quarantine = kinds & {"enum_unmatched", "orphan", "decimal_scale"} or \
            any(k == "far_date" and not dates[c] for c, k in dirty.items()) or \
            any(k in ("enum_null", "enum_empty") and not enums[c][1] and not enums[c][2]
            for c, k in dirty.items())
        if q:
            reason, col = q
            # the reason names a dirty column, or a parent that was itself quarantined
            good = col in dirty or reason == "fk_parent_quarantined" or (not col and reason == "target_rejected")
            if not good:
                bad.append(f"{sid}: quarantined for {reason} on '{col}', dirt {dirty}")
            continue
        if t is None:
            bad.append(f"{sid}: neither migrated nor quarantined (dirt {dirty})")
            continue
        if must_quarantine:
            bad.append(f"{sid}: migrated although {dirty} must be quarantined")
            continue
        meta, email = t
        email = email or None       # psql's CSV prints NULL as an empty field
        legacy = meta.get("legacy", {})
        for c, k in dirty.items():
            if k in ("bad_text", "enum_fixable", "non_uuid_id", "far_date", "enum_empty", "enum_null") and \
               c not in legacy and not (k in ("enum_null",)):
                bad.append(f"{sid}: {c} ({k}) was changed but metadata.legacy has no original")
            src_email = rec["email"].decode("utf-8", "replace") if c == "email" else None
            if k == "email_fixable" and (email != email_fix(src_email) or c not in legacy):
                bad.append(f"{sid}: repairable email {src_email!r} became {email!r}, or its original was lost")
            if k == "bad_email":
                flag = meta.get("flags", {}).get("email", {})
                if email_fix(src_email) is None:
                    if email is not None or c not in legacy:
                        bad.append(f"{sid}: empty email not NULL, or its original lost")
                elif bad_email_mode == "null":
                    if email is not None or c not in legacy:
                        bad.append(f"{sid}: malformed email not nulled, or its original lost")
                elif email != src_email or flag.get("value") != email:
                    bad.append(f"{sid}: malformed email {src_email!r} not kept as it was and flagged ({email!r}, {flag})")
    for k in sorted(seen):
        ok(True, f"{table}: {seen[k]} rows with {k} found in the source")
    ok(not bad, f"{table}: every dirty row is migrated with its original kept, or quarantined for its dirt",
       "; ".join(bad[:5]) + (f" (+{len(bad) - 5} more)" if len(bad) > 5 else ""))

if os.environ.get("RECONCILE_PLAN") != "no":
    print(f"1..{n}")
sys.exit(1 if failures else 0)

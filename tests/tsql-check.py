#!/usr/bin/env python3
# tsql-check.py SCRIPT SQLITE: reads the T-SQL script of `pantrycrm demo
# generate --format tsql` with an independent little parser and compares it
# with the SQLite file of the same seed: every table created, the INSERT
# column lists in table order, at most 1000 rows per INSERT, each INSERT in
# its own BEGIN/COMMIT batch ended by GO, every literal closed (quotes
# doubled), no control character in the file, and every value equal to the
# SQLite value (text as UTF-16 code units, lone surrogates and NULs
# included). Prints "ok TABLES ROWS" or the first problem.
# Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.
import re
import sqlite3
import sys


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


script, dbpath = sys.argv[1], sys.argv[2]
raw = open(script, "rb").read()
try:
    text = raw.decode("utf-8")
except UnicodeDecodeError as e:
    fail("the script is not UTF-8: %s" % e)
bad = [c for c in set(text) if (ord(c) < 0x20 and c != "\n") or ord(c) == 0x7F]
if bad:
    fail("control characters in the script: %r" % bad)

db = sqlite3.connect(dbpath)
db.text_factory = lambda b: b.decode("utf-8", "surrogatepass")
tables = [r[0] for r in db.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")]
columns = {t: [r[1] for r in db.execute('PRAGMA table_info("%s")' % t)] for t in tables}

batches = re.split(r"^GO\n", text, flags=re.M)
if batches[-1].strip():
    fail("the script does not end with GO")
batches = batches[:-1]


class Parser:
    def __init__(self, s, pos):
        self.s, self.i = s, pos

    def ws(self):
        while self.i < len(self.s) and self.s[self.i] in " \n":
            self.i += 1

    def take(self, lit):
        self.ws()
        if not self.s.startswith(lit, self.i):
            fail("expected %r at %r" % (lit, self.s[self.i:self.i + 60]))
        self.i += len(lit)

    def peek(self, lit):
        self.ws()
        return self.s.startswith(lit, self.i)

    def string(self):
        # after the opening quote
        out = []
        while True:
            j = self.s.find("'", self.i)
            if j < 0:
                fail("an unterminated string literal")
            out.append(self.s[self.i:j])
            if self.s.startswith("''", j):
                out.append("'")
                self.i = j + 2
                continue
            self.i = j + 1
            piece = "".join(out)
            if "\n" in piece:
                fail("a literal spans lines")
            return piece

    def term(self):
        self.ws()
        s = self.s
        if s.startswith("N'", self.i):
            self.i += 2
            return self.string()
        if s.startswith("'", self.i):
            self.i += 1
            return self.string()
        if s.startswith("CAST(N'' AS NVARCHAR(MAX))", self.i):
            self.i += len("CAST(N'' AS NVARCHAR(MAX))")
            return ""
        m = re.compile(r"NCHAR\(0x([0-9A-F]{4})\)").match(s, self.i)
        if m:
            self.i = m.end()
            return chr(int(m.group(1), 16))
        m = re.compile(r"CHAR\((\d+)\)").match(s, self.i)
        if m:
            self.i = m.end()
            n = int(m.group(1))
            if n >= 128:
                fail("CHAR(%d) is not ASCII" % n)
            return chr(n)
        if s.startswith("NULL", self.i):
            self.i += 4
            return None
        m = re.compile(r"-?\d+(\.\d+)?(e[-+]?\d+)?").match(s, self.i)
        if m:
            self.i = m.end()
            t = m.group(0)
            return float(t) if ("." in t or "e" in t) else int(t)
        fail("unexpected value at %r" % s[self.i:self.i + 60])

    def value(self):
        v = self.term()
        pieces = 0
        while self.peek("+"):
            self.take("+")
            w = self.term()
            if not isinstance(v, str) or not isinstance(w, str):
                fail("'+' between non-strings")
            v += w
            pieces += 1
        return v


created, counts = [], {}
values_ok = 0
rows_by_table = {t: [] for t in tables}
for b in batches:
    body = b.strip()
    if body.startswith("--") or body.startswith("SET ") or body.startswith("ALTER "):
        continue
    m = re.match(r"CREATE TABLE \[dbo\]\.\[([^\]]+)\] \(", body)
    if m:
        created.append(m.group(1))
        continue
    m = re.match(r"BEGIN TRANSACTION;\nINSERT INTO \[dbo\]\.\[([^\]]+)\] \(([^)]*)\) VALUES\n", body)
    if not m:
        fail("unexpected batch: %r" % body[:80])
    t = m.group(1)
    cols = [c.strip()[1:-1] for c in m.group(2).split(",")]
    if cols != columns.get(t):
        fail("INSERT into %s names columns %r" % (t, cols))
    p = Parser(body, m.end())
    n = 0
    while True:
        p.take("(")
        row = []
        while True:
            row.append(p.value())
            if p.peek(","):
                p.take(",")
                continue
            break
        p.take(")")
        if len(row) != len(cols):
            fail("a row of %s has %d values" % (t, len(row)))
        rows_by_table[t].append(tuple(row))
        n += 1
        if p.peek(","):
            p.take(",")
            continue
        break
    p.take(";")
    p.take("COMMIT TRANSACTION;")
    p.ws()
    if p.i != len(body):
        fail("text after COMMIT: %r" % body[p.i:p.i + 60])
    if n > 1000:
        fail("an INSERT of %d rows (SQL Server's limit is 1000)" % n)

if created != tables:
    fail("tables created %r, the SQLite file has %r" % (created, tables))
total = 0
for t in tables:
    # the table's own order (the key for WITHOUT ROWID tables), as the script writes it
    want = list(db.execute('SELECT * FROM "%s"' % t))
    got = rows_by_table[t]
    if len(got) != len(want):
        fail("%s: %d rows in the script, %d in SQLite" % (t, len(got), len(want)))
    for i, (g, w) in enumerate(zip(got, want)):
        if list(g) != list(w):
            for c, (a, e) in enumerate(zip(g, w)):
                if a != e:
                    fail("%s row %d column %s: %r != %r" % (t, i, columns[t][c], a, e))
    total += len(got)
print("ok %d %d" % (len(tables), total))

-- 0007_dashboard.sql: the dashboard's summary, refreshed on a schedule.
--
-- Why a summary and not live aggregates: at S = 1,000,000 the dashboard's
-- numbers read 1M organizations, 3M contacts and 10M interactions, which
-- takes seconds; a console refreshing every 5 s must answer in a few ms.
-- Why a scheduled refresh and not triggers: statement-level triggers would
-- run inside every batch of the migration engine's bulk COPY (10M
-- interaction rows) and inside every console edit, and a counter row that
-- every writer updates serializes the writers. The dashboard instead shows
-- how fresh its numbers are; `pantrycrm stats --refresh` (from cron, say
-- every 5 minutes) or 'r' in the console's dashboard pane recomputes them.
--
-- dashboard.refresh(as_of) computes every number relative to as_of (default
-- now()): "today" is the day of as_of in the session's TimeZone, weeks start
-- on Monday (date_trunc('week')), the 26 weeks end with as_of's week.

CREATE SCHEMA dashboard;
COMMENT ON SCHEMA dashboard IS
    'The console dashboard''s summary: dashboard.refresh() recomputes it, the console and `pantrycrm stats` read it';

-- One row: when the summary was computed, for what reference time, how long it took.
CREATE TABLE dashboard.refresh (
    id           boolean     NOT NULL DEFAULT true,
    as_of        timestamptz NOT NULL,
    refreshed_at timestamptz NOT NULL,
    took_ms      double precision NOT NULL,
    CONSTRAINT refresh_pkey PRIMARY KEY (id),
    CONSTRAINT refresh_one_row_check CHECK (id)
);
COMMENT ON TABLE dashboard.refresh IS 'When the dashboard summary was last computed (one row)';

-- The numbers. kind says what a row is:
--   total     ord 0 organizations, 1 active organizations, 2 contacts,
--             3 interactions, 4 priority-A organizations, 5 organizations
--             with an estimated revenue (amount = its average), 6 follow-ups
--             due today, 7 follow-ups overdue (before today)
--   stage     active opportunities per stage: n, amount = sum of value
--   segment   organizations per segment
--   priority  organizations per priority
--   week      interactions per week, ord 0 = oldest of the 26 weeks, label
--             = the Monday
--   expiring  active contracts ending within 30, 60, 90 days of as_of
--             (cumulative): n, amount = sum of value
CREATE TABLE dashboard.metric (
    kind   text    NOT NULL,
    ord    integer NOT NULL,
    label  text    NOT NULL,
    n      bigint  NOT NULL,
    amount numeric,
    CONSTRAINT metric_pkey PRIMARY KEY (kind, ord)
);
COMMENT ON TABLE dashboard.metric IS 'The dashboard''s numbers as of dashboard.refresh.as_of';

CREATE FUNCTION dashboard.refresh(p_as_of timestamptz DEFAULT now())
RETURNS double precision
LANGUAGE plpgsql
AS $fn$
DECLARE
    t0      timestamptz := clock_timestamp();
    day0    timestamptz := date_trunc('day', p_as_of);
    week0   timestamptz := date_trunc('week', p_as_of) - interval '25 weeks';
    took    double precision;
BEGIN
    -- One refresh at a time; readers are never blocked (they see the
    -- previous summary until this transaction commits).
    LOCK TABLE dashboard.refresh IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM dashboard.metric;

    INSERT INTO dashboard.metric (kind, ord, label, n, amount)
    SELECT 'total', v.ord, v.label, v.n, v.amount
    FROM (SELECT count(*) AS orgs,
                 count(*) FILTER (WHERE status = 'ACTIVE') AS active,
                 count(*) FILTER (WHERE priority = 'A') AS prio_a,
                 count("estimatedRevenue") AS rev_n,
                 avg("estimatedRevenue")::numeric AS rev_avg,
                 count(*) FILTER (WHERE "nextFollowUpDate" >= day0
                                    AND "nextFollowUpDate" < day0 + interval '1 day') AS due_today,
                 count(*) FILTER (WHERE "nextFollowUpDate" < day0) AS overdue
          FROM "Organization") o,
         LATERAL (VALUES
             (0, 'organizations', o.orgs, NULL::numeric),
             (1, 'active organizations', o.active, NULL),
             (2, 'contacts', (SELECT count(*) FROM "Contact"), NULL),
             (3, 'interactions', (SELECT count(*) FROM "Interaction"), NULL),
             (4, 'priority A', o.prio_a, NULL),
             (5, 'average estimated revenue', o.rev_n, round(o.rev_avg, 2)),
             (6, 'follow-ups due today', o.due_today, NULL),
             (7, 'follow-ups overdue', o.overdue, NULL)) AS v (ord, label, n, amount);

    INSERT INTO dashboard.metric (kind, ord, label, n, amount)
    SELECT 'stage', e.ord::integer - 1, e.stage::text, count(op.id), coalesce(sum(op.value), 0)
    FROM unnest(enum_range(NULL::"OpportunityStage")) WITH ORDINALITY AS e (stage, ord)
    LEFT JOIN "Opportunity" op ON op.stage = e.stage AND op."isActive"
    GROUP BY e.ord, e.stage;

    INSERT INTO dashboard.metric (kind, ord, label, n, amount)
    SELECT 'segment', e.ord::integer - 1, e.seg::text, coalesce(c.n, 0), NULL
    FROM unnest(enum_range(NULL::"OrganizationSegment")) WITH ORDINALITY AS e (seg, ord)
    LEFT JOIN (SELECT segment, count(*) AS n FROM "Organization" GROUP BY segment) c
           ON c.segment = e.seg;

    INSERT INTO dashboard.metric (kind, ord, label, n, amount)
    SELECT 'priority', e.ord::integer - 1, e.prio::text, coalesce(c.n, 0), NULL
    FROM unnest(enum_range(NULL::"OrganizationPriority")) WITH ORDINALITY AS e (prio, ord)
    LEFT JOIN (SELECT priority, count(*) AS n FROM "Organization" GROUP BY priority) c
           ON c.priority = e.prio;

    INSERT INTO dashboard.metric (kind, ord, label, n, amount)
    SELECT 'week', w.k, to_char(week0 + w.k * interval '1 week', 'YYYY-MM-DD'), coalesce(c.n, 0), NULL
    FROM generate_series(0, 25) AS w (k)
    LEFT JOIN (SELECT (date_trunc('week', i.date)::date - week0::date) / 7 AS k,
                      count(*) AS n
               FROM "Interaction" i
               WHERE i.date >= week0 AND i.date <= p_as_of
               GROUP BY 1) c ON c.k = w.k;

    INSERT INTO dashboard.metric (kind, ord, label, n, amount)
    SELECT 'expiring', d.ord, d.days::text, count(ct.id), coalesce(sum(ct.value), 0)
    FROM (VALUES (0, 30), (1, 60), (2, 90)) AS d (ord, days)
    LEFT JOIN "Contract" ct ON ct.status = 'ACTIVE' AND ct."endDate" >= p_as_of
                           AND ct."endDate" < p_as_of + d.days * interval '1 day'
    GROUP BY d.ord, d.days;

    took := extract(epoch FROM clock_timestamp() - t0) * 1000;
    INSERT INTO dashboard.refresh (id, as_of, refreshed_at, took_ms)
    VALUES (true, p_as_of, now(), took)
    ON CONFLICT (id) DO UPDATE
        SET as_of = EXCLUDED.as_of, refreshed_at = EXCLUDED.refreshed_at, took_ms = EXCLUDED.took_ms;
    RETURN took;
END
$fn$;
COMMENT ON FUNCTION dashboard.refresh(timestamptz) IS
    'Recomputes the dashboard summary relative to p_as_of; returns the milliseconds it took';

-- Monitoring roles (pg_monitor) may read the summary, never change it.
GRANT USAGE ON SCHEMA dashboard TO pg_monitor;
GRANT SELECT ON dashboard.refresh, dashboard.metric TO pg_monitor;

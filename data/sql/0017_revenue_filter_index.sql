-- 0017_revenue_filter_index.sql - the console's revenue page filtered by
-- priority and type reads only the rows it shows.
--
-- Why: `:filter priority=B,C` and `:filter type=CUSTOMER`, sorted by
-- estimatedRevenue (the revenue analysis of a sales admin), is one index
-- range per priority label merged in revenue order (browse.c splits the
-- labels of a field that leads an index of the sort). With
-- Organization_priority_estimatedRevenue_id_idx (0003) each range walked
-- every type and threw away the rows of the other types, about half of
-- them, each a heap fetch: 0.8 to 2.8 ms a page at S = 1,000,000, 4.9x a
-- primary-key round trip for the screenful after a keyset at S = 100,000.
-- With the type in the index after the priority each range holds only
-- the rows shown. Chosen over ("type", "estimatedRevenue", id), which
-- would still read the rows of the priorities not chosen (B and C are two
-- of four), by EXPLAIN ANALYZE at S = 100,000. About 5 MB and 0.1 to 0.2 s
-- to build at S = 100,000; pantrycrm migrate builds it with the other
-- deferred indexes after the load.
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

-- One range per chosen priority (and the "estimatedRevenue" IS NULL
-- ranges; backward for the descending order), merged:
--   SELECT ... FROM "Organization" o
--   WHERE o.type = $1 AND o.priority = $2 AND (o."estimatedRevenue", o.id) > ($3, $4)
--   ORDER BY o."estimatedRevenue", o.id LIMIT $5
CREATE INDEX "Organization_priority_type_estimatedRevenue_id_idx"
    ON "Organization" (priority, type, "estimatedRevenue", id);

-- 0015_console_statistics.sql - the planner learns that a city implies its
-- state, so a page of the console filtered by both reads its index in order.
--
-- Why: with state=TX city=Houston the planner multiplied the two
-- selectivities as if independent (Houston is 1.9% of the rows, all in TX:
-- it expected 199 rows after a keyset where 2,776 were), chose a bitmap
-- scan of every Houston row after the keyset plus a top-N sort over an
-- ordered read of Organization_state_city_name_id_idx, and paged in 25 ms
-- instead of 1 ms at S = 1,000,000 (measured by bench/console.sh).
-- Functional-dependency and most-common-value statistics on the pair
-- correct the estimate; ANALYZE (pantrycrm migrate runs it after a load,
-- autovacuum after edits) builds them in about half a second at that size.
--
-- Forward-only like every file here.
-- Copyright (C) 2026 The pantrycrm authors. GPL-3.0-or-later.

CREATE STATISTICS "Organization_state_city_stx" (dependencies, ndistinct, mcv)
    ON state, city FROM "Organization";
ANALYZE "Organization";

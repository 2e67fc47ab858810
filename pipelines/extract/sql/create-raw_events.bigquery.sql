-- purpose: raw_events on BigQuery, partitioned by the (UTC) date of event_ts: events reads a slice of event
--   times, and without partitions every nightly run would read the whole raw history. Run before the raw tables
--   are created from RAW_TABLES (IF NOT EXISTS), so only a new raw_events gets it; an existing one is left as it is.
-- grain: one row per valid input event row (see RAW_TABLES.raw_events)
-- placeholders: columns (RAW_TABLES.raw_events, in BigQuery's types)
CREATE TABLE IF NOT EXISTS `raw_events` ({{columns}})
PARTITION BY DATE(event_ts)

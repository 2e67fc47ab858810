-- purpose: every valid raw event row, typed and enriched: URL parsed (utm_*, click id and its ad platform), referrer host, bot flag, effective consent, local date in the account's time zone. A view: the pipeline itself parses URLs after deduplication (in `events`), so this is the per-row look at the raw layer for debugging and BI, never stored.
-- grain: one row per raw event row (duplicates are still here; `events` merges them)
-- key: event_key (load_id:line)
-- version: 2
-- materialized: view
WITH raw AS (
  SELECT * FROM {{ ref('raw_events') }}
),
-- URLs repeat across events (about 1 distinct page URL per 25 events): each distinct URL is parsed once
urls AS (
  SELECT
    page_url,
    {{ page_url_parse('page_url') }}
  FROM (SELECT DISTINCT page_url FROM raw WHERE page_url IS NOT NULL) AS u
),
referrers AS (
  SELECT referrer, {{ url_host('referrer') }} AS referrer_host_raw
  FROM (SELECT DISTINCT referrer FROM raw WHERE referrer IS NOT NULL) AS r
),
-- a NULL URL matches no row and parses to NULLs, as it would have inline
parsed AS (
  SELECT
    raw.*,
    {{ page_url_columns('urls') }},
    referrers.referrer_host_raw
  FROM raw
  LEFT JOIN urls ON urls.page_url = raw.page_url
  LEFT JOIN referrers ON referrers.referrer = raw.referrer
)
SELECT
  load_id || ':' || {{ cast_text('line') }} AS event_key,
  load_id,
  file,
  line,
  loaded_at,
  event_id,
  event_name,
  event_ts,
  {{ local_date('event_ts') }} AS local_date,
  source,
  anonymous_id,
  user_id,
  session_id,
  page_url,
  page_host,
  page_path,
  referrer,
  -- a referrer from the site itself is navigation, not a traffic source
  CASE WHEN referrer_host_raw IS NOT NULL AND referrer_host_raw <> coalesce(page_host, '') THEN referrer_host_raw END AS referrer_host,
  utm_source,
  utm_medium,
  utm_campaign,
  utm_term,
  utm_content,
  utm_id,
  gad_source,
  {{ click_id_param() }} AS click_id_param,
  {{ click_id() }} AS click_id,
  {{ click_platform() }} AS click_platform,
  user_agent,
  {{ is_bot('user_agent') }} AS is_bot,
  value,
  currency,
  order_id,
  consent_analytics,
  consent_ads,
  -- absent consent means consent was not collected (e.g. outside a consent region): treated as granted
  coalesce(consent_analytics, TRUE) AS has_analytics_consent,
  properties,
  -- computed here from the row's fields (raw_events does not store it: events hashes only the copies it compares)
  {{ payload_hash('parsed') }} AS payload_hash
FROM parsed

/**
 * What staging derives from an event's page URL and user agent, defined once for every SQL file that
 * derives it (the `stg_events` view and `events`, which parses after deduplication): the ad click ids
 * and their platforms, and the bot pattern.
 */
import type { TemplateFn } from './template.ts';
import type { SqlDialect } from '../warehouse/dialect.ts';

/** The click ids in precedence order (the first one present is the event's click id), each with its ad platform. */
export const CLICK_IDS = [
  { param: 'gclid', platform: 'google_ads' },
  { param: 'gbraid', platform: 'google_ads' },
  { param: 'wbraid', platform: 'google_ads' },
  { param: 'fbclid', platform: 'meta' },
  { param: 'msclkid', platform: 'microsoft_ads' },
  { param: 'li_fat_id', platform: 'linkedin' },
  { param: 'ttclid', platform: 'tiktok' },
  { param: 'epik', platform: 'pinterest' },
  { param: 'rdt_cid', platform: 'reddit' },
  { param: 'twclid', platform: 'x' },
] as const;

/** A user agent matching this (lower-cased) is a bot: its events never reach journeys. */
export const BOT_USER_AGENT_PATTERN =
  'bot|crawl|spider|slurp|headless|python-requests|python-urllib|curl/|wget|httpclient|okhttp|phantomjs|scrapy|lighthouse|facebookexternalhit|pingdom|uptimerobot';

/** What a page URL is parsed into besides its click ids: host, path, UTM parameters (source and medium lower-cased), gad_source. */
const URL_FIELDS: readonly (readonly [name: string, sql: (d: SqlDialect, url: string) => string])[] = [
  ['page_host', (d, u) => d.urlHost(u)],
  ['page_path', (d, u) => d.urlPath(u)],
  ['utm_source', (d, u) => `lower(${d.urlParam(u, 'utm_source')})`],
  ['utm_medium', (d, u) => `lower(${d.urlParam(u, 'utm_medium')})`],
  ...['utm_campaign', 'utm_term', 'utm_content', 'utm_id', 'gad_source'].map((p) => [p, (d: SqlDialect, u: string) => d.urlParam(u, p)] as const),
];

/**
 * {{ is_bot('user_agent') }}: TRUE for a bot's user agent, FALSE otherwise (a missing one included).
 *
 * {{ page_url_parse('page_url') }}: the select list parsing a page URL (`<expr> AS page_host, …, AS p_<param>, …`);
 * {{ page_url_columns('u') }}: the same columns, qualified by the relation that parsed them.
 *
 * Macros over the columns named `p_<param>` (one per click id) that page_url_parse makes:
 *   {{ click_id_param() }}             the first present param's name
 *   {{ click_id() }}                   its value
 *   {{ click_platform() }}             its ad platform
 */
export function stagingMacros(d: SqlDialect): Record<string, TemplateFn> {
  const col = (param: string) => `p_${param}`;
  const firstPresent = (then: (c: (typeof CLICK_IDS)[number]) => string) =>
    `CASE ${CLICK_IDS.map((c) => `WHEN ${col(c.param)} IS NOT NULL THEN ${then(c)}`).join(' ')} END`;
  return {
    is_bot: (ua) => `coalesce(${d.regexpContains(`lower(${String(ua)})`, BOT_USER_AGENT_PATTERN)}, FALSE)`,
    page_url_parse: (url) => [
      ...URL_FIELDS.map(([name, sql]) => `${sql(d, String(url))} AS ${name}`),
      ...CLICK_IDS.map((c) => `${d.urlParam(String(url), c.param)} AS ${col(c.param)}`),
    ].join(',\n    '),
    page_url_columns: (alias) => [...URL_FIELDS.map(([name]) => name), ...CLICK_IDS.map((c) => col(c.param))].map((c) => `${String(alias)}.${c}`).join(',\n    '),
    click_id_param: () => firstPresent((c) => d.quoteString(c.param)),
    click_id: () => `coalesce(${CLICK_IDS.map((c) => col(c.param)).join(', ')})`,
    click_platform: () => firstPresent((c) => d.quoteString(c.platform)),
  };
}

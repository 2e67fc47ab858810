/**
 * The config values SQL transforms may read through {{ var('name') }}. One place, so a transform
 * can only see settings that are part of the config hash recorded with every run.
 */
import type { BeamlineConfig } from '../config/index.ts';

/** Event names that are never goals (neither engagements nor conversions). */
export const NON_GOAL_EVENTS = ['page_view', 'screen_view', 'session_start', 'first_visit', 'user_engagement', 'scroll', 'login', 'identify'];

export function transformVars(config: BeamlineConfig): Record<string, string | number | boolean> {
  return {
    time_zone: config.account.timeZone,
    currency: config.account.currency,
    session_timeout_minutes: config.sessions.timeoutMinutes,
    split_on_campaign_change: config.sessions.splitOnCampaignChange,
    split_at_midnight: config.sessions.splitAtMidnight,
    cross_tracker_tolerance_seconds: config.dedupe.crossTrackerToleranceSeconds,
    copy_window_hours: config.dedupe.copyWindowHours,
    max_ids_per_person: config.identity.maxIdsPerPerson,
    hash_ids: config.identity.hashIds,
    require_analytics_for_journeys: config.consent.requireAnalyticsForJourneys,
    count_unconsented_in_totals: config.consent.countUnconsentedInTotals,
    attribution_lookback_days: config.lookback.attributionDays,
    late_data_days: config.lookback.lateDataDays,
    period_days: config.reports.periodDays,
    non_goal_events: NON_GOAL_EVENTS.join(','),
  };
}

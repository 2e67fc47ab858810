import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { journeysPerTest, type Journeys, type RawRow } from './harness.ts';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const journeys = journeysPerTest();

const day = '2026-01-10';
let n = 0;
const ev = (ts: string, extra: Partial<RawRow> = {}): RawRow => ({ event_id: `e${++n}`, ts: `${day}T${ts}Z`, ...extra });
const site = 'https://shop.example.com';
const sessions = (j: Journeys) => j.rows(`SELECT session_index, session_start, session_end, event_count FROM sessions ORDER BY session_start`);

describe('sessions', () => {
  it('starts a new session after more than the inactivity timeout', async () => {
    const j = await journeys();
    await j.insert([ev('10:00:00'), ev('10:29:00'), ev('10:59:00'), ev('11:29:01')]);
    await j.run(day, '2026-01-11');
    expect((await sessions(j)).map((s) => [s.session_index, s.event_count])).toEqual([[1, 3], [2, 1]]);
    const [s] = await j.rows(`SELECT duration_seconds, local_date FROM sessions WHERE session_index = 1`);
    expect(s).toEqual({ duration_seconds: 3540, local_date: day });
  });

  it('starts a new session when the campaign or click id changes, not when a page without one follows', async () => {
    const j = await journeys();
    await j.insert([
      ev('10:00:00', { page_url: `${site}/?utm_source=newsletter&utm_medium=email&utm_campaign=spring` }),
      ev('10:01:00', { page_url: `${site}/products/a` }),
      ev('10:02:00', { page_url: `${site}/?utm_source=newsletter&utm_medium=email&utm_campaign=spring` }),
      ev('10:03:00', { page_url: `${site}/?gclid=G1` }),
      ev('10:04:00', { page_url: `${site}/?gclid=G2` }),
      ev('10:05:00', { page_url: `${site}/cart` }),
    ]);
    await j.run(day, '2026-01-11');
    expect((await sessions(j)).map((s) => s.event_count)).toEqual([3, 1, 2]);
    const off = await journeys({ sessions: { split_on_campaign_change: false } });
    await off.insert([ev('10:00:00', { page_url: `${site}/?gclid=G1` }), ev('10:04:00', { page_url: `${site}/?gclid=G2` })]);
    await off.run(day, '2026-01-11');
    expect((await sessions(off)).map((s) => s.event_count)).toEqual([2]);
  });

  it('splits at local midnight only when sessions.split_at_midnight is on', async () => {
    const rows = [ev('23:50:00'), { ...ev('00:10:00'), ts: '2026-01-11T00:10:00Z' }];
    const on = await journeys({ sessions: { split_at_midnight: true } });
    const off = await journeys();
    for (const j of [on, off]) {
      await j.insert(rows);
      await j.run(day, '2026-01-12');
    }
    expect((await sessions(on)).map((s) => s.event_count)).toEqual([1, 1]);
    expect((await sessions(off)).map((s) => s.event_count)).toEqual([2]);
  });

  it('gives a click-id landing the same session id whichever tracker saw it', async () => {
    const landing = `${site}/?utm_source=google&utm_medium=cpc&gclid=Cj0KCQ`;
    const both = await journeys();
    await both.insert([
      ev('10:00:00', { source: 'client', session_id: 's_1', page_url: landing }),
      ev('10:00:00.800', { source: 'server', session_id: 'srv_9', page_url: landing }),
      ev('10:01:00', { source: 'client', session_id: 's_1', page_url: `${site}/cart` }),
    ]);
    await both.run(day, '2026-01-11');
    const serverOnly = await journeys();
    await serverOnly.insert([ev('10:00:00.800', { source: 'server', session_id: 'srv_9', page_url: landing, anonymous_id: 'other' })]);
    await serverOnly.run(day, '2026-01-11');
    const id = md5('click:gclid=Cj0KCQ');
    expect(await both.rows(`SELECT session_id, sources, is_dual_source, client_session_id, server_session_id, trackers_agree, platform, click_id, landing_page FROM sessions`)).toEqual([
      { session_id: id, sources: ['client', 'server'], is_dual_source: true, client_session_id: 's_1', server_session_id: 'srv_9', trackers_agree: false, platform: 'google_ads', click_id: 'Cj0KCQ', landing_page: '/' },
    ]);
    expect(await serverOnly.rows(`SELECT session_id FROM sessions`)).toEqual([{ session_id: id }]);
    // the same click id landing a second session of the person gets its own id
    await both.insert([ev('15:00:00', { page_url: landing })]);
    await both.run(day, '2026-01-11');
    expect((await both.rows(`SELECT session_id FROM sessions ORDER BY session_start`)).map((r) => r.session_id)).toEqual([id, md5('click:gclid=Cj0KCQ:2')]);
  });

  it('uses md5(person, landing event) for organic sessions, and records whether the trackers agree', async () => {
    const j = await journeys();
    await j.insert([ev('10:00:00', { event_id: 'x1', session_id: 's_1' }), ev('10:00:00.500', { event_id: 'x1', source: 'server', session_id: 's_1' })]);
    await j.run(day, '2026-01-11');
    const [s] = await j.rows(`SELECT session_id, person_id, landing_event_key, trackers_agree FROM sessions`);
    expect(s).toEqual({ session_id: md5(`session:${md5('1:a1')}:${md5('client:x1')}`), person_id: md5('1:a1'), landing_event_key: md5('client:x1'), trackers_agree: true });
  });

  it("takes each tracker's first session id and the first user id in session order, skipping events without one", async () => {
    const j = await journeys();
    // one person, one session of five events: the server lands first (no client session id yet), the
    // client's first id comes second, the user id only on the fourth; later values differ and must not win
    // (a later value that sorts first — 'a…' — and an earlier NULL check the aggregate's order, not the values')
    await j.insert([
      ev('10:00:00', { source: 'server', session_id: 'srv_z', anonymous_id: 'p1' }),
      ev('10:01:00', { source: 'client', session_id: 'cli_m', anonymous_id: 'p1' }),
      ev('10:02:00', { source: 'server', session_id: 'srv_a', anonymous_id: 'p1' }),
      ev('10:03:00', { source: 'client', session_id: 'cli_b', anonymous_id: 'p1', user_id: 'u_9' }),
      ev('10:04:00', { source: 'client', session_id: 'cli_a', anonymous_id: 'p1', user_id: 'u_1' }),
    ]);
    await j.run(day, '2026-01-11');
    expect(await j.rows(`SELECT event_count, client_session_id, server_session_id, user_id, anonymous_id FROM sessions`)).toEqual([
      { event_count: 5, client_session_id: 'cli_m', server_session_id: 'srv_z', user_id: 'u_9', anonymous_id: 'p1' },
    ]);
    // a session where one tracker never reported a session id keeps NULL for it
    const k = await journeys();
    await k.insert([ev('11:00:00', { source: 'server', session_id: null, anonymous_id: 'p2' }), ev('11:01:00', { source: 'server', session_id: 'srv_q', anonymous_id: 'p2' })]);
    await k.run(day, '2026-01-11');
    expect(await k.rows(`SELECT client_session_id, server_session_id, user_id FROM sessions`)).toEqual([{ client_session_id: null, server_session_id: 'srv_q', user_id: null }]);
  });

  it('keeps bots and unconsented events out of sessions; touchpoints carry the channel', async () => {
    const j = await journeys();
    await j.insert([
      ev('09:00:00', { user_agent: 'Mozilla/5.0 (compatible; bingbot/2.0)', anonymous_id: 'bot' }),
      ev('10:00:00', { consent_analytics: false, anonymous_id: 'shy' }),
      ev('11:00:00', { referrer: 'https://www.google.com/', anonymous_id: 'seo' }),
      ev('12:00:00', { page_url: `${site}/?gclid=G1`, anonymous_id: 'ads' }),
      ev('13:00:00', { anonymous_id: 'direct' }),
    ]);
    await j.run(day, '2026-01-11');
    expect(await j.rows(`SELECT s.anonymous_id, t.channel, t.source, t.medium, t.platform FROM touchpoints t JOIN sessions s USING (session_id) ORDER BY t.touch_ts`)).toEqual([
      { anonymous_id: 'seo', channel: 'Organic Search', source: 'google', medium: 'organic', platform: null },
      { anonymous_id: 'ads', channel: 'Paid Search', source: 'google', medium: 'cpc', platform: 'google_ads' },
      { anonymous_id: 'direct', channel: 'Direct', source: '(direct)', medium: '(none)', platform: null },
    ]);
  });
});

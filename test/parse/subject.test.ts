import { describe, expect, it } from 'vitest';
import { parseSubject } from '../../src/parse/index.js';

describe('parseSubject', () => {
  it('reads tree, version and counter from [PATCH net-next v2 3/5]', () => {
    const s = parseSubject('[PATCH net-next v2 3/5] net: dsa: fix the thing');
    expect(s).toMatchObject({ hasPatchTag: true, hasPrefix: true, tree: 'net-next', version: 2, counter: 3, total: 5, summary: 'net: dsa: fix the thing' });
    expect(s.prefixes).toEqual(['PATCH', 'net-next', 'v2', '3/5']);
    expect(s.isReply).toBe(false);
  });

  it('accepts the version before the tree', () => {
    expect(parseSubject('[PATCH v2 net 1/2] tcp: fix')).toMatchObject({ tree: 'net', version: 2, counter: 1, total: 2 });
  });

  it('skips list tags and accepts [iwl-next v1 1/1] without a PATCH word', () => {
    const s = parseSubject('[Intel-wired-lan] [iwl-next v1 1/1] ice: add a knob');
    expect(s.listTags).toEqual(['Intel-wired-lan']);
    expect(s).toMatchObject({ hasPatchTag: false, hasPrefix: true, tree: 'iwl-next', version: 1, counter: 1, total: 1, summary: 'ice: add a knob' });
  });

  it('handles RFC prefixes', () => {
    expect(parseSubject('[RFC PATCH net-next 0/3] net: a plan')).toMatchObject({ rfc: true, hasPatchTag: true, tree: 'net-next', counter: 0, total: 3 });
    expect(parseSubject('[RFC net-next] net: an idea')).toMatchObject({ rfc: true, hasPatchTag: true, tree: 'net-next', summary: 'net: an idea' });
  });

  it('handles RESEND in either position', () => {
    expect(parseSubject('[PATCH RESEND net v1 0/2] x: y')).toMatchObject({ resend: true, tree: 'net', version: 1, counter: 0, total: 2 });
    expect(parseSubject('[RESEND PATCH net 0/2] x: y')).toMatchObject({ resend: true, hasPatchTag: true, tree: 'net', counter: 0 });
  });

  it('accepts the counter before the tree and version', () => {
    expect(parseSubject('[PATCH 2/2 net v2] x: y')).toMatchObject({ counter: 2, total: 2, tree: 'net', version: 2 });
  });

  it('joins consecutive brackets: [PATCH][next]', () => {
    const s = parseSubject('[PATCH][next] wifi: rtw89: fix a typo');
    expect(s.prefixes).toEqual(['PATCH', 'next']);
    expect(s.tree).toBe('next');
    expect(s.summary).toBe('wifi: rtw89: fix a typo');
  });

  it('reads PATCHv3', () => {
    expect(parseSubject('[PATCHv3 net-next] net: foo: bar')).toMatchObject({ version: 3, hasPatchTag: true, tree: 'net-next' });
    expect(parseSubject('[PATCHv3] net: foo: bar').prefixes).toEqual(['PATCHv3']);
  });

  it('tolerates commas and upper-case V', () => {
    expect(parseSubject('[PATCH iwl-net V4,  1/2] ice: x')).toMatchObject({ tree: 'iwl-net', version: 4, counter: 1, total: 2 });
    expect(parseSubject('[PATCH iwl-next,  v1 2/3] ice: x')).toMatchObject({ tree: 'iwl-next', version: 1, counter: 2, total: 3 });
  });

  it('reads patchwork style [net,v2,1/2]', () => {
    expect(parseSubject('[net,v2,1/2] net: ieee802154: remove explicit set skb->sk')).toMatchObject({
      hasPatchTag: false,
      hasPrefix: true,
      tree: 'net',
      version: 2,
      counter: 1,
      total: 2,
      summary: 'net: ieee802154: remove explicit set skb->sk',
    });
  });

  it('marks replies and forwards', () => {
    expect(parseSubject('Re: [PATCH net 1/2] a: b')).toMatchObject({ isReply: true, tree: 'net', counter: 1 });
    expect(parseSubject('[Intel-wired-lan] Re: [PATCH iwl-net] a: b')).toMatchObject({ isReply: true, tree: 'iwl-net', listTags: ['Intel-wired-lan'] });
    expect(parseSubject('Fwd: [PATCH] a: b').isReply).toBe(true);
  });

  it('keeps a mis-cased tree as written', () => {
    expect(parseSubject('[PATCH Net-Next] net: x').tree).toBe('Net-Next');
  });

  it('recognises *-net / *-next trees that are not configured', () => {
    expect(parseSubject('[PATCH wpan-next 1/3] ieee802154: x').tree).toBe('wpan-next');
    expect(parseSubject('[PATCH foo-next] x: y', ['net']).tree).toBe('foo-next');
  });

  it('uses the known trees it is given', () => {
    expect(parseSubject('[PATCH mlx5] net/mlx5: x', ['mlx5']).tree).toBe('mlx5');
    expect(parseSubject('[PATCH mlx5] net/mlx5: x').tree).toBeUndefined();
  });

  it('defaults: no prefix, version 1, no counter', () => {
    const s = parseSubject('net: fix everything');
    expect(s).toMatchObject({ hasPrefix: false, hasPatchTag: false, version: 1, summary: 'net: fix everything', listTags: [] });
    expect(s.counter).toBeUndefined();
    expect(s.tree).toBeUndefined();
  });

  it('unfolds a folded header', () => {
    expect(parseSubject('[PATCH net] ice: Shut down VSI with\n "link-down-on-close" enabled').summary).toBe('ice: Shut down VSI with "link-down-on-close" enabled');
  });

  it('treats [GIT PULL] as a prefix without a PATCH tag', () => {
    expect(parseSubject('[GIT PULL net] Networking for 6.9')).toMatchObject({ hasPrefix: true, hasPatchTag: false, tree: 'net' });
  });
});

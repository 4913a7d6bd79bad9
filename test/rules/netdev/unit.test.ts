import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/schema.js';
import { isNetdevPatch } from '../../../src/rules/netdev/applies.js';
import { deprecatedApi } from '../../../src/rules/netdev/deprecated-api.js';
import { fixesMissing } from '../../../src/rules/netdev/fixes-missing.js';
import { fixesOnNext } from '../../../src/rules/netdev/fixes-on-next.js';
import { headerStaticNotInline } from '../../../src/rules/netdev/header-static-not-inline.js';
import { inlineInSource } from '../../../src/rules/netdev/inline-in-source.js';
import { declarationStart, reverseXmasTree } from '../../../src/rules/netdev/reverse-xmas-tree.js';
import { treeMissing } from '../../../src/rules/netdev/tree-missing.js';
import { visualWidth } from '../../../src/rules/lib/width.js';
import { changeset, ctx, file, patch, subject } from '../../support/changeset.js';

const C = 'drivers/net/ethernet/foo/foo_main.c';

function xmas(diff: string, path = C) {
  const p = patch({ files: [file(path, diff)] });
  return reverseXmasTree.check(p, ctx(changeset([p])));
}

describe('netdev/reverse-xmas-tree', () => {
  it('counts tabs as 8 columns', () => {
    expect(visualWidth('\tint i;')).toBe(14);
    expect(visualWidth('ab\tc')).toBe(9);
  });

  it('flags an added declaration longer than the one above it, with a fix for the whole block', () => {
    const found = xmas(
      [
        '@@ -10,6 +10,7 @@ static int foo_open(struct net_device *dev)',
        ' {',
        ' 	struct foo_priv *priv = netdev_priv(dev);',
        ' 	int err;',
        '+	struct foo_ring *ring;',
        ' ',
        ' 	err = foo_up(priv);',
      ].join('\n'),
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.location).toMatchObject({ kind: 'diff', file: C, line: 13, side: 'new' });
    expect(found[0]?.evidence).toBe('\tstruct foo_ring *ring;');
    expect(found[0]?.fix?.target).toEqual({
      kind: 'diff',
      file: C,
      startLine: 11,
      endLine: 13,
      lines: ['\tstruct foo_priv *priv = netdev_priv(dev);', '\tstruct foo_ring *ring;', '\tint err;'],
    });
  });

  it('measures visual width: a line with more tabs can be wider than a longer string', () => {
    // '\tu32 a;' is 14 columns; '\tu8\t b;' is 8+2 -> 16 then ' b;' = 19 columns although shorter in characters.
    const found = xmas(['@@ -1,5 +1,6 @@ void f(void)', ' {', ' 	u32 val;', '+	u8	 b;', ' ', ' 	g();'].join('\n'));
    expect(found).toHaveLength(1);
    const ok = xmas(['@@ -1,5 +1,6 @@ void f(void)', ' {', ' 	u8	 b;', '+	u32 val;', ' ', ' 	g();'].join('\n'));
    expect(ok).toHaveLength(0);
  });

  it('skips a longer line whose initialiser uses a variable declared above it', () => {
    const found = xmas(
      [
        '@@ -20,5 +20,6 @@ static void foo_poll(struct foo_q *q)',
        ' {',
        ' 	struct foo_priv *p = q->priv;',
        '+	struct foo_very_long_type_name *stats = &p->stats;',
        ' ',
        ' 	foo();',
      ].join('\n'),
    );
    expect(found).toHaveLength(0);
  });

  it('flags a shorter added line placed above a longer context line', () => {
    const found = xmas(['@@ -1,5 +1,6 @@ void f(void)', ' {', '+	int i;', ' 	struct sk_buff *skb;', ' ', ' 	g();'].join('\n'));
    expect(found).toHaveLength(1);
    expect(found[0]?.evidence).toBe('\tint i;');
  });

  it('leaves pre-existing disorder between context lines alone', () => {
    const found = xmas(['@@ -1,6 +1,7 @@ void f(void)', ' {', ' 	int i;', ' 	struct sk_buff *skb;', '+	u8 x;', ' ', ' 	g();'].join('\n'));
    expect(found).toHaveLength(0);
  });

  it('leaves a block alone that was out of order before the patch', () => {
    const found = xmas(
      ['@@ -40,5 +40,5 @@ static bool f(struct foo *foo)', ' {', ' 	struct dentry *d;', '-	int i = 0;', '+	int i;', ' 	char *name;', ' '].join('\n'),
    );
    expect(found).toHaveLength(0);
  });

  it('flags a changed line that breaks an ordered block', () => {
    const found = xmas(
      ['@@ -40,5 +40,5 @@ static bool f(struct foo *foo)', ' {', ' 	struct dentry *dentry;', '-	int i = 0;', '+	unsigned long long count = 0;', ' 	int n;', ' '].join('\n'),
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.fix?.target).toMatchObject({
      startLine: 41,
      endLine: 43,
      lines: ['\tunsigned long long count = 0;', '\tstruct dentry *dentry;', '\tint n;'],
    });
  });

  it('works at the top of a hunk without the opening brace, but offers no fix then', () => {
    const found = xmas(
      [
        '@@ -40,6 +40,7 @@ static int foo_probe(struct pci_dev *pdev, const struct pci_device_id *id)',
        ' 	struct foo_priv *priv;',
        ' 	int err;',
        '+	struct net_device *netdev;',
        ' ',
        ' 	err = pci_enable_device(pdev);',
      ].join('\n'),
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.fix).toBeUndefined();
  });

  it('ignores struct members and statements', () => {
    expect(
      xmas(
        ['@@ -346,7 +346,7 @@ struct foo_adapter {', ' 	int num_rx_queues;', '+	struct foo_ring *rx_ring[MAX_TX_QUEUES];', ' 	u64 hw_csum_rx_error;'].join('\n'),
        'drivers/net/ethernet/foo/foo.h',
      ),
    ).toHaveLength(0);
    expect(
      xmas(['@@ -1,6 +1,7 @@ void f(void)', ' {', ' 	int i;', ' ', ' 	i = 0;', '+	foo_something_long(i);', ' 	return;'].join('\n')),
    ).toHaveLength(0);
  });

  it('reads qualified declarations and their names', () => {
    const m = declarationStart('\tstruct foo __rcu *p = rcu_dereference(bar);');
    expect(m?.[2]).toBe('p');
    expect(declarationStart('\tint constant = 1;')?.[2]).toBe('constant');
    expect(declarationStart('\tstruct sk_buff *skb, *nskb;')?.[2]).toBe('skb');
    expect(declarationStart('\treturn ret;')).toBeUndefined();
    expect(declarationStart('\tgoto out;')).toBeUndefined();
    expect(declarationStart('\tret = foo(bar);')).toBeUndefined();
    expect(declarationStart('\t\tint nested;')).toBeUndefined();
    expect(declarationStart('\tDECLARE_BITMAP(map, 8);')).toBeUndefined();
  });

  it('keeps a dependent declaration below what it uses in the fix', () => {
    const found = xmas(
      [
        '@@ -1,6 +1,8 @@ static int f(struct net_device *dev)',
        '-{',
        '+{',
        ' 	struct foo_priv *priv = netdev_priv(dev);',
        '+	int i;',
        '+	struct foo_stats_for_everything *st = &priv->stats;',
        '+	struct a_really_long_type_name_here_and_more_so_x *x;',
        ' ',
        ' 	g();',
      ].join('\n'),
    );
    expect(found.length).toBeGreaterThanOrEqual(1);
    expect(found[0]?.fix?.target).toMatchObject({
      lines: [
        '\tstruct a_really_long_type_name_here_and_more_so_x *x;',
        '\tstruct foo_priv *priv = netdev_priv(dev);',
        '\tstruct foo_stats_for_everything *st = &priv->stats;',
        '\tint i;',
      ],
    });
  });

  it('treats a wrapped declaration as one, measured by its first line', () => {
    const found = xmas(
      [
        '@@ -1,6 +1,8 @@ void f(struct foo *foo)',
        ' {',
        '+	struct foo_priv *priv =',
        '+		container_of(foo, struct foo_priv, foo);',
        ' 	int err;',
        ' ',
        ' 	g();',
      ].join('\n'),
    );
    expect(found).toHaveLength(0);
  });
});

describe('netdev/fixes-missing', () => {
  const netFix = (subject: string, trailers: Array<[string, string]> = [], index = 0) =>
    patch({ subject, trailers, index, files: [file(C, '@@ -1,1 +1,1 @@\n-a\n+b')] });

  it('flags a net patch without Fixes', () => {
    const p = netFix('[PATCH net] foo: fix the thing');
    expect(fixesMissing.check(p, ctx(changeset([p])))).toHaveLength(1);
  });

  it('is satisfied by one Fixes anywhere in the series', () => {
    const a = netFix('[PATCH net 1/2] foo: fix a', [], 0);
    const b = netFix('[PATCH net 2/2] foo: fix b', [['Fixes', '0123456789ab ("foo: add b")']], 1);
    const cs = changeset([a, b]);
    expect(fixesMissing.check(a, ctx(cs))).toHaveLength(0);
    // Without the series grouping the first patch would be flagged.
    expect(fixesMissing.check(a, ctx({ ...cs, series: [] }))).toHaveLength(1);
  });

  it('does not apply to -next trees or documentation-only patches', () => {
    const n = netFix('[PATCH net-next] foo: add b');
    expect(fixesMissing.check(n, ctx(changeset([n])))).toHaveLength(0);
    const d = patch({ subject: '[PATCH net] docs: fix typo', files: [file('Documentation/networking/foo.rst', '@@ -1 +1 @@\n-a\n+b')] });
    expect(fixesMissing.check(d, ctx(changeset([d])))).toHaveLength(0);
  });

  it('treats iwl-net, bpf and wireless as fixes trees', () => {
    for (const tree of ['iwl-net', 'bpf', 'wireless']) {
      const p = netFix(`[PATCH ${tree}] foo: fix`);
      expect(fixesMissing.check(p, ctx(changeset([p])))).toHaveLength(1);
    }
  });
});

describe('netdev/fixes-on-next', () => {
  it('points at the Fixes trailer of a net-next patch', () => {
    const p = patch({ subject: '[PATCH net-next] foo: tweak', trailers: [['Fixes', '0123456789ab ("foo: x")']] });
    const found = fixesOnNext.check(p, ctx(changeset([p])));
    expect(found).toHaveLength(1);
    expect(found[0]?.location).toMatchObject({ kind: 'message', line: 3 });
  });
});

describe('netdev/tree-missing', () => {
  it('wants a tree on netdev emails, not on plain diffs', () => {
    const files = [file(C, '@@ -1 +1 @@\n-a\n+b')];
    const e = patch({ subject: '[PATCH] foo: fix', files });
    expect(treeMissing.check(e, ctx(changeset([e])))).toHaveLength(1);
    const d = patch({ subject: '[PATCH] foo: fix', files, kind: 'diff' });
    expect(treeMissing.check(d, ctx(changeset([d])))).toHaveLength(0);
    const ok = patch({ subject: '[PATCH net,v2] foo: fix', files });
    expect(treeMissing.check(ok, ctx(changeset([ok])))).toHaveLength(0);
  });
});

describe('netdev/deprecated-api and friends', () => {
  it('grades module_param as an error and counts removals', () => {
    const p = patch({ files: [file(C, '@@ -1,1 +1,3 @@\n static int x;\n+module_param(x, int, 0644);\n+	dev_hold(dev);')] });
    const found = deprecatedApi.check(p, ctx());
    expect(found.map((f) => f.severity)).toEqual(['error', 'warning']);
    const moved = patch({ files: [file(C, '@@ -1,2 +1,2 @@\n-	dev_hold(dev);\n+	dev_hold(priv->dev);')] });
    expect(deprecatedApi.check(moved, ctx())).toHaveLength(0);
    const tracked = patch({ files: [file(C, '@@ -1,1 +1,2 @@\n x\n+	netdev_hold(dev, &t, GFP_KERNEL);')] });
    expect(deprecatedApi.check(tracked, ctx())).toHaveLength(0);
  });

  it('counts __free( only under drivers/net', () => {
    const body = '@@ -1,1 +1,2 @@\n {\n+	struct foo *f __free(kfree) = NULL;';
    expect(deprecatedApi.check(patch({ files: [file(C, body)] }), ctx())).toHaveLength(1);
    expect(deprecatedApi.check(patch({ files: [file('net/core/dev.c', body)] }), ctx())).toHaveLength(0);
  });

  it('inline: __always_inline and comments do not count', () => {
    const p = patch({ files: [file(C, '@@ -1,1 +1,3 @@\n x\n+static __always_inline int a(void)\n+/* inline the fast path */')] });
    expect(inlineInSource.check(p, ctx())).toHaveLength(0);
  });

  it('header static: variables and static inline are fine', () => {
    const h = 'include/net/foo.h';
    const p = patch({
      files: [file(h, '@@ -1,1 +1,4 @@\n x\n+static inline int a(void)\n+static const int tbl[] = { 1, 2 };\n+static int b(struct foo *f)')],
    });
    const found = headerStaticNotInline.check(p, ctx());
    expect(found).toHaveLength(1);
    expect(found[0]?.evidence).toBe('static int b(struct foo *f)');
  });
});

describe('isNetdevPatch', () => {
  it('uses configured paths and tree names', () => {
    const config = defaultConfig();
    expect(isNetdevPatch(patch({ subject: '[PATCH] x: y', files: [file('include/uapi/linux/if_link.h', '@@ -1 +1 @@\n-a\n+b')] }), config)).toBe(true);
    expect(isNetdevPatch(patch({ subject: '[PATCH] mm: y', files: [file('mm/slab.c', '@@ -1 +1 @@\n-a\n+b')] }), config)).toBe(false);
    expect(isNetdevPatch(patch({ subject: '[PATCH bpf-next] mm: y', files: [file('mm/slab.c', '@@ -1 +1 @@\n-a\n+b')] }), config)).toBe(true);
  });
});

describe('netdev/tree-case', () => {
  it('lower-cases the tree inside the prefix only', async () => {
    const { treeCase } = await import('../../../src/rules/netdev/tree-case.js');
    const p = patch({ subject: '[PATCH Net-Next v2] Net-Next: fix' });
    const found = treeCase.check(p, ctx());
    expect(found[0]?.fix?.target).toEqual({ kind: 'subject', subject: '[PATCH net-next v2] Net-Next: fix' });
  });
});

describe('netdev/fixes-missing: what reads as a fix', () => {
  const check = (subjectLine: string, message?: string, listTags: string[] = []) => {
    const base = subject(subjectLine);
    const p = patch({ subject: { ...base, listTags }, ...(message !== undefined ? { message } : { message: 'Describe it.\nMore.\n\nSigned-off-by: A U Thor <author@example.com>' }), files: [file(C, '@@ -1,1 +1,1 @@\n-a\n+b')] });
    return fixesMissing.check(p, ctx(changeset([p])));
  };

  it('names the fixes tree of the tag it was sent to', () => {
    expect(check('[PATCH net-next] foo: fix a deadlock in foo_close()')[0]?.message).toMatch(/send it to `net` rather than `net-next`/);
    expect(check('[PATCH iwl-next] ice: fix a race in ice_ptp_gettime()')[0]?.message).toMatch(/send it to `iwl-net` rather than `iwl-next`/);
    expect(check('[PATCH bpf-next] bpf: fix an out-of-bounds read in the verifier')[0]?.message).toMatch(/send it to `bpf` rather than `bpf-next`/);
    expect(check('[PATCH] ice: fix a memory leak in ice_probe()', undefined, ['Intel-wired-lan'])[0]?.message).toMatch(/send it to `iwl-net`/);
  });

  it('reads subjects, bodies and reports, but not cosmetic fixes', () => {
    expect(check('[PATCH] foo: avoid a crash on unload')).toHaveLength(1);
    expect(check('[PATCH] foo: fix kernel-doc warnings')).toHaveLength(0);
    expect(check('[PATCH] foo: fix spelling of "receive"')).toHaveLength(0);
    // Untagged: the body counts; on a -next tree it does not.
    const leak = 'The rx path leaks an skb when the ring is full.\nFree it.\n\nSigned-off-by: A U Thor <author@example.com>';
    expect(check('[PATCH] foo: free the skb on a full ring', leak)[0]?.severity).toBe('warning');
    expect(check('[PATCH net-next] foo: free the skb on a full ring', leak)).toHaveLength(0);
    const history = 'Commit 0123456789ab ("foo: fix a leak") fixed the refill.\nAdd a page pool on top.\n\nSigned-off-by: A U Thor <author@example.com>';
    expect(check('[PATCH] foo: add a page pool', history)).toHaveLength(0);
  });
});

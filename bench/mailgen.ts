/**
 * A generated netdev-like mailing-list archive, the same for every run (seeded): series of one to
 * eight patches from forty authors to net, net-next and sub-trees, cover letters, review replies
 * (Reviewed-by, Acked-by, change requests, NAKs, questions; some from mail clients that send
 * quoted-printable format=flowed), new versions (some threaded under the old one, some within a
 * day), a few style errors of the kinds checkpatch and the rules flag, and an incomplete series
 * at the end. Used by bench:review (400 messages, 80,000 lines) and bench:triage (10,000).
 */

export interface ArchiveSpec {
  messages: number;
  /** Total lines the mbox should have, roughly (patch sizes are scaled to it). */
  lines: number;
  seed?: number;
}

/** A deterministic pseudo-random generator. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const FIRST = ['Jane', 'Joe', 'Ann', 'Marek', 'Ido', 'Paolo', 'Eric', 'Jakub', 'Simon', 'Vladimir', 'Andrew', 'Florian', 'Heiner', 'Russell', 'Oleksij', 'Saeed', 'Tariq', 'Michal', 'Przemek', 'Tony', 'Jacob', 'Aleksandr', 'Larysa', 'Maciej', 'Kuniyuki', 'Willem', 'Stanislav', 'Daniel', 'Martin', 'Alexei', 'Hangbin', 'Xin', 'Jiri', 'Petr', 'Nikolay', 'Vadim', 'Arkadiusz', 'Sabrina', 'Antonio', 'Gal'];
const LAST = ['Developer', 'Hacker', 'Quill', 'Nowak', 'Schimmel', 'Abeni', 'Dumazet', 'Kicinski', 'Horman', 'Oltean', 'Lunn', 'Fainelli', 'Kallweit', 'King', 'Rempel', 'Mahameed', 'Toukan', 'Swiatkowski', 'Kitszel', 'Nguyen', 'Keller', 'Loktionov', 'Zaremba', 'Fijalkowski', 'Iwashima', 'Bruijn', 'Fomichev', 'Borkmann', 'Lau', 'Starovoitov', 'Liu', 'Long', 'Pirko', 'Machata', 'Aleksandrov', 'Fedorenko', 'Kubalewski', 'Dubroca', 'Quartulli', 'Pressman'];
const DRIVERS = [
  ['drivers/net/ethernet/intel/ice', 'ice'],
  ['drivers/net/ethernet/intel/igc', 'igc'],
  ['drivers/net/ethernet/intel/i40e', 'i40e'],
  ['drivers/net/ethernet/mellanox/mlx5/core', 'net/mlx5'],
  ['drivers/net/ethernet/broadcom/bnxt', 'bnxt_en'],
  ['drivers/net/ethernet/marvell/mvpp2', 'net: mvpp2'],
  ['drivers/net/ethernet/stmicro/stmmac', 'net: stmmac'],
  ['drivers/net/phy', 'net: phy'],
  ['drivers/net/dsa/mv88e6xxx', 'net: dsa: mv88e6xxx'],
  ['drivers/net/ethernet/freescale/enetc', 'net: enetc'],
  ['net/ipv4', 'ipv4'],
  ['net/ipv6', 'ipv6'],
  ['net/core', 'net: core'],
  ['net/sched', 'net/sched'],
  ['drivers/net/wireguard', 'wireguard'],
  ['drivers/net/ethernet/realtek', 'r8169'],
] as const;
const VERBS = ['fix', 'avoid', 'drop', 'add', 'use', 'convert', 'rework', 'remove', 'handle', 'validate', 'free', 'hold'];
const OBJECTS = ['the rx buffer leak', 'a race in the tx ring reset', 'the stats update under the lock', 'an off-by-one in the queue count', 'devm_ helpers for the clocks', 'the link state on resume', 'a NULL dereference on probe failure', 'the ethtool ring parameters', 'page pool recycling', 'the XDP redirect path', 'the PTP clock adjustment', 'a missing error unwind', 'VLAN filtering on reset', 'the MTU change path'];
const TYPES = ['struct sk_buff *skb', 'struct net_device *dev', 'unsigned int len', 'int err', 'u32 val', 'dma_addr_t dma', 'struct page *page', 'unsigned long flags', 'struct device *parent = dev->dev.parent', 'struct foo_ring *ring = &priv->rx_ring[qid]'];
const CALLS = ['netif_receive_skb(skb)', 'dma_unmap_single(dev->dev.parent, dma, len, DMA_FROM_DEVICE)', 'napi_gro_receive(&priv->napi, skb)', 'skb_put(skb, len)', 'u64_stats_update_begin(&stats->syncp)', 'spin_lock_irqsave(&priv->lock, flags)', 'spin_unlock_irqrestore(&priv->lock, flags)', 'writel(val, priv->base + REG_CTRL)', 'page_pool_put_full_page(ring->pp, page, false)', 'netdev_warn(dev, "ring %u stalled\\n", qid)'];
const REVIEW = [
  'Looks good to me.',
  'Thanks for fixing this, it has bitten us in the lab as well.',
  'The change is fine, but the commit message could say how the problem shows up.',
  'Nice clean-up.',
];
const CHANGES = [
  'Please keep the declarations in reverse xmas tree order.',
  'This needs a Fixes tag, since it is a fix for net.',
  'Can you split the refactoring from the fix? The fix has to go to net.',
  'The error path leaks the page here; please free it before returning.',
  'nit: the comment style in networking code is different, please fix in v2.',
];

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

function wrap(text: string, width = 72): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

function rfcDate(minutes: number): string {
  const d = new Date(Date.UTC(2025, 5, 2, 8, 0, 0) + minutes * 60_000);
  return d.toUTCString().replace('GMT', '+0000');
}

interface Person {
  name: string;
  email: string;
}

const person = (i: number): Person => {
  const first = FIRST[i % FIRST.length]!;
  const last = LAST[(i * 7) % LAST.length]!;
  return { name: `${first} ${last}`, email: `${first}.${last}@example.${i % 3 === 0 ? 'com' : i % 3 === 1 ? 'org' : 'net'}`.toLowerCase() };
};
const addr = (p: Person) => `${p.name} <${p.email}>`;

/** One hunk of a C function; `errors` injects the style slips reviewers and checkpatch flag. */
function hunk(r: () => number, fn: string, budget: number, errors: boolean): { lines: string[]; old: number; new: number } {
  const lines: string[] = [` static int ${fn}(struct foo_priv *priv, int budget)`, ' {'];
  const decls = [...TYPES].sort(() => r() - 0.5).slice(0, 3 + Math.floor(r() * 3));
  if (r() < 0.8) decls.sort((a, b) => b.split('=')[0]!.length - a.split('=')[0]!.length);
  for (const d of decls) lines.push(`${r() < 0.25 ? '+' : ' '}\t${d};`);
  lines.push(' ', ' \tfor (i = 0; i < budget; i++) {');
  while (lines.length < budget - 5) {
    const call = pick(r, CALLS);
    const roll = r();
    if (roll < 0.2) lines.push(`-\t\t${call};`, `+\t\t${call.replace('(', '_locked(')};`);
    else if (roll < 0.32) lines.push(`+\t\tif (unlikely(!${call.split('(')[0]}(priv)))`, '+\t\t\tbreak;');
    else if (roll < 0.36) lines.push('+\t\t/* the ring may have been reset by the watchdog meanwhile */');
    else lines.push(` \t\t${call};`);
    if (errors && r() < 0.01) lines.push('+\t\tpriv->stats.rx_dropped++;   ');
    if (errors && r() < 0.01) lines.push(`+\t\tnetdev_err(dev, "failed to refill the rx ring %u after %u attempts, giving up for now: %d\\n", qid, tries, err);`);
    if (errors && r() < 0.004) lines.push('+        priv->stats.rx_errors++;');
  }
  lines.push(' \t}', ' ', ' \treturn i;', ' }');
  const old = lines.filter((l) => !l.startsWith('+')).length;
  const neu = lines.filter((l) => !l.startsWith('-')).length;
  return { lines, old, new: neu };
}

interface Msg {
  text: string;
  lines: number;
}

function message(headers: string[], body: string[], qp = false): Msg {
  const head = [...headers, 'MIME-Version: 1.0', qp ? 'Content-Type: text/plain; charset=UTF-8; format=flowed' : 'Content-Type: text/plain; charset=UTF-8', `Content-Transfer-Encoding: ${qp ? 'quoted-printable' : '8bit'}`];
  const encoded = qp ? body.map((l) => l.replace(/=/g, '=3D').replace(/ $/, '=20')) : body;
  const text = `${head.join('\n')}\n\n${encoded.join('\n')}\n`;
  return { text, lines: head.length + 1 + encoded.length };
}

interface Posted {
  id: string;
  subject: string;
  author: Person;
  tree: string;
  driver: readonly [string, string];
  summaries: string[];
  version: number;
  total: number;
  patchIds: string[];
  minutes: number;
}

/** The archive's messages, oldest first, as RFC 5322 texts. */
export function generateArchive(spec: ArchiveSpec): string[] {
  // Patch sizes scale to the line target: a few passes of measuring and adjusting the mean.
  let mean = 40;
  let result = build(spec, mean);
  for (let i = 0; i < 6 && Math.abs(result.totalLines - spec.lines) > spec.lines * 0.01; i++) {
    const fixed = result.totalLines - result.patchLines;
    mean = Math.max(4, mean * Math.max(0.05, (spec.lines - fixed) / Math.max(1, result.patchLines)));
    result = build(spec, mean);
  }
  return result.messages;
}

function build(spec: ArchiveSpec, meanDiff: number): { messages: string[]; totalLines: number; patchLines: number } {
  const r = rng(spec.seed ?? 42);
  const out: string[] = [];
  let totalLines = 0;
  let patchLines = 0;
  let minutes = 0;
  let serial = 0;
  const due: { at: number; run: () => void }[] = [];
  const emit = (msg: Msg, diffLines = 0) => {
    if (out.length >= spec.messages) return;
    out.push(msg.text);
    totalLines += msg.lines + 1;
    patchLines += diffLines;
    minutes += 1 + Math.floor(r() * 8);
  };

  const post = (author: Person, tree: string, driver: readonly [string, string], summaries: string[], version: number, inReplyTo?: string): Posted => {
    const n = summaries.length;
    const id = `${minutes}.${serial++}.${author.email.split('@')[0]}`;
    const v = version > 1 ? ` v${version}` : '';
    const cover = n > 1 && r() < 0.9;
    const root = cover ? `${id}-0@example.com` : `${id}-1@example.com`;
    const first = summaries[0]!;
    const posted: Posted = { id: root, subject: '', author, tree, driver, summaries, version, total: n, patchIds: [], minutes };
    const errors = r() < 0.3;
    if (cover) {
      const subject = `[PATCH ${tree}${v} 0/${n}] ${driver[1]}: ${first.replace(/^\w+ /, 'rework ')}`;
      posted.subject = subject;
      const body = [...wrap(`This series ${first} and follows up with ${n - 1} related change${n > 2 ? 's' : ''} in ${driver[1]}. Tested on two boards under iperf3 and pktgen for a night.`), ''];
      if (version > 1) body.push(`Changes in v${version}:`, '- addressed the review comments on v' + (version - 1), '- rebased on the current tree', '');
      for (let k = 1; k <= n; k++) body.push(`${driver[1]}: ${summaries[k - 1]}`);
      body.push('', ` ${driver[0]}/main.c | ${n * 10} +++++-----`, ` 1 file changed`, '', '-- ', '2.43.0');
      emit(message([`From: ${addr(author)}`, 'To: netdev@vger.kernel.org', `Subject: ${subject}`, `Date: ${rfcDate(minutes)}`, `Message-Id: <${root}>`, ...(inReplyTo ? [`In-Reply-To: <${inReplyTo}>`, `References: <${inReplyTo}>`] : [])], body));
    }
    for (let k = 1; k <= n; k++) {
      const messageId = `${id}-${k}@example.com`;
      posted.patchIds.push(messageId);
      const counter = n > 1 ? ` ${k}/${n}` : '';
      const subject = `[PATCH ${tree}${v}${counter}] ${driver[1]}: ${summaries[k - 1]}`;
      if (!cover && k === 1) posted.subject = subject;
      const parent = cover || k > 1 ? root : inReplyTo;
      const isFix = !tree.includes('next');
      const body = wrap(`The ${driver[1]} driver has to ${summaries[k - 1]} because the current code ${pick(r, ['can leave the ring in an inconsistent state', 'leaks memory under load', 'warns on every link flap', 'races with the watchdog', 'does more work than needed in the hot path'])}. ${pick(r, ['Do it under the lock.', 'Move it to the common exit path.', 'Check the return value and unwind.', 'Use the helper the core provides.'])}`);
      body.push('');
      if (isFix && r() < 0.85) body.push(r() < 0.05 ? `Fixes: commit ${(serial * 7919).toString(16).padStart(12, '0')} ("${driver[1]}: add support")` : `Fixes: ${(serial * 104729).toString(16).padStart(12, '0').slice(0, 12)} ("${driver[1]}: add support for the new queues")`);
      if (r() < 0.15) body.push(`Reviewed-by: ${addr(person(serial + 3))}`);
      if (!errors || r() < 0.9) body.push(`Signed-off-by: ${addr(author)}`);
      body.push('---');
      if (version > 1 && !cover) body.push(`v${version}: reworded the commit message`, '');
      const file = `${driver[0]}/${pick(r, ['main', 'rx', 'tx', 'ethtool', 'lib'])}.c`;
      const size = Math.max(10, Math.round(meanDiff * (0.3 + r() * 1.4)));
      const hunks: string[] = [];
      let oldStart = 80 + Math.floor(r() * 400);
      let newStart = oldStart;
      let used = 0;
      let h = 0;
      while (used < size) {
        const part = hunk(r, `foo_${summaries[k - 1]!.split(' ')[0]}_${h++}`, Math.min(60, size - used + 8), errors);
        hunks.push(`@@ -${oldStart},${part.old} +${newStart},${part.new} @@ static const struct foo_ops foo_ops = {`, ...part.lines);
        used += part.lines.length + 1;
        oldStart += part.old + 30;
        newStart += part.new + 30;
      }
      body.push(` ${file} | ${used} ++++++++-----`, ' 1 file changed', '', `diff --git a/${file} b/${file}`, 'index 1a2b3c4d5e6f..6f5e4d3c2b1a 100644', `--- a/${file}`, `+++ b/${file}`, ...hunks, '-- ', '2.43.0');
      emit(
        message([`From: ${addr(author)}`, 'To: netdev@vger.kernel.org', `Subject: ${subject}`, `Date: ${rfcDate(minutes)}`, `Message-Id: <${messageId}>`, ...(parent ? [`In-Reply-To: <${parent}>`, `References: <${root}>`] : [])], body),
        used,
      );
    }
    return posted;
  };

  const reply = (to: Posted, k: number, who: Person, kind: 'review' | 'ack' | 'changes' | 'nak' | 'question') => {
    const target = k === 0 ? to.id : to.patchIds[k - 1]!;
    const subject = `Re: ${k === 0 ? to.subject : `[PATCH ${to.tree}${to.version > 1 ? ` v${to.version}` : ''}${to.total > 1 ? ` ${k}/${to.total}` : ''}] ${to.driver[1]}: ${to.summaries[k - 1]}`}`;
    const body = [`On ${rfcDate(to.minutes)}, ${to.author.name} wrote:`, `> The ${to.driver[1]} driver has to ${to.summaries[Math.max(0, k - 1)]} because the current`, '> code can leave the ring in an inconsistent state.', '>', `> Signed-off-by: ${addr(to.author)}`, '> ---', `>  ${to.driver[0]}/main.c | 10 +++++-----`, ''];
    if (kind === 'review') body.push(pick(r, REVIEW), '', `Reviewed-by: ${addr(who)}`);
    else if (kind === 'ack') body.push(`Acked-by: ${addr(who)}`);
    else if (kind === 'changes') body.push('> +\tspin_lock_irqsave(&priv->lock, flags);', '', pick(r, CHANGES));
    else if (kind === 'nak') body.push('NAK. This breaks the existing users of the interface; please take a look at', 'the discussion on the previous version first.');
    else body.push('Why is the lock needed here? The napi poll already serialises this.');
    body.push('', '-- ', who.name);
    emit(message([`From: ${addr(who)}`, 'To: netdev@vger.kernel.org', `Subject: ${subject}`, `Date: ${rfcDate(minutes)}`, `Message-Id: <reply.${serial++}.${who.email.split('@')[0]}@example.org>`, `In-Reply-To: <${target}>`, `References: <${to.id}>${target !== to.id ? ` <${target}>` : ''}`], body, r() < 0.15));
  };

  while (out.length < spec.messages) {
    const next = due.findIndex((d) => d.at <= out.length);
    if (next >= 0) {
      due.splice(next, 1)[0]!.run();
      continue;
    }
    const author = person(Math.floor(r() * 40));
    const roll = r();
    const n = roll < 0.5 ? 1 : roll < 0.65 ? 2 : roll < 0.8 ? 3 : 4 + Math.floor(r() * 5);
    const tree = r() < 0.3 ? 'net' : r() < 0.85 ? 'net-next' : pick(r, ['iwl-next', 'iwl-net', 'bpf-next']);
    const driver = pick(r, DRIVERS);
    const summaries = Array.from({ length: n }, () => `${pick(r, VERBS)} ${pick(r, OBJECTS)}`);
    const posted = post(author, tree, driver, summaries, 1);
    const replies = r() < 0.6 ? 1 + Math.floor(r() * 3) : 0;
    for (let i = 0; i < replies; i++) {
      const who = person(Math.floor(r() * 40) + 40);
      const roll2 = r();
      const kind = roll2 < 0.4 ? 'review' : roll2 < 0.6 ? 'ack' : roll2 < 0.85 ? 'changes' : roll2 < 0.9 ? 'nak' : 'question';
      const k = posted.total > 1 && r() < 0.3 ? 0 : 1 + Math.floor(r() * posted.total);
      due.push({ at: out.length + 1 + Math.floor(r() * 30), run: () => reply(posted, k, who, kind) });
    }
    if (r() < 0.25) {
      const threaded = r() < 0.3;
      due.push({ at: out.length + 5 + Math.floor(r() * 80), run: () => void post(author, tree, driver, summaries, 2, threaded ? posted.id : undefined) });
    }
  }
  return { messages: out, totalLines, patchLines };
}

/** Messages as an mboxrd. */
export function toMbox(messages: readonly string[]): string {
  return messages.map((m) => `From mboxrd@z Thu Jan  1 00:00:00 1970\n${m.replace(/^(>*From )/gm, '>$1')}\n`).join('');
}

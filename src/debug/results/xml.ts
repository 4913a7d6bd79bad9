/**
 * A small, tolerant XML reader, just enough for JUnit reports (pytest, node:test, vitest, jest-junit).
 * No XML dependency is installed in node_modules (checked: no fast-xml-parser, sax, xml2js), and
 * JUnit files are simple: elements, attributes, text, CDATA, comments. Malformed input never
 * throws: unclosed elements are closed at the end, stray closing tags are ignored.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text and CDATA directly inside this element. */
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (m, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X')) {
      const cp = parseInt(body.slice(2), 16);
      return Number.isFinite(cp) && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    if (body.startsWith('#')) {
      const cp = parseInt(body.slice(1), 10);
      return Number.isFinite(cp) && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[body] ?? m;
  });
}

const TOKEN =
  /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[([\s\S]*?)(?:\]\]>|$)|<\?[\s\S]*?(?:\?>|$)|<!DOCTYPE[^>]*>|<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*(\/?)>/g;
const ATTR = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

export function parseXml(source: string): XmlElement {
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  let last = 0;
  const top = () => stack[stack.length - 1]!;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(source); m; m = TOKEN.exec(source)) {
    if (m.index > last) top().text += decodeEntities(source.slice(last, m.index));
    last = TOKEN.lastIndex;
    const tok = m[0];
    if (tok.startsWith('<![CDATA[')) {
      top().text += m[1] ?? '';
      continue;
    }
    if (tok.startsWith('<!') || tok.startsWith('<?')) continue;
    const closing = m[2] === '/';
    const name = m[3]!;
    if (closing) {
      // Pop to the matching element, if there is one; ignore a stray closing tag.
      for (let i = stack.length - 1; i > 0; i--) {
        if (stack[i]!.name === name) {
          stack.length = i;
          break;
        }
      }
      continue;
    }
    const attrs: Record<string, string> = {};
    const attrText = m[4] ?? '';
    ATTR.lastIndex = 0;
    for (let a = ATTR.exec(attrText); a; a = ATTR.exec(attrText)) {
      attrs[a[1]!] = decodeEntities(a[2] ?? a[3] ?? a[4] ?? '');
    }
    const el: XmlElement = { name, attrs, children: [], text: '' };
    top().children.push(el);
    if (m[5] !== '/') stack.push(el);
  }
  if (last < source.length) top().text += decodeEntities(source.slice(last));
  return root;
}

/** All descendants named `name`, depth first, not descending into matches. */
export function findAll(el: XmlElement, name: string, out: XmlElement[] = []): XmlElement[] {
  for (const c of el.children) {
    if (c.name === name) out.push(c);
    else findAll(c, name, out);
  }
  return out;
}
